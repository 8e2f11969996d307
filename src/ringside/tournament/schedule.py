"""Who plays whom, in which seat: round-robin, gauntlet and Swiss pairings.

Every pairing plays ``games_per_pair`` games, one match of one round each,
with the seats swapped from one game to the next, so first-move advantage
cancels out over each pair of games. Single games are ordered so that work
spreads: a round-robin follows Berger tables (every bot plays once per
round when the field is even), so with a concurrency limit the games that can
run together are disjoint and no bot idles while others queue.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ringside.tournament.matching import matching_size


def berger_rounds(bots: Sequence[str]) -> list[list[tuple[str, str]]]:
    """Round-robin rounds by the circle method, the first-named bot of a pair moving first.

    Every bot meets every other once; with an odd field one bot sits out each
    round. Over one cycle no bot has the first seat more than once more than
    the second (tested for fields of 2 to 16).
    """
    players: list[str | None] = list(bots)
    if len(players) % 2:
        players.append(None)
    n = len(players)
    fixed, wheel = players[-1], players[:-1]
    rounds: list[list[tuple[str, str]]] = []
    for r in range(n - 1):
        turned = wheel[r:] + wheel[:r]
        pairs: list[tuple[str | None, str | None]] = []
        first = (turned[0], fixed) if r % 2 == 0 else (fixed, turned[0])
        pairs.append(first)
        for i in range(1, n // 2):
            a, b = turned[i], turned[n - 1 - i]
            pairs.append((a, b) if i % 2 else (b, a))
        rounds.append([(a, b) for a, b in pairs if a is not None and b is not None])
    return rounds


@dataclass(frozen=True, slots=True)
class Planned:
    """A game to schedule: its round and the bots by seat."""

    round: int
    bots: tuple[str, ...]


def round_robin(bots: Sequence[str], games_per_pair: int) -> list[Planned]:
    """Every pair plays ``games_per_pair`` games; cycle k replays the Berger rounds, seats swapped."""
    planned = []
    rounds = berger_rounds(bots)
    for cycle in range(games_per_pair):
        for number, pairs in enumerate(rounds, start=1):
            for a, b in pairs:
                seats = (a, b) if cycle % 2 == 0 else (b, a)
                planned.append(Planned(cycle * len(rounds) + number, seats))
    return planned


def gauntlet(bots: Sequence[str], games_per_pair: int) -> list[Planned]:
    """The first bot plays every other one ``games_per_pair`` times, seats alternating."""
    challenger, field = bots[0], bots[1:]
    planned = []
    for game in range(games_per_pair):
        for opponent in field:
            seats = (challenger, opponent) if game % 2 == 0 else (opponent, challenger)
            planned.append(Planned(game + 1, seats))
    return planned


def mini_match(a: str, b: str, games_per_pair: int, round_number: int) -> list[Planned]:
    """The games of one pairing, ``a`` in the first seat of the first game."""
    return [Planned(round_number, (a, b) if i % 2 == 0 else (b, a)) for i in range(games_per_pair)]


# --- openings --------------------------------------------------------------------------------


def opening_slot(games: Sequence[Any], no: int) -> int:
    """Which pair of its pairing game ``no`` belongs to: the k-th game (by number) of
    two bots is in pair k // 2, whose two games the schedule plays with the seats
    swapped. ``games`` are the tournament's (anything with ``no`` and ``bots``)."""
    target = next(g for g in games if g.no == no)
    pairing = set(target.bots)
    earlier = sum(1 for g in games if g.no < no and set(g.bots) == pairing)
    return earlier // 2


def opening_options(options: Mapping[str, Any], games: Sequence[Any], no: int) -> dict[str, Any]:
    """Game ``no``'s options with the one opening of its pair: the k-th pair of games
    (``opening_slot``) plays the k-th of the ``openings`` list (cycling), with both
    colours, as cutechess-cli's ``-repeat`` and fastchess's game pairs do; the
    pentanomial SPRT counts such pairs. Options without an ``openings`` list of more
    than one are left as they are (and the schedule is not searched)."""
    openings = options.get("openings")
    if not isinstance(openings, list) or len(openings) <= 1:
        return dict(options)
    return {**options, "openings": [openings[opening_slot(games, no) % len(openings)]]}


# --- Swiss ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SwissPairing:
    pairs: list[tuple[str, str]]
    """Pairs in standings order, the higher-placed bot first."""
    bye: str | None


def pair_swiss(
    order: Sequence[str], met: Counter[frozenset[str]], byes: Counter[str]
) -> SwissPairing:
    """Pair one Swiss round.

    ``order`` is the standings, best first; ``met`` counts the pairings already
    played; ``byes`` the byes already given. Criteria, strongest first:

    1. as few repeated pairings as possible: no pairing is repeated while a
       pairing of the whole field without that repeat exists (found exactly
       with a maximum matching over the pairings not yet played);
    2. with an odd field, the bye goes to a bot with the fewest byes so far,
       the lowest-placed one among them;
    3. each bot meets the nearest bot below it in the standings that criterion
       1 still allows (the Monrad system: 1 v 2, 3 v 4 when all is fresh).
    """
    if len(order) < 2:
        return SwissPairing([], order[0] if order else None)
    fresh = {
        frozenset((a, b))
        for i, a in enumerate(order)
        for b in order[i + 1 :]
        if not met[frozenset((a, b))]
    }
    players = list(order)
    bye = None
    if len(players) % 2:
        # Best: the bye that leaves the most fresh pairings; then fewest byes, lowest placed.
        def key(candidate: str) -> tuple[int, int, int]:
            rest = [p for p in players if p != candidate]
            return (-matching_size(rest, fresh), byes[candidate], -players.index(candidate))

        bye = min(players, key=key)
        players.remove(bye)
    target = matching_size(players, fresh)
    pairs = []
    while players:
        top, others = players[0], players[1:]
        for candidate in others:
            is_fresh = frozenset((top, candidate)) in fresh
            rest = [p for p in others if p != candidate]
            need = target - 1 if is_fresh else target
            if matching_size(rest, fresh) >= need:
                pairs.append((top, candidate))
                players, target = rest, need
                break
        else:  # pragma: no cover - a complete graph always has a perfect matching
            raise AssertionError("no pairing found")
    return SwissPairing(pairs, bye)
