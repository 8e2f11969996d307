"""Owned rows: two nodes on one database, leases renewed and lapsed on the store's clock.

Each test opens two stores on the same real database (SQLite file or
PostgreSQL), as two server nodes would; time is the injected ``FakeClock``,
so a lease lapses when the test moves the clock, never by sleeping.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from ringside.protocol.codec import encode
from ringside.protocol.messages import MatchResult, RoundResult
from ringside.store import (
    EncodedEvent,
    MatchClosed,
    MatchFenced,
    MatchOutcome,
    Store,
    open_store,
)
from ringside.store.journal import (
    JOURNAL_FILE,
    REJECTED_FILE,
    JournalEntry,
    ResultJournal,
    read_journal,
    replay,
)
from ringside.store.leases import LEASE_SECONDS, LeaseTerms, NodeLease
from ringside.store.matches import RESTARTED
from ringside.store.models import Match
from ringside.store.records import FinalStatus
from ringside.store.tournaments import TournamentLost
from ringside.testing.clock import FakeClock

TIME_CONTROL = {"type": "per_move", "seconds": 5.0}


@pytest.fixture
async def other(database_url: str, clock: FakeClock, store: Store) -> AsyncIterator[Store]:
    """A second node ("b") on the database of ``store`` (node "a")."""
    async with await open_store(database_url, now=clock, node="b") as opened:
        yield opened


@pytest.fixture
async def store(database_url: str, clock: FakeClock) -> AsyncIterator[Store]:
    async with await open_store(database_url, now=clock, node="a") as opened:
        yield opened


async def start(store: Store, match_id: str, bots: tuple[str, str] = ("x", "y")) -> None:
    await store.create_match(
        match_id, "tictactoe", list(bots), 2, TIME_CONTROL, {}, status="running"
    )


def round_result(match_id: str, no: int, players: list[int], scores: list[float]) -> EncodedEvent:
    event = RoundResult(match_id, no, players, ["x", "y"], scores)
    return EncodedEvent("round_result", encode(event))


async def owners(store: Store) -> dict[str, tuple[str, Any]]:
    async with store.engine.connect() as conn:
        rows = await conn.execute(text("SELECT id, owner, status FROM matches ORDER BY id"))
        return {row.id: (row.owner, row.status) for row in rows}


async def test_a_new_match_is_owned_and_leased(store: Store, clock: FakeClock) -> None:
    await start(store, "m1")
    assert await owners(store) == {"m1": ("a", "running")}
    async with store.db.transaction() as session:
        until = await session.scalar(select(Match.lease_until))
    assert until == clock.now + timedelta(seconds=LEASE_SECONDS)


async def test_a_second_node_leaves_live_rows_alone(
    store: Store, other: Store, clock: FakeClock
) -> None:
    await start(store, "mine")
    await other.tournaments.create(
        "t-b", name=None, game="tictactoe", format="round-robin", config={}, games=[]
    )
    assert await other.matches.abort_lapsed() == []
    assert await other.matches.claim_interrupted() == []
    assert await store.tournaments.claim() == [], "b's tournament is b's while b renews"
    clock.advance(LEASE_SECONDS - 1)
    assert await other.matches.abort_lapsed() == []
    assert await owners(store) == {"mine": ("a", "running")}


async def test_a_lapsed_lease_lets_a_survivor_abort_with_the_reason(
    store: Store, other: Store, clock: FakeClock
) -> None:
    await start(store, "m1")
    await store.append_events(
        "m1",
        [
            EncodedEvent("match_started", b'{"type":"match_started","match":"m1"}'),
            round_result("m1", 1, [0, 1], [1.0, 0.0]),
        ],
    )
    await start(other, "theirs")
    clock.advance(LEASE_SECONDS + 0.001)
    assert await store.matches.abort_lapsed() == ["theirs"], "a takes only b's rows"
    assert await other.matches.abort_lapsed() == ["m1"]
    assert await other.matches.abort_lapsed() == []
    match = await other.get_match("m1")
    assert match is not None and match.status == "aborted" and match.finished_at == clock.now
    assert match.result is not None
    assert match.result["reason"] == "node_lost: server node 'a' stopped renewing its lease"
    assert match.result["scores"] == [1.0, 0.0] and match.result["winner"] is None
    assert [e["type"] for e in match.events] == ["match_started", "round_result", "match_result"]
    assert match.events[-1]["reason"] == match.result["reason"]
    assert [(r.round, r.scores) for r in match.round_results] == [(1, (1.0, 0.0))]
    assert [s.score for s in match.seats] == [1.0, 0.0]
    with pytest.raises(MatchClosed):  # a paused owner waking up cannot write a late result
        await store.finish_match(MatchOutcome(match_id="m1", status="finished", scores=(1, 0)))


async def test_renewal_keeps_rows_alive(store: Store, other: Store, clock: FakeClock) -> None:
    await start(store, "m1")
    await start(store, "m2")
    await start(other, "theirs")
    for _ in range(5):
        clock.advance(LEASE_SECONDS - 1)
        renewal = await store.lease.renew()
        assert renewal.matches == 2
        assert await other.matches.abort_lapsed() == []
    assert await store.matches.abort_lapsed() == ["theirs"], "b renewed nothing"
    clock.advance(LEASE_SECONDS + 1)
    assert await other.matches.abort_lapsed() == ["m1", "m2"]
    assert (await store.lease.renew()).matches == 0, "aborted rows are no longer leased"


async def test_a_node_never_sweeps_its_own_rows(store: Store, clock: FakeClock) -> None:
    """Lapsed because the database was away, they are still being played here."""
    await start(store, "m1")
    clock.advance(10 * LEASE_SECONDS)
    assert await store.matches.abort_lapsed() == []


async def test_rows_from_before_leases_count_as_lapsed(store: Store, other: Store) -> None:
    await start(store, "old")
    async with store.engine.begin() as conn:
        await conn.execute(text("UPDATE matches SET owner = NULL, lease_until = NULL"))
    assert await other.matches.abort_lapsed() == ["old"]
    match = await other.get_match("old")
    assert match is not None and match.result is not None
    assert match.result["reason"].startswith("interrupted")


async def test_a_restarted_node_claims_its_own_rows(
    database_url: str, clock: FakeClock, other: Store
) -> None:
    async with await open_store(database_url, now=clock, node="a") as first:
        await start(first, "m1")
        await first.append_events(
            "m1", [EncodedEvent("match_started", b'{"type":"match_started","match":"m1"}')]
        )
        await start(first, "m2")
        await first.finish_match(MatchOutcome(match_id="m2", status="finished", scores=(1, 0)))
    await start(other, "theirs")
    clock.advance(3 * LEASE_SECONDS)  # however long the restart took
    async with await open_store(database_url, now=clock, node="a") as again:
        claimed = await again.matches.claim_interrupted()
        assert [(m.id, m.status) for m in claimed] == [("m1", "running")]
        assert [e["type"] for e in claimed[0].events] == ["match_started"]
        assert [s.bot_name for s in claimed[0].seats] == ["x", "y"]


async def test_a_claimed_row_is_leased_again_then_aborted_by_its_owner(
    database_url: str, clock: FakeClock, other: Store
) -> None:
    async with await open_store(database_url, now=clock, node="a") as first:
        await start(first, "m1")
    await start(other, "theirs")
    clock.advance(3 * LEASE_SECONDS)
    async with await open_store(database_url, now=clock, node="a") as again:
        claimed = await again.matches.claim_interrupted()
        assert [m.id for m in claimed] == ["m1"]
        assert await other.matches.abort_lapsed() == [], "claimed: its lease is fresh again"
        assert await again.matches.abort(["m1", "theirs"], RESTARTED) == ["m1"]
        assert await again.matches.claim_interrupted() == []
        match = await again.get_match("m1")
        assert match is not None and match.status == "aborted"
        assert match.result is not None and match.result["reason"] == RESTARTED
        theirs = await again.get_match("theirs")
        assert theirs is not None and theirs.status == "running", "a node ends only its own"


async def test_tournaments_are_claimed_only_when_their_owner_is_gone(
    store: Store, other: Store, clock: FakeClock
) -> None:
    for tid in ("t1", "t2"):
        await store.tournaments.create(
            tid, name=None, game="tictactoe", format="round-robin", config={}, games=[]
        )
    assert [t.id for t in await store.tournaments.claim()] == ["t1", "t2"], "its own"
    assert await other.tournaments.claim() == []
    clock.advance(LEASE_SECONDS - 1)
    assert (await store.lease.renew()).tournaments == {"t1", "t2"}
    await store.tournaments.finish("t2", "finished")
    clock.advance(LEASE_SECONDS + 1)
    assert [t.id for t in await other.tournaments.claim()] == ["t1"]
    assert await store.tournaments.claim() == [], "b holds it now"
    assert (await store.lease.renew()).tournaments == set()
    with pytest.raises(TournamentLost, match="now run by node 'b'"):
        await store.tournaments.save_games("t1", [{"no": 0, "round": 1, "bots": [], "status": "x"}])
    await other.tournaments.save_games("t1", [{"no": 0, "round": 1, "bots": [], "status": "x"}])


async def test_lease_terms_and_node_ids_are_checked(store: Store) -> None:
    with pytest.raises(ValueError, match="renewed more often"):
        LeaseTerms(seconds=5, renew_every=5)
    with pytest.raises(ValueError, match="node id"):
        NodeLease(store.db, " a")
    with pytest.raises(ValueError, match="node id"):
        NodeLease(store.db, "x" * 65)
    assert NodeLease(store.db).node != NodeLease(store.db).node


# --- fencing: a paused owner waking up cannot write over the node that ended its match ---


async def lapse(store: Store, other: Store, clock: FakeClock, match_id: str) -> None:
    """``store`` is paused past its lease and ``other`` ends its match."""
    clock.advance(LEASE_SECONDS + 0.001)
    assert await other.matches.abort_lapsed() == [match_id]


@pytest.mark.parametrize("late", ["finished", "aborted"])
async def test_a_paused_owners_late_result_is_fenced(
    store: Store, other: Store, clock: FakeClock, late: FinalStatus
) -> None:
    """A late ``aborted`` too: it looked like a harmless repeat of the node_lost abort."""
    await start(store, "m1")
    await store.append_events("m1", [round_result("m1", 1, [0, 1], [1.0, 0.0])])
    await lapse(store, other, clock, "m1")
    outcome = MatchOutcome(match_id="m1", status=late, scores=(2, 0), winner="x", reason="late")
    with pytest.raises(MatchFenced, match=r"'m1' was taken over \(.*another node ended it") as info:
        await store.finish_match(outcome, [round_result("m1", 2, [1, 0], [1.0, 0.0])], rate=True)
    assert isinstance(info.value, MatchClosed) and info.value.status == "aborted"
    with pytest.raises(MatchFenced):
        await store.append_events("m1", [round_result("m1", 2, [1, 0], [1.0, 0.0])])
    with pytest.raises(MatchFenced):
        await store.set_match_status("m1", "aborted")
    match = await other.get_match("m1")
    assert match is not None and match.status == "aborted" and match.winner is None
    assert match.result is not None
    assert match.result["reason"] == "node_lost: server node 'a' stopped renewing its lease"
    assert [e["type"] for e in match.events] == ["round_result", "match_result"]
    assert [s.score for s in match.seats] == [1.0, 0.0]
    assert await other.ratings.leaderboard("tictactoe") == []


async def test_a_restarted_node_writes_while_its_previous_run_is_fenced(
    database_url: str, clock: FakeClock
) -> None:
    async with await open_store(database_url, now=clock, node="a") as first:
        await start(first, "m1")
        assert first.matches.epoch("m1") == 0
        clock.advance(3 * LEASE_SECONDS)
        async with await open_store(database_url, now=clock, node="a") as again:
            assert [m.id for m in await again.matches.claim_interrupted()] == ["m1"]
            assert again.matches.epoch("m1") == 1
            assert await again.append_events("m1", [round_result("m1", 1, [0, 1], [1.0, 0.0])])
            with pytest.raises(MatchFenced, match="claimed again") as info:
                await first.append_events("m1", [round_result("m1", 1, [0, 1], [0.0, 1.0])])
            assert info.value.status == "running"
            with pytest.raises(MatchFenced):
                await first.finish_match(MatchOutcome(match_id="m1", status="aborted"))
            await again.finish_match(MatchOutcome(match_id="m1", status="finished", scores=(1, 0)))
            assert again.matches.epoch("m1") is None
            with pytest.raises(MatchFenced):
                await first.finish_match(MatchOutcome(match_id="m1", status="finished"))
            match = await again.get_match("m1")
            assert match is not None and match.status == "finished"
            assert [e["scores"] for e in match.events] == [[1.0, 0.0]]


async def test_matches_ended_here_forget_their_epoch(store: Store, clock: FakeClock) -> None:
    for match_id in ("done", "abandoned", "stopped", "left"):
        await start(store, match_id)
        assert store.matches.epoch(match_id) == 0
    await store.append_events("done", [round_result("done", 1, [0, 1], [1.0, 0.0])])
    await store.finish_match(MatchOutcome(match_id="done", status="finished", scores=(1, 0)))
    await store.set_match_status("abandoned", "aborted")
    assert await store.matches.abort(["stopped"], RESTARTED) == ["stopped"]
    assert [store.matches.epoch(m) for m in ("done", "abandoned", "stopped")] == [None] * 3
    assert await store.abort_interrupted() == ["left"]
    assert store.matches._epochs == {}, "nothing held once every match ended"
    # Not held any more, the journal's replay of a result already stored changes nothing.
    await store.finish_match(MatchOutcome(match_id="done", status="finished", scores=(1, 0)))


async def test_a_journaled_result_refused_by_the_fence_is_dropped(
    store: Store, other: Store, clock: FakeClock, tmp_path: Path
) -> None:
    """Replayed by the paused node (its epoch held) or at a start-up (none held)."""
    for match_id in ("late-abort", "late-win"):
        await start(store, match_id)
    clock.advance(LEASE_SECONDS + 0.001)
    assert await other.matches.abort_lapsed() == ["late-abort", "late-win"]
    journal = ResultJournal(tmp_path / "node-a" / JOURNAL_FILE)
    for match_id, status in (("late-abort", "aborted"), ("late-win", "finished")):
        result = MatchResult(match_id, "tictactoe", status, ["x", "y"], [], [1.0, 0.0], None)
        await journal.append(JournalEntry.of(None, result, []))
    journal.close()
    assert await replay(journal, store.matches) == 0
    assert journal.drained and journal.path.stat().st_size == 0
    rejected, _ = read_journal(journal.path.with_name(REJECTED_FILE))
    assert [e.match_id for e in rejected] == ["late-abort", "late-win"]
    for match_id in ("late-abort", "late-win"):
        match = await other.get_match(match_id)
        assert match is not None and match.status == "aborted"
        assert match.result is not None and match.result["reason"].startswith("node_lost")

    # A restarted node holds no epoch: a closed match with another status is refused too.
    await journal.append(JournalEntry.of(None, result, []))
    journal.close()
    assert await replay(ResultJournal(journal.path), other.matches) == 0
    assert read_journal(journal.path) == ([], 0)


# --- a lapsed owner's database sessions ---------------------------------------------------


async def _session_of(database_url: str, name: str | None) -> Any:
    """A raw PostgreSQL session named ``name`` (a node's), with no idle timeout of its own."""
    import asyncpg

    settings = {} if name is None else {"application_name": name}
    return await asyncpg.connect(
        database_url.replace("postgresql+asyncpg://", "postgresql://"), server_settings=settings
    )


async def test_a_lapsed_owner_holding_its_rows_has_its_sessions_ended_by_the_sweep(
    database_url: str, store: Store, other: Store, clock: FakeClock
) -> None:
    """Node "a" paused mid-statement (seen in the cluster test: `active`, waiting for the
    client's next message): no PostgreSQL timeout ends it, and it holds m1's row."""
    if not database_url.startswith("postgresql"):
        pytest.skip("sessions and row locks of PostgreSQL")
    await start(store, "m1")
    await start(other, "theirs")
    paused = await _session_of(database_url, "a")
    bystander = await _session_of(database_url, "b")  # b is alive: its sessions stay
    try:
        await paused.execute("BEGIN")
        await paused.execute("SELECT id FROM matches WHERE id = 'm1' FOR UPDATE")
        clock.advance(LEASE_SECONDS + 0.001)
        await other.lease.renew()
        assert await other.matches.abort_lapsed() == ["m1"]
        assert paused.is_closed() or not await _answers(paused)
        assert await bystander.fetchval("SELECT 1") == 1
    finally:
        for session in (paused, bystander):
            session.terminate()
    match = await other.get_match("m1")
    assert match is not None and match.status == "aborted"
    assert await other.lease.end_lapsed_sessions() == [], "nothing lapsed is left"


async def _answers(session: Any) -> bool:
    try:
        await session.fetchval("SELECT 1")
    except Exception:
        return False
    return True


async def test_a_sweep_blocked_by_a_session_it_cannot_tell_gives_up_until_next_time(
    database_url: str, store: Store, other: Store, clock: FakeClock
) -> None:
    """A row held by an unnamed session: the sweep waits ``SWEEP_LOCK_TIMEOUT_MS``, not for
    ever (the keeper's renewals come after it), and takes the row once it is free."""
    if not database_url.startswith("postgresql"):
        pytest.skip("sessions and row locks of PostgreSQL")
    await start(store, "m1")
    holder = await _session_of(database_url, None)
    try:
        await holder.execute("BEGIN")
        await holder.execute("SELECT id FROM matches WHERE id = 'm1' FOR UPDATE")
        clock.advance(LEASE_SECONDS + 0.001)
        with pytest.raises(DBAPIError, match="lock timeout"):
            await other.matches.abort_lapsed()
        await holder.execute("ROLLBACK")
        assert await other.matches.abort_lapsed() == ["m1"]
    finally:
        holder.terminate()
