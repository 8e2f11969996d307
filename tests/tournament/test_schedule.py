"""Round-robin and gauntlet schedules: every pairing, balanced seats, disjoint rounds."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest

from ringside.tournament.schedule import berger_rounds, gauntlet, round_robin


def names(n: int) -> list[str]:
    return [f"bot{i}" for i in range(n)]


@pytest.mark.parametrize("n", range(2, 17))
def test_berger_rounds_meet_everyone_once_with_balanced_seats(n: int) -> None:
    bots = names(n)
    rounds = berger_rounds(bots)
    assert len(rounds) == (n - 1 if n % 2 == 0 else n)
    pairs = [frozenset(p) for r in rounds for p in r]
    assert len(pairs) == len(set(pairs)) == n * (n - 1) // 2
    for r in rounds:
        playing = [b for p in r for b in p]
        assert len(playing) == len(set(playing)), "a bot twice in one round"
    first = Counter(a for r in rounds for a, _ in r)
    second = Counter(b for r in rounds for _, b in r)
    assert all(abs(first[b] - second[b]) <= 1 for b in bots)


@pytest.mark.parametrize("games_per_pair", [1, 2, 3, 4])
@pytest.mark.parametrize("n", [2, 3, 4, 5, 8])
def test_round_robin_plays_each_pair_with_seats_swapped(n: int, games_per_pair: int) -> None:
    bots = names(n)
    planned = round_robin(bots, games_per_pair)
    assert len(planned) == games_per_pair * n * (n - 1) // 2
    by_pair: dict[frozenset[str], list[tuple[str, ...]]] = {}
    for game in planned:
        by_pair.setdefault(frozenset(game.bots), []).append(game.bots)
    assert len(by_pair) == n * (n - 1) // 2
    for seats in by_pair.values():
        assert len(seats) == games_per_pair
        firsts = Counter(s[0] for s in seats)
        assert max(firsts.values()) - min(firsts.get(b, 0) for b in seats[0]) <= 1
        # consecutive games of a pairing swap the seats
        assert all(a == tuple(reversed(b)) for a, b in itertools.pairwise(seats))
    overall = Counter(g.bots[0] for g in planned)
    per_bot = games_per_pair * (n - 1)
    assert all(abs(2 * overall[b] - per_bot) <= games_per_pair for b in bots)
    rounds = [g.round for g in planned]
    assert rounds == sorted(rounds)


def test_gauntlet_challenger_meets_the_field() -> None:
    planned = gauntlet(["me", "a", "b"], 4)
    assert len(planned) == 8
    assert all("me" in g.bots for g in planned)
    seats = Counter(g.bots[0] for g in planned)
    assert seats == {"me": 4, "a": 2, "b": 2}
    # interleaved: the challenger's opponents alternate
    assert [next(b for b in g.bots if b != "me") for g in planned[:4]] == ["a", "b", "a", "b"]
