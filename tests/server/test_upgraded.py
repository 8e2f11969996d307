"""``release_upgrade_request``: what aiohttp keeps of an upgrade request goes, the socket works.

The release reaches inside aiohttp; the first test fails loudly when the
names it relies on change (aiohttp is pinned in the lock). The others run
real sockets: a bare application's WebSocket, and the server's ``/ws/bot``,
released after the upgrade, still echo, ping, and close with the handshake.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import WSMsgType, web
from aiohttp.base_protocol import BaseProtocol
from aiohttp.http_parser import RawRequestMessage
from aiohttp.test_utils import TestClient, TestServer
from aiohttp.web_protocol import RequestHandler

from ringside.protocol.messages import BotLeft
from ringside.server.app import Settings, build_server
from ringside.server.main import build_app
from ringside.server.services import Server
from ringside.server.upgraded import UPGRADED_HEADERS, release_upgrade_request
from ringside.store import open_store, sqlite_url


def test_the_aiohttp_internals_it_relies_on_are_there() -> None:
    """If this fails, aiohttp changed: read ``server/upgraded.py`` again before updating."""
    assert {"_parser", "_upgraded"} <= set(BaseProtocol.__slots__)
    assert "_payload_parser" in RequestHandler.__slots__
    assert {"_message", "_headers", "_cache"} <= web.BaseRequest.ATTRS
    assert callable(RawRequestMessage._replace)


class Echo:
    """A WebSocket handler that releases the upgrade request, then echoes."""

    def __init__(self) -> None:
        self.released: list[bool] = []
        self.parser: list[object] = []
        self.closed = asyncio.Event()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(heartbeat=0.2, compress=False, timeout=2)
        self.released.append(release_upgrade_request(request))  # before: nothing to release
        await ws.prepare(request)
        self.released.append(release_upgrade_request(request))
        self.parser.append(request.protocol._parser)
        assert request.headers is UPGRADED_HEADERS
        assert request.headers["Upgrade"] == "websocket"  # json_failures still sees one
        async for msg in ws:
            await ws.send_str(msg.data)
        self.closed.set()
        return ws


async def test_a_released_websocket_echoes_pings_and_closes_with_the_handshake() -> None:
    echo = Echo()
    app = web.Application()
    app.router.add_get("/ws", echo.handle)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        ws = await client.ws_connect("/ws", autoping=False, headers={"X-Big": "x" * 4000})
        async with asyncio.timeout(10):
            await ws.send_str("one")
            assert (await ws.receive()).data == "one"
            assert (await ws.receive()).type == WSMsgType.PING  # the heartbeat, after 0.2 s
            await ws.pong()
            await ws.send_str("two")
            assert (await ws.receive()).data == "two"
            await ws.close()
            await echo.closed.wait()
        assert ws.close_code == 1000
    assert echo.released == [False, True]
    assert echo.parser == [None]


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[Server, TestClient[Any, Any]]]:
    async with await open_store(sqlite_url(tmp_path)) as store:
        settings = Settings(open=True, data_dir=tmp_path, heartbeat=0.2)
        server = build_server(settings, store)
        try:
            async with TestClient(TestServer(build_app(server), host="127.0.0.1")) as client:
                yield server, client
        finally:
            await server.shutdown()


async def test_a_bot_websocket_is_welcomed_pinged_and_leaves_on_close(
    served: tuple[Server, TestClient[Any, Any]],
) -> None:
    server, client = served
    gone = asyncio.Event()
    server.bus.subscribe(BotLeft, lambda event: gone.set())
    ws = await client.ws_connect("/ws/bot", autoping=False)
    async with asyncio.timeout(10):
        await ws.send_str(json.dumps({"type": "hello", "name": "alice", "protocol": 1}))
        welcome = json.loads((await ws.receive()).data)
        assert welcome["type"] == "welcome"
        assert server.roster.ready("alice") is not None
        while (msg := await ws.receive()).type != WSMsgType.PING:  # aiohttp's heartbeat
            assert msg.type == WSMsgType.TEXT
        await ws.pong()
        await ws.close()
        await gone.wait()
    assert ws.close_code == 1000
