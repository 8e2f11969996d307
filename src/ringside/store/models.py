"""ORM models of the store: the single source of the schema that migrations must match.

Nothing outside ``ringside.store`` sees these classes: the repository turns rows
into plain frozen records, so a caller can never lazy-load or mutate a row by
accident. The migrations (``migrations/versions/``) are frozen copies of this
schema, one step each; a test checks that a database migrated to the latest
one has exactly this schema.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import msgspec
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

MatchStatus = Literal["pending", "running", "finished", "aborted"]
MATCH_STATUSES: tuple[MatchStatus, ...] = ("pending", "running", "finished", "aborted")
LIVE_STATUSES: tuple[MatchStatus, ...] = ("pending", "running")
"""Statuses of a match that may still change; the others are final."""

TICK = timedelta(microseconds=1)
"""The smallest step both backends store; keeps rated finish times distinct."""

NAME_LENGTH = 64
"""Longest bot name; the protocol layer may be stricter, never looser."""
NODE_LENGTH = 64
"""Longest node id (``ringside serve --node-id``): the owner of live match and tournament rows."""

# Explicit constraint names, so that migrations can drop or alter them by name
# on every backend (SQLite batch mode needs names too).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that always comes back as an aware UTC datetime.

    SQLite keeps no time zone and PostgreSQL returns the session's zone; both
    are normalised here so records compare equal whatever the backend. Naive
    datetimes are refused rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the store keeps UTC times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Plain JSON on every backend: PostgreSQL's json keeps the text as written (key
# order included), which is what an event log replayed verbatim wants, and the
# store never queries inside these documents.
Json = JSON(none_as_null=True)


def json_text(value: Any) -> str:
    """A value as JSON text, the way every JSON column is written (the engine's serializer)."""
    return msgspec.json.encode(value).decode()


class Base(DeclarativeBase):
    """Declarative base carrying the shared metadata and naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Bot(Base):
    """A bot known to the server; guests have no token."""

    __tablename__ = "bots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH), unique=True)
    token_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    guest: Mapped[bool] = mapped_column(Boolean, default=False)


class Match(Base):
    """A match, from creation to its final result."""

    __tablename__ = "matches"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'running', 'finished', 'aborted')", name="status"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    game: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    rounds: Mapped[int] = mapped_column(Integer)
    options: Mapped[dict[str, Any]] = mapped_column(Json)
    time_control: Mapped[dict[str, Any]] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result: Mapped[dict[str, Any] | None] = mapped_column(Json)
    winner: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    verdict: Mapped[str | None] = mapped_column(String(32))
    tournament_id: Mapped[str | None] = mapped_column(String(64), index=True)
    owner: Mapped[str | None] = mapped_column(String(NODE_LENGTH))
    """The node running the match (``store/leases.py``); None on rows older than leases."""
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """Until when the owner vouches for the row; past it, any node may end the match."""
    config: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    """The whole ``MatchConfig`` (seed, timeouts...): what rebuilding an interrupted match needs."""
    epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """A fencing token: it changes whenever the row changes hands, and a writer holding an
    older one is refused (``MatchFenced``). Claiming the row after a restart and ending it
    for a lapsed lease each add one."""


class MatchSeat(Base):
    """One participant of a match; ``player`` indexes the match's bot list."""

    __tablename__ = "match_seats"
    match_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("matches.id", ondelete="CASCADE"), primary_key=True
    )
    player: Mapped[int] = mapped_column(Integer, primary_key=True)
    bot_name: Mapped[str] = mapped_column(String(NAME_LENGTH), index=True)
    score: Mapped[float | None] = mapped_column(Float)


class Round(Base):
    """The result of one round; ``players`` gives the player index at each seat.

    The attributes carry the protocol's names (``RoundScore``) while the columns
    keep those of the first schema, ``seats`` and ``verdict``: renaming them would
    rewrite every stored round for no gain. ``verdicts`` holds a JSON list of
    verdicts; rounds written before it held one verdict object or null, which
    the store reads as a list of one or none.
    """

    __tablename__ = "rounds"

    match_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("matches.id", ondelete="CASCADE"), primary_key=True
    )
    round: Mapped[int] = mapped_column(Integer, primary_key=True)
    players: Mapped[list[int]] = mapped_column("seats", Json)
    scores: Mapped[list[float]] = mapped_column(Json)
    verdicts: Mapped[Any] = mapped_column("verdict", Json, nullable=True)


class Event(Base):
    """One entry of a match's event log, or a run of its moves in one row (``event_rows``).

    ``seq`` numbers events (a run carries its last move's); the primary key
    keeps (match, seq) unique.
    """

    __tablename__ = "events"

    match_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("matches.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(Json)


class Rating(Base):
    """A bot's skill estimate for one game (``ringside.rating``), updated with each result.

    ``updated_at`` is the ``finished_at`` of the last match rated: the store keeps
    those strictly increasing per game, so replaying the finished matches in
    ``(finished_at, id)`` order reproduces the ratings exactly.
    """

    __tablename__ = "ratings"

    game: Mapped[str] = mapped_column(String(64), primary_key=True)
    bot_name: Mapped[str] = mapped_column(String(NAME_LENGTH), primary_key=True)
    mu: Mapped[float] = mapped_column(Float)
    sigma: Mapped[float] = mapped_column(Float)
    games: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    wins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    draws: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    losses: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class RatingUpdate(Base):
    """A bot's rating just after one rated match: the history a bot's page charts.

    Written in the transaction that rates the match (``store.ratings``), one row per
    player of the match, and written again by a rebuild. ``rated_at`` is the match's
    ``finished_at``; ``elo`` is ``rating.Skill.elo`` of (mu, sigma), kept beside them
    so that the history reads without the model.
    """

    __tablename__ = "rating_updates"
    __table_args__ = (
        Index("ix_rating_updates_bot_name_game_rated_at", "bot_name", "game", "rated_at"),
    )

    match_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("matches.id", ondelete="CASCADE"), primary_key=True
    )
    player: Mapped[int] = mapped_column(Integer, primary_key=True)
    game: Mapped[str] = mapped_column(String(64))
    bot_name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    mu: Mapped[float] = mapped_column(Float)
    sigma: Mapped[float] = mapped_column(Float)
    elo: Mapped[float] = mapped_column(Float)


TournamentStatus = Literal["running", "finished", "cancelled", "failed"]
"""As records read it: ``failed`` is stored as ``cancelled`` with a ``failure``."""
TOURNAMENT_STATUSES: tuple[TournamentStatus, ...] = ("running", "finished", "cancelled", "failed")
FAILURE_LENGTH = 500


class Tournament(Base):
    """A tournament: its request as given (``config``) and, once decided, its verdict."""

    __tablename__ = "tournaments"
    __table_args__ = (
        CheckConstraint("status IN ('running', 'finished', 'cancelled')", name="status"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(128))
    game: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    config: Mapped[dict[str, Any]] = mapped_column(Json)
    result: Mapped[dict[str, Any] | None] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    owner: Mapped[str | None] = mapped_column(String(NODE_LENGTH))
    """The node running the tournament; another may claim it once ``lease_until`` has passed."""
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failure: Mapped[str | None] = mapped_column(String(FAILURE_LENGTH))
    """Why a tournament was given up (a step kept failing); its status is then ``cancelled``
    (migration 0007 says why) and records read it as ``failed``."""


class TournamentGame(Base):
    """One scheduled game of a tournament; ``match_id`` is its last attempt's match."""

    __tablename__ = "tournament_games"

    tournament_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("tournaments.id", ondelete="CASCADE"), primary_key=True
    )
    no: Mapped[int] = mapped_column(Integer, primary_key=True)
    round: Mapped[int] = mapped_column(Integer)
    bots: Mapped[list[str]] = mapped_column(Json)
    status: Mapped[str] = mapped_column(String(16))
    points: Mapped[list[float] | None] = mapped_column(Json)
    match_id: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(String(255))
