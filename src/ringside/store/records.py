"""What the store hands out: frozen records and the errors it raises on purpose.

Records are plain values detached from any session, so they can cross awaits,
be cached or serialised without touching the database again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import msgspec

from ringside.protocol.messages import MatchResult, RoundScore, Verdict
from ringside.store.models import MatchStatus

FinalStatus = Literal["finished", "aborted"]


class EncodedEvent(msgspec.Struct, frozen=True, gc=False):
    """An event already serialised to JSON (as the server sent it), stored as it is.

    The server holds every event as the bytes it sent; handing those over
    saves decoding them only to encode them again for the database. Not
    tracked by the garbage collector (``gc=False``: two strings cannot make a
    cycle): a busy server holds tens of thousands waiting for their write, and
    as a named tuple each one lengthened every full collection.
    """

    type: str
    json: bytes


class StoreError(Exception):
    """Base of the errors the store raises on purpose."""


class BotExists(StoreError):
    """A bot with that name is already registered."""

    def __init__(self, name: str) -> None:
        super().__init__(f"a bot named {name!r} already exists")
        self.name = name


class MatchExists(StoreError):
    """A match with that id is already stored."""

    def __init__(self, match_id: str) -> None:
        super().__init__(f"a match with id {match_id!r} already exists")
        self.match_id = match_id


class MatchNotFound(StoreError, LookupError):
    """No match has that id."""

    def __init__(self, match_id: str) -> None:
        super().__init__(f"no match with id {match_id!r}")
        self.match_id = match_id


class MatchClosed(StoreError):
    """The match is finished or aborted: its record is final and cannot change."""

    def __init__(self, match_id: str, status: str) -> None:
        super().__init__(f"match {match_id!r} is {status}; its record is final")
        self.match_id = match_id
        self.status = status


class MatchFenced(MatchClosed):
    """This node's epoch of the match is stale: the row changed hands, the write is refused.

    Its lease lapsed while this node was away (paused, cut off from the database)
    and another node ended the match, or a restart of this node claimed it again.
    ``status`` is the row's status now.
    """

    def __init__(self, match_id: str, status: str) -> None:
        if status in ("finished", "aborted"):
            how = "its lease lapsed and another node ended it"
        else:
            how = "its lease lapsed and it was claimed again"
        StoreError.__init__(
            self, f"match {match_id!r} was taken over ({how}): this node's write is refused"
        )
        self.match_id = match_id
        self.status = status


@dataclass(frozen=True, slots=True)
class BotRecord:
    id: int
    name: str
    created_at: datetime
    guest: bool


@dataclass(frozen=True, slots=True)
class SeatRecord:
    player: int
    bot_name: str
    score: float | None


@dataclass(frozen=True, slots=True)
class RoundRecord:
    """One round played, with the protocol's names (``RoundScore``)."""

    round: int
    players: tuple[int, ...]
    """Player index sitting at each seat."""
    scores: tuple[float, ...]
    """Score of each seat."""
    verdicts: tuple[Verdict, ...]


class MatchOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """How a match ended: what ``finish_match`` writes, typed instead of a dict by key.

    ``scores`` None means the match ended with no result to record (an abort
    before any); otherwise it holds each player's total, by player index, and
    the stored result document is the protocol's ``MatchResult`` rebuilt from
    these fields and the match row.
    """

    match_id: str
    status: FinalStatus
    scores: tuple[float, ...] | None = None
    winner: str | None = None
    verdict: Verdict | None = None
    """The verdict that ended the match early, if one did."""
    reason: str | None = None
    rounds: tuple[RoundScore, ...] = ()
    """Rounds played, in order, with the protocol's names (players, scores, verdicts)."""

    @classmethod
    def of(cls, result: MatchResult) -> MatchOutcome:
        """The outcome a referee's final ``MatchResult`` announces."""
        return cls(
            match_id=result.match,
            status=result.status,
            scores=tuple(result.scores),
            winner=result.winner,
            verdict=result.verdict,
            reason=result.reason,
            rounds=tuple(result.rounds),
        )


@dataclass(frozen=True, slots=True)
class MatchSummary:
    """A match as listed: no result document, rounds or events."""

    id: str
    game: str
    status: MatchStatus
    rounds: int
    """Planned number of rounds."""
    options: dict[str, Any]
    time_control: dict[str, Any]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    winner: str | None
    verdict: str | None
    tournament_id: str | None
    seats: tuple[SeatRecord, ...]

    @property
    def bots(self) -> list[str]:
        """Bot names by player index."""
        return [seat.bot_name for seat in self.seats]


@dataclass(frozen=True, slots=True)
class MatchRecord(MatchSummary):
    """A whole match: enough to show its result and rebuild its replay."""

    result: dict[str, Any] | None
    round_results: tuple[RoundRecord, ...]
    """Rounds played, in order (``rounds`` is the number planned)."""
    events: tuple[dict[str, Any], ...]
    """The event log in order, as anyone may see it (sealed moves left out)."""
    config: dict[str, Any] | None = None
    """The whole match configuration, for rebuilding it after a restart (None before 0004)."""
    sealed: tuple[dict[str, Any], ...] = ()
    """The real actions of moves the log shows hidden (``sealed_move`` events), in order:
    for rebuilding the match only, never shown."""


class TournamentNotFound(StoreError, LookupError):
    """No tournament has that id."""

    def __init__(self, tournament_id: str) -> None:
        super().__init__(f"no tournament with id {tournament_id!r}")
        self.tournament_id = tournament_id


@dataclass(frozen=True, slots=True)
class RatingRecord:
    """A bot's rating in one game (see ``ringside.rating``)."""

    game: str
    bot_name: str
    mu: float
    sigma: float
    games: int
    wins: int
    draws: int
    losses: int
    updated_at: datetime
    """When its last rated match finished."""


@dataclass(frozen=True, slots=True)
class TournamentGameRecord:
    no: int
    round: int
    bots: tuple[str, ...]
    status: str
    points: tuple[float, ...] | None
    match_id: str | None
    attempts: int
    note: str | None


@dataclass(frozen=True, slots=True)
class TournamentRecord:
    id: str
    name: str | None
    game: str
    format: str
    status: str
    config: dict[str, Any]
    """The request the tournament was created from."""
    result: dict[str, Any] | None
    """The SPRT decision, once there is one."""
    created_at: datetime
    finished_at: datetime | None
    games: tuple[TournamentGameRecord, ...]
    failure: str | None = None
    """Why a ``failed`` tournament was given up."""
