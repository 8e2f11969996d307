"""Elo differences from game results, with a 95 % interval.

A series of W wins, D draws and L losses between two bots gives the score
``s = (W + D/2) / N``; the logistic Elo difference is ``-400 log10(1/s - 1)``.
Its interval comes from the normal approximation of the mean score with the
observed per-game variance (``(W + D/4)/N - s²``), each bound mapped through
the same formula, as cutechess-cli and fishtest report it. When every game
had the same result the observed variance is zero and says nothing, so the
Wilson score interval of the proportion is used instead: after ten straight
wins the difference is "at least +295", not "+∞ ± 0". An infinite bound is
``None``: no finite number of Elo points explains a perfect score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ringside.rating.model import Z95


def expected_score(elo_difference: float) -> float:
    """Logistic expected score of the side that is ``elo_difference`` points stronger."""
    return 1.0 / (1.0 + math.pow(10.0, -elo_difference / 400.0))


def elo_difference(score: float) -> float:
    """The Elo difference whose expected score is ``score`` (±inf at 1 and 0)."""
    if score >= 1.0:
        return math.inf
    if score <= 0.0:
        return -math.inf
    return -400.0 * math.log10(1.0 / score - 1.0)


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


@dataclass(frozen=True, slots=True)
class EloEstimate:
    """The Elo difference of a side over its opponent, from its W/D/L."""

    wins: int
    draws: int
    losses: int
    score: float
    """Mean score per game, 0 to 1 (0.5 before any game)."""
    elo: float | None
    """Point estimate; None when infinite (all won or all lost) or no game played."""
    low: float | None
    """Lower bound of the 95 % interval; None when minus infinity."""
    high: float | None
    """Upper bound of the 95 % interval; None when plus infinity."""

    @property
    def games(self) -> int:
        return self.wins + self.draws + self.losses


def estimate(wins: int, draws: int, losses: int, z: float = Z95) -> EloEstimate:
    """Elo difference and its interval (95 % by default) from wins, draws and losses."""
    if min(wins, draws, losses) < 0:
        raise ValueError("counts cannot be negative")
    n = wins + draws + losses
    if n == 0:
        return EloEstimate(0, 0, 0, 0.5, None, None, None)
    score = (wins + draws / 2) / n
    variance = (wins + draws / 4) / n - score * score
    if variance > 1e-12:
        margin = z * math.sqrt(variance / n)
        lo, hi = score - margin, score + margin
    else:
        # Wilson score interval for a proportion: finite where the data allow it.
        centre = (score + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(score * (1 - score) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        lo, hi = centre - half, centre + half
    if score <= 0.0:
        lo = 0.0
    if score >= 1.0:
        hi = 1.0
    return EloEstimate(
        wins,
        draws,
        losses,
        score,
        _finite(elo_difference(score) + 0.0),
        _finite(elo_difference(max(0.0, lo)) + 0.0),
        _finite(elo_difference(min(1.0, hi)) + 0.0),
    )
