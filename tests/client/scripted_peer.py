"""A tiny stand-in for the server: real loopback sockets, a conversation scripted by the test.

``ScriptedServer`` listens on port 0 over WebSocket (an aiohttp app with a
``/ws/bot`` route) or TCP (JSON lines); every accepted connection becomes a
``PeerConnection`` the test drives with raw JSON objects, so the SDK is
checked against the wire format, not against its own encoder.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import WSMsgType, web

from ringside.client import Bot

TIMEOUT = 5.0
"""Bound of every wait in these tests."""


class PeerConnection:
    """One connection accepted by the scripted server."""

    def __init__(self) -> None:
        self.finished = asyncio.Event()
        """Set when the test is done with the connection (the handler may return)."""

    async def send(self, message: dict[str, Any]) -> None:
        await self.send_raw(json.dumps(message))

    async def send_raw(self, text: str) -> None:
        raise NotImplementedError

    async def recv(self) -> dict[str, Any]:
        """The next object the bot sent; EOFError when the bot closed the connection."""
        async with asyncio.timeout(TIMEOUT):
            text = await self._recv_text()
        value = json.loads(text)
        assert isinstance(value, dict)
        return value

    async def expect(self, kind: str) -> dict[str, Any]:
        message = await self.recv()
        assert message["type"] == kind, message
        return message

    async def wait_closed(self) -> None:
        """Wait until the bot closes the connection (after draining what it sent)."""
        with contextlib.suppress(EOFError):
            while True:
                await self.recv()

    async def _recv_text(self) -> str:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError


class WsPeer(PeerConnection):
    def __init__(self, ws: web.WebSocketResponse) -> None:
        super().__init__()
        self.ws = ws

    async def send_raw(self, text: str) -> None:
        await self.ws.send_str(text)

    async def _recv_text(self) -> str:
        msg = await self.ws.receive()
        if msg.type is WSMsgType.TEXT:
            return str(msg.data)
        raise EOFError(msg.type)

    async def close(self) -> None:
        try:
            async with asyncio.timeout(TIMEOUT):
                await self.ws.close()
        finally:
            self.finished.set()


class TcpPeer(PeerConnection):
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        super().__init__()
        self.reader = reader
        self.writer = writer

    async def send_raw(self, text: str) -> None:
        await self.send_bytes(text.encode() + b"\n")

    async def send_bytes(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def _recv_text(self) -> str:
        line = await self.reader.readline()
        if not line:
            raise EOFError("closed")
        return line.decode()

    async def close(self) -> None:
        try:
            self.writer.close()
            with contextlib.suppress(OSError):
                async with asyncio.timeout(TIMEOUT):
                    await self.writer.wait_closed()
        finally:
            self.finished.set()


class ScriptedServer:
    """Accepts connections over one transport and hands them to the test."""

    def __init__(self, transport: str) -> None:
        self.transport = transport
        self.url = ""
        self.accepted = 0
        self.connections: list[PeerConnection] = []
        self._queue: asyncio.Queue[PeerConnection] = asyncio.Queue()
        self._runner: web.AppRunner | None = None
        self._server: asyncio.Server | None = None
        self._handlers: list[asyncio.Event] = []

    async def accept(self) -> PeerConnection:
        """The next connection a bot opens."""
        async with asyncio.timeout(TIMEOUT):
            return await self._queue.get()

    async def _register(self, conn: PeerConnection) -> None:
        self.accepted += 1
        self.connections.append(conn)
        await self._queue.put(conn)

    # --- WebSocket ---------------------------------------------------------------

    async def _ws_handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        conn = WsPeer(ws)
        await self._register(conn)
        await conn.finished.wait()
        return ws

    # --- TCP ----------------------------------------------------------------------

    async def _tcp_handler(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        done = asyncio.Event()
        self._handlers.append(done)
        try:
            conn = TcpPeer(reader, writer)
            await self._register(conn)
            await conn.finished.wait()
        finally:
            done.set()

    async def start(self) -> None:
        if self.transport == "websocket":
            app = web.Application()
            app.router.add_get("/ws/bot", self._ws_handler)
            self._runner = web.AppRunner(app, access_log=None)
            await self._runner.setup()
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            await site.start()
            port = self._runner.addresses[0][1]
            self.url = f"ws://127.0.0.1:{port}/ws/bot"
        else:
            self._server = await asyncio.start_server(self._tcp_handler, "127.0.0.1", 0)
            port = self._server.sockets[0].getsockname()[1]
            self.url = f"tcp://127.0.0.1:{port}"

    async def stop(self) -> None:
        for conn in self.connections:
            await conn.close()
        if self._runner is not None:
            await self._runner.cleanup()
        if self._server is not None:
            self._server.close()
            async with asyncio.timeout(TIMEOUT):
                await self._server.wait_closed()
                for done in self._handlers:
                    await done.wait()


@contextlib.asynccontextmanager
async def running(bot: Bot, url: str) -> AsyncIterator[asyncio.Task[None]]:
    """Run ``bot`` against ``url`` in a task; on exit stop it and wait for it to end."""
    stop = asyncio.Event()
    task = asyncio.create_task(bot.run_async(url, stop=stop))
    try:
        yield task
    finally:
        stop.set()
        async with asyncio.timeout(TIMEOUT):
            await asyncio.wait({task})
    if not task.cancelled() and task.exception() is not None:
        raise task.exception()  # type: ignore[misc]


# --- message factories -------------------------------------------------------------


def welcome(name: str) -> dict[str, Any]:
    return {"type": "welcome", "bot_id": f"id-{name}", "name": name, "protocol": 1}


def prepare(match: str, id: int, game: str = "counting", seat: int = 0) -> dict[str, Any]:
    return {
        "type": "prepare",
        "match": match,
        "id": id,
        "game": game,
        "seat": seat,
        "players": 2,
        "round": 0,
        "rounds": 1,
        "time_control": {"type": "per_move", "seconds": 5.0},
    }


def request(
    match: str, id: int, legal: list[Any] | None, observation: Any = None
) -> dict[str, Any]:
    return {
        "type": "request",
        "match": match,
        "id": id,
        "round": 0,
        "seat": 0,
        "observation": observation if observation is not None else {"total": 0},
        "legal_actions": legal,
        "clock": {"remaining": 5.0, "move_time": 5.0, "seats": [5.0, 5.0]},
    }
