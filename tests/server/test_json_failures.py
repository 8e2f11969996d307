"""Every 5xx of the HTTP application is JSON (``http_guard.json_failures``), on real sockets."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from ringside.server.http_guard import json_failures


async def fails(request: web.Request) -> web.StreamResponse:
    kind = request.match_info["kind"]
    if kind == "http":
        raise web.HTTPServiceUnavailable()
    if kind == "recursion":

        def deeper(n: int) -> int:
            return deeper(n + 1) + 1

        deeper(0)
    raise RuntimeError("a bug")


async def test_every_5xx_is_json() -> None:
    app = web.Application(middlewares=[json_failures])
    app.router.add_get("/x/{kind}", fails)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        for kind, status, code in [
            ("http", 503, "service_unavailable"),
            ("recursion", 500, "internal_error"),
            ("bug", 500, "internal_error"),
        ]:
            response = await client.get(f"/x/{kind}")
            body: Any = await response.json()
            assert response.status == status, kind
            assert response.content_type == "application/json"
            assert body["error"]["code"] == code
        missing = await client.get("/nothing")
        assert missing.status == 404  # a 4xx stays as the application answers it
