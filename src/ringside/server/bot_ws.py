"""Bot WebSockets served by Ringside itself once their handshake is read.

aiohttp serves a WebSocket as a request handler that never returns: the
parsed request, the handler's two tasks and every coroutine frame between
them (the middlewares' included), the response, its queue and its writer
live as long as the bot: about 11 KB of the 17 KB an idle WebSocket bot held
(bench figure 4). After the 101 a bot needs none of it. So the HTTP listener's
guard (``http_guard``) shows this module the first bytes of each connection:
a well-formed upgrade of ``GET /ws/bot`` is answered here, and the connection
is served as ``TcpBot`` serves lines: aiohttp's own C frame reader cuts the
frames and hands each straight to the session (``_Frames``), pings and the
close handshake are here, and frames go out through the same writer as every
WebSocket peer's (``transports.write_frame``).

Anything else (another path, an upgrade that is incomplete, malformed or
carries a body) goes to aiohttp unchanged, which routes it or refuses it as
before; ``transports.bot_websocket`` still serves the WebSocket of an
application run without the guard (a test's bare ``build_app``).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import collections
import contextlib
import hashlib
import logging
import struct
from typing import Any, Literal, cast

from aiohttp import WSMsgType
from aiohttp._websocket.reader import WebSocketDataQueue, WebSocketReader

from ringside.protocol.codec import encode
from ringside.protocol.messages import Error
from ringside.server.hello_limit import client_address, trusted_networks
from ringside.server.http_guard import GuardedConnection
from ringside.server.limits import ConnectionGate
from ringside.server.peer import Peer
from ringside.server.services import Server
from ringside.server.transports import (
    BACKED_UP,
    MESSAGES_PER_TURN,
    STREAM_ABOVE,
    frame_header,
    hello_due,
    slow_consumer,
    stream_fragments,
)

log = logging.getLogger("ringside.server")

__all__ = ["BotSocket", "BotWebSockets", "Handshake", "read_handshake"]

PATH = b"/ws/bot"
MAX_HEAD = 8190
"""Longest handshake read here (aiohttp's own limit for a line); a longer one is aiohttp's."""
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
"""RFC 6455 §1.3: what the key is hashed with to prove the server read it."""


class Handshake:
    """A well-formed ``GET /ws/bot`` upgrade: its key, its headers, where it ends."""

    __slots__ = ("end", "headers", "key")

    def __init__(self, key: bytes, headers: dict[bytes, list[bytes]], end: int) -> None:
        self.key = key
        self.headers = headers
        """Lower-case names; every value of a repeated header, in order."""
        self.end = end
        """Bytes of the handshake: what follows is the connection's first frames."""

    def accept(self) -> bytes:
        return base64.b64encode(hashlib.sha1(self.key + GUID).digest())


def _tokens(values: list[bytes]) -> set[bytes]:
    return {token.strip().lower() for value in values for token in value.split(b",")}


def read_handshake(data: bytes) -> Handshake | bool:
    """The handshake at the start of ``data``: True, read more; False, not one to serve
    here (aiohttp's to answer, whatever it is)."""
    for start in (PATH + b" ", PATH + b"?"):
        if (b"GET " + start).startswith(data[: len(start) + 4]):
            break
    else:
        return False
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return len(data) <= MAX_HEAD
    if end > MAX_HEAD:
        return False
    request, *lines = data[:end].split(b"\r\n")
    parts = request.split(b" ")
    if len(parts) != 3 or parts[1].partition(b"?")[0] != PATH or parts[2] != b"HTTP/1.1":
        return False
    headers: dict[bytes, list[bytes]] = {}
    for line in lines:
        name, colon, value = line.partition(b":")
        if not colon or not name or name.strip(b" \t") != name:
            return False  # no name, or a folded line: aiohttp says what is wrong
        headers.setdefault(name.lower(), []).append(value.strip(b" \t"))
    if b"websocket" not in _tokens(headers.get(b"upgrade", [])):
        return False
    if b"upgrade" not in _tokens(headers.get(b"connection", [])):
        return False
    if headers.get(b"sec-websocket-version") != [b"13"]:
        return False
    keys = headers.get(b"sec-websocket-key", [])
    if len(keys) != 1:
        return False
    try:
        if len(base64.b64decode(keys[0], validate=True)) != 16:
            return False
    except (binascii.Error, ValueError):
        return False
    if headers.get(b"content-length", [b"0"]) != [b"0"] or b"transfer-encoding" in headers:
        return False
    return Handshake(keys[0], headers, end + 4)


def _bearer(headers: dict[bytes, list[bytes]]) -> str | None:
    values = headers.get(b"authorization", [])
    if len(values) != 1:
        return None
    scheme, _, value = values[0].decode("latin-1").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def _http_response(status: str, headers: list[tuple[str, str]], body: bytes = b"") -> bytes:
    lines = [f"HTTP/1.1 {status}", *(f"{name}: {value}" for name, value in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class BotWebSockets:
    """The bot WebSockets served here, and what they share; ``take`` is the guard's hook."""

    def __init__(self, server: Server, gate: ConnectionGate) -> None:
        self.server = server
        self.gate = gate
        self.settings = server.settings
        self.limits = server.settings.limits
        self.networks = trusted_networks(tuple(server.settings.trusted_proxies))
        self.sockets: set[BotSocket] = set()

    def take(
        self, connection: GuardedConnection, data: bytes
    ) -> Literal["more", "aiohttp"] | BotSocket | None:
        """A connection's first bytes: read ``more``, hand them to ``aiohttp``, or serve
        them here (the socket; None when refused here, the connection closing)."""
        found = read_handshake(data)
        if found is True:
            return "more"
        if found is False:
            return "aiohttp"
        transport = cast(asyncio.Transport, connection.transport)  # uvloop's subclass none
        peername = transport.get_extra_info("peername")
        remote = str(peername[0]) if isinstance(peername, tuple) else ""
        forwarded = [v.decode("latin-1") for v in found.headers.get(b"x-forwarded-for", [])]
        address = client_address(remote, forwarded, self.networks) if self.networks else remote
        connection.started()  # the header deadline is over: from here on, the bot's rules
        refusal = self.gate.admit("bot", address)
        if refusal is not None:
            # As aiohttp's route answers it: before the upgrade, which costs the least.
            body = encode(Error("too_many_connections", refusal, None, True))
            transport.write(
                _http_response(
                    "429 Too Many Requests",
                    [
                        ("Content-Type", "application/json; charset=utf-8"),
                        ("Content-Length", str(len(body))),
                        ("Connection", "close"),
                    ],
                    body,
                )
            )
            transport.close()
            connection.inner = _REFUSED  # what else it sends is dropped
            return None
        transport.write(
            _http_response(
                "101 Switching Protocols",
                [
                    ("Upgrade", "websocket"),
                    ("Connection", "upgrade"),
                    ("Sec-WebSocket-Accept", found.accept().decode()),
                ],
            )
        )
        socket = BotSocket(self, connection, transport, address, _bearer(found.headers))
        self.sockets.add(socket)
        rest = data[found.end :]
        if rest:
            socket.data_received(rest)
        return socket

    async def stop(self) -> None:
        """Whatever is still open at shutdown (the server told its bots already): closed."""
        sockets = list(self.sockets)
        for socket in sockets:
            socket.finish()
        flushes = [asyncio.ensure_future(s.peer.flushed()) for s in sockets]
        if flushes:
            await asyncio.wait(flushes, timeout=5)


class _Refused:
    """What serves a connection refused before its upgrade: nothing, until it closes."""

    def data_received(self, data: bytes) -> None:
        pass

    def eof_received(self) -> bool | None:
        return None

    def pause_writing(self) -> None:
        pass

    def resume_writing(self) -> None:
        pass

    def connection_lost(self, exc: Exception | None) -> None:
        pass


_REFUSED = _Refused()


class _Frames(WebSocketDataQueue):
    """Where aiohttp's frame reader puts each frame: straight to the socket, no queue.

    aiohttp's ``__init__`` is not called: it would make the deque this skips.
    The reader only calls these three methods and reads ``_size`` (0: never
    over the limit, so it never stalls)."""

    __slots__ = ("socket",)

    def __init__(self, socket: BotSocket) -> None:
        self.socket = socket

    def feed_data(self, data: Any, size: int) -> None:
        self.socket.frame(data)

    def feed_eof(self) -> None:
        self.socket.ended(-1)

    def set_exception(self, exc: BaseException, exc_cause: BaseException | None = None) -> None:
        code = getattr(exc, "code", 1002)
        log.debug("bot WebSocket: %s", exc)
        self.socket.ended(int(code) if isinstance(code, int) else 1002)


Backlog = collections.deque[bytes | int]
"""Messages waiting for the one before (a ``hello`` being checked) or for the next turn;
an int is the end (the close code to answer, -1 for none) after them."""


class BotSocket:
    """One bot's WebSocket after the handshake: frames to its session, its peer's writes.

    Its pings keep aiohttp's rule: a bot silent for a heartbeat is pinged, and one from
    which nothing is heard within half a heartbeat of the ping is dropped."""

    __slots__ = (
        "backlog",
        "beat",
        "busy",
        "close_code",
        "close_sent",
        "connection",
        "deadline",
        "done",
        "handled",
        "heard",
        "owner",
        "peer",
        "peer_closed",
        "place",
        "reader",
        "session",
        "streaming",
        "transport",
        "turn",
        "waiter",
    )

    def __init__(
        self,
        owner: BotWebSockets,
        connection: GuardedConnection,
        transport: asyncio.Transport,
        address: str,
        bearer: str | None,
    ) -> None:
        limits = owner.limits
        loop = asyncio.get_running_loop()
        self.owner = owner
        self.connection = connection
        self.transport = transport
        self.place: str | None = address
        """The address whose place at the gate this holds until the bot is welcomed."""
        self.reader = WebSocketReader(
            _Frames(self),
            owner.settings.max_message_bytes * 4,
            compress=False,
            decode_text=False,
        )
        self.backlog: Backlog | None = None
        self.busy: asyncio.Task[None] | None = None
        self.turn: asyncio.Handle | None = None
        self.handled = 0
        """Messages handled in this pass of the loop (``MESSAGES_PER_TURN`` at most)."""
        self.done = False
        self.heard = True
        self.close_code = 1000
        self.close_sent = False
        self.peer_closed = False
        """The bot sent its close frame, or its side of the connection ended."""
        self.streaming = False
        """A long message is going out in fragments: no other frame may start meanwhile."""
        self.waiter: asyncio.Future[None] | None = None
        """Set when the bot answers our close, or the connection is lost."""
        self.peer = Peer(
            "bot",
            address,
            self.write,
            self.close,
            write_now=self.write_now,
            budget=limits.output_budget,
            buffered=transport.get_write_buffer_size,
            overflow=slow_consumer(limits),
            abort=transport.abort,
            grace=limits.close_grace,
        )
        connection.inner = self
        self.session = owner.server.roster.connect(self.peer, "websocket", bearer)
        self.deadline: asyncio.TimerHandle | None = loop.call_later(
            limits.hello_timeout, self._hello_due
        )
        self.beat: asyncio.TimerHandle | None = loop.call_later(
            owner.settings.heartbeat, self._ping
        )

    # --- input (the guard passes the transport's callbacks on) ---------------------

    def data_received(self, data: bytes) -> None:
        self.heard = True
        self.handled = 0
        self.reader.feed_data(data)

    def eof_received(self) -> bool:
        self.ended(-1)
        return True  # ``close`` ends the connection once what is queued is written

    def connection_lost(self, exc: BaseException | None) -> None:
        self.peer_closed = True
        self.finish()
        self._wake()
        for timer in (self.deadline, self.beat, self.turn):
            if timer is not None:
                timer.cancel()
        self.deadline = self.beat = self.turn = None
        self.backlog = None
        self._release_place()
        self.owner.sockets.discard(self)

    def pause_writing(self) -> None:
        """The guard keeps ``paused`` (``write`` waits on its ``drained``)."""

    def resume_writing(self) -> None:
        """See ``pause_writing``."""

    def frame(self, message: Any) -> None:
        """One frame from the reader (a ``WSMessage``: type, data, extra)."""
        kind = message[0]
        if kind is WSMsgType.TEXT or kind is WSMsgType.BINARY:
            data = message[1]
            if self.done:
                return  # the conversation is over: read only for the close handshake
            if self.backlog is not None:
                self.backlog.append(data)
            elif self.handled >= MESSAGES_PER_TURN:
                self._hold().append(data)
                self.turn = asyncio.get_running_loop().call_soon(self._go_on)
            else:
                self.handled += 1
                self._message(data)
        elif kind is WSMsgType.PING:
            if not self.close_sent and not self.transport.is_closing():
                payload = bytes(message[1])
                self.transport.write(frame_header(0x8A, len(payload)) + payload)
        elif kind is WSMsgType.CLOSE:
            self.peer_closed = True
            self._wake()
            code = message[1] if isinstance(message[1], int) and message[1] else 1000
            if not self.done:
                self.ended(code)

    def ended(self, code: int) -> None:
        """No more messages: the bot closed (``code`` to answer), its side ended (-1),
        or it broke the protocol (the code that says how). After what is waiting."""
        if self.backlog is not None:
            self.backlog.append(code)
            return
        self._end(code)

    def _end(self, code: int) -> None:
        if code >= 0:
            self.close_code = code
        else:
            self.peer_closed = True
        self.finish()

    def _hold(self) -> Backlog:
        """Messages wait from now on, and reading pauses (the buffer stays one read)."""
        if self.backlog is None:
            self.backlog = collections.deque()
            with contextlib.suppress(Exception):
                self.transport.pause_reading()
        return self.backlog

    def _message(self, data: bytes) -> None:
        pending = self.session.feed(data)
        if pending is not None:
            self._hold()
            self.busy = asyncio.get_running_loop().create_task(self._await(pending))
        elif self.session.state == "closed":
            self.finish()

    async def _await(self, pending: Any) -> None:
        try:
            await pending
        except Exception:
            log.exception("bot %s: handling a message failed", self.peer.address)
            self.busy = None
            self.finish()
            return
        self.busy = None
        if self.place is not None and self.session.connection.welcomed:
            self._release_place()  # useful now: it no longer counts against its address
            if self.deadline is not None:
                self.deadline.cancel()
                self.deadline = None
        self._go_on()

    def _go_on(self) -> None:
        """Handle what waits, a turn at a time; then read again."""
        self.turn = None
        if self.done or self.busy is not None:
            return
        backlog = self.backlog
        handled = 0
        while backlog:
            if handled == MESSAGES_PER_TURN:
                self.turn = asyncio.get_running_loop().call_soon(self._go_on)
                return
            handled += 1
            item = backlog.popleft()
            if isinstance(item, int):
                self.backlog = None
                self._end(item)
                return
            self._message(item)
            if self.done or self.busy is not None:
                return
        self.backlog = None
        self.handled = 0
        if not self.transport.is_closing():
            with contextlib.suppress(Exception):
                self.transport.resume_reading()

    def _release_place(self) -> None:
        if self.place is not None:
            self.owner.gate.release("bot", self.place)
            self.place = None

    def _hello_due(self) -> None:
        self.deadline = None
        if self.done or self.session.connection.state != "greeting":
            return
        hello_due(self.session, self.owner.limits)
        self.finish()

    def _ping(self) -> None:
        """Every heartbeat: a bot heard from since the last one is not pinged (as aiohttp
        pings only after a heartbeat of silence); a silent one is, and has half a
        heartbeat to answer."""
        heartbeat = self.owner.settings.heartbeat
        self.beat = None
        if self.done or self.close_sent or self.transport.is_closing():
            return
        loop = asyncio.get_running_loop()
        if self.heard or self.backlog is not None:  # (not reading: nothing can be heard)
            self.heard = False
            self.beat = loop.call_later(heartbeat, self._ping)
            return
        self.transport.write(frame_header(0x89, 0))
        self.beat = loop.call_later(heartbeat / 2, self._pong_due)

    def _pong_due(self) -> None:
        self.beat = None
        if self.done:
            return
        if not self.heard and self.backlog is None:
            log.info("bot %s: no pong within half a heartbeat; dropped", self.peer.address)
            self.transport.abort()
            return
        self.heard = False
        self.beat = asyncio.get_running_loop().call_later(self.owner.settings.heartbeat, self._ping)

    def finish(self) -> None:
        """The conversation is over: the session leaves, the peer flushes and closes."""
        if self.done:
            return
        self.done = True
        self.session.closed()
        self.peer.close_soon()

    # --- output (the peer's) ----------------------------------------------------------

    def write_now(self, data: bytes) -> bool:
        """A text frame written at once, when the connection takes more (see ``Peer``)."""
        transport = self.transport
        if self.close_sent or self.streaming or transport.is_closing():
            return False
        if len(data) > STREAM_ABOVE or transport.get_write_buffer_size() > BACKED_UP:
            return False
        transport.write(frame_header(0x81, len(data)) + data)
        return True

    async def write(self, data: bytes) -> None:
        """The peer's writer task: one frame, or a long message in fragments."""
        if self.close_sent:
            raise ConnectionResetError("Connection closing")
        self.streaming = True
        try:
            await stream_fragments(self.transport, self.connection, data, self._closing)
        finally:
            self.streaming = False

    def _closing(self) -> bool:
        return self.close_sent

    async def close(self) -> None:
        """The close handshake: our close frame, the bot's answer (or the grace), the end."""
        transport = self.transport
        grace = self.owner.limits.close_grace
        if not self.close_sent and not transport.is_closing():
            self.close_sent = True
            transport.write(frame_header(0x88, 2) + struct.pack("!H", self.close_code))
        self.close_sent = True
        if not self.peer_closed and not transport.is_closing():
            if not self.session.connection.welcomed and transport.can_write_eof():
                # Never a bot (a missed hello deadline, a refused hello): the end of the
                # stream follows our last words at once, as on TCP; its answer is read
                # and dropped meanwhile, so that no reset takes the last words with it.
                transport.write_eof()
            waiter = self.waiter = asyncio.get_running_loop().create_future()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter, grace)
        if not transport.is_closing():
            transport.close()
        # A bot that reads nothing never lets the buffer empty: dropped after the grace.
        asyncio.get_running_loop().call_later(grace, transport.abort)

    def _wake(self) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
