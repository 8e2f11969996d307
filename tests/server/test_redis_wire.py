"""The thin Redis client of the cluster's hot path, against a real redis-server.

Every wait here is for a state (a reply, a message counted, a callback made),
never for a duration.
"""

from __future__ import annotations

import asyncio
import uuid

import hiredis
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ringside.server.redis_wire import (
    RedisConnectionLost,
    RedisLink,
    RedisReplyError,
    RedisSubscription,
    encode_command,
    parse_url,
)
from ringside.testing.redis import RedisServer


def _name(prefix: str) -> bytes:
    """A channel or key of this test's own: the session's server is shared."""
    return f"{prefix}:{uuid.uuid4().hex}".encode()


class Inbox:
    """Collects messages; ``wait_for(n)`` returns once ``n`` have arrived."""

    def __init__(self) -> None:
        self.messages: list[tuple[bytes, bytes]] = []
        self._want = 0
        self._arrived: asyncio.Future[None] | None = None

    def __call__(self, channel: bytes, data: bytes) -> None:
        self.messages.append((channel, data))
        arrived = self._arrived
        if arrived is not None and len(self.messages) >= self._want and not arrived.done():
            arrived.set_result(None)

    async def wait_for(self, count: int) -> None:
        if len(self.messages) >= count:
            return
        self._want = count
        self._arrived = asyncio.get_running_loop().create_future()
        await self._arrived


class Losses:
    """Records ``on_lost`` calls; ``wait()`` returns once there was one."""

    def __init__(self) -> None:
        self.calls: list[Exception | None] = []
        self.event = asyncio.Event()

    def __call__(self, exc: Exception | None) -> None:
        self.calls.append(exc)
        self.event.set()

    async def wait(self) -> None:
        await self.event.wait()


async def test_ten_thousand_messages_arrive_all_and_in_order(redis_server: RedisServer) -> None:
    inbox = Inbox()
    channel = _name("order")
    link = await RedisLink.open(redis_server.url)
    sub = await RedisSubscription.open(redis_server.url, inbox)
    try:
        await sub.subscribe(channel)
        sent = [b"%d:%s" % (i, b"x" * (i % 97)) for i in range(10_000)]
        for i, data in enumerate(sent):
            link.publish(channel, data)
            if i % 250 == 249:
                await asyncio.sleep(0)  # a new pass: the next batch is a separate write
        await inbox.wait_for(len(sent))
        assert [data for _, data in inbox.messages] == sent
        assert {ch for ch, _ in inbox.messages} == {channel}
        # The publishes' replies were all read: the next command gets its own reply.
        assert await link.command("PING") == b"PONG"
        assert link.errors == 0
        assert link.dropped == 0
    finally:
        await link.close()
        await sub.close()


async def test_replies_of_every_type(redis_server: RedisServer) -> None:
    link = await RedisLink.open(redis_server.url)
    key, other, missing = _name("k"), _name("list"), _name("missing")
    try:
        assert await link.command("PING") == b"PONG"  # status
        assert await link.command("SET", key, "10") == b"OK"  # status
        assert await link.command("INCRBY", key, 5) == 15  # integer
        assert await link.command("GET", key) == b"15"  # bulk
        assert await link.command("GET", missing) is None  # nil
        assert await link.command("RPUSH", other, b"a", "b", 3) == 3
        assert await link.command("LRANGE", other, 0, -1) == [b"a", b"b", b"3"]  # array
        assert await link.command("LRANGE", missing, 0, -1) == []  # empty array
        with pytest.raises(RedisReplyError, match="WRONGTYPE"):
            await link.command("LPUSH", key, "x")
        with pytest.raises(RedisReplyError, match="unknown command"):
            await link.command("NO-SUCH-COMMAND")
        assert await link.command("ECHO", b"\r\n\x00binary") == b"\r\n\x00binary"
    finally:
        await link.close()


async def test_pipelined_commands_interleaved_with_publishes(redis_server: RedisServer) -> None:
    inbox = Inbox()
    channel, counter = _name("mixed"), _name("counter")
    link = await RedisLink.open(redis_server.url)
    sub = await RedisSubscription.open(redis_server.url, inbox)
    try:
        await sub.subscribe(channel)
        tasks: list[asyncio.Task[object]] = []
        for i in range(200):
            link.publish(channel, b"before %d" % i)
            tasks.append(asyncio.create_task(link.command("INCR", counter)))
            if i % 3 == 0:
                tasks.append(asyncio.create_task(link.command("ECHO", b"echo %d" % i)))
            if i % 50 == 0:
                tasks.append(asyncio.create_task(link.command("HGET", counter, "f")))
            await asyncio.sleep(0)  # let the tasks send, between publishes
            link.publish(channel, b"after %d" % i)
        results = await asyncio.gather(*tasks, return_exceptions=True)
        expected: list[object] = []
        for i in range(200):
            expected.append(i + 1)
            if i % 3 == 0:
                expected.append(b"echo %d" % i)
            if i % 50 == 0:
                expected.append("WRONGTYPE")
        got = [
            "WRONGTYPE" if isinstance(r, RedisReplyError) and "WRONGTYPE" in str(r) else r
            for r in results
        ]
        assert got == expected
        await inbox.wait_for(400)
        assert [data for _, data in inbox.messages] == [
            msg for i in range(200) for msg in (b"before %d" % i, b"after %d" % i)
        ]
        assert link.errors == 0
    finally:
        await link.close()
        await sub.close()


async def test_subscribe_and_unsubscribe_are_confirmed(redis_server: RedisServer) -> None:
    inbox = Inbox()
    a, b, c = _name("a"), _name("b"), _name("c")
    link = await RedisLink.open(redis_server.url)
    sub = await RedisSubscription.open(redis_server.url, inbox)
    try:
        await sub.subscribe(a, b)
        assert sub.channels == {a, b}
        # Confirmed means in effect: the server already counts the subscriber.
        assert await link.command("PUBSUB", "NUMSUB", a, b, c) == [a, 1, b, 1, c, 0]
        await sub.subscribe(c)
        await sub.unsubscribe(a, c)
        assert sub.channels == {b}
        assert await link.command("PUBSUB", "NUMSUB", a, b, c) == [a, 0, b, 1, c, 0]
        assert await link.command("PUBLISH", a, b"to a") == 0
        link.publish(b, b"to b")
        await inbox.wait_for(1)
        assert inbox.messages == [(b, b"to b")]
        await sub.unsubscribe(a)  # not subscribed: still confirmed
        assert sub.channels == {b}
        with pytest.raises(ValueError):
            await sub.subscribe()
    finally:
        await link.close()
        await sub.close()


async def test_a_killed_server_fails_pending_replies_and_calls_on_lost_once(
    fresh_redis: RedisServer,
) -> None:
    link_lost, sub_lost, watcher_lost = Losses(), Losses(), Losses()
    key, channel = _name("list"), _name("ch")
    link = await RedisLink.open(fresh_redis.url, on_lost=link_lost)
    sub = await RedisSubscription.open(fresh_redis.url, Inbox(), on_lost=sub_lost)
    watcher = await RedisLink.open(fresh_redis.url, on_lost=watcher_lost)
    await sub.subscribe(channel)
    blocked = asyncio.create_task(link.command("BLPOP", key, 0))  # waits forever
    queued = asyncio.create_task(link.command("PING"))  # behind it on the same connection
    info = b""
    while b"blocked_clients:1\r\n" not in info:  # until the server holds the BLPOP
        reply = await watcher.command("INFO", "clients")
        assert isinstance(reply, bytes)
        info = reply

    fresh_redis.kill()
    await link_lost.wait()
    await sub_lost.wait()
    await watcher_lost.wait()

    for task in (blocked, queued):
        with pytest.raises(RedisConnectionLost):
            await task
    assert link.closed and sub.closed
    link.publish(channel, b"after the loss")
    link.publish(channel, b"and another")
    assert link.dropped == 2
    with pytest.raises(RedisConnectionLost):
        await link.command("PING")
    with pytest.raises(RedisConnectionLost):
        await sub.subscribe(channel)
    await link.close()  # closing what is already lost is harmless
    await sub.close()
    await watcher.close()
    assert len(link_lost.calls) == len(sub_lost.calls) == len(watcher_lost.calls) == 1

    # The caller reconnects: the server comes back on the same URL.
    fresh_redis.launch()
    again = await RedisLink.open(fresh_redis.url)
    try:
        assert await again.command("PING") == b"PONG"
    finally:
        await again.close()


async def test_restart_keeps_the_url(fresh_redis: RedisServer) -> None:
    lost = Losses()
    link = await RedisLink.open(fresh_redis.url, on_lost=lost)
    fresh_redis.restart()
    await lost.wait()
    assert link.closed
    link = await RedisLink.open(fresh_redis.url)
    try:
        assert await link.command("PING") == b"PONG"
    finally:
        await link.close()


async def test_close_fails_pending_replies_without_calling_on_lost(
    redis_server: RedisServer,
) -> None:
    lost = Losses()
    link = await RedisLink.open(redis_server.url, on_lost=lost)
    pending = asyncio.create_task(link.command("BLPOP", _name("never"), 0))
    await asyncio.sleep(0)  # the task has sent its command
    await link.close()
    with pytest.raises(RedisConnectionLost):
        await pending
    assert link.closed
    assert lost.calls == []


def test_url_parsing() -> None:
    assert parse_url("redis://127.0.0.1:6380/3") == ("127.0.0.1", 6380, 3, None, None)
    assert parse_url("redis://example.org") == ("example.org", 6379, 0, None, None)
    assert parse_url("redis://localhost:7000/") == ("localhost", 7000, 0, None, None)
    assert parse_url("redis://:s%40cret@h:1/2") == ("h", 1, 2, None, "s@cret")
    assert parse_url("redis://user:pw@h/0") == ("h", 6379, 0, "user", "pw")
    for bad in ("http://h:1/0", "redis://h:1/x", "redis://h:1/-1"):
        with pytest.raises(ValueError):
            parse_url(bad)


async def test_the_url_selects_the_database(redis_server: RedisServer) -> None:
    key = _name("db")
    base = redis_server.url.rsplit("/", 1)[0]
    in_3 = await RedisLink.open(f"{base}/3")
    in_0 = await RedisLink.open(redis_server.url)
    try:
        assert await in_3.command("SET", key, "three") == b"OK"
        assert await in_3.command("GET", key) == b"three"
        assert await in_0.command("GET", key) is None
        assert await in_0.command("SELECT", 3) == b"OK"
        assert await in_0.command("GET", key) == b"three"
    finally:
        await in_3.close()
        await in_0.close()
    with pytest.raises(RedisReplyError, match="DB index"):
        await RedisLink.open(f"{base}/99")


_ARGS = st.lists(
    st.one_of(st.binary(max_size=40), st.text(max_size=20), st.integers()), min_size=1, max_size=8
)


@given(args=_ARGS, cuts=st.lists(st.integers(min_value=0), max_size=5))
def test_encoded_commands_read_back_the_same(
    args: list[bytes | str | int], cuts: list[int]
) -> None:
    """What ``encode_command`` writes, a RESP reader reads back, however the bytes arrive."""
    encoded = encode_command(*args)
    reader = hiredis.Reader()
    points = sorted({cut % len(encoded) for cut in cuts} - {0})  # cut inside
    for start, end in zip([0, *points], [*points, len(encoded)], strict=True):
        assert reader.gets() is False
        reader.feed(encoded[start:end])
    expected = [
        a if isinstance(a, bytes) else a.encode() if isinstance(a, str) else str(a).encode()
        for a in args
    ]
    assert reader.gets() == expected
    assert reader.gets() is False


def test_encoding_refuses_what_is_not_an_argument() -> None:
    with pytest.raises(ValueError):
        encode_command()
    with pytest.raises(TypeError):
        encode_command("SET", 1.5)  # type: ignore[arg-type]


def test_on_uvloop_like_the_server(redis_server: RedisServer) -> None:
    """uvloop's transports are not ``asyncio.Transport`` subclasses: the same paths on it."""
    import uvloop

    async def main() -> None:
        inbox, channel, key = Inbox(), _name("uv"), _name("uv-key")
        link = await RedisLink.open(redis_server.url)
        sub = await RedisSubscription.open(redis_server.url, inbox)
        try:
            await sub.subscribe(channel)
            for i in range(1_000):
                link.publish(channel, b"%d" % i)
            assert await link.command("INCR", key) == 1
            await inbox.wait_for(1_000)
            assert [data for _, data in inbox.messages] == [b"%d" % i for i in range(1_000)]
            await sub.unsubscribe(channel)
            assert sub.channels == set()
        finally:
            await link.close()
            await sub.close()

    uvloop.run(main())
