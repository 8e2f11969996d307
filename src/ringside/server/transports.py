"""Transports: bots over WebSocket and TCP JSON lines, spectators over WebSocket.

Each one only moves bytes between its socket and a ``BotSession`` or a
``Spectator``; nothing above this module knows which transport a bot uses.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
from collections.abc import Callable, Coroutine
from typing import Any, cast

from aiohttp import WSMsgType, web

from ringside.protocol.framing import LineFramer, TooLong
from ringside.server.api import client_of
from ringside.server.keys import SERVER_KEY
from ringside.server.peer import Peer
from ringside.server.services import Server
from ringside.server.watching import SpectatorLink

log = logging.getLogger("ringside.server")


BACKED_UP = 64 * 1024
"""Bytes waiting in a transport above which messages wait in the peer's outbox instead."""


def _ws_write_now(request: web.Request, ws: web.WebSocketResponse) -> Callable[[bytes], bool]:
    """Write a text frame straight to the connection, when it takes more.

    Frames from a server are unmasked and, with ``compress=False``, never
    compressed: a header of 2, 4 or 10 bytes and the payload (RFC 6455 §5.2).
    Each frame is one ``write`` on the event loop's thread, so aiohttp's own
    frames (pings, close) can never interleave with one.
    """
    transport = request.transport

    def write_now(data: bytes) -> bool:
        if transport is None or transport.is_closing() or ws.closed:
            return False
        if transport.get_write_buffer_size() > BACKED_UP:
            return False
        size = len(data)
        if size < 126:
            header = bytes((0x81, size))
        elif size < 65536:
            header = struct.pack("!BBH", 0x81, 126, size)
        else:
            header = struct.pack("!BBQ", 0x81, 127, size)
        transport.write(header + data)
        return True

    return write_now


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


async def bot_websocket(request: web.Request) -> web.StreamResponse:
    server = request.app[SERVER_KEY]
    settings = server.settings
    ws = web.WebSocketResponse(
        heartbeat=settings.heartbeat,
        compress=False,
        max_msg_size=settings.max_message_bytes * 4,
    )
    await ws.prepare(request)

    async def write(data: bytes) -> None:
        await ws.send_frame(data, WSMsgType.TEXT)

    peer = Peer("bot", client_of(request), write, ws.close, write_now=_ws_write_now(request, ws))
    peer.start()
    session = server.roster.connect(peer, "websocket", _bearer(request))
    try:
        async for msg in ws:
            if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                pending = session.feed(msg.data)
                if pending is not None:
                    await pending
            elif msg.type == WSMsgType.ERROR:
                break
            if session.state == "closed":
                break
    finally:
        session.closed()
        peer.close_soon()
        await peer.flushed()
    return ws


async def watch_websocket(request: web.Request) -> web.StreamResponse:
    server = request.app[SERVER_KEY]
    ws = web.WebSocketResponse(heartbeat=server.settings.heartbeat, compress=False)
    await ws.prepare(request)

    async def write(data: bytes) -> None:
        await ws.send_frame(data, WSMsgType.TEXT)

    peer = Peer(
        "spectator",
        client_of(request),
        write,
        ws.close,
        limit=16384,
        write_now=_ws_write_now(request, ws),
    )
    peer.start()
    link = SpectatorLink(server.lobby, server.matches, peer, server.clock)
    try:
        if request.query.get("match"):
            await link.watch(request.query["match"])
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                await link.receive(msg.data)
    finally:
        link.closed()
        peer.close_soon()
        await peer.flushed()
    return ws


# --- TCP: one JSON message per line ---------------------------------------------------


class TcpBots:
    """The TCP listener for bots; a line is a message, a ``\\n`` ends it."""

    def __init__(self, server: Server) -> None:
        self.server = server
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
        "done",
        "framer",
        "loop",
        "lost",
        "paused",
        "peer",
        "pending",
        "resumed",
        "session",
        "settings",
        "tcp",
        "transport",
    )

    def __init__(self, tcp: TcpBots) -> None:
        self.tcp = tcp
        self.settings = tcp.server.settings
        self.framer = LineFramer(self.settings.max_message_bytes)
        self.loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self.busy: asyncio.Task[None] | None = None
        """The task finishing a ``hello``; later lines wait for it."""
        self.done = False
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
        self.peer = Peer(
            "bot", f"{host}:{port}", self._write, self._close, write_now=self._write_now
        )
        self.session = self.tcp.server.roster.connect(self.peer, "tcp")
        self.session.host = str(host)
        self.tcp.connections.add(self)
        self.beat = self.loop.call_later(self.settings.heartbeat, self._heartbeat)

    def data_received(self, data: bytes) -> None:
        if self.done:
            return
        self.framer.receive_data(data)
        if self.busy is None:
            self._lines()

    def eof_received(self) -> bool:
        self.framer.receive_eof()
        if self.busy is None:
            self._lines()
        return True  # keep writing what is queued; ``finish`` closes

    def connection_lost(self, exc: Exception | None) -> None:
        self.finish()
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
        self.session.closed()
        self.peer.close_soon()

    # --- input ---------------------------------------------------------------------

    def _lines(self) -> None:
        """Hand every complete line to the session, in order, until one has to be awaited."""
        framer, session = self.framer, self.session
        while not self.done and session.state != "closed":
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
        self.uncork()
        if self.transport is not None:
            self.transport.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.shield(self.lost), 5)

    def _heartbeat(self) -> None:
        """Ping now and then; the session closes a peer silent for three periods."""
        session = self.session
        if self.done or session.state == "closed":
            return
        session.ping()
        if not session.connection.close_expected():
            self.beat = self.loop.call_later(self.settings.heartbeat, self._heartbeat)


__all__ = ["TcpBot", "TcpBots", "bot_websocket", "watch_websocket"]
