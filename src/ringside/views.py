"""Store records as the HTTP API shows them: one model per shape, built in one place.

``GET /api/matches`` and ``GET /api/matches/{id}`` answer with these models, and
the CLI (``ringside export`` reading the database) prints the same ones, so a
stored match has one JSON shape wherever it is read. Rounds use the protocol's
names (``RoundScore``: ``players``, ``scores``, ``verdicts`` as Verdict objects).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec

from ringside.protocol.messages import Verdict
from ringside.store.matches import MatchListing
from ringside.store.records import MatchRecord, RoundRecord
from ringside.store.records import MatchSummary as MatchSummaryRecord


class Seat(msgspec.Struct):
    player: int
    bot: str
    score: float | None
    """The player's total once the match has a result."""


class MatchSummary(msgspec.Struct):
    """A match as listed: no result document, rounds or events."""

    id: str
    game: str
    status: Literal["pending", "running", "storing", "finished", "aborted"]
    """``storing``: the result was announced and waits in the journal for the database."""
    rounds: int
    """Planned number of rounds."""
    bots: list[str]
    seats: list[Seat]
    options: dict[str, Any]
    time_control: dict[str, Any]
    created_at: str
    started_at: str | None
    finished_at: str | None
    winner: str | None
    verdict: str | None
    """The code of the verdict that ended the match early, if one did."""
    tournament_id: str | None


class RoundRow(msgspec.Struct):
    """One round played, named like the protocol's ``RoundScore``."""

    round: int
    players: list[int]
    """Player index sitting at each seat."""
    scores: list[float]
    """Score of each seat."""
    verdicts: list[Verdict]


class MatchDetail(MatchSummary):
    result: dict[str, Any] | None
    """The ``match_result`` message the players were sent, once there is one."""
    round_results: list[RoundRow]
    events: list[dict[str, Any]]
    """The stored event log, in order: a replay is these events played back."""


class MatchPage(msgspec.Struct):
    """A page of the listing, newest first; pages are reached by cursor, not by offset."""

    items: list[MatchSummary]
    limit: int
    next: str | None
    """Cursor of the older matches: ``?before=`` it; null on the last page."""
    previous: str | None
    """Cursor of the newer matches: ``?after=`` it; null on the first page."""
    total: int | None
    """How many matches fit the filters, counted up to 1,000; null when there are more."""


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _summary_fields(record: MatchSummaryRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "game": record.game,
        "status": record.status,
        "rounds": record.rounds,
        "bots": record.bots,
        "seats": [Seat(s.player, s.bot_name, s.score) for s in record.seats],
        "options": record.options,
        "time_control": record.time_control,
        "created_at": _iso(record.created_at) or "",
        "started_at": _iso(record.started_at),
        "finished_at": _iso(record.finished_at),
        "winner": record.winner,
        "verdict": record.verdict,
        "tournament_id": record.tournament_id,
    }


def match_summary(record: MatchSummaryRecord) -> MatchSummary:
    return MatchSummary(**_summary_fields(record))


def round_row(record: RoundRecord) -> RoundRow:
    return RoundRow(record.round, list(record.players), list(record.scores), list(record.verdicts))


def match_detail(record: MatchRecord) -> MatchDetail:
    return MatchDetail(
        **_summary_fields(record),
        result=record.result,
        round_results=[round_row(r) for r in record.round_results],
        events=list(record.events),
    )


def match_page(listing: MatchListing, limit: int) -> MatchPage:
    return MatchPage(
        [match_summary(r) for r in listing.items],
        limit,
        listing.next,
        listing.previous,
        listing.total,
    )


def as_json(view: msgspec.Struct) -> dict[str, Any]:
    """A view as the plain JSON object the API sends (for the CLI)."""
    data: dict[str, Any] = msgspec.to_builtins(view)
    return data
