"""Ladder matchmaking: which idle bots to pair next, by rating.

The ladder keeps the leaderboard moving by pairing idle bots of similar
strength: sorted by skill, neighbours play each other. Always pairing the
same neighbours would repeat one pair forever, so with an odd number of idle
bots the one that sits out is drawn at random, and an immediate rematch is
avoided whenever another choice (who sits out, or swapping partners with the
next pair) gives pairs without one.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

Pair = tuple[str, str]


def _rematches(pairs: Sequence[Pair], last_opponent: Mapping[str, str]) -> int:
    return sum(1 for a, b in pairs if last_opponent.get(a) == b or last_opponent.get(b) == a)


def _neighbours(ordered: Sequence[str], last_opponent: Mapping[str, str]) -> list[Pair]:
    pairs = [(ordered[i], ordered[i + 1]) for i in range(0, len(ordered) - 1, 2)]
    for i in range(len(pairs) - 1):
        (a, b), (c, d) = pairs[i], pairs[i + 1]
        swapped = [(a, c), (b, d)]
        if _rematches(pairs[i : i + 2], last_opponent) > _rematches(swapped, last_opponent):
            pairs[i], pairs[i + 1] = swapped[0], swapped[1]
    return pairs


def pair_by_rating(
    idle: Sequence[str],
    skill: Mapping[str, float],
    last_opponent: Mapping[str, str],
    rng: random.Random,
    default: float = 25.0,
) -> list[Pair]:
    """Disjoint pairs of ``idle`` bots of similar ``skill`` (unrated bots count as ``default``)."""
    ordered = sorted(dict.fromkeys(idle), key=lambda b: (skill.get(b, default), rng.random()))
    if len(ordered) % 2 == 0:
        return _neighbours(ordered, last_opponent)
    best: list[Pair] | None = None
    for out in rng.sample(range(len(ordered)), len(ordered)):
        pairs = _neighbours(ordered[:out] + ordered[out + 1 :], last_opponent)
        if best is None or _rematches(pairs, last_opponent) < _rematches(best, last_opponent):
            best = pairs
    return best or []
