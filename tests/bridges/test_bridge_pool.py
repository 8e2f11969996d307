"""``--concurrency``: one bridge name plays several games at once, an engine for each."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import aiohttp
import pytest
from bridge_helpers import HERE, running

from ringside.bridges.pool import BridgePool
from ringside.bridges.uci import UciBridge
from ringside.testing.wire import ServerProcess, WireBot, get_json, post_match, start_bot

pytest.importorskip("chess", reason="the fake engine uses python-chess")

FAKE_UCI = [sys.executable, str(HERE / "fake_uci.py")]
GAMES = 4


async def test_one_name_plays_four_games_at_once(
    server: ServerProcess, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    gate = tmp_path / "gate"
    command = [*FAKE_UCI, "--gate", str(gate)]
    pool = BridgePool([UciBridge(command, name="fake-pool") for _ in range(GAMES)])
    opponents = [WireBot(f"steady-pool-{i}", server.tcp_bot) for i in range(GAMES)]
    tasks = [await start_bot(bot) for bot in opponents]
    async with running(http, server, pool):
        ids = []
        for bot in opponents:
            body = {
                "game": "chess",
                "bots": ["fake-pool", bot.name],
                "time_control": {"type": "per_move", "seconds": 60},
                "adjudication": {"max_plies": 6},
            }
            status, created = await post_match(http, server, body)
            assert status == 201, created
            ids.append(created["id"])
        async with asyncio.timeout(60):  # every game waits on its engine's first move
            while len(pool.assigned) < GAMES:
                await asyncio.sleep(0.02)
        pids = {m.engine.pid for m in pool.members if m.engine is not None}
        gate.touch()
        records = []
        async with asyncio.timeout(90):
            for match_id in ids:
                while True:
                    record = await get_json(http, f"{server.http}/api/matches/{match_id}")
                    if record["status"] in ("finished", "aborted"):
                        records.append(record)
                        break
                    await asyncio.sleep(0.1)
    for bot in opponents:
        await bot.close()
    for task in tasks:
        task.cancel()
    assert pool.peak == GAMES
    assert [r["status"] for r in records] == ["finished"] * GAMES
    for record in records:
        (result,) = [e for e in record["events"] if e["type"] == "round_result"]
        assert [v["code"] for v in result.get("verdicts", [])] == ["adjudicated"], result
    assert len(pids) == GAMES
    print(f"\n{GAMES} games at once under one name, on {len(pids)} engine processes")
