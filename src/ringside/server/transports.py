"""Transports: bots over WebSocket and TCP JSON lines, spectators over WebSocket.

Each one only moves bytes between its socket and a ``BotSession`` or a
``Spectator``; nothing above this module knows which transport a bot uses.

Each also bounds what its client may hold (``server/limits.py``): a place at
the ``ConnectionGate`` (per address, within the file descriptor reserve) until
a bot is welcomed or a spectator leaves, a hello deadline counted from the
connection, and an output budget after which a client that does not read is
closed with ``slow_consumer``. A closing TCP connection is half-closed first
and its input drained for the close grace, so the peer reads the last error
(``too_large``...) instead of a reset.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
from collections.abc import Callable, Coroutine
from typing import Any, Protocol, cast

from aiohttp import WSMsgType, web

from ringside.protocol.codec import encode
from ringside.protocol.framing import LineFramer, TooLong
from ringside.protocol.messages import Error
from ringside.server.api import client_of
from ringside.server.http_guard import GUARD_KEY
from ringside.server.keys import SERVER_KEY
from ringside.server.limits import ConnectionGate, GateKind, Limits
from ringside.server.peer import Peer
from ringside.server.services import Server
from ringside.server.session import BotSession
from ringside.server.upgraded import release_upgrade_request
from ringside.server.watching import SpectatorLink

log = logging.getLogger("ringside.server")


BACKED_UP = 64 * 1024
"""Bytes waiting in a transport above which messages wait in the peer's outbox instead."""

MESSAGES_PER_TURN = 100
"""Messages of one connection handled before the event loop is given back. A client
that sends thousands at once (one 256 KiB read of short lines) otherwise holds the
loop for their whole handling: ~0.4 s, with every other bot and the HTTP API
waiting. A bot in a match sends one message per request, so this never binds."""

GATE_KEY = web.AppKey("gate", ConnectionGate)
"""The process's ``ConnectionGate``, shared by the WebSocket handlers and the TCP listener."""


def fatal(code: str, text: str) -> bytes:
    """An encoded fatal error (the last message a connection gets)."""
    return encode(Error(code, text, None, True))


def slow_consumer(limits: Limits) -> bytes:
    mib = limits.output_budget / (1024 * 1024)
    return fatal(
        "slow_consumer",
        f"more than {mib:g} MiB waited for this connection to read it; read what the server sends",
    )


def hello_due(session: BotSession, limits: Limits) -> None:
    """The hello deadline passed: a bot still greeting gets a fatal ``hello_timeout``."""
    if session.connection.state == "greeting":
        session.fail("hello_timeout", f"no hello within {limits.hello_timeout:g} s of connecting")


def _aborter(request: web.Request) -> Callable[[], None]:
    def abort() -> None:
        transport = request.transport
        if transport is not None:
            transport.abort()

    return abort


def _drop_later(request: web.Request, limits: Limits) -> None:
    """The conversation is over: a socket still open after the close grace (its peer
    reads nothing, so its buffer never empties and a graceful close never ends) is
    dropped, so that neither its descriptor nor its buffer stays."""
    asyncio.get_running_loop().call_later(limits.close_grace, _aborter(request))


def _refused(why: str) -> web.Response:
    """A WebSocket the gate refuses is answered before the upgrade, which costs the
    least: 429 with the error as JSON (``too_many_connections``, fatal)."""
    return web.Response(
        status=429,
        body=encode(Error("too_many_connections", why, None, True)),
        content_type="application/json",
        headers={"Connection": "close"},
    )


def _ws_response(request: web.Request, **options: Any) -> web.WebSocketResponse:
    settings = request.app[SERVER_KEY].settings
    return web.WebSocketResponse(
        heartbeat=settings.heartbeat,
        compress=False,
        timeout=settings.limits.close_grace,
        **options,
    )


def _ws_peer(
    request: web.Request,
    ws: web.WebSocketResponse,
    kind: str,
    address: str,
    limits: Limits,
    **options: Any,
) -> Peer:
    """The peer of an upgraded WebSocket; ``address`` was read before the upgrade (its
    headers are released then: ``release_upgrade_request``)."""
    socket = _WsSocket(request, ws, limits.close_grace)
    return Peer(
        kind,
        address,
        socket.write,
        socket.close,
        write_now=socket.write_now,
        budget=limits.output_budget,
        buffered=socket.buffered,
        overflow=slow_consumer(limits),
        abort=socket.abort,
        grace=limits.close_grace,
        **options,
    )


STREAM_ABOVE = 256 * 1024
"""Messages longer than this (snapshots) go to a WebSocket as a fragmented message, a
``CHUNK`` at a time as the socket takes them, never as one copy in its buffer."""
CHUNK = 64 * 1024


def frame_header(first: int, size: int) -> bytes:
    """A server frame's header (unmasked): 2, 4 or 10 bytes (RFC 6455 §5.2)."""
    if size < 126:
        return bytes((first, size))
    if size < 65536:
        return struct.pack("!BBH", first, 126, size)
    return struct.pack("!BBQ", first, 127, size)


class Drainable(Protocol):
    """What ``stream_fragments`` waits on: the HTTP guard's connection (``drained``)."""

    paused: bool

    async def drained(self) -> None: ...


async def stream_fragments(
    transport: asyncio.WriteTransport,
    connection: Drainable | None,
    data: bytes,
    closed: Callable[[], bool] = lambda: False,
) -> None:
    """Write a text message as frames of at most ``CHUNK`` (one frame when it is no longer
    than ``STREAM_ABOVE``), each once the socket's buffer is below ``BACKED_UP`` again,
    from a view of the message: a snapshot shared by every watcher stays one object
    however many of them are behind (RFC 6455 §5.4). Control frames may come between
    fragments; nothing else may (the caller sees to that)."""
    size = len(data)
    step = CHUNK if size > STREAM_ABOVE else max(size, 1)
    view = memoryview(data)
    for start in range(0, max(size, 1), step):
        while transport.get_write_buffer_size() > BACKED_UP and not transport.is_closing():
            if connection is not None and connection.paused:
                await connection.drained()  # resumed, or lost
            else:  # no guard (a test's bare application), or not paused yet: look again soon
                await asyncio.sleep(0.05)
        if transport.is_closing() or closed():
            raise ConnectionResetError("Connection lost")
        chunk = view[start : start + step]
        last = start + step >= size
        first = (0x80 if last else 0x00) | (0x1 if start == 0 else 0x0)
        transport.write(frame_header(first, len(chunk)) + chunk)


class _WsSocket:
    """One WebSocket's writing side, as its ``Peer`` uses it: write, close, abort.

    One slotted object whose bound methods the peer keeps, rather than a
    closure per function (a function and its cells each): an idle bot holds
    it for as long as it is connected (bench figure 4)."""

    __slots__ = ("busy", "grace", "request", "transport", "ws")

    def __init__(self, request: web.Request, ws: web.WebSocketResponse, grace: float) -> None:
        self.request = request
        self.ws = ws
        self.transport = request.transport
        self.grace = grace
        self.busy = False
        """A fragmented message is being written: nothing else may start meanwhile."""

    def abort(self) -> None:
        transport = self.request.transport
        if transport is not None:
            transport.abort()

    def buffered(self) -> int:
        transport = self.request.transport
        return transport.get_write_buffer_size() if transport is not None else 0

    async def close(self) -> None:
        """Close with the handshake, or drop the socket when the peer takes longer than
        the grace."""
        try:
            await asyncio.wait_for(self.ws.close(), self.grace * 2)
        except (TimeoutError, ConnectionError, RuntimeError, OSError):
            self.abort()

    def write_now(self, data: bytes) -> bool:
        """Write a text frame straight to the connection, when it takes more.

        Frames from a server are unmasked and, with ``compress=False``, never
        compressed: a header of 2, 4 or 10 bytes and the payload (RFC 6455 §5.2).
        Each frame is one ``write`` on the event loop's thread, so aiohttp's own
        frames (pings, close) can never interleave with one. A long message, or
        any while one is streamed, waits for the writer task instead.
        """
        transport = self.transport
        if transport is None or transport.is_closing() or self.ws.closed:
            return False
        if transport.get_write_buffer_size() > BACKED_UP:
            return False
        if self.busy or len(data) > STREAM_ABOVE:
            return False
        transport.write(frame_header(0x81, len(data)) + data)
        return True

    async def write(self, data: bytes) -> None:
        """The writer task's write: a frame, or a long message in fragments (RFC 6455 §5.4).

        Fragments go out one ``CHUNK`` at a time, each once the socket's buffer is
        below ``BACKED_UP`` again, from a view of the message: a snapshot shared by
        every watcher stays one object however many of them are behind. Control
        frames (aiohttp's pings and pongs) may come between fragments."""
        ws = self.ws
        if len(data) <= STREAM_ABOVE:
            await ws.send_frame(data, WSMsgType.TEXT)
            return
        request = self.request
        transport = request.transport
        if transport is None:
            raise ConnectionResetError("Connection lost")
        guard = request.app.get(GUARD_KEY)
        connection = guard.connection(request) if guard is not None else None
        self.busy = True
        try:
            await stream_fragments(transport, connection, data, lambda: ws.closed)
        finally:
            self.busy = False


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


_WS_ENDED = (WSMsgType.ERROR, WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED)
"""What ends the loop of ``receive``: an error, or a close (what ends ``async for``)."""


class _Place:
    """A place held at the gate, given back once (welcome, or the connection's end)."""

    __slots__ = ("address", "gate", "kind")

    def __init__(self, gate: ConnectionGate, kind: GateKind, address: str) -> None:
        self.gate, self.kind, self.address = gate, kind, address

    def release(self) -> None:
        if self.address:
            self.gate.release(self.kind, self.address)
            self.address = ""


async def bot_websocket(request: web.Request) -> web.StreamResponse:
    server = request.app[SERVER_KEY]
    settings = server.settings
    limits = settings.limits
    gate = request.app[GATE_KEY]
    address = client_of(request)
    refusal = gate.admit("bot", address)
    if refusal is not None:
        return _refused(refusal)
    place = _Place(gate, "bot", address)
    ws = _ws_response(request, max_msg_size=settings.max_message_bytes * 4)
    bearer = _bearer(request)
    try:
        await ws.prepare(request)
    except BaseException:
        place.release()
        raise
    release_upgrade_request(request)
    peer = _ws_peer(request, ws, "bot", address, limits)
    peer.start()
    session = server.roster.connect(peer, "websocket", bearer)
    deadline: asyncio.TimerHandle | None = asyncio.get_running_loop().call_later(
        limits.hello_timeout, hello_due, session, limits
    )
    turn = MESSAGES_PER_TURN
    try:
        while True:  # ``receive`` rather than ``async for``: one coroutine less held per bot
            msg = await ws.receive()  # does not give the loop back while frames are queued
            turn -= 1
            if not turn:
                turn = MESSAGES_PER_TURN
                await asyncio.sleep(0)
            if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                pending = session.feed(msg.data)
                if pending is not None:
                    await pending
                    if deadline is not None and session.connection.welcomed:
                        place.release()
                        deadline.cancel()
                        deadline = None  # a cancelled timer is still an object held
            elif msg.type in _WS_ENDED:
                break
            if session.state == "closed":
                break
    finally:
        if deadline is not None:
            deadline.cancel()
        place.release()
        session.closed()
        peer.close_soon()
        await peer.flushed()
        _drop_later(request, limits)
    return ws


async def watch_websocket(request: web.Request) -> web.StreamResponse:
    server = request.app[SERVER_KEY]
    limits = server.settings.limits
    gate = request.app[GATE_KEY]
    address = client_of(request)
    refusal = gate.admit("spectator", address)
    if refusal is not None:
        return _refused(refusal)
    place = _Place(gate, "spectator", address)
    ws = _ws_response(request)
    try:
        await ws.prepare(request)
    except BaseException:
        place.release()
        raise
    release_upgrade_request(request)
    peer = _ws_peer(request, ws, "spectator", address, limits, limit=16384)
    peer.start()
    link = SpectatorLink(
        server.lobby, server.matches, peer, server.clock, strikes=limits.spectator_strikes
    )
    try:
        if request.query.get("match"):
            await link.watch(request.query["match"])
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                await link.receive(msg.data)
            if peer.closed:
                break
    finally:
        place.release()
        link.closed()
        peer.close_soon()
        await peer.flushed()
        _drop_later(request, limits)
    return ws


# --- TCP: one JSON message per line ---------------------------------------------------


class TcpBots:
    """The TCP listener for bots; a line is a message, a ``\\n`` ends it."""

    def __init__(self, server: Server, gate: ConnectionGate | None = None) -> None:
        self.server = server
        self.gate = gate if gate is not None else ConnectionGate(server.settings.limits)
        self.listener: asyncio.Server | None = None
        self.connections: set[TcpBot] = set()
        self._writing = False
        """Something was written in this pass of the event loop; ``_flush`` ends the pass."""
        self._corked: list[TcpBot] = []
        """Connections whose messages wait for the end of this pass."""

    async def start(self, host: str, port: int) -> int:
        loop = asyncio.get_running_loop()
        self.listener = await loop.create_server(lambda: TcpBot(self), host, port)
        return int(self.listener.sockets[0].getsockname()[1])

    def cork(self, connection: TcpBot) -> bool:
        """True: ``connection``'s message waits for the end of this pass of the loop.

        The first write of a pass goes out at once (False), so a lone match's
        reply waits for nothing. Later ones are written together when the pass
        ends: one write per connection however many messages it got, and a bot
        program on this host that sleeps in ``epoll`` is woken once per batch
        instead of once per message. On loopback the writer pays for that
        wake-up: it was 15 % of the server's CPU under figure 3 of the bench.
        """
        if not self._writing:
            self._writing = True
            asyncio.get_running_loop().call_soon(self._flush)
            return False
        self._corked.append(connection)
        return True

    def _flush(self) -> None:
        self._writing = False
        corked, self._corked = self._corked, []
        for connection in corked:
            connection.uncork()

    async def stop(self) -> None:
        if self.listener is not None:
            self.listener.close()
        connections = list(self.connections)
        for connection in connections:
            connection.finish()
        flushes = [asyncio.ensure_future(c.peer.flushed()) for c in connections]
        if flushes:
            await asyncio.wait(flushes, timeout=5)
        if self.listener is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.listener.wait_closed(), 5)


class TcpBot(asyncio.Protocol):
    """One bot's TCP connection: lines go to its session in order, replies out by its peer.

    A protocol rather than a stream reader: lines are cut and handled as the
    bytes arrive, with no task switch per message. Only a ``hello`` needs to
    await (the store); reading pauses until it is done, so order is kept.
    """

    # Slots: every message goes through one, and a server holds thousands.
    __slots__ = (
        "beat",
        "busy",
        "deadline",
        "done",
        "eof",
        "framer",
        "limits",
        "loop",
        "lost",
        "paused",
        "peer",
        "pending",
        "place",
        "resumed",
        "session",
        "settings",
        "tcp",
        "transport",
        "turn",
    )

    def __init__(self, tcp: TcpBots) -> None:
        self.tcp = tcp
        self.settings = tcp.server.settings
        self.limits = self.settings.limits
        self.place: _Place | None = None
        """The place held at the gate until the bot is welcomed."""
        self.deadline: asyncio.TimerHandle | None = None
        self.framer = LineFramer(self.settings.max_message_bytes)
        self.loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self.busy: asyncio.Task[None] | None = None
        """The task finishing a ``hello``; later lines wait for it."""
        self.turn: asyncio.Handle | None = None
        """Lines are left over from a pass that handled ``MESSAGES_PER_TURN``: the next
        pass handles them, and reading waits until they are done."""
        self.done = False
        self.eof = False
        """The peer closed its side (it sends nothing more)."""
        self.lost = self.loop.create_future()
        self.paused = False
        self.resumed: asyncio.Future[None] | None = None
        self.beat: asyncio.TimerHandle | None = None
        self.pending: bytes | list[bytes] | None = None
        """Messages written in this pass of the loop, not yet given to the transport.

        One message is kept as it is: a list is tracked by the garbage
        collector, and one per move made the collector run ~30 times a second."""

    # --- the connection ------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's subclass none
        host, port = transport.get_extra_info("peername", ("?", "?"))[:2]
        limits = self.limits
        self.peer = Peer(
            "bot",
            f"{host}:{port}",
            self._write,
            self._close,
            write_now=self._write_now,
            budget=limits.output_budget,
            buffered=self.transport.get_write_buffer_size,
            overflow=slow_consumer(limits),
            abort=self.transport.abort,
            grace=limits.close_grace,
        )
        self.session = self.tcp.server.roster.connect(self.peer, "tcp")
        self.session.host = str(host)
        self.tcp.connections.add(self)
        gate = self.tcp.gate
        gate.opened()
        refusal = gate.admit("bot", str(host))
        if refusal is not None:
            self.session.fail("too_many_connections", refusal)
            self.finish()
            return
        self.place = _Place(gate, "bot", str(host))
        self.deadline = self.loop.call_later(limits.hello_timeout, self._hello_due)
        self.beat = self.loop.call_later(self.settings.heartbeat, self._heartbeat)

    def data_received(self, data: bytes) -> None:
        if self.done:
            return
        self.framer.receive_data(data)
        if self.busy is None and self.turn is None:
            self._lines()

    def eof_received(self) -> bool:
        self.eof = True
        if self.done:  # the peer read our last words and closed its side: the end
            if self.transport is not None:
                self.transport.close()
            return True
        self.framer.receive_eof()
        if self.busy is None and self.turn is None:
            self._lines()
        return True  # keep writing what is queued; ``finish`` closes

    def connection_lost(self, exc: Exception | None) -> None:
        self.finish()
        self.tcp.gate.closed()
        if self.place is not None:
            self.place.release()
        self.tcp.connections.discard(self)
        if self.resumed is not None and not self.resumed.done():
            self.resumed.set_exception(ConnectionResetError("Connection lost"))
        if not self.lost.done():
            self.lost.set_result(None)

    def pause_writing(self) -> None:
        self.paused = True

    def resume_writing(self) -> None:
        self.paused = False
        if self.resumed is not None and not self.resumed.done():
            self.resumed.set_result(None)

    def finish(self) -> None:
        """The conversation is over: the session leaves, the peer flushes and closes."""
        if self.done:
            return
        self.done = True
        if self.beat is not None:
            self.beat.cancel()
        if self.deadline is not None:
            self.deadline.cancel()
        self.session.closed()
        self.peer.close_soon()

    # --- input ---------------------------------------------------------------------

    def _lines(self) -> None:
        """Hand every complete line to the session, in order, until one has to be awaited."""
        framer, session = self.framer, self.session
        budget = MESSAGES_PER_TURN
        while not self.done and session.state != "closed":
            if not budget:
                self._give_turn()
                return
            budget -= 1
            line = framer.next_line()
            if line is None:
                if framer.done:
                    self.finish()  # end of file, every line handled
                return
            if type(line) is TooLong:
                session.fail("too_large", line.message)
                self.finish()
                return
            if self._feed(line):  # type: ignore[arg-type]
                return
        if session.state == "closed":
            self.finish()

    def _give_turn(self) -> None:
        """Let the loop run others before the rest of what this client sent."""
        transport = self.transport
        if transport is not None and not transport.is_closing():
            transport.pause_reading()
        self.turn = self.loop.call_soon(self._next_turn)

    def _next_turn(self) -> None:
        self.turn = None
        if self.done or self.busy is not None:
            return
        self._lines()
        if self.turn is not None or self.busy is not None or self.done:
            return  # reading stays paused: another turn, or the hello's store write
        transport = self.transport
        if transport is not None and not transport.is_closing():
            transport.resume_reading()

    def _feed(self, line: bytes) -> bool:
        """One message to the session; True when it is being awaited (reading pauses)."""
        pending = self.session.feed(line)
        if pending is None:
            return False
        if self.transport is not None:
            self.transport.pause_reading()
        self.busy = self.loop.create_task(self._await(pending))
        return True

    async def _await(self, pending: Coroutine[Any, Any, None]) -> None:
        try:
            await pending
        except Exception:
            log.exception("bot %s: handling a message failed", self.peer.address)
            self.busy = None
            self.finish()
            return
        self.busy = None
        if self.place is not None and self.session.connection.welcomed:
            self.place.release()  # useful now: it no longer counts against its address
            self.place = None
            if self.deadline is not None:
                self.deadline.cancel()
        if self.done:
            return
        if self.transport is not None and not self.transport.is_closing():
            self.transport.resume_reading()
        self._lines()

    # --- output (the peer's) ------------------------------------------------------------

    def _write_now(self, data: bytes) -> bool:
        transport = self.transport
        # ``paused`` covers a backed-up transport: it pauses above its high-water mark.
        if self.paused or transport is None or transport.is_closing():
            return False
        pending = self.pending
        if pending is None:
            if self.tcp.cork(self):
                self.pending = data
            else:
                transport.write(data + b"\n")
        elif isinstance(pending, bytes):
            self.pending = [pending, data]
        else:
            pending.append(data)
        return True

    def uncork(self) -> None:
        """Give the pending messages to the transport, as one write."""
        pending, self.pending = self.pending, None
        transport = self.transport
        if pending is None or transport is None or transport.is_closing():
            return
        if isinstance(pending, bytes):
            transport.write(pending + b"\n")
        else:
            pending.append(b"")
            transport.write(b"\n".join(pending))

    async def _write(self, data: bytes) -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            raise ConnectionResetError("Connection lost")
        self.uncork()  # what was written before this message goes first
        transport.write(data + b"\n")
        if self.paused:
            if self.resumed is None or self.resumed.done():
                self.resumed = self.loop.create_future()
            await self.resumed

    async def _close(self) -> None:
        """Half-close, so the peer reads everything up to our last message, and drain
        its input (thrown away) until it closes too or the grace ends; then drop it.

        Closing with unread input would make the kernel send a reset, and the
        peer would lose the last error (``too_large``) along with the rest."""
        self.uncork()
        transport = self.transport
        if transport is None:
            return
        grace = self.limits.close_grace
        if not transport.is_closing():
            if not self.eof and transport.can_write_eof():
                with contextlib.suppress(Exception):
                    transport.resume_reading()  # drain: ``data_received`` drops it
                    transport.write_eof()
            else:
                transport.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.shield(self.lost), grace)
        if not self.lost.done():
            transport.abort()  # the peer reads nothing or never closes: no more waiting
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self.lost), grace)

    def _hello_due(self) -> None:
        session = self.session
        if self.done or session.connection.state != "greeting":
            return
        hello_due(session, self.limits)
        self.finish()

    def _heartbeat(self) -> None:
        """Ping now and then; the session closes a peer silent for three periods."""
        session = self.session
        if self.done or session.state == "closed":
            return
        session.ping()
        if not session.connection.close_expected():
            self.beat = self.loop.call_later(self.settings.heartbeat, self._heartbeat)


__all__ = [
    "BACKED_UP",
    "GATE_KEY",
    "MESSAGES_PER_TURN",
    "STREAM_ABOVE",
    "TcpBot",
    "TcpBots",
    "bot_websocket",
    "fatal",
    "frame_header",
    "hello_due",
    "slow_consumer",
    "stream_fragments",
    "watch_websocket",
]
