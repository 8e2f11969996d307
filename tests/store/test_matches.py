"""Matches: lifecycle, event log order, one-transaction finish, crash recovery."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from ringside.protocol.messages import MatchResult, RoundScore, Verdict
from ringside.store import (
    EncodedEvent,
    MatchClosed,
    MatchExists,
    MatchNotFound,
    MatchOutcome,
    MatchRecord,
    RoundRecord,
    SeatRecord,
    Store,
)
from ringside.testing.clock import FakeClock

TIME_CONTROL = {"type": "per_move", "seconds": 5.0}


def event(kind: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "match": "m1", **fields}


ROUNDS = (
    RoundScore(1, players=[0, 1], scores=[1.0, 0.0]),
    RoundScore(2, players=[1, 0], scores=[0.5, 0.5]),
)


def outcome(
    scores: Any = (1.0, 0.0),
    winner: str | None = "alpha",
    *,
    match_id: str = "m1",
    status: Any = "finished",
    rounds: tuple[RoundScore, ...] = ROUNDS,
    verdict: Verdict | None = None,
) -> MatchOutcome:
    return MatchOutcome(
        match_id=match_id,
        status=status,
        scores=None if scores is None else tuple(scores),
        winner=winner,
        verdict=verdict,
        rounds=rounds,
    )


async def start_match(store: Store, match_id: str = "m1", **kwargs: Any) -> None:
    await store.create_match(
        match_id, "tictactoe", ["alpha", "beta"], 2, TIME_CONTROL, {"size": 3}, **kwargs
    )
    await store.set_match_status(match_id, "running")


async def count_rows(store: Store, table: str, match_id: str = "m1") -> int:
    async with store.engine.connect() as conn:
        query = text(f"SELECT count(*) FROM {table} WHERE match_id = :m")
        return int((await conn.execute(query, {"m": match_id})).scalar_one())


async def test_create_and_get(store: Store, clock: FakeClock) -> None:
    await store.create_match(
        "m1", "tictactoe", ["alpha", "beta"], 4, TIME_CONTROL, {"size": 3}, tournament_id="t1"
    )
    match = await store.get_match("m1")
    assert isinstance(match, MatchRecord)
    assert (match.id, match.game, match.status, match.rounds) == ("m1", "tictactoe", "pending", 4)
    assert match.time_control == TIME_CONTROL and match.options == {"size": 3}
    assert match.tournament_id == "t1"
    assert match.created_at == clock.now
    assert match.started_at is None and match.finished_at is None
    assert match.seats == (SeatRecord(0, "alpha", None), SeatRecord(1, "beta", None))
    assert match.bots == ["alpha", "beta"]
    assert match.result is None and match.round_results == () and match.events == ()
    assert await store.get_match("nope") is None


async def test_duplicate_match_id(store: Store) -> None:
    await store.create_match("m1", "tictactoe", ["a", "b"], 1, TIME_CONTROL, {})
    with pytest.raises(MatchExists):
        await store.create_match("m1", "counting", ["c"], 1, TIME_CONTROL, {})
    match = await store.get_match("m1")
    assert match is not None and match.game == "tictactoe"


async def test_same_bot_twice_and_empty_bot_list(store: Store) -> None:
    await store.create_match("m1", "tictactoe", ["a", "a"], 1, TIME_CONTROL, {})
    match = await store.get_match("m1")
    assert match is not None and match.bots == ["a", "a"]
    with pytest.raises(ValueError, match="at least one bot"):
        await store.create_match("m2", "tictactoe", [], 1, TIME_CONTROL, {})


async def test_status_running_records_start(store: Store, clock: FakeClock) -> None:
    await store.create_match("m1", "tictactoe", ["a", "b"], 1, TIME_CONTROL, {})
    clock.advance(3)
    await store.set_match_status("m1", "running")
    match = await store.get_match("m1")
    assert match is not None and match.status == "running" and match.started_at == clock.now
    with pytest.raises(ValueError, match="finish_match"):
        await store.set_match_status("m1", "finished")
    with pytest.raises(MatchNotFound):
        await store.set_match_status("nope", "running")


async def test_created_running_records_start_in_one_step(store: Store, clock: FakeClock) -> None:
    await store.create_match("m1", "tictactoe", ["a", "b"], 1, TIME_CONTROL, {}, status="running")
    match = await store.get_match("m1")
    assert match is not None and match.status == "running"
    assert match.started_at == match.created_at == clock.now
    for status in ("finished", "aborted", "bogus"):
        with pytest.raises(ValueError, match="pending or running"):
            await store.create_match("m2", "tictactoe", ["a"], 1, TIME_CONTROL, {}, status=status)  # type: ignore[arg-type]
    assert await store.get_match("m2") is None


async def test_events_keep_order_across_appends(store: Store) -> None:
    await start_match(store)
    sent = [event("match_started")]
    assert await store.append_events("m1", sent) == 1
    for round_no in (1, 2, 3):
        batch = [event("round_started", round=round_no)]
        batch += [event("move", round=round_no, ply=p, action=[p, {"k": "v"}]) for p in range(4)]
        batch.append(event("round_result", round=round_no, scores=[1.0, 0.0]))
        assert await store.append_events("m1", batch) == len(sent) + len(batch)
        sent += batch
    assert await store.append_events("m1", []) == len(sent)
    match = await store.get_match("m1")
    assert match is not None and list(match.events) == sent
    async with store.engine.connect() as conn:
        rows = (
            await conn.execute(text("SELECT seq, type FROM events WHERE match_id = 'm1'"))
        ).all()
    # Each run of moves is one row numbered as its last move; every other event, its own.
    stored = [(i, e["type"]) for i, e in enumerate(sent) if e["type"] != "move"]
    stored += [(i, "moves") for i, e in enumerate(sent) if e["type"] == "move" and e["ply"] == 3]
    assert sorted(rows) == sorted(stored)


async def test_encoded_events_are_stored_as_sent(store: Store) -> None:
    """Events the server already encoded go in as they are, mixed with mappings."""
    await start_match(store)
    move = {"type": "move", "ply": 1, "action": "e2e4", "text": 'é "quoted"', "clocks": [1.5]}
    encoded = EncodedEvent("move", msgspec.json.encode(move))
    started = event("match_started")
    assert await store.append_events("m1", [started, encoded]) == 2
    result = {"type": "match_result", "scores": [1.0, 0.0]}
    last = EncodedEvent("match_result", msgspec.json.encode(result))
    await store.finish_match(outcome(), [last])
    match = await store.get_match("m1")
    assert match is not None and list(match.events) == [started, move, result]


async def test_event_logs_of_matches_are_separate(store: Store) -> None:
    await start_match(store, "m1")
    await start_match(store, "m2")
    await store.append_events("m1", [event("move", ply=0)])
    assert await store.append_events("m2", [event("move", ply=0), event("move", ply=1)]) == 2
    assert await store.append_events("m1", [event("move", ply=1)]) == 2
    m1, m2 = await store.get_match("m1"), await store.get_match("m2")
    assert m1 is not None and [e["ply"] for e in m1.events] == [0, 1]
    assert m2 is not None and len(m2.events) == 2


async def test_concurrent_appends_get_consecutive_seqs(store: Store) -> None:
    await start_match(store, "m1")
    await start_match(store, "m2")
    await asyncio.gather(
        *(
            store.append_events(match_id, [event("move", n=n, k=k) for k in range(3)])
            for n in range(10)
            for match_id in ("m1", "m2")
        )
    )
    for match_id in ("m1", "m2"):
        match = await store.get_match(match_id)
        assert match is not None and len(match.events) == 30
        batches = [match.events[i : i + 3] for i in range(0, 30, 3)]
        assert all([e["k"] for e in batch] == [0, 1, 2] for batch in batches), "batches stay whole"
        assert sorted(batch[0]["n"] for batch in batches) == list(range(10))


async def test_bad_events_rejected(store: Store) -> None:
    await start_match(store)
    for bad in ({"no_type": 1}, {"type": 3}, "move"):
        with pytest.raises(ValueError, match="type"):
            await store.append_events("m1", [event("move"), bad])  # type: ignore[list-item]
    with pytest.raises(MatchNotFound):
        await store.append_events("nope", [event("move")])
    assert await count_rows(store, "events") == 0


async def test_finish_match(store: Store, clock: FakeClock) -> None:
    """The outcome of a referee's MatchResult is stored whole and read back with its names."""
    await start_match(store)
    await store.append_events("m1", [event("match_started"), event("move", ply=0)])
    clock.advance(60)
    late = Verdict("timeout", player=1, bot="beta", seat=0, message="late")
    result = MatchResult(
        match="m1",
        game="tictactoe",
        status="finished",
        bots=["alpha", "beta"],
        rounds=[RoundScore(1, [0, 1], [1.0, 0.0], [late]), ROUNDS[1]],
        scores=[1.5, 0.5],
        winner="alpha",
        verdict=late,
    )
    document = msgspec.to_builtins(result)
    last = [event("round_result", round=2), document]
    await store.finish_match(MatchOutcome.of(result), last)
    match = await store.get_match("m1")
    assert match is not None
    assert match.status == "finished" and match.finished_at == clock.now
    assert match.result == document, "the stored result is the MatchResult the players heard"
    assert match.winner == "alpha" and match.verdict == "timeout"
    assert [s.score for s in match.seats] == [1.5, 0.5]
    assert match.round_results == (
        RoundRecord(1, players=(0, 1), scores=(1.0, 0.0), verdicts=(late,)),
        RoundRecord(2, players=(1, 0), scores=(0.5, 0.5), verdicts=()),
    )
    assert [e["type"] for e in match.events] == [
        "match_started",
        "move",
        "round_result",
        "match_result",
    ]
    assert match.events[-1] == document


async def test_rounds_written_before_verdict_lists_stay_readable(store: Store) -> None:
    """Rounds stored by earlier versions hold one verdict object or null: read as lists."""
    await start_match(store)
    await store.finish_match(outcome(rounds=()))
    late = {"code": "timeout", "player": 1, "bot": "beta", "seat": 0, "message": "late"}
    async with store.engine.begin() as conn:
        insert = text(
            "INSERT INTO rounds (match_id, round, seats, scores, verdict)"
            " VALUES ('m1', :round, :seats, '[1.0, 0.0]', :verdict)"
        )
        await conn.execute(insert, {"round": 1, "seats": "[0, 1]", "verdict": None})
        await conn.execute(
            insert, {"round": 2, "seats": "[1, 0]", "verdict": msgspec.json.encode(late).decode()}
        )
    match = await store.get_match("m1")
    assert match is not None
    assert [(r.players, r.verdicts) for r in match.round_results] == [
        ((0, 1), ()),
        ((1, 0), (msgspec.convert(late, Verdict),)),
    ]


async def test_finished_match_is_final(store: Store) -> None:
    await start_match(store)
    await store.finish_match(outcome())
    with pytest.raises(MatchClosed, match="finished"):
        await store.append_events("m1", [event("move")])
    with pytest.raises(MatchClosed):
        await store.finish_match(MatchOutcome(match_id="m1", status="aborted"))
    with pytest.raises(MatchClosed):
        await store.set_match_status("m1", "running")
    assert await store.abort_interrupted() == []
    match = await store.get_match("m1")
    assert match is not None and match.status == "finished"


async def test_aborted_without_result(store: Store) -> None:
    await store.create_match("m1", "tictactoe", ["a", "b"], 1, TIME_CONTROL, {})
    aborted = MatchOutcome(match_id="m1", status="aborted", reason="x")
    await store.finish_match(aborted, [event("match_result", reason="x")])
    match = await store.get_match("m1")
    assert match is not None
    assert (match.status, match.result, match.winner, match.verdict) == (
        "aborted",
        None,
        None,
        None,
    )
    assert [s.score for s in match.seats] == [None, None]
    assert len(match.events) == 1


@pytest.mark.parametrize(
    "scores",
    [[1.0], [1.0, 0.0, 0.0], ["1", 0.0], [True, False]],
    ids=["short", "long", "text", "bools"],
)
async def test_finish_is_all_or_nothing(store: Store, scores: Any) -> None:
    """Events and rounds are written before the scores are applied; all must roll back."""
    await start_match(store)
    await store.append_events("m1", [event("match_started")])
    with pytest.raises(ValueError, match="scores"):
        await store.finish_match(outcome(scores), [event("round_result"), event("x")])
    await assert_untouched_by_finish(store)


async def test_finish_rolls_back_on_database_error(store: Store) -> None:
    await start_match(store)
    await store.append_events("m1", [event("match_started")])
    duplicate_rounds = (ROUNDS[0], ROUNDS[0])
    with pytest.raises(IntegrityError):
        await store.finish_match(outcome(rounds=duplicate_rounds), [event("round_result")])
    await assert_untouched_by_finish(store)
    await store.finish_match(outcome(), [event("end")])
    match = await store.get_match("m1")
    assert match is not None and [e["type"] for e in match.events] == ["match_started", "end"]


async def assert_untouched_by_finish(store: Store) -> None:
    match = await store.get_match("m1")
    assert match is not None
    assert match.status == "running"
    assert match.finished_at is None and match.result is None and match.winner is None
    assert [s.score for s in match.seats] == [None, None]
    assert match.round_results == ()
    assert [e["type"] for e in match.events] == ["match_started"]
    assert await count_rows(store, "rounds") == 0
    assert await count_rows(store, "events") == 1


async def test_abort_interrupted(store: Store, clock: FakeClock) -> None:
    await store.create_match("pending1", "tictactoe", ["a", "b"], 1, TIME_CONTROL, {})
    await start_match(store, "running1")
    await store.append_events("running1", [event("match_started"), event("move")])
    await start_match(store, "done1")
    await store.finish_match(outcome(match_id="done1"))
    clock.advance(600)
    assert sorted(await store.abort_interrupted()) == ["pending1", "running1"]
    assert await store.abort_interrupted() == []
    for match_id in ("pending1", "running1"):
        match = await store.get_match(match_id)
        assert match is not None
        assert match.status == "aborted" and match.finished_at == clock.now
    running = await store.get_match("running1")
    assert running is not None and len(running.events) == 3, "events so far stay for the replay"
    assert running.events[-1]["type"] == "match_result", "the log ends like any aborted match's"
    assert running.result is not None and running.result["reason"].startswith("interrupted")
    done = await store.get_match("done1")
    assert done is not None and done.status == "finished" and done.finished_at != clock.now


async def test_abort_via_status(store: Store, clock: FakeClock) -> None:
    await store.create_match("m1", "tictactoe", ["a", "b"], 1, TIME_CONTROL, {})
    await store.set_match_status("m1", "aborted")
    match = await store.get_match("m1")
    assert match is not None and match.status == "aborted" and match.finished_at == clock.now
    assert match.started_at is None


async def test_deleting_a_match_cascades(store: Store) -> None:
    """Foreign keys are enforced (SQLite needs a PRAGMA for that)."""
    await start_match(store)
    await store.append_events("m1", [event("move")])
    await store.finish_match(outcome())
    async with store.engine.begin() as conn:
        await conn.execute(text("DELETE FROM matches WHERE id = 'm1'"))
    for table in ("events", "rounds", "match_seats"):
        assert await count_rows(store, table) == 0


async def test_a_tournaments_unended_and_finished_matches_are_found_with_their_configs(
    store: Store,
) -> None:
    """What a node taking a tournament over adopts: live matches to wait for, finished
    ones to count, never an aborted one (its game is played again)."""
    for match_id, tournament in (("live", "t1"), ("done", "t1"), ("lost", "t1"), ("other", "t2")):
        config = {"seed": f"seed-{match_id}", "bots": ["a", "b"]}
        await store.create_match(
            match_id, "tictactoe", ["a", "b"], 1, TIME_CONTROL, {}, tournament, "running", config
        )
    await store.finish_match(MatchOutcome(match_id="done", status="finished", scores=(1.0, 0.0)))
    await store.finish_match(MatchOutcome(match_id="lost", status="aborted", reason="node_lost"))
    found = await store.matches.unended_or_finished_in_tournament("t1")
    assert found == {
        "live": ("running", {"seed": "seed-live", "bots": ["a", "b"]}),
        "done": ("finished", {"seed": "seed-done", "bots": ["a", "b"]}),
    }
