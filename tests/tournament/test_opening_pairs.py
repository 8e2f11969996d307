"""Game pairs share an opening: the k-th pair of every pairing plays the k-th opening."""

from __future__ import annotations

from collections import defaultdict

from ringside.tournament import Game
from ringside.tournament.schedule import (
    gauntlet,
    opening_options,
    opening_slot,
    round_robin,
)


def games_of(planned: list) -> list[Game]:  # type: ignore[type-arg]
    return [Game(no, p.round, p.bots) for no, p in enumerate(planned)]


def test_each_pair_swaps_seats_on_one_opening() -> None:
    for games in (
        games_of(round_robin(["a", "b", "c", "d", "e"], 6)),
        games_of(gauntlet(["a", "b"], 8)),
    ):
        by_slot: dict[tuple[frozenset[str], int], list[Game]] = defaultdict(list)
        for game in games:
            by_slot[(frozenset(game.bots), opening_slot(games, game.no))].append(game)
        for (_, slot), pair in by_slot.items():
            assert len(pair) == 2, (slot, pair)
            first, second = pair
            assert first.bots == second.bots[::-1]  # the same opening from both sides
        slots = {slot for _, slot in by_slot}
        assert slots == set(range(3 if len(games) > 8 else 4))


def test_opening_options_pick_one_opening_per_pair() -> None:
    games = games_of(gauntlet(["a", "b"], 10))  # pairs 0-4
    options = {"openings": ["e2e4", "d2d4", "c2c4"], "fen": None}
    assert opening_options(options, games, 0) == {"openings": ["e2e4"], "fen": None}
    assert opening_options(options, games, 1) == {"openings": ["e2e4"], "fen": None}
    assert opening_options(options, games, 9) == {"openings": ["d2d4"], "fen": None}
    assert opening_options({"size": 9}, games, 3) == {"size": 9}
    assert opening_options({"openings": ["e2e4"]}, games, 3) == {"openings": ["e2e4"]}
