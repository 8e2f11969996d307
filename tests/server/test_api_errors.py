"""Every failure of the HTTP API is JSON: a fault is 500, a body nested too deep 422."""

from __future__ import annotations

import io
import logging
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from ringside.server.app import Settings, build_server
from ringside.server.main import build_app
from ringside.store import open_store, sqlite_url


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[TestClient[Any, Any]]:
    async with await open_store(sqlite_url(tmp_path)) as store:
        app = build_app(build_server(Settings(open=True, data_dir=tmp_path), store))
        async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
            yield test_client


async def test_a_fault_is_a_json_500_and_the_log_has_the_traceback(
    client: TestClient[Any, Any], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A real fault, not a test double: the table is gone behind the server's back.
    with sqlite3.connect(tmp_path / "ringside.db") as db:
        db.execute("DROP TABLE match_seats")
    with caplog.at_level(logging.ERROR, "ringside.server"):
        response = await client.get("/api/matches?bot=alpha")
        body = await response.json()
    assert response.status == 500 and response.content_type == "application/json"
    assert body == {
        "error": {
            "code": "internal_error",
            "message": "the server failed to answer this request; its log says why",
        }
    }
    assert "no such table" not in str(body)
    [record] = [r for r in caplog.records if r.name == "ringside.server"]
    assert record.exc_info is not None and "GET /api/matches" in record.getMessage()


@pytest.mark.parametrize("path", ["/api/matches", "/api/tournaments"])
@pytest.mark.parametrize(("opening", "leaf", "closing"), [("[", "", "]"), ('{"":', "1", "}")])
async def test_a_body_nested_too_deep_is_422(
    client: TestClient[Any, Any], path: str, opening: str, leaf: str, closing: str
) -> None:
    """Hundreds of thousands of levels, under the 1 MiB body limit."""
    depth = 900_000 // (len(opening) + len(closing))
    options = '{"a": ' + opening * depth + leaf + closing * depth + "}"
    body = f'{{"game": "tictactoe", "bots": ["a", "b"], "options": {options}}}'.encode()
    response = await client.post(path, data=io.BytesIO(body))
    got = await response.json()
    assert response.status == 422, got
    assert got["error"]["code"] == "invalid_field"
