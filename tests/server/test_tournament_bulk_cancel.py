"""A tournament of 30,000 games is created and cancelled in seconds, on SQLite and PostgreSQL.

Issue 22: every changed game used to be written in one ``INSERT … VALUES`` (9
parameters a game), which SQLite refuses past its variable limit; the cancel
then retried forever. The bots here are registered but never connect, so no
game is played: the test measures the bulk writes alone (create, cancel).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from ringside.store import open_store, sqlite_url
from ringside.testing.postgres import PostgresServer
from ringside.testing.wire import ServerProcess, get_json

ADMIN = "bulk-admin-token"
BOTS = ["bulk-a", "bulk-b", "bulk-c"]
PER_PAIR = 10_000
GAMES = 3 * PER_PAIR


@pytest.fixture(params=["sqlite", "postgres"])
def bulk_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"bulk_{uuid.uuid4().hex[:12]}"
    url = server.create_database(name)
    try:
        yield url
    finally:
        server.drop_database(name)


async def _register(url: str) -> None:
    async with await open_store(url) as store:
        for bot in BOTS:
            await store.add_bot(bot)


async def _post(
    http: aiohttp.ClientSession, url: str, body: dict[str, Any] | None = None
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {ADMIN}"}
    async with http.post(url, json=body, headers=headers) as response:
        return response.status, await response.json()


async def _poll_games(
    http: aiohttp.ClientSession, server: ServerProcess, latencies: list[float]
) -> None:
    """``GET /api/games`` in a loop: how long the server takes to answer meanwhile."""
    while True:
        began = time.monotonic()
        await get_json(http, f"{server.http}/api/games")
        latencies.append(time.monotonic() - began)
        await asyncio.sleep(0.05)


async def _running(http: aiohttp.ClientSession, server: ServerProcess, tid: str) -> bool:
    page = await get_json(http, f"{server.http}/api/tournaments?status=running")
    return tid in {t["id"] for t in page["items"]}


async def test_big_round_robin_is_cancelled_in_seconds(bulk_database: str, tmp_path: Path) -> None:
    await _register(bulk_database)
    server = ServerProcess(
        tmp_path, ["--admin-token", ADMIN, "--database-url", bulk_database]
    ).start()
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http:
            body = {
                "game": "connect4",
                "bots": BOTS,
                "games_per_pair": PER_PAIR,
                "absent_timeout": 3600,
            }
            latencies: list[float] = []
            poller = asyncio.create_task(_poll_games(http, server, latencies))
            began = time.monotonic()
            status, reply = await _post(http, f"{server.http}/api/tournaments", body)
            created = time.monotonic() - began
            assert status == 201, reply
            tid = reply["id"]
            began = time.monotonic()
            status, reply = await _post(http, f"{server.http}/api/tournaments/{tid}/cancel")
            assert status == 201, reply
            async with asyncio.timeout(120):
                while await _running(http, server, tid):
                    await asyncio.sleep(0.1)
            cancelled = time.monotonic() - began
            poller.cancel()
            detail = await get_json(http, f"{server.http}/api/tournaments/{tid}")
            assert detail["status"] == "cancelled"
            games = await get_json(http, f"{server.http}/api/games")  # the server still answers
        assert games
        assert len(detail["games"]) == GAMES
        assert {g["status"] for g in detail["games"]} == {"cancelled"}
        assert detail["failure"] is None
        worst = max(latencies, default=0.0)
        print(
            f"\n{GAMES} games: created in {created:.2f} s, cancelled in {cancelled:.2f} s; "
            f"GET /api/games meanwhile: {len(latencies)} answered, worst {worst * 1000:.0f} ms"
        )
        assert cancelled < 30, f"cancel took {cancelled:.1f} s"  # about 2 s on a quiet machine
    finally:
        server.stop()


async def test_a_tournament_over_the_cap_is_refused(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    await _register(url)
    server = ServerProcess(
        tmp_path, ["--admin-token", ADMIN, "--max-tournament-games", "1000"]
    ).start()
    try:
        async with aiohttp.ClientSession() as http:
            body = {"game": "connect4", "bots": BOTS, "games_per_pair": 334}
            status, reply = await _post(http, f"{server.http}/api/tournaments", body)
            assert status == 422, reply
            assert reply["error"]["code"] == "too_many_games"
            assert "1,002 games" in reply["error"]["message"]
            assert "1,000" in reply["error"]["message"]
            body["games_per_pair"] = 333
            status, reply = await _post(http, f"{server.http}/api/tournaments", body)
            assert status == 201, reply
    finally:
        server.stop()
