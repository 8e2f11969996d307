"""A bot's page from the store: the rating history written with each rating, results by game,
head-to-head and tournaments."""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy import text

from ringside.rating import Skill, outcomes, rate
from ringside.store import MatchOutcome, Store
from ringside.store.profiles import BotProfile, RatingHistory
from ringside.testing.clock import FakeClock

TIME_CONTROL = {"type": "per_move", "seconds": 5.0}


async def play(
    store: Store,
    match_id: str,
    game: str,
    bots: list[str],
    scores: list[float] | None,
    *,
    rate_it: bool = True,
    status: str = "finished",
    tournament_id: str | None = None,
) -> None:
    await store.create_match(
        match_id, game, bots, 1, TIME_CONTROL, {}, tournament_id=tournament_id, status="running"
    )
    end = MatchOutcome(
        match_id=match_id,
        status=status,  # type: ignore[arg-type]
        scores=None if scores is None else tuple(scores),
    )
    await store.finish_match(end, rate=rate_it)


async def profile(store: Store, name: str) -> BotProfile:
    found = await store.profiles.profile(name)
    assert found is not None
    return found


def histories(found: BotProfile) -> dict[str, RatingHistory]:
    return {h.game: h for h in found.history}


async def update_rows(store: Store) -> int:
    async with store.engine.connect() as conn:
        return int((await conn.execute(text("SELECT count(*) FROM rating_updates"))).scalar_one())


async def test_each_rated_match_adds_one_point_per_player(store: Store, clock: FakeClock) -> None:
    skills = [Skill(), Skill()]
    expected = []
    for i, scores in enumerate([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]):
        clock.advance(1.0)
        await play(store, f"m{i}", "connect4", ["ann", "bob"], scores)
        skills = rate(skills, scores)
        expected.append(skills[0])
    ann = await profile(store, "ann")
    [history] = ann.history
    assert (history.game, history.total) == ("connect4", 3)
    assert [p.match_id for p in history.points] == ["m0", "m1", "m2"]
    assert [(p.mu, p.sigma) for p in history.points] == [(s.mu, s.sigma) for s in expected]
    assert [p.elo for p in history.points] == [s.elo for s in expected]
    for i, point in enumerate(history.points):
        record = await store.get_match(f"m{i}")
        assert record is not None and point.at == record.finished_at
    # The last point is the rating itself.
    [rating] = ann.ratings
    assert (rating.mu, rating.sigma, rating.updated_at) == (
        history.points[-1].mu,
        history.points[-1].sigma,
        history.points[-1].at,
    )
    assert await update_rows(store) == 6


async def test_unrated_aborted_and_single_player_matches_add_no_point(store: Store) -> None:
    await play(store, "u1", "connect4", ["ann", "bob"], [1.0, 0.0], rate_it=False)
    await play(store, "a1", "connect4", ["ann", "bob"], [1.0, 0.0], status="aborted")
    await play(store, "s1", "counting", ["ann"], [3.0])
    assert (await profile(store, "ann")).history == ()
    assert await update_rows(store) == 0


async def test_a_failed_finish_writes_no_point(store: Store) -> None:
    await store.create_match("bad", "connect4", ["ann", "bob"], 1, TIME_CONTROL, {})
    with pytest.raises(ValueError):
        await store.finish_match(MatchOutcome(match_id="bad", status="finished", scores=(1.0,)))
    assert await update_rows(store) == 0


async def test_a_rebuild_writes_the_same_history(store: Store, clock: FakeClock) -> None:
    rng = random.Random(3)
    names = ["ann", "bob", "cat", "dan"]
    for i in range(24):
        clock.advance(rng.choice([0.0, 1.0]))
        if i % 4 == 3:
            bots = rng.sample(names, 3)
            await play(store, f"b{i}", "baskin31", bots, [1.0, 0.0, 1.0])
        else:
            bots = rng.sample(names, 2)
            await play(store, f"c{i}", "connect4", bots, rng.choice([[1.0, 0.0], [0.5, 0.5]]))
    before = {n: (await profile(store, n)).history for n in names}
    assert await update_rows(store) == 18 * 2 + 6 * 3
    assert await store.rebuild_ratings() == 24
    assert {n: (await profile(store, n)).history for n in names} == before
    assert await store.rebuild_ratings("connect4") == 18
    assert {n: (await profile(store, n)).history for n in names} == before
    assert await update_rows(store) == 18 * 2 + 6 * 3


async def test_a_rebuild_writes_the_history_of_matches_rated_before_it_was_kept(
    store: Store,
) -> None:
    await play(store, "old", "connect4", ["ann", "bob"], [0.0, 1.0], rate_it=False)
    assert (await profile(store, "bob")).history == ()
    await store.rebuild_ratings("connect4")
    [history] = (await profile(store, "bob")).history
    assert [p.match_id for p in history.points] == ["old"]
    assert history.points[0].mu == rate([Skill(), Skill()], [0.0, 1.0])[1].mu


async def test_the_history_keeps_the_newest_points(store: Store, clock: FakeClock) -> None:
    for i in range(5):
        clock.advance(1.0)
        await play(store, f"m{i}", "tictactoe", ["ann", "bob"], [1.0, 0.0])
    found = await store.profiles.profile("ann", history_limit=3)
    assert found is not None
    [history] = found.history
    assert history.total == 5
    assert [p.match_id for p in history.points] == ["m2", "m3", "m4"]


async def test_results_count_like_the_ratings(store: Store) -> None:
    rng = random.Random(11)
    played: dict[str, list[list[float]]] = {"connect4": [], "baskin31": []}
    for i in range(30):
        if i % 3 == 0:
            bots = ["ann", *rng.sample(["bob", "cat", "dan"], 2)]
            scores = [float(rng.randrange(2)) for _ in bots]
            game = "baskin31"
        else:
            bots = rng.sample(["ann", "bob"], 2)
            scores = rng.choice([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
            game = "connect4"
        await play(store, f"m{i}", game, bots, scores)
        played[game].append([scores[bots.index("ann")], *scores])
    await play(store, "solo", "counting", ["ann"], [2.0])
    await play(store, "gone", "connect4", ["ann", "bob"], None, status="aborted")
    await store.create_match("now", "connect4", ["bob", "ann"], 1, TIME_CONTROL, {})

    found = await profile(store, "ann")
    results = {r.game: r for r in found.results}
    assert list(results) == ["baskin31", "connect4", "counting"]
    for game, matches in played.items():
        tally = [0, 0, 0]
        for mine, *scores in matches:
            me = scores.index(mine)  # any seat with my score has my outcome
            outcome = outcomes(scores)[me]
            tally[0] += outcome.wins
            tally[1] += outcome.draws
            tally[2] += outcome.losses
        r = results[game]
        assert (r.wins, r.draws, r.losses) == tuple(tally)
        assert r.played == len(matches) == sum(tally)
    ratings = {r.game: r for r in found.ratings}
    for game in played:  # every one of these matches was rated
        r = results[game]
        assert (ratings[game].wins, ratings[game].draws, ratings[game].losses) == (
            r.wins,
            r.draws,
            r.losses,
        )
    counting = results["counting"]
    assert (counting.played, counting.wins, counting.draws, counting.losses) == (1, 0, 0, 0)
    assert (results["connect4"].aborted, results["connect4"].live) == (1, 1)


async def test_head_to_head_by_game_and_opponent(store: Store) -> None:
    await play(store, "m1", "connect4", ["ann", "bob"], [1.0, 0.0])
    await play(store, "m2", "connect4", ["bob", "ann"], [1.0, 0.0])
    await play(store, "m3", "connect4", ["ann", "bob"], [0.5, 0.5])
    await play(store, "m4", "connect4", ["ann", "cat"], [1.0, 0.0])
    await play(store, "t1", "baskin31", ["ann", "bob", "cat"], [1.0, 0.0, 1.0])
    await play(store, "x", "connect4", ["ann", "bob"], None, status="aborted")
    found = await profile(store, "ann")
    rows: list[Any] = [
        (h.game, h.opponent, h.games, h.wins, h.draws, h.losses) for h in found.head_to_head
    ]
    assert rows == [
        ("connect4", "bob", 3, 1, 1, 1),
        ("baskin31", "bob", 1, 1, 0, 0),
        ("baskin31", "cat", 1, 0, 1, 0),
        ("connect4", "cat", 1, 1, 0, 0),
    ]


async def test_tournaments_newest_first_and_unknown_bots(store: Store, clock: FakeClock) -> None:
    assert await store.profiles.profile("nobody") is None
    await store.add_bot("quiet")
    quiet = await profile(store, "quiet")
    assert quiet.bot is not None and quiet.bot.name == "quiet"
    assert (quiet.results, quiet.history, quiet.head_to_head, quiet.tournament_ids) == (
        (),
        (),
        (),
        (),
    )
    config = {"game": "connect4", "bots": ["ann", "bob"]}
    for tid in ("t1", "t2"):
        clock.advance(1.0)
        await store.tournaments.create(
            tid, name=tid, game="connect4", format="round-robin", config=config, games=[]
        )
    await play(store, "m1", "connect4", ["ann", "bob"], [1.0, 0.0], tournament_id="t1")
    await store.tournaments.finish("t1", "finished")
    clock.advance(1.0)
    other = {"game": "connect4", "bots": ["bob", "cat"]}
    await store.tournaments.create(
        "t3", name=None, game="connect4", format="round-robin", config=other, games=[]
    )
    # t1 by its match, t2 (running, no game yet) by its list of bots; t3 is not hers.
    assert (await profile(store, "ann")).tournament_ids == ("t2", "t1")
    assert (await profile(store, "bob")).tournament_ids == ("t3", "t2", "t1")
    assert (await profile(store, "ann")).bot is None  # a guest: played, never registered
