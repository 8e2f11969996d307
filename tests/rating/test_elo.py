"""Elo differences and their 95 % intervals from wins, draws and losses."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ringside.rating.elo import elo_difference, estimate, expected_score


def test_score_and_elo_are_inverse() -> None:
    assert expected_score(0) == 0.5
    assert expected_score(400) == pytest.approx(10 / 11)
    assert elo_difference(10 / 11) == pytest.approx(400)
    assert elo_difference(1.0) == math.inf and elo_difference(0.0) == -math.inf


@given(st.floats(-1500, 1500))
def test_round_trip(elo: float) -> None:
    assert elo_difference(expected_score(elo)) == pytest.approx(elo, abs=1e-6)


def test_estimate_by_hand() -> None:
    # 60 W, 10 D, 30 L: s = 0.65, var = (60 + 2.5)/100 − 0.65² = 0.2025, se = 0.045.
    e = estimate(60, 10, 30)
    assert e.score == pytest.approx(0.65)
    assert e.elo == pytest.approx(-400 * math.log10(1 / 0.65 - 1))
    low = 0.65 - 1.959964 * 0.045
    high = 0.65 + 1.959964 * 0.045
    assert e.low == pytest.approx(-400 * math.log10(1 / low - 1), rel=1e-5)
    assert e.high == pytest.approx(-400 * math.log10(1 / high - 1), rel=1e-5)
    assert e.games == 100


def test_even_results_centre_on_zero() -> None:
    e = estimate(20, 10, 20)
    assert e.elo == 0.0
    assert e.low is not None and e.high is not None
    assert e.low == pytest.approx(-e.high)


def test_perfect_scores_have_one_finite_bound() -> None:
    won = estimate(10, 0, 0)
    assert won.elo is None and won.high is None
    assert won.low is not None and 100 < won.low < 400
    lost = estimate(0, 0, 10)
    assert lost.elo is None and lost.low is None
    assert lost.high == pytest.approx(-won.low)
    assert estimate(30, 0, 0).low > won.low  # type: ignore[operator]


def test_no_games() -> None:
    e = estimate(0, 0, 0)
    assert (e.elo, e.low, e.high, e.score) == (None, None, None, 0.5)
    with pytest.raises(ValueError):
        estimate(-1, 0, 0)
