"""Figure 1's server: the bare transport stack, no referee, no store.

The transport code of Ringside itself, on uvloop: the aiohttp WebSocket
handler with the same settings, reading with ``async for`` and writing frames
with Ringside's own ``write_now``; and the TCP JSON-lines listener as an
``asyncio.Protocol`` cutting lines the way ``TcpBot`` does. Every message a
client sends is answered at once with a canned counting-game ``request`` of
the real size. Prints ``READY {"port": P, "tcp_port": Q}`` and serves until
stdin says stop.
"""

from __future__ import annotations

import asyncio
from typing import cast

from aiohttp import WSMsgType, web

from bench.common import HOST, commands, emit, run
from ringside.protocol.codec import encode
from ringside.protocol.messages import ClockReading, Request
from ringside.server.transports import _WsSocket

REPLY = encode(
    Request(
        "3f2a1b4c5d6e",
        20001,
        1,
        0,
        {"count": 10000, "plies": 20000},
        [10001],
        ClockReading(10.0, 10.0, seats=[10.0, 10.0]),
    )
)
"""What Ringside sends a bot of the counting game in mid-match (about 170 bytes)."""


async def websocket(request: web.Request) -> web.StreamResponse:
    ws = web.WebSocketResponse(heartbeat=20.0, compress=False, max_msg_size=256 * 1024)
    await ws.prepare(request)
    write_now = _WsSocket(request, ws, grace=2.0).write_now
    async for msg in ws:
        if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY) and not write_now(REPLY):
            await ws.send_frame(REPLY, WSMsgType.TEXT)
    return ws


class EchoLines(asyncio.Protocol):
    """Lines in, one canned reply out per line, as ``TcpBot`` cuts and writes them."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.transport: asyncio.WriteTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.WriteTransport, transport)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        start = 0
        while (end := buffer.find(b"\n", start)) >= 0:
            line = bytes(buffer[start : end + 1])
            start = end + 1
            if line.strip() and self.transport is not None:
                self.transport.write(REPLY + b"\n")
        del buffer[:start]


async def main() -> None:
    app = web.Application()
    app.router.add_get("/ws", websocket)
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1)
    await runner.setup()
    site = web.TCPSite(runner, HOST, 0, backlog=1024)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    loop = asyncio.get_running_loop()
    tcp = await loop.create_server(EchoLines, HOST, 0, backlog=1024)
    emit("READY", {"port": port, "tcp_port": tcp.sockets[0].getsockname()[1]})
    queue = await commands()
    while await queue.get() != "stop":
        pass
    tcp.close()
    await runner.cleanup()


if __name__ == "__main__":
    run(main)
