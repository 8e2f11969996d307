"""The sequential probability ratio test, as cutechess-cli and fishtest run it.

Question: is bot A at least ``elo1`` stronger than bot B (H1), or at most
``elo0`` (H0)? Games are played one after the other and after each the
log-likelihood ratio (LLR) of H1 against H0 is compared with Wald's bounds
``ln(beta / (1 - alpha))`` and ``ln((1 - beta) / alpha)``: below the lower bound
H0 is accepted, above the upper one H1; in between, play on. ``alpha`` is the
chance of accepting H1 when H0 is true, ``beta`` of accepting H0 when H1 is.

Which LLR. Elo is logistic (``elo0``/``elo1`` become expected scores ``s0``/``s1``)
and the test is the generalised SPRT over the trinomial W/D/L distribution:
under each hypothesis the distribution of a game's score is the maximum-
likelihood one among those whose mean is ``s0`` (resp. ``s1``), found by
solving the secular equation of the constrained MLE (fishtest's exact
``LLR``, not its quadratic approximation, which divides by the observed
variance and so explodes when one bot wins every game). Counts of zero are
replaced by 1e-3, as fishtest does, so the MLE exists from the first game.
With only wins observed the LLR grows by ``ln(s1/s0)`` a game: the test
stops as fast as the hypotheses allow and never on an empty variance.

Trinomial by default (what cutechess-cli uses): games are independent apart
from the seat, and the seats alternate. Fishtest pairs the two games of an
opening (seats swapped) and models the pairs (pentanomial), which removes
the opening's variance; ``SprtParams(model="pentanomial")`` does that, and
``elo_model="normalized"`` takes fishtest's normalized Elo bounds, both in
``ringside.rating.pentanomial``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ringside.rating.elo import expected_score

TRINOMIAL = (0.0, 0.5, 1.0)
"""Scores of a loss, a draw and a win."""
PENTANOMIAL = (0.0, 0.25, 0.5, 0.75, 1.0)
"""Mean scores of a game pair: LL, LD, LW or DD, DW, WW."""
REGULARIZE = 1e-3
MAX_NELO = 200.0
"""Normalized Elo bounds beyond this (a t-value near 1 a pair) are not tests anyone runs,
and there the constrained MLE of ``ringside.rating.pentanomial`` may not exist."""

Verdict = Literal["H0", "H1"]
Model = Literal["trinomial", "pentanomial"]
"""Games one by one (W/D/L), or seat-swapped pairs of games (see ``ringside.rating.pentanomial``)."""
EloModel = Literal["logistic", "normalized"]
"""What ``elo0``/``elo1`` mean: logistic Elo, or fishtest's normalized Elo."""
MODELS: tuple[Model, ...] = ("trinomial", "pentanomial")
ELO_MODELS: tuple[EloModel, ...] = ("logistic", "normalized")


@dataclass(frozen=True, slots=True)
class SprtParams:
    elo0: float = 0.0
    elo1: float = 5.0
    alpha: float = 0.05
    beta: float = 0.05
    model: Model = "trinomial"
    elo_model: EloModel = "logistic"

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise ValueError(f"unknown SPRT model {self.model!r}; use {' or '.join(MODELS)}")
        if self.elo_model not in ELO_MODELS:
            raise ValueError(f"unknown Elo model {self.elo_model!r}; use {' or '.join(ELO_MODELS)}")
        if not (0 < self.alpha < 1 and 0 < self.beta < 1 and self.alpha + self.beta < 1):
            raise ValueError("alpha and beta must be between 0 and 1, with alpha + beta < 1")
        if not (math.isfinite(self.elo0) and math.isfinite(self.elo1)):
            raise ValueError("elo0 and elo1 must be finite")
        if self.elo1 <= self.elo0:
            raise ValueError("elo1 must be greater than elo0")
        if max(abs(self.elo0), abs(self.elo1)) > 1000:
            raise ValueError("elo0 and elo1 must be within ±1000")
        if self.elo_model == "normalized" and max(abs(self.elo0), abs(self.elo1)) > MAX_NELO:
            raise ValueError(f"normalized elo0 and elo1 must be within ±{MAX_NELO:g}")

    @property
    def lower(self) -> float:
        """Accept H0 at or below this LLR."""
        return math.log(self.beta / (1 - self.alpha))

    @property
    def upper(self) -> float:
        """Accept H1 at or above this LLR."""
        return math.log((1 - self.beta) / self.alpha)


@dataclass(frozen=True, slots=True)
class SprtStatus:
    llr: float
    lower: float
    upper: float
    verdict: Verdict | None
    """H1 (elo ≥ elo1), H0 (elo ≤ elo0), or None: play on."""


def secular_root(pdf: Sequence[tuple[float, float]], outside: str) -> float:
    """The root ``x`` of ``Σ p_i b_i / (1 + x b_i) = 0`` keeping every ``1 + x b_i`` positive.

    ``pdf`` holds ``(p_i, b_i)``. The left side decreases in ``x`` on that interval,
    from +∞ to -∞, so bisection finds the root when the ``b_i`` have both signs;
    otherwise ValueError(``outside``). The constrained maximum-likelihood fits of
    both SPRT models (here and ``pentanomial``) come down to this equation.
    """
    above = max(b for _, b in pdf)
    below = min(b for _, b in pdf)
    if above <= 0 or below >= 0:
        raise ValueError(outside)
    lo, hi = -1.0 / above, -1.0 / below
    for _ in range(300):  # stops when the bisection no longer moves, long before
        mid = (lo + hi) / 2
        if mid in (lo, hi):
            break
        if sum(p * b / (1 + mid * b) for p, b in pdf) > 0:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _mle_log_ratio(pdf: Sequence[tuple[float, float]], s: float) -> float:
    """``Σ p_i ln(p_i / q_i)``: how much worse the best distribution of mean ``s`` fits.

    ``q_i = p_i / (1 + λ (x_i - s))`` where ``λ`` solves ``Σ p_i (x_i - s) / (1 + λ (x_i - s)) = 0``
    (the Lagrange condition of the constrained MLE, ``secular_root``).
    """
    deviations = [(p, x - s) for x, p in pdf]
    lam = secular_root(deviations, f"the mean {s} is outside the observed outcomes")
    return sum(p * math.log1p(lam * d) for p, d in deviations)


def llr(counts: Sequence[float], values: Sequence[float], s0: float, s1: float) -> float:
    """Generalised log-likelihood ratio of mean score ``s1`` against ``s0``.

    ``counts[i]`` outcomes were seen with score ``values[i]`` (in [0, 1], sorted,
    the lowest 0 and the highest 1).
    """
    if len(counts) != len(values):
        raise ValueError("one count per outcome value")
    n = sum(counts)
    if n <= 0:
        return 0.0
    regular = [c if c > 0 else REGULARIZE for c in counts]
    total = sum(regular)
    pdf = [(x, c / total) for x, c in zip(values, regular, strict=True)]
    return n * (_mle_log_ratio(pdf, s0) - _mle_log_ratio(pdf, s1))


def status(params: SprtParams, wins: int, draws: int, losses: int) -> SprtStatus:
    """Where the test stands after these results of the first bot against the second."""
    s0, s1 = expected_score(params.elo0), expected_score(params.elo1)
    ratio = llr([losses, draws, wins], TRINOMIAL, s0, s1)
    verdict: Verdict | None = None
    if ratio >= params.upper:
        verdict = "H1"
    elif ratio <= params.lower:
        verdict = "H0"
    return SprtStatus(ratio, params.lower, params.upper, verdict)
