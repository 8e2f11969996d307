"""Skill ratings per game with openskill's Plackett-Luce model (Weng & Lin, 2011).

Why this model: it rates matches of any number of players from their ranks
(ties allowed), so two-player games and free-for-alls such as Baskin-Robbins 31
share one rating system, and it keeps an explicit uncertainty ``sigma`` beside
the skill ``mu``, so a bot that has played three games is not mistaken for one
that has played three hundred.

One match is one rating event: each player is its own team, ranked by its total
score in the match (equal totals share a rank). Aborted matches and matches of
fewer than two players are never rated. The model keeps openskill's defaults
(``mu`` 25, ``sigma`` 25/3, ``beta`` 25/6, ``tau`` 25/300): ``tau`` widens every
``sigma`` a little before each update, so a bot whose author improves it can
still climb.

The Elo scale. In this model a two-player game between established bots is
won by A with probability ``1 / (1 + exp(-(mu_A - mu_B) / c))`` where
``c = sqrt(sigma_A² + sigma_B² + 2 beta²)``, which tends to ``sqrt(2) beta`` as the
sigmas shrink. Elo's expected score is ``1 / (1 + 10^(-(R_A - R_B) / 400))``.
Equating the two gives a linear map: one unit of ``mu`` is
``ELO_PER_MU = 400 / (ln 10 · sqrt(2) · beta) ≈ 29.5`` Elo, anchored so that the
starting ``mu`` is 1500. The uncertainty maps the same way: the 95 % interval
of a bot's Elo is ``elo ± 1.96 · ELO_PER_MU · sigma`` (±481 for a new bot).
Differences between two established bots on this scale predict their score as
Elo differences do; absolute values only mean something within one game's
leaderboard.

Leaderboards are ordered by the conservative skill ``mu - 3 sigma`` (openskill's
``ordinal``, what TrueSkill leaderboards use), so a newcomer with two lucky wins
does not top the table before its rating is known.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from openskill.models import PlackettLuce

MU = 25.0
SIGMA = MU / 3
BETA = MU / 6
TAU = MU / 300
ELO_BASE = 1500.0
ELO_PER_MU = 400.0 / (math.log(10.0) * math.sqrt(2.0) * BETA)
Z95 = 1.959963984540054
"""Two-sided 95 % quantile of the normal distribution."""

MODEL_NAME = "openskill Plackett-Luce"

_MODEL = PlackettLuce(mu=MU, sigma=SIGMA, beta=BETA, tau=TAU)


@dataclass(frozen=True, slots=True)
class Skill:
    """A bot's skill estimate in one game: mean and standard deviation."""

    mu: float = MU
    sigma: float = SIGMA

    @property
    def conservative(self) -> float:
        """``mu - 3 sigma``: the skill the bot very probably has at least (the sort key)."""
        return self.mu - 3.0 * self.sigma

    @property
    def elo(self) -> float:
        return ELO_BASE + ELO_PER_MU * (self.mu - MU)

    @property
    def elo_margin(self) -> float:
        """Half the width of the 95 % interval of ``elo``."""
        return Z95 * ELO_PER_MU * self.sigma


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one player fared in a match: won alone, shared the top score, or not."""

    wins: int = 0
    draws: int = 0
    losses: int = 0


def ranks_of(scores: Sequence[float]) -> list[int]:
    """Competition ranks (0 = best) from scores where higher is better; ties share a rank."""
    return [sum(1 for other in scores if other > score) for score in scores]


def outcomes(scores: Sequence[float]) -> list[Outcome]:
    """Win, draw or loss for each player: alone on top, tied on top, or below the top."""
    best = max(scores)
    leaders = sum(1 for s in scores if s == best)
    result = []
    for score in scores:
        if score < best:
            result.append(Outcome(losses=1))
        elif leaders == 1:
            result.append(Outcome(wins=1))
        else:
            result.append(Outcome(draws=1))
    return result


def rate(skills: Sequence[Skill], scores: Sequence[float]) -> list[Skill]:
    """New skills after one match: ``skills`` and ``scores`` by player, higher score better.

    Pure and deterministic: the same inputs always give the same floats, which
    is what lets a rebuild from the stored matches reproduce the incremental
    ratings exactly.
    """
    if len(skills) != len(scores):
        raise ValueError(f"{len(skills)} skills for {len(scores)} scores")
    if len(skills) < 2:
        raise ValueError("a rated match needs at least two players")
    teams = [[_MODEL.rating(mu=s.mu, sigma=s.sigma)] for s in skills]
    rated = _MODEL.rate(teams, ranks=[float(r) for r in ranks_of(scores)])
    return [Skill(team[0].mu, team[0].sigma) for team in rated]
