"""What a tournament looks like from outside: standings rows and the SPRT's state.

Plain values for the HTTP API, the spectators' ``tournament`` event and the
CLI, computed from a :class:`Tournament` alone, so a live tournament and one
rebuilt from the store are described the same way.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from ringside.rating.elo import estimate
from ringside.tournament.state import Tournament


class StandingRow(msgspec.Struct):
    rank: int
    bot: str
    points: float
    games: int
    wins: int
    draws: int
    losses: int
    byes: int
    forfeits: int
    buchholz: float
    sonneborn_berger: float


class SprtInfo(msgspec.Struct):
    model: Literal["trinomial", "pentanomial"]
    """Games one by one (W/D/L), or seat-swapped game pairs (counts in ``pentanomial``)."""
    elo_model: Literal["logistic", "normalized"]
    """What elo0 and elo1 mean: logistic Elo, or fishtest's normalized Elo."""
    elo0: float
    elo1: float
    alpha: float
    beta: float
    llr: float
    lower: float
    upper: float
    verdict: Literal["H0", "H1"] | None
    """H1: the first bot is at least elo1 stronger; H0: at most elo0; null: undecided."""
    games: int
    wins: int
    draws: int
    losses: int
    elo: float | None
    """Elo difference of the first bot over the second; null when infinite."""
    elo_low: float | None
    elo_high: float | None
    pentanomial: list[int] | None = None
    """Pentanomial model: pairs in which the first bot scored 0, ½, 1, 1½, 2 points."""
    pairs: int | None = None
    """Pentanomial model: game pairs counted (both games played)."""


# --- plain state <-> store -------------------------------------------------------------


def standing_rows(state: Tournament) -> list[StandingRow]:
    return [
        StandingRow(
            r.rank,
            r.bot,
            r.points,
            r.games,
            r.wins,
            r.draws,
            r.losses,
            r.byes,
            r.forfeits,
            r.buchholz,
            r.sonneborn_berger,
        )
        for r in state.standings()
    ]


def sprt_info(state: Tournament) -> SprtInfo | None:
    params = state.spec.sprt
    current = state.sprt_status()
    if params is None or current is None:
        return None
    verdict: Literal["H0", "H1"] | None
    pairs: tuple[int, ...] | None = None
    if state.decision is not None:
        d = state.decision
        wins, draws, losses, llr, verdict = d.wins, d.draws, d.losses, d.llr, d.verdict
        pairs = d.pentanomial
    else:
        wins, draws, losses = state.results_of(*state.spec.bots[:2])
        llr, verdict = current.llr, current.verdict
        if params.model == "pentanomial":
            pairs = state.pairs_of(*state.spec.bots[:2])
    elo = estimate(wins, draws, losses)
    return SprtInfo(
        params.model,
        params.elo_model,
        params.elo0,
        params.elo1,
        params.alpha,
        params.beta,
        llr,
        params.lower,
        params.upper,
        verdict,
        wins + draws + losses,
        wins,
        draws,
        losses,
        elo.elo,
        elo.low,
        elo.high,
        None if pairs is None else list(pairs),
        None if pairs is None else sum(pairs),
    )
