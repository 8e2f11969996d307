"""A tournament step that keeps failing is given up as ``failed``, with its reason.

The database is made to refuse every write of the tournament's games (a
trigger raising an error, as a constraint would): the runner retries with
backoff a bounded number of times, then stores the tournament as failed
instead of retrying forever and again after every restart.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from ringside.server import tournaments as tournaments_module
from ringside.server.app import Settings, build_server
from ringside.server.tournaments import TournamentRequest
from ringside.store import open_store, sqlite_url

BOTS = ["gu-a", "gu-b"]


def _refuse_game_writes(data_dir: Path) -> None:
    db = sqlite3.connect(data_dir / "ringside.db")
    try:
        for event in ("INSERT", "UPDATE"):
            db.execute(
                f"CREATE TRIGGER refuse_{event.lower()} BEFORE {event} ON tournament_games"
                " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            )
        db.commit()
    finally:
        db.close()


async def test_a_step_failing_again_and_again_fails_the_tournament(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tournaments_module, "RETRY", 0.01)  # backoff 0.01, 0.02, 0.04...
    async with await open_store(sqlite_url(tmp_path)) as store:
        for bot in BOTS:
            await store.add_bot(bot)
        server = build_server(Settings(data_dir=tmp_path), store)
        manager = server.tournaments
        request = TournamentRequest(
            game="connect4", bots=BOTS, games_per_pair=4, absent_timeout=3600
        )
        run = await manager.create(request)
        _refuse_game_writes(tmp_path)
        run.cancel()
        assert run.task is not None
        async with asyncio.timeout(60):
            await run.task
        assert run.status == "failed"
        assert run.failures == tournaments_module.MAX_FAILURES
        record = await store.tournaments.get(run.id)
        assert record is not None
        assert record.status == "failed"
        assert record.failure is not None
        assert "given up after 5 failed steps" in record.failure
        assert "refused by the test" in record.failure
        failed, total = await store.tournaments.page("failed")
        assert total == 1 and failed[0].id == run.id
        assert (await store.tournaments.page("cancelled"))[1] == 0
        assert await store.tournaments.claim() == []  # not resumed by the next start
        assert manager.runs == {}
        await manager.stop()
