"""A tournament step that keeps failing is given up as ``failed``, with its reason.

The database is made to refuse every write of the tournament's games (a
trigger raising an error, as a constraint would): the runner retries with
backoff a bounded number of times, then stores the tournament as failed
instead of retrying forever and again after every restart.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from ringside.protocol.messages import MatchResult
from ringside.server import tournaments as tournaments_module
from ringside.server.app import Settings, build_server
from ringside.server.tournaments import SprtRequest, TournamentRequest
from ringside.store import open_store, sqlite_url
from ringside.testing.postgres import PostgresServer

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


@pytest.fixture(params=["sqlite", "postgres"])
def sprt_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"sprt_{uuid.uuid4().hex[:12]}"
    url = server.create_database(name)
    try:
        yield url
    finally:
        server.drop_database(name)


async def test_an_sprt_stopping_early_drops_thousands_of_games_in_one_write(
    sprt_database: str, tmp_path: Path
) -> None:
    """A gauntlet of two allowing 10,000 games decides after a few wins; the 9,990-odd
    games left are cancelled at once, and stored so, without a write per game."""
    async with await open_store(sprt_database) as store:
        for bot in BOTS:
            await store.add_bot(bot)
        server = build_server(Settings(data_dir=tmp_path), store)
        manager = server.tournaments
        request = TournamentRequest(
            game="connect4",
            bots=BOTS,
            format="gauntlet",
            games_per_pair=10_000,
            absent_timeout=3600,
            sprt=SprtRequest(elo0=0, elo1=400),
        )
        run = await manager.create(request)
        began = time.monotonic()
        no = 0
        while run.state.decision is None:  # the first bot wins every game
            game = run.state.pending()[0]
            match_id = f"m{no}"
            run.state.start(game.no, match_id)
            first = game.bots[0] == BOTS[0]
            result = MatchResult(
                match_id, "connect4", "finished", list(game.bots), [],
                [1.0, 0.0] if first else [0.0, 1.0], BOTS[0],
            )  # fmt: skip
            await run.match_stored(game.no, match_id, result)
            no += 1
        decided = time.monotonic() - began
        run.wake.set()  # as the bus does when a result is stored
        assert run.task is not None
        async with asyncio.timeout(60):
            await run.task  # closes as finished once nothing runs
        record = await store.tournaments.get(run.id)
        assert record is not None and record.status == "finished"
        statuses = Counter(g.status for g in record.games)
        assert statuses["done"] == no < 50
        assert statuses["cancelled"] == 10_000 - no
        assert all(
            "SPRT accepted H1" in (g.note or "") for g in record.games if g.status == "cancelled"
        )
        print(f"\nSPRT decided after {no} games; {10_000 - no} cancelled, {decided:.2f} s in all")
        await manager.stop()
