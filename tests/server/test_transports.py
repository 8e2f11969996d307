"""Writes to TCP bots: within one pass of the event loop, one write per connection.

An in-process server's real TCP listener on loopback, and bots that are plain
asyncio streams. Each server-side transport's ``write`` is wrapped to record
its calls, so that how messages were grouped into writes shows.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable

import pytest

from ringside.server.transports import MESSAGES_PER_TURN, TcpBot, TcpBots
from ringside.testing.inprocess import Listening


class Client:
    """A bot's end of a connection, and the writes its server side made."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, server_side: TcpBot
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.server_side = server_side
        self.writes: list[bytes] = []
        transport = server_side.transport
        assert transport is not None
        write = transport.write

        def recording_write(data: bytes | bytearray | memoryview) -> None:
            self.writes.append(bytes(data))
            write(data)

        transport.write = recording_write  # type: ignore[method-assign]

    async def lines(self, count: int) -> list[str]:
        async with asyncio.timeout(10):
            return [(await self.reader.readline()).decode() for _ in range(count)]

    def send(self, text: str) -> None:
        self.server_side.peer.send(text.encode())


class Harness:
    def __init__(self, tcp: TcpBots, port: int) -> None:
        self.tcp = tcp
        self.port = port
        self.clients: list[Client] = []

    async def connect(self, name: str) -> Client:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        hello = {"type": "hello", "name": name, "protocol": 1}
        writer.write(json.dumps(hello).encode() + b"\n")
        async with asyncio.timeout(10):
            welcome = json.loads(await reader.readline())
        assert welcome["type"] == "welcome"
        (server_side,) = [c for c in self.tcp.connections if c.session.name == name]
        client = Client(reader, writer, server_side)
        self.clients.append(client)
        return client

    async def close(self) -> None:
        for client in self.clients:
            client.writer.close()
            await client.writer.wait_closed()


@pytest.fixture
async def harness(listening: Listening) -> AsyncIterator[Harness]:
    harness = Harness(listening.tcp, listening.port)
    try:
        yield harness
    finally:
        await harness.close()


async def in_one_pass(action: Callable[[], None]) -> None:
    """Run ``action`` as one callback of the loop, then let the pass end."""
    done = asyncio.get_running_loop().create_future()

    def run() -> None:
        action()
        done.set_result(None)

    asyncio.get_running_loop().call_soon(run)
    await done
    await asyncio.sleep(0)  # the end-of-pass flush was scheduled behind ``run``


async def test_messages_of_one_pass_go_out_as_one_write_per_connection(
    harness: Harness,
) -> None:
    first, second = [await harness.connect(name) for name in ("first", "second")]

    def send_all() -> None:
        first.send('{"n":1}')
        second.send('{"n":2}')
        first.send('{"n":3}')
        second.send('{"n":4}')
        first.send('{"n":5}')

    await in_one_pass(send_all)
    # The pass's first message went out at once; the rest waited for its end.
    assert first.writes == [b'{"n":1}\n', b'{"n":3}\n{"n":5}\n']
    assert second.writes == [b'{"n":2}\n{"n":4}\n']
    assert await first.lines(3) == ['{"n":1}\n', '{"n":3}\n', '{"n":5}\n']
    assert await second.lines(2) == ['{"n":2}\n', '{"n":4}\n']


async def test_a_lone_message_is_written_at_once(harness: Harness) -> None:
    client = await harness.connect("lone")
    client.send('{"n":1}')
    assert client.writes == [b'{"n":1}\n']  # before the loop had a chance to run
    assert await client.lines(1) == ['{"n":1}\n']


async def test_messages_waiting_for_the_pass_end_go_out_before_a_close(
    harness: Harness,
) -> None:
    other, client = [await harness.connect(name) for name in ("other", "closing")]

    def send_and_close() -> None:
        other.send('{"n":0}')  # takes the pass's immediate write
        client.send('{"n":1}')
        client.send('{"n":2}')
        client.server_side.peer.close_soon()

    await in_one_pass(send_and_close)
    async with asyncio.timeout(10):
        rest = await client.reader.read()
    assert rest == b'{"n":1}\n{"n":2}\n'


async def test_order_is_kept_when_the_transport_backs_up(harness: Harness) -> None:
    """Once the transport is over its high-water mark, later messages queue in the
    outbox, and come after those written at the end of the earlier pass."""
    other, client = [await harness.connect(name) for name in ("other", "slow")]
    server_side = client.server_side
    assert server_side.transport is not None
    server_side.transport.set_write_buffer_limits(high=64)
    server_side.peer._budget = 64 << 20  # 16 MB wait on purpose: over the default budget
    client.writer.transport.pause_reading()  # the bot reads nothing for now
    payload = "x" * 40_000
    per_pass = 200  # 8 MB a pass: more than the kernel's socket buffers take

    def send(first: int) -> Callable[[], None]:
        def send_pass() -> None:
            other.send('{"n":0}')  # takes the pass's immediate write
            for n in range(first, first + per_pass):
                client.send(f'{{"n":{n},"pad":"{payload}"}}')

        return send_pass

    await in_one_pass(send(0))
    assert server_side.paused  # the end-of-pass write backed the transport up
    await in_one_pass(send(per_pass))
    assert server_side.peer._queue is not None and not server_side.peer._queue.empty()
    client.writer.transport.resume_reading()
    lines = await client.lines(2 * per_pass)
    assert [json.loads(line)["n"] for line in lines] == list(range(2 * per_pass))


async def test_a_flood_of_lines_gives_the_loop_back_between_turns(harness: Harness) -> None:
    """20,000 lines sent at once are handled a turn at a time: other connections and the
    HTTP API run in between (in one pass each read of 256 KiB held the loop ~0.4 s)."""
    client = await harness.connect("flood")
    lines = 20_000
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0)

    ticking = asyncio.get_running_loop().create_task(ticker())
    end = {"type": "action", "match": "flood-end", "id": 1, "action": 0}
    client.writer.write(b'{"type":"pong","id":0}\n' * lines + json.dumps(end).encode() + b"\n")
    try:
        async with asyncio.timeout(60):  # bounds a hang only
            answer = json.loads(await client.reader.readline())
    finally:
        stop.set()
        await ticking
    assert answer["type"] == "error" and answer["match"] == "flood-end", answer
    assert ticks >= lines // MESSAGES_PER_TURN // 2, ticks
    assert client.server_side.turn is None and not client.server_side.done
