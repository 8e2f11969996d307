"""Ratings are written with the match result, and a rebuild reproduces them exactly."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from ringside.rating import Skill, rate
from ringside.store import MatchOutcome, Store
from ringside.testing.clock import FakeClock

TIME_CONTROL = {"type": "per_move", "seconds": 5.0}


def scored(match_id: str, *scores: float) -> MatchOutcome:
    return MatchOutcome(match_id=match_id, status="finished", scores=scores)


async def play(
    store: Store,
    match_id: str,
    game: str,
    bots: list[str],
    scores: list[float],
    *,
    rate_it: bool = True,
    status: str = "finished",
) -> None:
    await store.create_match(match_id, game, bots, 1, TIME_CONTROL, {})
    await store.set_match_status(match_id, "running")
    end = MatchOutcome(match_id=match_id, status=status, scores=tuple(scores))  # type: ignore[arg-type]
    await store.finish_match(end, rate=rate_it)


def table(rows: list[Any]) -> dict[str, tuple[Any, ...]]:
    return {
        r.bot_name: (r.mu, r.sigma, r.games, r.wins, r.draws, r.losses, r.updated_at) for r in rows
    }


async def test_a_win_is_rated_in_the_same_write(store: Store, clock: FakeClock) -> None:
    await play(store, "m1", "connect4", ["ann", "bob"], [1.0, 0.0])
    board = await store.leaderboard("connect4")
    assert [r.bot_name for r in board] == ["ann", "bob"]
    ann, bob = board
    assert ann.mu == pytest.approx(27.635389493, abs=1e-9)
    assert bob.mu == pytest.approx(22.364610507, abs=1e-9)
    assert ann.sigma == bob.sigma == pytest.approx(8.065901414, abs=1e-9)
    assert (ann.games, ann.wins, ann.draws, ann.losses) == (1, 1, 0, 0)
    assert (bob.games, bob.wins, bob.draws, bob.losses) == (1, 0, 0, 1)
    record = await store.get_match("m1")
    assert record is not None and ann.updated_at == record.finished_at == clock.now


async def test_a_draw_and_a_three_player_result(store: Store) -> None:
    await play(store, "d1", "tictactoe", ["ann", "bob"], [0.5, 0.5])
    ann, bob = await store.leaderboard("tictactoe")
    assert ann.mu == bob.mu == pytest.approx(25.0)
    assert ann.draws == bob.draws == 1
    await play(store, "b1", "baskin31", ["x", "y", "z"], [1.0, 0.0, 1.0])
    rows = {r.bot_name: r for r in await store.leaderboard("baskin31")}
    expected = rate([Skill(), Skill(), Skill()], [1.0, 0.0, 1.0])
    for name, skill in zip("xyz", expected, strict=True):
        assert rows[name].mu == skill.mu and rows[name].sigma == skill.sigma
    assert (rows["x"].draws, rows["y"].losses, rows["z"].draws) == (1, 1, 1)
    assert rows["x"].mu == pytest.approx(25.717262170, abs=1e-9)
    assert await store.rated_games() == ["baskin31", "tictactoe"]


async def test_unrated_and_aborted_matches_leave_ratings_alone(store: Store) -> None:
    await play(store, "u1", "connect4", ["ann", "bob"], [1.0, 0.0], rate_it=False)
    await play(store, "a1", "connect4", ["ann", "bob"], [1.0, 0.0], status="aborted")
    await play(store, "s1", "counting", ["solo"], [3.0])
    assert await store.leaderboard("connect4") == []
    assert await store.leaderboard("counting") == []


async def test_a_failed_finish_writes_no_rating(store: Store) -> None:
    await store.create_match("bad", "connect4", ["ann", "bob"], 1, TIME_CONTROL, {})
    with pytest.raises(ValueError):
        await store.finish_match(scored("bad", 1.0), rate=True)
    assert await store.leaderboard("connect4") == []
    record = await store.get_match("bad")
    assert record is not None and record.status == "pending"


async def test_rated_finish_times_are_strictly_increasing(store: Store, clock: FakeClock) -> None:
    for i in range(3):
        await play(store, f"m{i}", "connect4", ["ann", "bob"], [1.0, 0.0])
    times = [(await store.get_match(f"m{i}")).finished_at for i in range(3)]  # type: ignore[union-attr]
    assert times == [
        clock.now,
        clock.now + timedelta(microseconds=1),
        clock.now + timedelta(microseconds=2),
    ]
    clock.now -= timedelta(hours=1)  # a clock stepped back keeps the order too
    await play(store, "late", "connect4", ["bob", "ann"], [1.0, 0.0])
    late = await store.get_match("late")
    assert late is not None and late.finished_at is not None
    assert late.finished_at > times[-1]  # type: ignore[operator]


async def test_rebuild_equals_incremental(store: Store, clock: FakeClock) -> None:
    rng = random.Random(7)
    names = ["ann", "bob", "cat", "dan", "eve"]
    connect4 = 0
    for i in range(40):
        if rng.random() < 0.6:
            clock.advance(rng.choice([0.0, 0.5, 3.0]))
        if rng.random() < 0.25:
            bots = rng.sample(names, 3)
            scores = [1.0, 1.0, 1.0]
            scores[rng.randrange(3)] = 0.0
            await play(store, f"b{i}", "baskin31", bots, scores)
        else:
            bots = rng.sample(names, 2)
            connect4 += 1
            await play(
                store, f"c{i}", "connect4", bots, rng.choice([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
            )
    before = {g: table(await store.leaderboard(g)) for g in ("baskin31", "connect4")}
    assert await store.rebuild_ratings() == 40
    after = {g: table(await store.leaderboard(g)) for g in ("baskin31", "connect4")}
    assert after == before  # exact floats, counts and times
    assert await store.rebuild_ratings("connect4") == connect4
    assert {g: table(await store.leaderboard(g)) for g in before} == before


async def test_rebuild_rates_old_matches_and_clears_stale_rows(
    store: Store, clock: FakeClock
) -> None:
    await play(store, "old", "connect4", ["ann", "bob"], [0.0, 1.0], rate_it=False)
    async with store.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO ratings (game, bot_name, mu, sigma, games, updated_at)"
                " VALUES ('connect4', 'ghost', 40.0, 1.0, 9, :t)"
            ),
            {
                "t": clock.now.replace(tzinfo=None)
                if "sqlite" in str(store.engine.url)
                else clock.now
            },
        )
    assert await store.rebuild_ratings("connect4") == 1
    rows = table(await store.leaderboard("connect4"))
    assert set(rows) == {"ann", "bob"}
    assert rows["bob"][3:6] == (1, 0, 0)


async def test_concurrent_finishes_still_rebuild_identically(
    store: Store, clock: FakeClock
) -> None:
    names = [f"bot{i}" for i in range(8)]
    for i in range(0, 8, 2):
        await store.create_match(f"p{i}", "connect4", names[i : i + 2], 1, TIME_CONTROL, {})
        await store.set_match_status(f"p{i}", "running")
    await asyncio.gather(
        *(store.finish_match(scored(f"p{i}", 1.0, 0.0), rate=True) for i in range(0, 8, 2))
    )
    for round_ in range(3):
        ids = []
        for i in range(4):
            pair = [names[(i + round_ + 1) % 8], names[(i * 2 + round_ + 3) % 8]]
            if pair[0] == pair[1]:
                continue
            match_id = f"r{round_}-{i}"
            await store.create_match(match_id, "connect4", pair, 1, TIME_CONTROL, {})
            await store.set_match_status(match_id, "running")
            ids.append(match_id)
        await asyncio.gather(*(store.finish_match(scored(m, 0.0, 1.0), rate=True) for m in ids))
    before = table(await store.leaderboard("connect4"))
    assert sum(row[2] for row in before.values()) % 2 == 0
    await store.rebuild_ratings()
    assert table(await store.leaderboard("connect4")) == before
