"""Ratings: openskill skills per game, the Elo scale, Elo estimates from W/D/L, SPRT
(trinomial or pentanomial, logistic or normalized Elo).

Pure computations only (no database, no network): the store calls
:func:`rate` inside the transaction that records a match, and the tournament
layer calls :func:`estimate` and :func:`pentanomial.evaluate` on its results.
"""

from ringside.rating.elo import EloEstimate, elo_difference, estimate, expected_score
from ringside.rating.model import (
    ELO_BASE,
    ELO_PER_MU,
    MODEL_NAME,
    Outcome,
    Skill,
    outcomes,
    ranks_of,
    rate,
)
from ringside.rating.sprt import SprtParams, SprtStatus

__all__ = [
    "ELO_BASE",
    "ELO_PER_MU",
    "MODEL_NAME",
    "EloEstimate",
    "Outcome",
    "Skill",
    "SprtParams",
    "SprtStatus",
    "elo_difference",
    "estimate",
    "expected_score",
    "outcomes",
    "ranks_of",
    "rate",
]
