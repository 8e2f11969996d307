"""The bot side of the two transports: WebSocket frames and TCP lines, one API.

:func:`connect` picks the transport from the URL's scheme and returns a
:class:`Channel`; everything above it (the :class:`~ringside.client.bot.Bot`)
sees messages, never frames or lines. Bytes that are no valid server message
are logged and skipped, so a server newer than this client (a message type
added later) does not break the session.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import logging
import socket
from collections.abc import Mapping
from types import TracebackType
from urllib.parse import urlsplit

import aiohttp

from ringside.protocol.codec import ProtocolError, encode, encode_line, parse_server_message
from ringside.protocol.messages import BotMessage, ServerMessage

__all__ = [
    "CONNECT_TIMEOUT",
    "HEARTBEAT",
    "MESSAGE_LIMIT",
    "Channel",
    "ConnectFailed",
    "ConnectionClosed",
    "TcpChannel",
    "WebSocketChannel",
    "connect",
]

logger = logging.getLogger("ringside.client")

MESSAGE_LIMIT = 16 * 1024 * 1024
"""Largest server message read (bytes). Bots may send at most 64 KiB, but the server's
messages have no such limit (a ``match_result`` of many rounds is long). A longer TCP
line is skipped; a longer WebSocket frame closes the connection (aiohttp's rule)."""
CONNECT_TIMEOUT = 10.0
"""Seconds to open a connection (TCP connect, TLS and the WebSocket handshake)."""
HEARTBEAT = 20.0
"""Seconds between WebSocket pings; a connection with no pong in half that is dropped."""


class TransportError(Exception):
    """Base of the transport's errors."""


class ConnectionClosed(TransportError):
    """The connection is gone: closed by the peer, reset, or closed by us."""


class ConnectFailed(TransportError):
    """No connection could be opened (refused, unreachable, timed out, handshake refused)."""


class Channel(abc.ABC):
    """A connection to the server carrying whole messages, whatever the transport.

    ``send`` may be called from several tasks at once; ``receive`` from one
    task at a time. Use as an async context manager, or call ``close``.
    """

    transport: str
    """``"websocket"`` or ``"tcp"``."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._send_lock = asyncio.Lock()

    async def send(self, message: BotMessage) -> None:
        """Send one message; raises ConnectionClosed if the connection is gone."""
        async with self._send_lock:
            try:
                await self._send(message)
            except (ConnectionError, RuntimeError, aiohttp.ClientError) as exc:
                raise ConnectionClosed(f"cannot send on {self.url}: {exc}") from exc

    async def receive(self) -> ServerMessage:
        """The next valid server message; raises ConnectionClosed when the connection ends.

        Invalid input (not JSON, unknown type, wrong field, too large) is logged
        at WARNING and skipped.
        """
        while True:
            data = await self._receive_raw()
            if data is None:
                continue
            parsed = parse_server_message(data, MESSAGE_LIMIT)
            if not isinstance(parsed, ProtocolError):
                return parsed
            logger.warning("skipped a message from %s: %s", self.url, parsed.message)

    @abc.abstractmethod
    async def close(self) -> None:
        """Close the connection and release everything it holds; safe to call twice."""

    @abc.abstractmethod
    async def _send(self, message: BotMessage) -> None: ...

    @abc.abstractmethod
    async def _receive_raw(self) -> bytes | str | None:
        """One frame or line, None for input to skip silently; ConnectionClosed at the end."""

    async def __aenter__(self) -> Channel:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


class WebSocketChannel(Channel):
    """One JSON object per WebSocket text frame (aiohttp client, heartbeat, no compression)."""

    transport = "websocket"

    def __init__(
        self, url: str, session: aiohttp.ClientSession, ws: aiohttp.ClientWebSocketResponse
    ) -> None:
        super().__init__(url)
        self._session = session
        self._ws = ws

    async def _send(self, message: BotMessage) -> None:
        if self._ws.closed:
            raise ConnectionClosed(f"the connection to {self.url} is closed")
        await self._ws.send_frame(encode(message), aiohttp.WSMsgType.TEXT)

    async def _receive_raw(self) -> bytes | str | None:
        try:
            msg = await self._ws.receive()
        except (ConnectionError, RuntimeError, aiohttp.ClientError) as exc:
            raise ConnectionClosed(f"lost the connection to {self.url}: {exc}") from exc
        kind = msg.type
        if kind is aiohttp.WSMsgType.TEXT or kind is aiohttp.WSMsgType.BINARY:
            data: bytes | str = msg.data
            return data
        if kind is aiohttp.WSMsgType.ERROR:
            raise ConnectionClosed(f"lost the connection to {self.url}: {msg.data!r}")
        if kind in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED):
            code = self._ws.close_code
            raise ConnectionClosed(f"{self.url} closed the connection (code {code})")
        return None  # control frames aiohttp already answered

    async def close(self) -> None:
        try:
            await self._ws.close()
        except (ConnectionError, RuntimeError, aiohttp.ClientError) as exc:
            logger.debug("closing %s: %s", self.url, exc)
        finally:
            await self._session.close()


class TcpChannel(Channel):
    """One JSON object per ``\\n``-terminated line over a plain TCP stream."""

    transport = "tcp"

    def __init__(self, url: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        super().__init__(url)
        self._reader = reader
        self._writer = writer

    async def _send(self, message: BotMessage) -> None:
        if self._writer.is_closing():
            raise ConnectionClosed(f"the connection to {self.url} is closed")
        self._writer.write(encode_line(message))
        await self._writer.drain()

    async def _receive_raw(self) -> bytes | str | None:
        try:
            return await self._read_line()
        except ConnectionError as exc:
            raise ConnectionClosed(f"lost the connection to {self.url}: {exc}") from exc

    async def _read_line(self) -> bytes | None:
        try:
            line = await self._reader.readuntil(b"\n")
        except asyncio.IncompleteReadError as exc:
            if exc.partial.strip():  # a last line without its terminator
                return exc.partial
            raise ConnectionClosed(f"{self.url} closed the connection") from None
        except asyncio.LimitOverrunError as exc:
            # Drop the whole line, however long, without holding it in memory.
            size = 0
            while True:
                size += exc.consumed
                await self._reader.readexactly(exc.consumed)
                try:
                    size += len(await self._reader.readuntil(b"\n"))
                    break
                except asyncio.LimitOverrunError as more:
                    exc = more
                except asyncio.IncompleteReadError:
                    raise ConnectionClosed(f"{self.url} closed the connection") from None
            logger.warning(
                "skipped a message from %s: too_large: a line of %d bytes; the limit is %d bytes",
                self.url,
                size,
                MESSAGE_LIMIT,
            )
            return None
        return line if line.strip() else None

    async def close(self) -> None:
        self._writer.close()
        with contextlib.suppress(OSError):
            await self._writer.wait_closed()


async def connect(
    url: str, *, headers: Mapping[str, str] | None = None, timeout: float = CONNECT_TIMEOUT
) -> Channel:
    """Open a channel to ``url``: ``ws://``/``wss://`` (WebSocket) or ``tcp://host:port``.

    ``headers`` go with the WebSocket handshake (TCP has no place for them).
    Raises ValueError for a URL of another kind, ConnectFailed when no
    connection could be opened within ``timeout`` seconds.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("ws", "wss"):
        return await _connect_websocket(url, headers, timeout)
    if scheme == "tcp":
        host, port = parts.hostname, parts.port
        if not host or port is None:
            raise ValueError(
                f"a TCP server URL needs a host and a port: tcp://HOST:PORT, not {url}"
            )
        return await _connect_tcp(url, host, port, timeout)
    raise ValueError(f"unsupported server URL {url!r}: use ws://, wss:// or tcp://HOST:PORT")


async def _connect_websocket(
    url: str, headers: Mapping[str, str] | None, timeout: float
) -> WebSocketChannel:
    session = aiohttp.ClientSession()
    try:
        async with asyncio.timeout(timeout):
            ws = await session.ws_connect(
                url,
                headers=headers,
                heartbeat=HEARTBEAT,
                compress=0,
                max_msg_size=MESSAGE_LIMIT + 2,
                timeout=aiohttp.ClientWSTimeout(ws_close=2.0),
            )
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        await session.close()
        raise ConnectFailed(f"cannot connect to {url}: {_describe(exc, timeout)}") from exc
    except BaseException:
        await session.close()
        raise
    return WebSocketChannel(url, session, ws)


async def _connect_tcp(url: str, host: str, port: int, timeout: float) -> TcpChannel:
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(host, port, limit=MESSAGE_LIMIT + 2)
    except (OSError, TimeoutError) as exc:
        raise ConnectFailed(f"cannot connect to {url}: {_describe(exc, timeout)}") from exc
    sock = writer.get_extra_info("socket")
    if sock is not None:
        _keepalive(sock)
    return TcpChannel(url, reader, writer)


def _keepalive(sock: socket.socket) -> None:
    """TCP keepalive probes, so a server that vanished is noticed in about a minute.

    (WebSocket connections have the heartbeat for that.)
    """
    options = [(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)]
    for name, value in (("TCP_KEEPIDLE", 30), ("TCP_KEEPINTVL", 10), ("TCP_KEEPCNT", 3)):
        if hasattr(socket, name):
            options.append((socket.IPPROTO_TCP, getattr(socket, name), value))
    for level, option, value in options:
        with contextlib.suppress(OSError):
            sock.setsockopt(level, option, value)


def _describe(exc: BaseException, timeout: float) -> str:
    if isinstance(exc, TimeoutError):
        return f"no connection within {timeout:g} s"
    if isinstance(exc, aiohttp.ClientConnectorError):
        exc = exc.os_error  # the same words as a TCP connection's
    if isinstance(exc, aiohttp.WSServerHandshakeError):
        return f"the WebSocket handshake was refused (HTTP {exc.status}); is the path right?"
    return str(exc) or type(exc).__name__
