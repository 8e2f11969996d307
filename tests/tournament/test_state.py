"""The tournament object: results in, next games out; standings, cross table, SPRT, restore."""

from __future__ import annotations

import copy
import random

import pytest

from ringside.rating.sprt import SprtParams
from ringside.tournament import (
    Game,
    Tournament,
    TournamentError,
    TournamentSpec,
    seat_points,
)


def play_all(t: Tournament, rng: random.Random) -> None:
    while not t.finished:
        t.advance()
        for game in t.pending():
            t.start(game.no, f"m{game.no}-{game.attempts}")
            t.record(game.no, [rng.choice([0.0, 0.5, 1.0]), rng.choice([0.0, 0.5, 1.0])])
            t.check_sprt()


def test_seat_points_compare_scores() -> None:
    assert seat_points([1.0, 0.0]) == (1.0, 0.0)
    assert seat_points([3.0, 7.0]) == (0.0, 1.0)
    assert seat_points([0.5, 0.5]) == (0.5, 0.5)
    with pytest.raises(ValueError):
        seat_points([1.0, 0.0, 0.0])


def test_spec_is_checked() -> None:
    for bad in (
        dict(format="knockout", bots=("a", "b")),
        dict(format="round-robin", bots=("a",)),
        dict(format="round-robin", bots=("a", "a")),
        dict(format="round-robin", bots=("a", "b"), games_per_pair=0),
        dict(format="round-robin", bots=("a", "b", "c"), sprt=SprtParams()),
    ):
        with pytest.raises(TournamentError):
            TournamentSpec(**bad)  # type: ignore[arg-type]
    assert TournamentSpec("swiss", tuple("abcde")).swiss_rounds == 3


def test_round_robin_standings_and_cross_table_add_up() -> None:
    bots = ("ann", "bob", "cat", "dan")
    t = Tournament(TournamentSpec("round-robin", bots, games_per_pair=4))
    assert t.total == 24 and t.played == 0 and not t.finished
    play_all(t, random.Random(3))
    assert t.finished and t.played == 24
    table = t.cross_table()
    rows = {row.bot: row for row in t.standings()}
    for bot in bots:
        assert sum(cell.points for cell in table[bot].values()) == rows[bot].points
        assert sum(cell.games for cell in table[bot].values()) == rows[bot].games == 12
        for other in bots:
            if other != bot:
                a, b = table[bot][other], table[other][bot]
                assert a.games == b.games == 4 and a.points + b.points == 4
        row = rows[bot]
        assert row.wins + row.draws + row.losses == row.games
    assert sum(row.points for row in rows.values()) == 24
    ranks = [row.rank for row in t.standings()]
    assert ranks[0] == 1 and ranks == sorted(ranks)


def test_requeue_forfeit_and_counting_once() -> None:
    t = Tournament(TournamentSpec("round-robin", ("a", "b", "c"), games_per_pair=1))
    first, second, third = t.pending()
    t.start(first.no, "m1")
    t.requeue(first.no, "match m1 aborted: server restart")
    assert first.status == "pending" and first.attempts == 1
    t.start(first.no, "m2")
    t.record(first.no, [1.0, 0.0])
    t.record(first.no, [0.0, 1.0])  # a second report of the same game is ignored
    assert first.points == (1.0, 0.0) and first.match_id == "m2" and first.attempts == 2
    absent = second.bots[1]
    t.forfeit(second.no, {absent}, f"forfeit: {absent} absent")
    assert second.points == (1.0, 0.0) and second.status == "forfeit"
    t.forfeit(third.no, set(third.bots), "forfeit: both absent")
    assert third.points == (0.0, 0.0)
    rows = {r.bot: r for r in t.standings()}
    assert rows[absent].forfeits >= 1
    assert t.finished and t.played == 3
    with pytest.raises(TournamentError):
        t.start(first.no, "m3")
    with pytest.raises(TournamentError):
        t.cancel(first.no, "too late")


def test_a_game_given_up_is_not_played() -> None:
    t = Tournament(TournamentSpec("gauntlet", ("a", "b"), games_per_pair=2))
    first, second = t.pending()
    t.cancel(first.no, "given up")
    assert t.pending() == [second] and first.note == "given up"
    t.start(second.no, "m")
    t.record(second.no, [0.5, 0.5])
    assert t.finished and t.played == 1


def test_restored_tournament_continues_where_it_stopped() -> None:
    spec = TournamentSpec("swiss", tuple("abcdefg"), games_per_pair=2, rounds=4)
    rng = random.Random(11)
    t = Tournament(spec)
    t.advance()
    for game in t.pending()[:3]:
        t.start(game.no, f"m{game.no}")
        t.record(game.no, [1.0, 0.0])
    running = t.pending()[0]
    t.start(running.no, "mx")
    saved = copy.deepcopy(t.games)
    restored = Tournament(spec, saved)
    assert [g.no for g in restored.games] == [g.no for g in t.games]
    assert restored.advance() == [], "a round still being played is not paired again"
    restored.requeue(running.no, "aborted by a restart")
    play_all(restored, rng)
    assert restored.round == 4
    nos = [g.no for g in restored.games]
    assert nos == list(range(len(nos)))
    assert restored.played == sum(1 for g in restored.games if g.status == "done")


def test_swiss_bye_scores_without_a_game() -> None:
    t = Tournament(TournamentSpec("swiss", ("a", "b", "c"), games_per_pair=2, rounds=1))
    added = t.advance()
    bye = next(g for g in added if g.status == "bye")
    assert bye.points == (2.0,)
    for game in t.pending():
        t.start(game.no, "m")
        t.record(game.no, [0.5, 0.5])
    rows = {r.bot: r for r in t.standings()}
    assert rows[bye.bots[0]].byes == 1 and rows[bye.bots[0]].games == 0
    assert rows[bye.bots[0]].points == 2.0
    assert bye.bots[0] not in [b for cells in t.cross_table().values() for b in cells]
    assert t.finished


def test_sprt_decides_and_cancels_the_rest() -> None:
    spec = TournamentSpec(
        "gauntlet", ("strong", "weak"), games_per_pair=100, sprt=SprtParams(0, 100)
    )
    t = Tournament(spec)
    played = 0
    while t.decision is None:
        game = t.pending()[0]
        t.start(game.no, f"m{game.no}")
        seat = game.bots.index("strong")
        t.record(game.no, [1.0, 0.0] if seat == 0 else [0.0, 1.0])
        t.check_sprt()
        played += 1
    assert played == 12
    assert t.decision.verdict == "H1" and t.decision.games == 12 and t.decision.wins == 12
    assert t.finished and not t.pending()
    assert sum(1 for g in t.games if g.status == "cancelled") == 88
    assert t.total == 12
    estimate = t.elo()
    assert estimate.elo is None and estimate.low is not None and estimate.low > 100


def test_sprt_result_arriving_after_the_decision_is_counted_not_decisive() -> None:
    spec = TournamentSpec("gauntlet", ("a", "b"), games_per_pair=50, sprt=SprtParams(0, 100))
    t = Tournament(spec)
    late = t.pending()[0]
    t.start(late.no, "late")  # still running when the test decides
    while t.decision is None:
        game = t.pending()[0]
        t.start(game.no, f"m{game.no}")
        t.record(game.no, [1.0, 0.0] if game.bots[0] == "a" else [0.0, 1.0])
        t.check_sprt()
    decided = t.decision
    assert decided.verdict == "H1" and decided.games == 12
    assert not t.finished, "the running game must end first"
    assert t.total == 13
    t.record(late.no, [0.0, 1.0] if late.bots[0] == "a" else [1.0, 0.0])
    assert t.check_sprt() == []
    assert t.decision is decided and t.finished
    assert t.results_of("a", "b") == (12, 0, 1)
    requeued = t.requeue(late.no, "too late")
    assert requeued.status == "done", "a counted game is never re-queued"


def test_games_are_plain_values() -> None:
    game = Game(0, 1, ("a", "b"))
    assert game.status == "pending" and not game.counted
