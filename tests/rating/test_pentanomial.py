"""Pentanomial SPRT and normalized Elo against fishtest's own figures.

Reference figures, each to 1e-3 (fishtest prints two decimals):

- A published fishtest run: tests.stockfishchess.org/tests/view/6549951b136acbc573529528
  (Vizvezdenec, "phRed8", STC 10+0.1), normalized bounds <0.00, 2.00>, α = β = 0.05,
  Ptnml(0-2) 369, 12695, 27124, 12664, 332; its stored run record says
  ``"llr": -2.936953911013966`` (shown "LLR: -2.94 (-2.94,2.94) <0.00,2.00>", rejected).
- The vectors of fishtest's own self-test (``server/fishtest/stats/stat_util.py``,
  its ``__main__`` block: pentanomial [10789, 19328, 33806, 19402, 10543] at
  logistic <-3, 1>; [39, 2226, 31451, 2412, 40] at logistic <0.2, 0.9> and at
  normalized <0.764, 3.439>; [1187, 7410, 13475, 7378, 1164] at <-3, 1>); the
  expected LLRs are the ones fishtest's ``LLRcalc.LLR_logistic`` /
  ``LLR_normalized`` give on them (fishtest commit b8eecff2, scipy 1.17).
- Two Stockfish commit messages quoted as worked examples ("Multi cut pruning
  correction history"): STC <0.00, 2.00> Ptnml 372, 17511, 39320, 17934, 399,
  "LLR: 2.93"; LTC <0.50, 2.50> Ptnml 39, 11353, 31686, 11822, 33, "LLR: 2.96"
  (fishtest's code: 2.934241 and 2.962227).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ringside.rating.pentanomial import (
    evaluate,
    llr_logistic,
    llr_normalized,
    pair_index,
)
from ringside.rating.sprt import SprtParams, status

FISHTEST = [
    # (elo model, elo0, elo1, counts LL..WW, fishtest's LLR)
    ("normalized", 0.0, 2.0, (369, 12695, 27124, 12664, 332), -2.936953911013966),
    ("logistic", -3.0, 1.0, (10789, 19328, 33806, 19402, 10543), 2.131068),
    ("logistic", -3.0, 1.0, (1187, 7410, 13475, 7378, 1164), 2.861527),
    ("logistic", 0.2, 0.9, (39, 2226, 31451, 2412, 40), 2.162543),
    ("normalized", 0.764, 3.439, (39, 2226, 31451, 2412, 40), 2.162941),
    ("normalized", 0.0, 2.0, (372, 17511, 39320, 17934, 399), 2.934241),
    ("normalized", 0.5, 2.5, (39, 11353, 31686, 11822, 33), 2.962227),
    # Small samples, zero counts regularized by 1e-3 (fishtest's LLRcalc figures).
    ("logistic", 0.0, 5.0, (3, 10, 20, 12, 5), 0.141396),
    ("normalized", 0.0, 5.0, (3, 10, 20, 12, 5), 0.107367),
    ("normalized", 0.0, 5.0, (0, 0, 3, 0, 7), 0.168344),
    ("logistic", 0.0, 5.0, (0, 0, 3, 0, 7), 0.142878),
    ("normalized", 0.0, 5.0, (30, 20, 50), 0.311464),  # trinomial L, D, W
]


@pytest.mark.parametrize(("elo_model", "elo0", "elo1", "counts", "expected"), FISHTEST)
def test_llr_equals_fishtest(
    elo_model: str, elo0: float, elo1: float, counts: tuple[int, ...], expected: float
) -> None:
    compute = llr_normalized if elo_model == "normalized" else llr_logistic
    assert compute(counts, elo0, elo1) == pytest.approx(expected, abs=1e-3)


def test_the_published_run_is_rejected_at_wald_bounds_of_fishtest() -> None:
    """Fishtest's bounds for α = β = 0.05 are ±ln 19 = ±2.944 (its record: ±2.9444389791664403)."""
    params = SprtParams(0, 2, 0.05, 0.05, "pentanomial", "normalized")
    assert params.lower == pytest.approx(-2.9444389791664403, abs=1e-12)
    assert params.upper == pytest.approx(2.9444389791664403, abs=1e-12)
    current = evaluate(params, (369, 12695, 27124, 12664, 332))
    assert current.llr == pytest.approx(-2.936953911013966, abs=1e-6)
    # Fishtest stopped here through its overshoot correction; Ringside, with
    # Wald's bounds alone, needs a little more evidence.
    assert current.verdict is None
    assert evaluate(params, (369, 12700, 27124, 12664, 332)).verdict == "H0"


def test_trinomial_logistic_is_unchanged() -> None:
    params = SprtParams(0, 5)
    for wins, draws, losses in ((60, 30, 40), (12, 3, 1), (0, 0, 0)):
        assert evaluate(params, (losses, draws, wins)).llr == pytest.approx(
            status(params, wins, draws, losses).llr, abs=1e-12
        )


def test_pair_index() -> None:
    pairs = ((0, 0), (0, 0.5), (1, 0), (0.5, 0.5), (1, 0.5), (1, 1))
    assert [pair_index(a, b) for a, b in pairs] == [0, 1, 2, 2, 3, 4]


def test_models_are_checked() -> None:
    with pytest.raises(ValueError):
        SprtParams(model="heptanomial")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        SprtParams(elo_model="bayes")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        llr_normalized((1, 2, 3, 4), 0, 5)
    with pytest.raises(ValueError):
        SprtParams(0, 201, elo_model="normalized")
    assert SprtParams(0, 201).elo1 == 201  # logistic: ±1000 as before


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(st.tuples(*[st.integers(0, 10**5)] * 5), st.tuples(*[st.integers(0, 10**5)] * 3)),
    st.floats(-200, 200),
    st.floats(0.01, 400),
)
def test_normalized_llr_exists_within_the_allowed_bounds(
    counts: tuple[int, ...], elo0: float, width: float
) -> None:
    """Every sample, however lopsided, has an LLR for any bounds SprtParams accepts."""
    elo1 = min(200.0, elo0 + width)
    if elo1 <= elo0:
        return
    params = SprtParams(elo0, elo1, elo_model="normalized", model="pentanomial")
    assert math.isfinite(evaluate(params, counts).llr)


counts5 = st.tuples(*[st.integers(0, 400)] * 5)
elo_models = st.sampled_from([llr_logistic, llr_normalized])
bounds = st.sampled_from([(0.0, 2.0), (-3.0, 1.0), (0.0, 5.0), (-10.0, 10.0), (0.0, 50.0)])


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(counts5, st.tuples(*[st.integers(0, 400)] * 3)), st.integers(0, 3), elo_models, bounds
)
def test_llr_rises_with_a_better_pair(
    counts: tuple[int, ...], worse: int, compute: object, bound: tuple[float, float]
) -> None:
    """Moving one pair (or game) from an outcome to the next better one never lowers the LLR."""
    assert callable(compute)
    if worse >= len(counts) - 1 or counts[worse] == 0:
        return
    better = list(counts)
    better[worse] -= 1
    better[worse + 1] += 1
    before, after = compute(counts, *bound), compute(better, *bound)
    assert after >= before - 1e-6 * max(1.0, abs(before))


@settings(max_examples=150, deadline=None)
@given(counts5, elo_models, st.floats(0.5, 20))
def test_swapping_the_sides_mirrors_the_test(
    counts: tuple[int, ...], compute: object, elo: float
) -> None:
    """The other bot's counts are the mirror image: H1 of +elo for one is H1 of −elo for the other."""
    assert callable(compute)
    mine = compute(counts, -elo, elo)
    theirs = compute(tuple(reversed(counts)), elo, -elo)
    assert math.isclose(mine, theirs, rel_tol=1e-6, abs_tol=1e-6)


@settings(max_examples=100, deadline=None)
@given(counts5, elo_models)
def test_even_counts_favour_no_side(counts: tuple[int, ...], compute: object) -> None:
    """A symmetric sample gives a symmetric test of ±elo an LLR of zero."""
    assert callable(compute)
    symmetric = tuple(c + r for c, r in zip(counts, reversed(counts), strict=True))
    assert abs(compute(symmetric, -5.0, 5.0)) < 1e-6 * max(1, sum(symmetric))
