"""Bounds on the HTTP side that aiohttp does not have: a header deadline, JSON failures.

aiohttp reads a request's headers for as long as the client takes (its
``keepalive_timeout`` only covers the idle time between requests, and any
byte resets it), so one byte every few seconds holds a socket for good (a
slowloris). ``GuardedHttp`` wraps each connection's protocol: from the
connection, and again from the end of each request, the client has
``http_header_timeout`` seconds to send the next request's headers (the
``guard_middleware`` sees a request only once they are all read); bytes do
not extend it. A request whose headers are read is then bounded by its
route (``bodies.read_body``'s body timeout; a WebSocket by its own rules).
Every connection is counted at the ``ConnectionGate``, so its reserve of
file descriptors knows about them.

``json_failures`` is the outermost middleware: whatever fails (a handler, a
middleware, aiohttp itself with an HTTP 5xx) answers JSON with a code and a
sentence, never a text/plain page.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Literal, Protocol

import msgspec
from aiohttp import web

from ringside.server.limits import ConnectionGate

log = logging.getLogger("ringside.server")

__all__ = [
    "GUARD_KEY",
    "GuardedConnection",
    "GuardedHttp",
    "Takeover",
    "guard_middleware",
    "json_failures",
]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Inner(Protocol):
    """What serves a connection behind the guard: aiohttp's protocol, or a takeover's."""

    def data_received(self, data: bytes) -> None: ...

    def eof_received(self) -> bool | None: ...

    def pause_writing(self) -> None: ...

    def resume_writing(self) -> None: ...

    def connection_lost(self, exc: Exception | None) -> None: ...


Takeover = Callable[["GuardedConnection", bytes], "Literal['more', 'aiohttp'] | Inner | None"]
"""Shown a connection's first bytes: read ``more``, give them to ``aiohttp``, or serve the
connection (it sets ``inner``; None: refused and closing)."""


class GuardedConnection(asyncio.Protocol):
    """aiohttp's protocol for one connection, with the header deadline around it.

    With a ``takeover`` (the bot WebSockets of ``bot_ws``), aiohttp's protocol is
    made only once the first bytes show the connection is not the takeover's."""

    __slots__ = ("guard", "head", "inner", "paused", "requests", "timer", "transport", "waiters")

    def __init__(self, guard: GuardedHttp) -> None:
        self.guard = guard
        self.inner: Inner | None = None
        self.head = b""
        """The first bytes, while the takeover reads them."""
        self.transport: asyncio.BaseTransport | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.requests = 0
        """Requests being handled now (their headers were read)."""
        self.paused = False
        """The transport's buffer is over its high-water mark."""
        self.waiters: list[asyncio.Future[None]] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.guard.connections[transport] = self
        self.guard.gate.opened()
        self.arm()
        if self.guard.takeover is None:
            self._to_aiohttp(b"")

    def _to_aiohttp(self, data: bytes) -> Inner:
        assert self.transport is not None
        inner = self.guard.factory()
        self.inner = inner
        inner.connection_made(self.transport)
        if data:
            inner.data_received(data)
        return inner

    def data_received(self, data: bytes) -> None:
        inner = self.inner
        if inner is not None:
            inner.data_received(data)
            return
        takeover = self.guard.takeover
        assert takeover is not None
        head, self.head = self.head + data, b""
        taken = takeover(self, head)
        if taken == "more":
            self.head = head
        elif taken == "aiohttp":
            self._to_aiohttp(head)

    def eof_received(self) -> bool | None:
        inner = self.inner
        if inner is None:
            if self.transport is None or self.transport.is_closing():
                return None
            inner = self._to_aiohttp(self.head)  # aiohttp answers what came, or closes
            self.head = b""
        return inner.eof_received()

    def pause_writing(self) -> None:
        self.paused = True
        if self.inner is not None:
            self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.paused = False
        self._wake()
        if self.inner is not None:
            self.inner.resume_writing()

    async def drained(self) -> None:
        """Return once the transport takes more (at once when it does already)."""
        if not self.paused:
            return
        waiter = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        await waiter

    def _wake(self) -> None:
        waiters, self.waiters = self.waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        self.paused = False
        self._wake()  # a writer waiting finds the transport closing
        if self.timer is not None:
            self.timer.cancel()
        if self.transport is not None:
            self.guard.connections.pop(self.transport, None)
        self.guard.gate.closed()
        if self.inner is not None:
            self.inner.connection_lost(exc)

    def arm(self) -> None:
        """The client has the header timeout from now to send a whole request's headers."""
        if self.timer is not None:
            self.timer.cancel()
        self.timer = asyncio.get_running_loop().call_later(self.guard.header_timeout, self._expired)

    def started(self) -> None:
        self.requests += 1
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def finished(self) -> None:
        self.requests -= 1
        if self.requests <= 0 and self.transport is not None and not self.transport.is_closing():
            self.arm()

    def _expired(self) -> None:
        self.timer = None
        buffered = getattr(self.transport, "get_write_buffer_size", None)
        if buffered is not None and buffered():
            self.arm()  # a response is still going out (a large body to a slow reader)
            return
        if self.requests <= 0 and self.transport is not None:
            log.debug(
                "HTTP connection without a request for %g s: closed", self.guard.header_timeout
            )
            self.transport.abort()  # type: ignore[attr-defined]


class GuardedHttp:
    """The protocol factory for the HTTP listener: aiohttp's, each connection guarded."""

    def __init__(
        self,
        factory: Callable[[], asyncio.Protocol],
        gate: ConnectionGate,
        header_timeout: float,
        takeover: Takeover | None = None,
    ) -> None:
        self.factory = factory
        self.gate = gate
        self.header_timeout = header_timeout
        self.takeover = takeover
        self.connections: dict[asyncio.BaseTransport, GuardedConnection] = {}

    def __call__(self) -> asyncio.Protocol:
        return GuardedConnection(self)

    def connection(self, request: web.Request) -> GuardedConnection | None:
        transport = request.transport
        return self.connections.get(transport) if transport is not None else None


GUARD_KEY = web.AppKey("http_guard", GuardedHttp)


@web.middleware
async def guard_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The headers are read: the header deadline stops until the response is done."""
    guard = request.app.get(GUARD_KEY)
    connection = guard.connection(request) if guard is not None else None
    if connection is None:
        return await handler(request)
    connection.started()
    try:
        return await handler(request)
    finally:
        connection.finished()


class _Detail(msgspec.Struct):
    code: str
    message: str


class _Body(msgspec.Struct):
    error: _Detail


def _json_error(status: int, code: str, message: str) -> web.Response:
    body = msgspec.json.encode(_Body(_Detail(code, message)))
    return web.Response(body=body, status=status, content_type="application/json")


@web.middleware
async def json_failures(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every 5xx is JSON with a code and a sentence; the log has the traceback."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 500:
            raise
        return _json_error(exc.status, exc.reason.lower().replace(" ", "_"), exc.reason)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            raise  # the socket is the response: there is no other to send
        try:
            log.exception("%s %s failed", request.method, request.path)
        except RecursionError:  # the failure itself was a recursion too deep to format
            log.error("%s %s failed: %s", request.method, request.path, type(exc).__name__)
        text = "the server failed to answer this request; its log says why"
        return _json_error(500, "internal_error", text)
