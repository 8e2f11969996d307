"""Domain errors: the services raise them, only the HTTP layer knows their status."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

import ringside
from ringside.server.api import errors_middleware
from ringside.server.errors import (
    BotUnavailable,
    GameNotFound,
    InvalidRequest,
    Refused,
    ShuttingDown,
)

SERVER = Path(ringside.__file__).parent / "server"
HTTP_LAYER = {
    "api.py",
    "api_bots.py",
    "api_export.py",
    "api_tournaments.py",
    "transports.py",
    "main.py",
    "bodies.py",
    "http_guard.py",
}
HTTP_LAYER |= {"keys.py", "bench.py", "upgraded.py"}


@pytest.mark.parametrize(
    ("refused", "status"),
    [
        (ShuttingDown(), 503),
        (GameNotFound("unknown_game", "unknown game 'x'"), 404),
        (InvalidRequest("invalid_field", "rounds must be at least 1"), 422),
        (BotUnavailable("bot_offline", "bot 'a' is not connected"), 409),
    ],
)
async def test_each_refusal_is_json_with_its_status(refused: Refused, status: int) -> None:
    async def refuse(_: web.Request) -> web.StreamResponse:
        raise refused

    app = web.Application(middlewares=[errors_middleware])
    app.router.add_get("/api/refuse", refuse)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        response = await client.get("/api/refuse")
        assert response.status == status
        body = await response.json()
    assert body["error"] == {"code": refused.code, "message": refused.message}


def test_only_the_http_layer_knows_status_codes() -> None:
    """No service module imports aiohttp's web or raises the HTTP layer's ApiError."""
    for path in sorted(SERVER.glob("*.py")):
        if path.name in HTTP_LAYER:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "aiohttp":
                assert "web" not in {a.name for a in node.names}, f"{path.name} imports web"
            if isinstance(node, ast.Name):
                assert node.id != "ApiError", f"{path.name} uses ApiError"
