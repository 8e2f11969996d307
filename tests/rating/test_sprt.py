"""The SPRT: bounds, the exact GSPRT log-likelihood ratio, and its error rates."""

from __future__ import annotations

import math
import random

import pytest

from ringside.rating.elo import expected_score
from ringside.rating.sprt import PENTANOMIAL, TRINOMIAL, SprtParams, llr, status


def constrained_log_likelihood(counts: list[float], s: float) -> float:
    """max Σ n_i ln q_i over trinomial q with mean s, by ternary search on q_draw.

    The mean fixes q_win = s − q_draw/2 and q_loss = 1 − s − q_draw/2; the
    log-likelihood is concave in q_draw, so ternary search finds its maximum.
    """
    losses, draws, wins = counts

    def value(d: float) -> float:
        q = (1 - s - d / 2, d, s - d / 2)
        return sum(n * math.log(p) for n, p in zip((losses, draws, wins), q, strict=True))

    lo, hi = 1e-15, min(2 * s, 2 * (1 - s)) - 1e-15
    for _ in range(300):
        m1, m2 = lo + (hi - lo) / 3, hi - (hi - lo) / 3
        if value(m1) < value(m2):
            lo = m1
        else:
            hi = m2
    return value((lo + hi) / 2)


def test_wald_bounds() -> None:
    p = SprtParams(0, 5, 0.05, 0.05)
    assert p.lower == pytest.approx(math.log(0.05 / 0.95))
    assert p.upper == pytest.approx(math.log(0.95 / 0.05))
    assert SprtParams(0, 5, 0.01, 0.1).upper == pytest.approx(math.log(90))


@pytest.mark.parametrize("params", [(0, 5), (-3, 1), (0, 100)])
@pytest.mark.parametrize("results", [(60, 30, 40), (5, 20, 5), (12, 3, 1), (3, 2, 9)])
def test_llr_equals_the_brute_force_maximum(
    params: tuple[float, float], results: tuple[int, int, int]
) -> None:
    wins, draws, losses = results
    s0, s1 = (expected_score(e) for e in params)
    counts = [float(losses), float(draws), float(wins)]
    by_hand = constrained_log_likelihood(counts, s1) - constrained_log_likelihood(counts, s0)
    assert llr(counts, TRINOMIAL, s0, s1) == pytest.approx(by_hand, abs=1e-6)


def test_all_wins_grow_by_log_of_the_score_ratio() -> None:
    p = SprtParams(0, 100)
    s0, s1 = expected_score(0), expected_score(100)
    for n in (1, 5, 12):
        assert status(p, n, 0, 0).llr == pytest.approx(n * math.log(s1 / s0), rel=3e-3)
    assert status(p, 11, 0, 0).verdict is None
    assert status(p, 12, 0, 0).verdict == "H1"  # 12 · ln(0.640/0.5) = 2.96 ≥ ln 19
    assert status(p, 0, 0, 8).verdict is None  # 8 · ln(0.360/0.5) = −2.63
    assert status(p, 0, 0, 9).verdict == "H0"


def test_even_results_lean_to_h0() -> None:
    p = SprtParams(0, 100)
    assert status(p, 15, 0, 15).llr < 0
    assert status(p, 40, 0, 40).verdict == "H0"


def test_pentanomial_values_are_accepted() -> None:
    s0, s1 = expected_score(0), expected_score(10)
    assert llr([1, 4, 10, 4, 1], PENTANOMIAL, s0, s1) < 0
    assert llr([0, 0, 0, 0, 0], PENTANOMIAL, s0, s1) == 0.0


def test_bad_parameters() -> None:
    for bad in ((5, 0, 0.05, 0.05), (0, 5, 0, 0.05), (0, 5, 0.6, 0.5), (0, math.inf, 0.05, 0.05)):
        with pytest.raises(ValueError):
            SprtParams(*bad)


def run_sprt(rng: random.Random, elo: float, params: SprtParams, draw: float) -> str | None:
    s = expected_score(elo)
    win = s - draw / 2
    w = d = lost = 0
    for _ in range(3000):
        x = rng.random()
        if x < win:
            w += 1
        elif x < win + draw:
            d += 1
        else:
            lost += 1
        verdict = status(params, w, d, lost).verdict
        if verdict is not None:
            return verdict
    return None


def test_error_rates_hold_in_simulation() -> None:
    rng = random.Random(2024)
    params = SprtParams(0, 60, 0.05, 0.05)
    runs = 150
    false_h1 = sum(run_sprt(rng, 0, params, 0.3) == "H1" for _ in range(runs))
    false_h0 = sum(run_sprt(rng, 60, params, 0.3) == "H0" for _ in range(runs))
    # Nominal rates are 5 %; allow for the sampling noise of 150 runs.
    assert false_h1 <= 0.1 * runs
    assert false_h0 <= 0.1 * runs
