"""Group commit (``store.grouped``): the same rows as the SQLAlchemy path, many matches per
transaction, and a failing write undone alone."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ringside.protocol.messages import RoundScore, Verdict
from ringside.store import MatchOutcome, Store, open_store, sqlite_url
from ringside.store.records import EncodedEvent, MatchClosed, MatchExists, MatchFenced
from ringside.testing.clock import FakeClock

BOTS = ["alpha", "beta", "gamma", "delta"]


async def play(store: Store, clock: FakeClock) -> None:
    """Create, append to, finish and rate a few matches, several at the same time."""

    async def one(i: int) -> None:
        match_id = f"m{i}"
        bots = [BOTS[i % 4], BOTS[(i + 1) % 4]]
        await store.create_match(
            match_id, "tictactoe", bots, 1, {"x": i}, {"type": "per_move", "seconds": 1.0},
            status="running", config={"game": "tictactoe", "n": i},
        )  # fmt: skip
        await store.append_events(match_id, [EncodedEvent("match_started", b'{"type":"a"}')])
        scores = (1.0, 0.0) if i % 3 else (0.5, 0.5)
        verdict = Verdict("timeout", 1, bots[1], 1, "slow") if i % 3 == 1 else None
        rounds = (RoundScore(1, [0, 1], list(scores), [verdict] if verdict else []),)
        outcome = MatchOutcome(
            match_id=match_id, status="finished", scores=scores,
            winner=bots[0] if scores[0] > scores[1] else None, verdict=verdict,
            reason="because", rounds=rounds,
        )  # fmt: skip
        events = [EncodedEvent("move", b'{"type":"move","ply":1}'), {"type": "x", "n": 1}]
        await store.finish_match(outcome, events, rate=True)

    for batch in range(3):
        await asyncio.gather(*(one(4 * batch + i) for i in range(4)))
        clock.advance(1.0)
    await store.create_match("aborted", "tictactoe", BOTS[:2], 1, {}, {}, status="running")
    await store.finish_match(MatchOutcome(match_id="aborted", status="aborted"))


async def snapshot(store: Store) -> object:
    matches = [await store.get_match(f"m{i}") for i in range(12)]
    return (
        matches,
        await store.get_match("aborted"),
        await store.leaderboard("tictactoe"),
        [await store.profiles.profile(b) for b in BOTS],
    )


async def test_the_same_records_as_without_group_commit(tmp_path: Path) -> None:
    seen = []
    for grouped in (False, True):
        clock = FakeClock()
        async with await open_store(sqlite_url(tmp_path / str(grouped)), now=clock) as store:
            assert store.db.group_commits() if grouped else store.db.group is None
            await play(store, clock)
            seen.append(await snapshot(store))
    assert seen[0] == seen[1]


async def test_a_failing_write_is_undone_alone(tmp_path: Path) -> None:
    async with await open_store(sqlite_url(tmp_path)) as store:
        assert store.db.group_commits()
        for name in ("a", "b", "c"):
            await store.create_match(name, "tictactoe", BOTS[:2], 1, {}, {}, status="running")
        await store.finish_match(MatchOutcome(match_id="b", status="aborted"))
        outcomes = await asyncio.gather(
            store.finish_match(MatchOutcome(match_id="a", status="aborted")),
            store.finish_match(MatchOutcome(match_id="b", status="finished", scores=(1.0, 0.0))),
            store.create_match("c", "tictactoe", BOTS[:2], 1, {}, {}),
            store.append_events("b", [{"type": "late"}]),
            store.finish_match(MatchOutcome(match_id="b", status="aborted")),  # again: no-op
            return_exceptions=True,
        )
        assert outcomes[0] is None and outcomes[4] is None
        assert isinstance(outcomes[1], MatchClosed)
        assert isinstance(outcomes[2], MatchExists)
        assert isinstance(outcomes[3], MatchClosed)
        a, b = await store.get_match("a"), await store.get_match("b")
        assert a is not None and a.status == "aborted"
        assert b is not None and b.status == "aborted" and b.events == ()


async def test_a_row_that_changed_hands_is_fenced(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    async with await open_store(url) as store:
        assert store.db.group_commits()
        await store.create_match("m", "tictactoe", BOTS[:2], 1, {}, {}, status="running")
        async with store.db.engine.begin() as connection:
            await connection.exec_driver_sql("UPDATE matches SET epoch = epoch + 1")
        with pytest.raises(MatchFenced):
            await store.append_events("m", [{"type": "x"}])


async def test_writes_that_queue_up_share_a_transaction(tmp_path: Path) -> None:
    async with await open_store(sqlite_url(tmp_path)) as store:
        assert store.db.group_commits() and store.db.group is not None
        await asyncio.gather(
            *(
                store.create_match(f"m{i}", "tictactoe", BOTS[:2], 1, {}, {}, status="running")
                for i in range(50)
            )
        )
        assert 1 <= store.db.group.commits < 50
        outcomes = [
            MatchOutcome(match_id=f"m{i}", status="finished", scores=(1.0, 0.0)) for i in range(50)
        ]
        before = store.db.group.commits
        await asyncio.gather(*(store.finish_match(o, rate=True) for o in outcomes))
        assert store.db.group.commits - before < 50
        board = await store.leaderboard("tictactoe")
        assert {r.bot_name: r.games for r in board} == {"alpha": 50, "beta": 50}


async def test_renewal_in_a_group_renews_the_same_rows(tmp_path: Path) -> None:
    """On SQLite the lease renewal goes with the matches' writes, not in a lock of its own."""
    seen = []
    for grouped in (False, True):
        clock = FakeClock()
        async with await open_store(sqlite_url(tmp_path / str(grouped)), now=clock) as store:
            assert store.db.group_commits() if grouped else store.db.group is None
            for name in ("live", "over"):
                await store.create_match(name, "tictactoe", BOTS[:2], 1, {}, {}, status="running")
            await store.finish_match(MatchOutcome(match_id="over", status="aborted"))
            await store.tournaments.create(
                "t1", name=None, game="tictactoe", format="round_robin", config={}, games=[]
            )
            clock.advance(5.0)
            renewal = await store.lease.renew()
            assert (renewal.matches, renewal.tournaments) == (1, frozenset({"t1"}))
            async with store.db.engine.connect() as connection:
                rows = await connection.exec_driver_sql(
                    "SELECT id, lease_until FROM matches ORDER BY id"
                )
                seen.append(rows.all())
    assert seen[0] == seen[1]
    assert seen[0][0][1] != seen[0][1][1], "the finished match is not renewed"
