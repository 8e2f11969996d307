"""Pentanomial SPRT and normalized Elo, the way fishtest runs its tests.

Why pairs. Each opening (here: each pair of games with the seats swapped) is
played twice, once from each seat; the two games share the opening's bias, so
they are not independent. Fishtest counts the pair's points for the first bot
(0, ½, 1, 1½ or 2: LL, LD, LW or DD, DW, WW) and runs the test on these five
counts, which takes the correlation into account and usually needs fewer
games than the trinomial W/D/L test.

Two ways to state the hypotheses, both from Michel Van den Bergh's notes
behind fishtest's ``LLRcalc``:

- **logistic** Elo: ``elo`` means an expected score ``1 / (1 + 10^(-elo/400))``;
  under each hypothesis the distribution is the maximum-likelihood one of that
  mean (the secular equation of the constrained MLE, as in
  :func:`ringside.rating.sprt.llr`).
- **normalized** Elo (fishtest's default since 2021): ``nelo = t · 800 / ln 10``
  where ``t = (mean - ½) / σ`` is the score's t-value per game (for pairs,
  ``σ`` is the per-pair deviation over √2, so the pentanomial ``t`` is the
  per-game one times √2). The MLE of given t-value has no closed form: it is
  the fixed point of ``q_i = p_i / (1 + x · b_i)`` with
  ``b_i = a_i - ½ - t σ (1 + ((μ - a_i)/σ)²) / 2``, ``μ, σ`` those of ``q``,
  and ``x`` the root of ``Σ p_i b_i / (1 + x b_i) = 0``.

The LLR is ``N · Σ p_i (ln q1_i - ln q0_i)`` over the ``N`` samples (pairs or
games), empty counts replaced by 1e-3 as fishtest does. What fishtest adds and
Ringside leaves out: its dynamic overshoot correction of the bounds (a test
here stops at Wald's bounds, as cutechess-cli and fastchess do).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ringside.rating.elo import expected_score
from ringside.rating.sprt import (
    PENTANOMIAL,
    REGULARIZE,
    TRINOMIAL,
    SprtParams,
    SprtStatus,
    Verdict,
    llr,
    secular_root,
)

NELO_PER_T = 800 / math.log(10)
"""Normalized Elo per unit of t-value (about 347.4)."""
MAX_ITERATIONS = 100
TOLERANCE = 1e-9


def _moments(values: Sequence[float], probs: Sequence[float]) -> tuple[float, float]:
    mean = sum(p * a for a, p in zip(values, probs, strict=True))
    var = sum(p * (a - mean) ** 2 for a, p in zip(values, probs, strict=True))
    return mean, var


def mle_t_value(values: Sequence[float], probs: Sequence[float], t: float) -> list[float]:
    """The distribution on ``values`` closest to ``probs`` (max likelihood) whose t-value is ``t``."""
    q = [1 / len(values)] * len(values)
    for _ in range(MAX_ITERATIONS):
        mean, var = _moments(values, q)
        sigma = math.sqrt(var)
        b = [a - 0.5 - t * sigma * (1 + ((mean - a) / sigma) ** 2) / 2 for a in values]
        pdf = list(zip(probs, b, strict=True))
        x = secular_root(pdf, "the hypothesis lies outside the observed outcomes")
        new = [p / (1 + x * bi) for p, bi in zip(probs, b, strict=True)]
        done = max(abs(n - o) for n, o in zip(new, q, strict=True)) < TOLERANCE
        q = new
        if done:
            break
    return q


def _pdf(counts: Sequence[float]) -> tuple[float, list[float], list[float]]:
    if len(counts) not in (3, 5):
        raise ValueError("counts are trinomial (L, D, W) or pentanomial (LL … WW)")
    regular = [c if c > 0 else REGULARIZE for c in counts]
    total = sum(regular)
    values = list(TRINOMIAL if len(counts) == 3 else PENTANOMIAL)
    return sum(counts), values, [c / total for c in regular]


def llr_logistic(counts: Sequence[float], elo0: float, elo1: float) -> float:
    """LLR of logistic ``elo1`` against ``elo0`` (fishtest's ``LLR_logistic``)."""
    values = TRINOMIAL if len(counts) == 3 else PENTANOMIAL
    return llr(counts, values, expected_score(elo0), expected_score(elo1))


def llr_normalized(counts: Sequence[float], nelo0: float, nelo1: float) -> float:
    """LLR of normalized ``nelo1`` against ``nelo0`` (fishtest's ``LLR_normalized``)."""
    n, values, probs = _pdf(counts)
    if n <= 0:
        return 0.0
    scale = 1.0 if len(counts) == 3 else math.sqrt(2)
    t0, t1 = (nelo / NELO_PER_T * scale for nelo in (nelo0, nelo1))
    q0 = mle_t_value(values, probs, t0)
    q1 = mle_t_value(values, probs, t1)
    return n * sum(p * (math.log(b) - math.log(a)) for p, a, b in zip(probs, q0, q1, strict=True))


def evaluate(params: SprtParams, counts: Sequence[float]) -> SprtStatus:
    """The test's state on trinomial (L, D, W) or pentanomial (LL, LD, DD+WL, WD, WW) counts."""
    if params.elo_model == "normalized":
        ratio = llr_normalized(counts, params.elo0, params.elo1)
    else:
        ratio = llr_logistic(counts, params.elo0, params.elo1)
    verdict: Verdict | None = None
    if ratio >= params.upper:
        verdict = "H1"
    elif ratio <= params.lower:
        verdict = "H0"
    return SprtStatus(ratio, params.lower, params.upper, verdict)


def pair_index(first: float, second: float) -> int:
    """Which pentanomial count a pair of game scores (each 0, ½ or 1) falls in: 0 (LL) to 4 (WW)."""
    return round(2 * (first + second))
