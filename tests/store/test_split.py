"""The stores share one Database and need nothing else: each works alone, none imports another."""

from __future__ import annotations

import ast
from pathlib import Path

from ringside.protocol.messages import RoundScore
from ringside.store import (
    BotStore,
    EncodedEvent,
    MatchOutcome,
    MatchStore,
    RatingStore,
    ResultStore,
    Store,
    TournamentStore,
    open_database,
    sqlite_url,
)
from ringside.testing.clock import FakeClock

STORE_DIR = Path(__file__).resolve().parents[2] / "src" / "ringside" / "store"


async def test_each_store_works_alone_on_a_database(database_url: str, clock: FakeClock) -> None:
    async with await open_database(database_url, now=clock) as db:
        bots, matches, ratings = BotStore(db), MatchStore(db), RatingStore(db)
        tournaments = TournamentStore(db)
        token = await bots.add_bot("alpha")
        assert await bots.verify_bot("alpha", token)
        await matches.create_match("m1", "counting", ["alpha", "beta"], 1, {}, {}, status="running")
        rounds = (RoundScore(1, [0, 1], [1.0, 0.0]),)
        outcome = MatchOutcome(match_id="m1", status="finished", scores=(1.0, 0.0), rounds=rounds)
        await matches.finish_match(outcome, rate=True)
        assert [r.bot_name for r in await ratings.leaderboard("counting")] == ["alpha", "beta"]
        await tournaments.create(
            "t1", name=None, game="counting", format="round_robin", config={}, games=[]
        )
        record = await tournaments.get("t1")
        assert record is not None and record.created_at == clock.now


async def test_the_facade_shares_one_database(database_url: str, clock: FakeClock) -> None:
    async with Store(await open_database(database_url, now=clock)) as store:
        assert {
            id(s._db) for s in (store.matches, store.bots, store.ratings, store.tournaments)
        } == {id(store.db)}
        assert store.engine is store.db.engine and store.db.now is clock
        await store.add_bot("alpha")
        assert [b.name for b in await store.bots.list_bots()] == ["alpha"]


async def test_the_matches_store_is_a_result_store(tmp_path: Path) -> None:
    """What the runner needs: mypy checks the typed assignments, isinstance the names."""
    async with await open_database(sqlite_url(tmp_path)) as db:
        port: ResultStore = MatchStore(db)
        facade: ResultStore = Store(db)
        assert isinstance(port, ResultStore) and isinstance(facade, ResultStore)
        assert not isinstance(BotStore(db), ResultStore)
        # The runner's whole job, through the port alone.
        await port.create_match("m1", "counting", ["a", "b"], 1, {}, {}, status="running")
        started = EncodedEvent("match_started", b'{"type":"match_started","match":"m1"}')
        assert await port.append_events("m1", [started]) == 1
        ended = EncodedEvent("match_result", b'{"type":"match_result","match":"m1"}')
        await port.finish_match(MatchOutcome(match_id="m1", status="aborted"), [ended])
        record = await MatchStore(db).get_match("m1")
        assert record is not None and record.status == "aborted" and len(record.events) == 2


def test_no_store_module_imports_the_facade_or_another_store() -> None:
    """Only the facade (repository) and the package gather the stores: no import circle."""
    stores = {"matches", "bots", "ratings", "tournaments"}
    for path in STORE_DIR.glob("*.py"):
        if path.stem in ("__init__", "repository", "database"):
            continue
        imported = {
            node.module.rsplit(".", 1)[-1]
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.ImportFrom) and node.module and "ringside.store" in node.module
        }
        others = stores - {path.stem}
        if path.stem == "matches":
            others.discard("ratings")  # a result updates the ratings in its own transaction
        assert not imported & (others | {"repository", "database"}), (path.name, imported)
