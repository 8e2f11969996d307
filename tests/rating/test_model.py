"""openskill ratings against values computed by hand from Weng & Lin's Algorithm 4."""

from __future__ import annotations

import math
import random

import pytest

from ringside.rating import ELO_PER_MU, Outcome, Skill, outcomes, ranks_of, rate
from ringside.rating.elo import expected_score
from ringside.rating.model import BETA, MU, SIGMA, TAU


def plackett_luce_by_hand(skills: list[Skill], ranks: list[int]) -> list[Skill]:
    """The Plackett-Luce update for one-player teams, written out from the paper.

    sigma² grows by tau² first; c² = Σ (sigma_i² + beta²); for each player i,
    over every q ranked no better than i: p = exp(mu_i/c) / Σ_{s ranked no
    better than q} exp(mu_s/c), Ω_i += (1[i=q] − p)/A_q, Δ_i += p(1−p)/A_q
    (A_q: how many share q's rank); then mu_i += sigma_i²/c · Ω_i and
    sigma_i *= sqrt(1 − sigma_i²/c² · Δ_i · sigma_i/c).
    """
    sig2 = [s.sigma**2 + TAU**2 for s in skills]
    c = math.sqrt(sum(v + BETA**2 for v in sig2))
    e = [math.exp(s.mu / c) for s in skills]
    n = len(skills)
    share = [sum(1 for r in ranks if r == ranks[q]) for q in range(n)]
    new = []
    for i in range(n):
        omega = delta = 0.0
        for q in range(n):
            if ranks[q] > ranks[i]:
                continue
            total = sum(e[s] for s in range(n) if ranks[s] >= ranks[q])
            p = e[i] / total
            delta += p * (1 - p) / share[q]
            omega += ((1 - p) if q == i else -p) / share[q]
        gamma = math.sqrt(sig2[i]) / c
        mu = skills[i].mu + sig2[i] / c * omega
        sigma = math.sqrt(sig2[i]) * math.sqrt(max(1 - sig2[i] / c**2 * delta * gamma, 1e-4))
        new.append(Skill(mu, sigma))
    return new


def close(a: list[Skill], b: list[Skill]) -> bool:
    return all(
        math.isclose(x.mu, y.mu, abs_tol=1e-9) and math.isclose(x.sigma, y.sigma, abs_tol=1e-9)
        for x, y in zip(a, b, strict=True)
    )


def test_two_player_win_by_hand() -> None:
    # sigma² = (25/3)² + (1/12)² = 69.45138…, c = sqrt(2 (sigma² + (25/6)²)) = 13.17668…,
    # p = 1/2, so mu moves by sigma²/c · 1/2 = 2.63539 each way.
    sigma2 = SIGMA**2 + TAU**2
    c = math.sqrt(2 * (sigma2 + BETA**2))
    step = sigma2 / c / 2
    sigma = math.sqrt(sigma2) * math.sqrt(1 - sigma2 / c**2 * 0.25 * math.sqrt(sigma2) / c)
    winner, loser = rate([Skill(), Skill()], [1.0, 0.0])
    assert winner.mu == pytest.approx(MU + step, abs=1e-12)
    assert loser.mu == pytest.approx(MU - step, abs=1e-12)
    assert winner.sigma == pytest.approx(sigma, abs=1e-12)
    assert loser.sigma == pytest.approx(sigma, abs=1e-12)
    assert winner.mu == pytest.approx(27.635389493, abs=1e-9)
    assert winner.sigma == pytest.approx(8.065901414, abs=1e-9)


def test_two_player_draw_by_hand() -> None:
    a, b = rate([Skill(), Skill()], [0.5, 0.5])
    assert a.mu == pytest.approx(25.0, abs=1e-12) and b.mu == pytest.approx(25.0, abs=1e-12)
    assert a.sigma == pytest.approx(8.065901414, abs=1e-9)
    assert close([a, b], plackett_luce_by_hand([Skill(), Skill()], [0, 0]))


def test_three_player_baskin_result_by_hand() -> None:
    # Baskin-Robbins 31: the player who says 31 loses, the other two score 1.
    before = [Skill(), Skill(28.0, 6.0), Skill(22.0, 7.5)]
    scores = [1.0, 0.0, 1.0]
    assert ranks_of(scores) == [0, 2, 0]
    after = rate(before, scores)
    assert close(after, plackett_luce_by_hand(before, [0, 2, 0]))
    assert after[1].mu < before[1].mu
    assert after[0].mu > before[0].mu and after[2].mu > before[2].mu
    fresh = rate([Skill(), Skill(), Skill()], [1.0, 1.0, 0.0])
    assert fresh[0].mu == pytest.approx(25.717262170, abs=1e-9)
    assert fresh[2].mu == pytest.approx(23.565475660, abs=1e-9)
    assert fresh[0].sigma == pytest.approx(8.205243377, abs=1e-9)


def test_uneven_two_player_by_hand() -> None:
    before = [Skill(30.0, 4.0), Skill(20.0, 2.0)]
    for scores, ranks in (([0.0, 1.0], [1, 0]), ([1.0, 0.0], [0, 1]), ([3.0, 3.0], [0, 0])):
        assert close(rate(before, scores), plackett_luce_by_hand(before, ranks))


def test_outcomes_and_ranks() -> None:
    assert outcomes([1.0, 0.0]) == [Outcome(wins=1), Outcome(losses=1)]
    assert outcomes([0.5, 0.5]) == [Outcome(draws=1), Outcome(draws=1)]
    assert outcomes([1.0, 1.0, 0.0]) == [Outcome(draws=1), Outcome(draws=1), Outcome(losses=1)]
    assert ranks_of([3.0, 7.0, 3.0, 1.0]) == [1, 0, 1, 3]


def test_refuses_what_cannot_be_rated() -> None:
    with pytest.raises(ValueError):
        rate([Skill()], [1.0])
    with pytest.raises(ValueError):
        rate([Skill(), Skill()], [1.0])


def test_elo_scale_is_the_models_own_win_probability() -> None:
    """For established bots, Elo's expected score is the model's likelihood of a win."""
    for gap in (0.5, 2.0, 5.0, 10.0):
        a, b = Skill(25.0 + gap, 0.01), Skill(25.0, 0.01)
        c = math.sqrt(a.sigma**2 + b.sigma**2 + 2 * BETA**2)
        likelihood = math.exp(a.mu / c) / (math.exp(a.mu / c) + math.exp(b.mu / c))
        assert expected_score(a.elo - b.elo) == pytest.approx(likelihood, abs=1e-4)
    assert Skill().elo == 1500.0
    assert Skill(26.0).elo - Skill().elo == pytest.approx(ELO_PER_MU)
    assert Skill().elo_margin == pytest.approx(1.959964 * ELO_PER_MU * SIGMA, rel=1e-6)
    assert Skill(30.0, 2.0).conservative == pytest.approx(24.0)


def test_elo_scale_recovers_a_known_difference() -> None:
    """Bots 200 Elo apart (a 76 % score) end up about 200 Elo apart on the leaderboard.

    The estimate runs ~10 % high (the bots' remaining sigma widens ``c``) and a
    single run wanders by ±25 Elo (tau keeps the ratings moving), so four runs
    are averaged.
    """
    means = []
    for seed in range(4):
        rng = random.Random(seed)
        strong, weak = Skill(), Skill()
        gaps = []
        for game in range(2000):
            scores = [1.0, 0.0] if rng.random() < expected_score(200) else [0.0, 1.0]
            strong, weak = rate([strong, weak], scores)
            if game >= 500:
                gaps.append(strong.elo - weak.elo)
        means.append(sum(gaps) / len(gaps))
    assert sum(means) / len(means) == pytest.approx(200, rel=0.15)
