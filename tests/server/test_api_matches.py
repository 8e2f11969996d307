"""The stored match as the HTTP API shows it: the protocol's names, one shape for API and CLI."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from aiohttp.test_utils import TestClient, TestServer

from ringside.cli.engines import fetch_store
from ringside.protocol.messages import MatchResult, RoundScore, Verdict
from ringside.server.app import Settings, build_server
from ringside.server.main import build_app
from ringside.store import MatchOutcome, Store, open_store, sqlite_url

LATE = Verdict("timeout", player=1, bot="beta", seat=0, message="no move in time")
RESULT = MatchResult(
    match="m1",
    game="tictactoe",
    status="finished",
    bots=["alpha", "beta"],
    rounds=[
        RoundScore(1, players=[0, 1], scores=[1.0, 0.0], verdicts=[LATE]),
        RoundScore(2, players=[1, 0], scores=[0.5, 0.5]),
    ],
    scores=[1.5, 0.5],
    winner="alpha",
)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with await open_store(sqlite_url(tmp_path)) as opened:
        await opened.create_match(
            "m1", "tictactoe", ["alpha", "beta"], 2, {"type": "per_move"}, {}, status="running"
        )
        await opened.finish_match(
            MatchOutcome.of(RESULT), [{"type": "match_result", "match": "m1"}]
        )
        await opened.create_match("m2", "counting", ["beta", "gamma"], 1, {}, {"plies": 3})
        yield opened


@pytest.fixture
async def client(store: Store, tmp_path: Path) -> AsyncIterator[TestClient[Any, Any]]:
    app = build_app(build_server(Settings(open=True, data_dir=tmp_path), store))
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        yield test_client


async def get(client: TestClient[Any, Any], path: str) -> Any:
    response = await client.get(path)
    assert response.status == 200, await response.text()
    return await response.json()


async def test_match_detail_uses_the_protocols_names(client: TestClient[Any, Any]) -> None:
    detail = await get(client, "/api/matches/m1")
    assert detail["round_results"] == [
        {
            "round": 1,
            "players": [0, 1],
            "scores": [1.0, 0.0],
            "verdicts": [msgspec.to_builtins(LATE)],
        },
        {"round": 2, "players": [1, 0], "scores": [0.5, 0.5], "verdicts": []},
    ]
    # Each round reads like the protocol's RoundScore, as in the result document.
    rounds = msgspec.convert(detail["round_results"], list[RoundScore])
    assert rounds == RESULT.rounds
    assert detail["result"] == msgspec.to_builtins(RESULT)
    assert detail["seats"] == [
        {"player": 0, "bot": "alpha", "score": 1.5},
        {"player": 1, "bot": "beta", "score": 0.5},
    ]
    assert (detail["status"], detail["winner"], detail["verdict"]) == ("finished", "alpha", None)
    assert detail["events"] == [{"type": "match_result", "match": "m1"}]


async def test_match_list_rows(client: TestClient[Any, Any]) -> None:
    page = await get(client, "/api/matches")
    assert (page["total"], page["limit"], page["next"], page["previous"]) == (2, 50, None, None)
    assert [m["id"] for m in page["items"]] == ["m2", "m1"]
    pending = page["items"][0]
    assert pending["bots"] == ["beta", "gamma"] and pending["status"] == "pending"
    assert pending["started_at"] is None and "round_results" not in pending


async def test_the_cli_prints_the_apis_shape(client: TestClient[Any, Any], tmp_path: Path) -> None:
    """``ringside export`` from the database gives what the API gives (ringside.views)."""
    from_api = await get(client, "/api/matches/m1")
    # The CLI opens the same file itself, in its own event loop: run it in a thread.
    from_cli = await asyncio.to_thread(fetch_store, None, tmp_path, "m1")
    assert from_cli == from_api


async def test_openapi_documents_the_shape(client: TestClient[Any, Any]) -> None:
    schemas = (await get(client, "/api/openapi.json"))["components"]["schemas"]
    row = schemas["RoundRow"]
    assert set(row["required"]) == {"round", "players", "scores", "verdicts"}
    assert row["properties"]["verdicts"]["items"] == {"$ref": "#/components/schemas/Verdict"}
    assert "round_results" in schemas["MatchDetail"]["properties"]


async def test_pages_by_cursor(client: TestClient[Any, Any]) -> None:
    first = await get(client, "/api/matches?limit=1")
    assert [m["id"] for m in first["items"]] == ["m2"] and first["previous"] is None
    second = await get(client, f"/api/matches?limit=1&before={first['next']}")
    assert [m["id"] for m in second["items"]] == ["m1"] and second["next"] is None
    back = await get(client, f"/api/matches?limit=1&after={second['previous']}")
    assert back["items"] == first["items"] and back["previous"] is None


@pytest.mark.parametrize(
    ("query", "needle"),
    [("before=garbage", "not a cursor"), ("offset=5", "next"), ("limit=500", "limit")],
)
async def test_bad_paging_is_422(client: TestClient[Any, Any], query: str, needle: str) -> None:
    response = await client.get(f"/api/matches?{query}")
    body = await response.json()
    assert response.status == 422 and body["error"]["code"] == "invalid_field"
    assert needle in body["error"]["message"]
