"""What a tournament is: its format, its field, and its games with their outcomes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from ringside.rating.sprt import SprtParams

Format = Literal["round-robin", "gauntlet", "swiss"]
FORMATS: tuple[Format, ...] = ("round-robin", "gauntlet", "swiss")
GameStatus = Literal["pending", "running", "done", "forfeit", "cancelled", "bye"]
COUNTED: tuple[GameStatus, ...] = ("done", "forfeit", "bye")
"""Statuses whose points count in the standings."""
MAX_GAMES_PER_PAIR = 10_000
MAX_BOTS = 256


class TournamentError(ValueError):
    """A tournament that cannot be run as asked; the message says why."""


@dataclass(frozen=True, slots=True)
class TournamentSpec:
    """The plan: format, bots (seeding order), games per pairing, Swiss rounds, SPRT."""

    format: Format
    bots: tuple[str, ...]
    games_per_pair: int = 2
    """Games each pairing plays, seats alternating; with SPRT, the most games it may take."""
    rounds: int | None = None
    """Swiss rounds (default ceil(log2(bots))); ignored by the other formats."""
    sprt: SprtParams | None = None

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise TournamentError(f"unknown format {self.format!r}; use {', '.join(FORMATS)}")
        if not 2 <= len(self.bots) <= MAX_BOTS:
            raise TournamentError(f"a tournament needs 2 to {MAX_BOTS} bots")
        if len(set(self.bots)) != len(self.bots):
            raise TournamentError("a bot can enter a tournament only once")
        if not 1 <= self.games_per_pair <= MAX_GAMES_PER_PAIR:
            raise TournamentError(f"games per pair must be from 1 to {MAX_GAMES_PER_PAIR}")
        if self.rounds is not None and not 1 <= self.rounds <= 1000:
            raise TournamentError("rounds must be from 1 to 1000")
        if self.sprt is not None and len(self.bots) != 2:
            raise TournamentError("an SPRT compares exactly two bots (a gauntlet of two)")
        if self.sprt is not None and self.sprt.model == "pentanomial" and self.games_per_pair % 2:
            raise TournamentError(
                "a pentanomial SPRT plays games in seat-swapped pairs: games per pair must be even"
            )

    @property
    def swiss_rounds(self) -> int:
        if self.rounds is not None:
            return self.rounds
        return max(1, math.ceil(math.log2(len(self.bots))))

    @property
    def planned_games(self) -> int:
        """Games the plan has at most (byes not counted), known before any is scheduled:
        what a server's cap on tournament size is checked against."""
        n, per_pair = len(self.bots), self.games_per_pair
        if self.format == "round-robin":
            return n * (n - 1) // 2 * per_pair
        if self.format == "gauntlet":
            return (n - 1) * per_pair
        return self.swiss_rounds * (n // 2) * per_pair


@dataclass(slots=True)
class Game:
    """One scheduled game: one match of one round between ``bots`` (by seat).

    A Swiss bye is a game of one bot with status ``bye``: it is never played
    and scores ``games_per_pair`` points.
    """

    no: int
    round: int
    bots: tuple[str, ...]
    status: GameStatus = "pending"
    points: tuple[float, ...] | None = None
    """Points by seat once counted: 1 a win, 0.5 a draw, 0 a loss."""
    match_id: str | None = None
    """The match of the last attempt."""
    attempts: int = 0
    note: str | None = None
    """Why a game was re-queued, forfeited or cancelled, or its verdict."""

    @property
    def counted(self) -> bool:
        return self.status in COUNTED


@dataclass(frozen=True, slots=True)
class Decision:
    """Where an SPRT stopped: its verdict and the figures at that moment."""

    verdict: Literal["H0", "H1"]
    llr: float
    games: int
    wins: int
    draws: int
    losses: int
    pentanomial: tuple[int, ...] | None = None
    """For a pentanomial SPRT: the pair counts LL, LD, DD+WL, WD, WW of the first bot."""


@dataclass(slots=True)
class Standing:
    bot: str
    points: float = 0.0
    games: int = 0
    wins: int = 0
    draws: int = 0
    losses: int = 0
    byes: int = 0
    forfeits: int = 0
    """Games lost because the bot was absent."""
    buchholz: float = 0.0
    """Sum of the points of every opponent met (Swiss tie-break)."""
    sonneborn_berger: float = 0.0
    """Sum over games of the points won times the opponent's points."""
    rank: int = 0
    opponents: list[str] = field(default_factory=list)
