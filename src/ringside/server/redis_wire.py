"""A thin asyncio Redis client for the cluster's hot path: moves relayed between nodes.

Why not redis-py for this: every move crosses Redis twice (PUBLISH on one node,
a pub/sub message on another), and redis-py's asyncio client costs about
2.3 times the client CPU per message of this one, 5 times in user space
(``bench/redis_client.py``): each of its commands is a coroutine with its own
locks, awaits and encoding. Here a connection is an ``asyncio.Protocol`` around ``hiredis.Reader``:

- ``RedisLink``: one command connection. ``publish`` never awaits: it appends
  the command to a buffer that goes out in one ``transport.write`` per pass of
  the event loop (one ``call_soon`` per pass), and its reply is read and
  discarded in turn (error replies are counted). ``command`` pipelines any
  other command on the same connection and awaits its reply; replies come
  back in the order the commands were sent, so one FIFO serves both.
- ``RedisSubscription``: one connection in subscribe mode. ``subscribe`` and
  ``unsubscribe`` return once Redis confirmed every channel; each message is
  handed to ``on_message(channel, data)`` synchronously, in order, from
  ``data_received``.

Neither reconnects by itself. When a connection is lost, every pending reply
fails with ``RedisConnectionLost``, later ``publish`` calls are dropped (and
counted in ``dropped``) and ``on_lost(exc)`` is called once; the caller (the
cluster) then opens new connections and subscribes again, knowing what it
needs to resend. Closing a connection on purpose with ``close`` does not call
``on_lost``. RESP2 only; no TLS.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Self, cast
from urllib.parse import unquote, urlsplit

import hiredis

__all__ = [
    "RedisConnectionLost",
    "RedisLink",
    "RedisReplyError",
    "RedisSubscription",
    "RedisWireError",
    "encode_command",
    "parse_url",
]

CONNECT_TIMEOUT = 5.0
OnLost = Callable[[Exception | None], None]
Arg = bytes | str | int


class RedisWireError(Exception):
    """Base of this module's errors."""


class RedisReplyError(RedisWireError):
    """Redis answered a command with an error reply (the message is Redis's own)."""


class RedisConnectionLost(RedisWireError, ConnectionError):
    """The connection closed before the reply came (or was closed when the command was made)."""


def _arg(value: Arg) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, int):
        return b"%d" % value
    raise TypeError(f"a Redis argument is bytes, str or int, not {type(value).__name__}")


def encode_command(*args: Arg) -> bytes:
    """The RESP request for one command: an array of bulk strings."""
    if not args:
        raise ValueError("a command needs at least its name")
    parts = [b"*%d\r\n" % len(args)]
    for value in args:
        raw = _arg(value)
        parts.append(b"$%d\r\n%b\r\n" % (len(raw), raw))
    return b"".join(parts)


_PUBLISH = b"*3\r\n$7\r\nPUBLISH\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n"


def parse_url(url: str) -> tuple[str, int, int, str | None, str | None]:
    """``redis://[[user]:password@]host[:port][/db]`` → host, port, db, user, password."""
    parts = urlsplit(url)
    if parts.scheme != "redis":
        raise ValueError(f"not a redis:// URL: {url!r}")
    path = parts.path.strip("/")
    try:
        db = int(path) if path else 0
    except ValueError:
        raise ValueError(f"the database in a redis URL is a number, not {path!r}") from None
    if db < 0:
        raise ValueError(f"negative database number in {url!r}")
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    return parts.hostname or "127.0.0.1", parts.port or 6379, db, user, password


class _Connection(asyncio.Protocol):
    """What both kinds share: the write buffer, the reply FIFO and the handling of a loss."""

    __slots__ = (
        "_closing",
        "_error",
        "_gone",
        "_in_pass",
        "_loop",
        "_on_lost",
        "_out",
        "_reader",
        "_transport",
        "_waiting",
        "closed",
    )

    def __init__(self, on_lost: OnLost | None) -> None:
        self._loop = asyncio.get_running_loop()
        self._reader = hiredis.Reader(replyError=RedisReplyError)
        self._transport: asyncio.Transport | None = None
        self._out = bytearray()
        self._in_pass = False
        """Something was written in this pass of the event loop: the rest waits for its end."""
        # One entry per command sent: the Future awaiting its reply, or None
        # for a fire-and-forget publish whose reply is skipped.
        self._waiting: deque[asyncio.Future[object] | None] = deque()
        self._on_lost = on_lost
        self._error: Exception | None = None
        self._closing = False
        self._gone: asyncio.Future[None] = self._loop.create_future()
        self.closed = False
        """True once the connection is lost or closed: nothing more will be sent."""

    @classmethod
    async def _connect(cls, url: str, factory: Callable[[], Self], connect_timeout: float) -> Self:
        host, port, db, user, password = parse_url(url)
        loop = asyncio.get_running_loop()
        _, conn = await asyncio.wait_for(
            loop.create_connection(factory, host, port), connect_timeout
        )
        try:
            setup: list[tuple[Arg, ...]] = []
            if password is not None:
                setup.append(("AUTH", user, password) if user else ("AUTH", password))
            if db:
                setup.append(("SELECT", db))
            for reply in await asyncio.gather(*(conn._command(*args) for args in setup)):
                if isinstance(reply, RedisReplyError):
                    raise reply
        except BaseException:
            await conn.close()
            raise
        return conn

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not subclasses of asyncio.Transport, only alike.
        self._transport = cast(asyncio.Transport, transport)

    def _send(self, request: bytes) -> None:
        """Write the pass's first request at once, the others in one write at its end.

        A lone move (one match, one message in flight) then waits for no pass
        of the loop, and many moves in one pass still cost one write."""
        if self._in_pass:
            self._out += request
            return
        self._in_pass = True
        self._loop.call_soon(self._end_pass)
        transport = self._transport
        if transport is not None and not self.closed:
            transport.write(request)

    def _end_pass(self) -> None:
        self._in_pass = False
        self._flush()

    def _flush(self) -> None:
        out = self._out
        if out and not self.closed and self._transport is not None:
            # Hand the buffer over rather than copy it; the transport may keep it.
            self._out = bytearray()
            self._transport.write(out)

    def _command(self, *args: Arg) -> asyncio.Future[object]:
        if self.closed:
            raise RedisConnectionLost("the connection to Redis is closed")
        future: asyncio.Future[object] = self._loop.create_future()
        self._send(encode_command(*args))
        self._waiting.append(future)
        return future

    def _broken(self, exc: Exception) -> None:
        """A reply that makes no sense here: the stream cannot be trusted, drop it."""
        if self._error is None:
            self._error = exc
        if self._transport is not None:
            self._transport.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._out = bytearray()
        error = self._error or exc
        waiting, self._waiting = self._waiting, deque()
        for future in waiting:
            if future is not None and not future.done():
                lost = RedisConnectionLost("the connection to Redis was lost")
                lost.__cause__ = error
                future.set_exception(lost)
        self._lost_more()
        if not self._gone.done():
            self._gone.set_result(None)
        on_lost, self._on_lost = self._on_lost, None
        if on_lost is not None and not self._closing:
            on_lost(error)

    def _lost_more(self) -> None:
        """Subclasses fail their own waiters here."""

    async def close(self) -> None:
        """Send what is buffered, close, and return once the connection is gone.

        Pending replies fail with ``RedisConnectionLost``; ``on_lost`` is not called.
        """
        self._closing = True
        if self._transport is not None and not self.closed:
            self._flush()
            self._transport.close()
        await self._gone


class RedisLink(_Connection):
    """One command connection: fire-and-forget ``publish`` and pipelined ``command``."""

    __slots__ = ("dropped", "errors")

    def __init__(self, on_lost: OnLost | None) -> None:
        super().__init__(on_lost)
        self.errors = 0
        """Publishes that Redis answered with an error."""
        self.dropped = 0
        """Publishes made after the connection was lost (not sent)."""

    @classmethod
    async def open(
        cls,
        url: str,
        *,
        on_lost: OnLost | None = None,
        connect_timeout: float = CONNECT_TIMEOUT,
    ) -> RedisLink:
        """Connect (and AUTH, SELECT as the URL says) within ``connect_timeout`` seconds."""
        return await cls._connect(url, lambda: cls(on_lost), connect_timeout)

    def publish(self, channel: bytes, data: bytes) -> None:
        """PUBLISH without waiting (see ``_send`` for when it is written); its reply skipped."""
        if self.closed:
            self.dropped += 1
            return
        self._send(_PUBLISH % (len(channel), channel, len(data), data))
        self._waiting.append(None)

    async def command(self, *args: Arg) -> object:
        """Send one command (pipelined with the rest) and return its reply.

        Replies are bytes (status and bulk), int, None (nil) or lists of those;
        an error reply raises ``RedisReplyError``.
        """
        reply = await self._command(*args)
        if isinstance(reply, RedisReplyError):
            raise reply
        return reply

    def data_received(self, data: bytes) -> None:
        reader = self._reader
        reader.feed(data)
        waiting = self._waiting
        try:
            while (reply := reader.gets()) is not False:
                future = waiting.popleft()
                if future is None:
                    if type(reply) is RedisReplyError:
                        self.errors += 1
                elif not future.done():  # its caller may have been cancelled
                    future.set_result(reply)
        except IndexError:
            self._broken(RedisWireError("a reply to no command"))
        except hiredis.ProtocolError as exc:
            self._broken(exc)


class RedisSubscription(_Connection):
    """One connection in subscribe mode; messages go to ``on_message`` as they arrive."""

    __slots__ = ("_confirm", "_on_message", "channels")

    def __init__(self, on_message: Callable[[bytes, bytes], None], on_lost: OnLost | None) -> None:
        super().__init__(on_lost)
        self._on_message = on_message
        # One entry per channel named in (UN)SUBSCRIBE, in order: the confirmation
        # expected, and on the last channel of a call the Future that call awaits.
        self._confirm: deque[tuple[bytes, bytes, asyncio.Future[None] | None]] = deque()
        self.channels: set[bytes] = set()
        """The channels Redis confirmed as subscribed (what to subscribe again after a loss)."""

    @classmethod
    async def open(
        cls,
        url: str,
        on_message: Callable[[bytes, bytes], None],
        *,
        on_lost: OnLost | None = None,
        connect_timeout: float = CONNECT_TIMEOUT,
    ) -> RedisSubscription:
        """Connect; ``on_message(channel, data)`` must not raise (it runs in the protocol)."""
        return await cls._connect(url, lambda: cls(on_message, on_lost), connect_timeout)

    async def subscribe(self, *channels: bytes) -> None:
        """SUBSCRIBE and return once Redis confirmed every channel."""
        await self._change(b"subscribe", channels)

    async def unsubscribe(self, *channels: bytes) -> None:
        """UNSUBSCRIBE and return once Redis confirmed every channel."""
        await self._change(b"unsubscribe", channels)

    async def _change(self, kind: bytes, channels: tuple[bytes, ...]) -> None:
        if not channels:
            raise ValueError("name at least one channel")
        if self.closed:
            raise RedisConnectionLost("the connection to Redis is closed")
        future: asyncio.Future[None] = self._loop.create_future()
        last = len(channels) - 1
        for i, channel in enumerate(channels):
            self._confirm.append((kind, channel, future if i == last else None))
        self._send(encode_command(kind, *channels))
        await future

    def data_received(self, data: bytes) -> None:
        reader = self._reader
        reader.feed(data)
        on_message = self._on_message
        try:
            while (reply := reader.gets()) is not False:
                if type(reply) is list and len(reply) == 3 and reply[0] == b"message":
                    on_message(reply[1], reply[2])
                elif not self._control(reply):
                    self._broken(RedisWireError(f"a reply that answers nothing sent: {reply!r}"))
                    return
        except hiredis.ProtocolError as exc:
            self._broken(exc)

    def _control(self, reply: object) -> bool:
        """A confirmation of (un)subscribe, or the reply to a command; False if it fits none."""
        if type(reply) is list and len(reply) == 3 and reply[0] in (b"subscribe", b"unsubscribe"):
            if not self._confirm:
                return False
            kind, channel, _count = reply
            want_kind, want_channel, future = self._confirm.popleft()
            if kind != want_kind or channel != want_channel:
                return False
            if kind == b"subscribe":
                self.channels.add(channel)
            else:
                self.channels.discard(channel)
            if future is not None and not future.done():
                future.set_result(None)
            return True
        if self._waiting:  # the reply to AUTH or SELECT, sent at open
            waiting = self._waiting.popleft()
            if waiting is not None and not waiting.done():
                waiting.set_result(reply)
            return True
        if type(reply) is RedisReplyError and self._confirm:
            # A refused (UN)SUBSCRIBE: one error for the whole call, which fails.
            future = None
            while future is None and self._confirm:
                _kind, _channel, future = self._confirm.popleft()
            if future is not None and not future.done():
                future.set_exception(reply)
            return True
        return False

    def _lost_more(self) -> None:
        confirm, self._confirm = self._confirm, deque()
        for _kind, _channel, future in confirm:
            if future is not None and not future.done():
                future.set_exception(RedisConnectionLost("the connection to Redis was lost"))
