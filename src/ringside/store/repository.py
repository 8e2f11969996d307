"""The repository: every read and write the server makes to the database.

Each method runs in its own session and transaction and returns plain frozen
records, never ORM objects, so callers cannot trigger hidden queries or keep
rows alive across awaits. The clock is injected so that tests fix time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from sqlalchemy import ColumnElement, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ringside.store import ratings
from ringside.store.models import (
    LIVE_STATUSES,
    MATCH_STATUSES,
    NAME_LENGTH,
    Bot,
    Event,
    Match,
    MatchSeat,
    MatchStatus,
    Round,
    json_text,
)
from ringside.store.records import (
    BotExists,
    BotRecord,
    EncodedEvent,
    MatchClosed,
    MatchExists,
    MatchNotFound,
    MatchRecord,
    MatchSummary,
    RatingRecord,
    RoundRecord,
    SeatRecord,
)
from ringside.store.tokens import check_token, hash_token, new_token
from ringside.store.tournaments import TournamentStore

log = logging.getLogger("ringside.store")

WRITE_OPTION = "ringside_write"
"""Connection execution option marking a write transaction (SQLite: BEGIN IMMEDIATE)."""
CHECKPOINT_DELAY = 1.0
"""Seconds from a write to the background checkpoint of SQLite's log (see ``Store.checkpoint``)."""


def utcnow() -> datetime:
    """The default clock: an aware UTC datetime."""
    return datetime.now(UTC)


def _check_events(events: Sequence[Mapping[str, Any] | EncodedEvent]) -> None:
    """A mapping must carry a string ``type``; encoded events carry theirs."""
    for event in events:
        if type(event) is EncodedEvent:
            continue
        if not isinstance(event, Mapping) or not isinstance(event.get("type"), str):
            raise ValueError(f"an event must be a mapping with a string 'type': {event!r}")


def _event_rows(
    match_id: str, start: int, events: Sequence[Mapping[str, Any] | EncodedEvent]
) -> list[tuple[str, int, str, str]]:
    """Each (checked) event as the row it is stored as, numbered from ``start``.

    One pass and one tuple per event: a match can log tens of thousands.
    """
    rows = []
    seq = start
    for event in events:
        if type(event) is EncodedEvent:
            rows.append((match_id, seq, event.type, event.json.decode()))
        else:
            assert isinstance(event, Mapping)
            rows.append((match_id, seq, event["type"], json_text(event)))
        seq += 1
    return rows


def _placeholders(paramstyle: str, count: int) -> str:
    """Positional parameter markers in the driver's own style."""
    if paramstyle == "qmark":
        return ", ".join("?" * count)
    if paramstyle == "numeric_dollar":
        return ", ".join(f"${i}" for i in range(1, count + 1))
    if paramstyle == "numeric":
        return ", ".join(f":{i}" for i in range(1, count + 1))
    return ", ".join(["%s"] * count)  # format, and pyformat's positional form


def _check_scores(scores: Any, players: int) -> list[float]:
    if not isinstance(scores, Sequence) or isinstance(scores, str | bytes):
        raise ValueError(f"result scores must be a list, got {scores!r}")
    if len(scores) != players:
        raise ValueError(f"result has {len(scores)} scores for {players} players")
    if not all(isinstance(s, int | float) and not isinstance(s, bool) for s in scores):
        raise ValueError(f"result scores must be numbers: {scores!r}")
    return [float(s) for s in scores]


def _bot_record(bot: Bot) -> BotRecord:
    return BotRecord(id=bot.id, name=bot.name, created_at=bot.created_at, guest=bot.guest)


def _summary_fields(match: Match, seats: Sequence[MatchSeat]) -> dict[str, Any]:
    return {
        "id": match.id,
        "game": match.game,
        "status": match.status,
        "rounds": match.rounds,
        "options": match.options,
        "time_control": match.time_control,
        "created_at": match.created_at,
        "started_at": match.started_at,
        "finished_at": match.finished_at,
        "winner": match.winner,
        "verdict": match.verdict,
        "tournament_id": match.tournament_id,
        "seats": tuple(SeatRecord(s.player, s.bot_name, s.score) for s in seats),
    }


class Store:
    """Async access to bots, matches, their rounds and event logs, ratings and tournaments."""

    def __init__(self, engine: AsyncEngine, now: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self._now = now
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._sqlite_writer = asyncio.Lock() if engine.dialect.name == "sqlite" else None
        self._checkpointer: asyncio.Task[None] | None = None
        self._written_since_checkpoint = False
        self.tournaments = TournamentStore(self)

    async def close(self) -> None:
        """Close every pooled connection; the store is unusable afterwards.

        Closing the last connection checkpoints SQLite's write-ahead log."""
        if self._checkpointer is not None:
            self._checkpointer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._checkpointer
        await self.engine.dispose()

    async def checkpoint(self) -> tuple[int, int] | None:
        """Copy SQLite's write-ahead log into the database file, without blocking anyone.

        A ``PASSIVE`` checkpoint: it copies what no reader still needs, waits
        for no lock, and lets writers go on. Returns the pages in the log and
        those copied; None for other databases, which checkpoint themselves.
        """
        if self._sqlite_writer is None:
            return None
        async with self.engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            result = await autocommit.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
            busy_logged_copied: Sequence[int] = result.one()
        return int(busy_logged_copied[1]), int(busy_logged_copied[2])

    def _after_sqlite_write(self) -> None:
        """Have the log checkpointed soon, in the background.

        Left to SQLite, the commit that fills the log past its threshold does
        the checkpoint (copying and syncing several MiB) before it returns,
        so whoever waits for that commit — a match's result — waits for it too.
        """
        self._written_since_checkpoint = True
        if self._checkpointer is None or self._checkpointer.done():
            self._checkpointer = asyncio.get_running_loop().create_task(self._checkpoint_soon())

    async def _checkpoint_soon(self) -> None:
        while self._written_since_checkpoint:
            self._written_since_checkpoint = False
            # A pause gathers the writes of the next second into one checkpoint.
            await asyncio.sleep(CHECKPOINT_DELAY)
            try:
                await self.checkpoint()
            except Exception:  # the next write tries again; commits stay safe meanwhile
                log.warning("checkpointing the SQLite log failed", exc_info=True)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @asynccontextmanager
    async def _transaction(self, *, write: bool = False) -> AsyncIterator[AsyncSession]:
        """A session in one transaction, committed on success, rolled back on error.

        Reads of several statements get a consistent snapshot: SQLite gives it
        inside a transaction, PostgreSQL needs REPEATABLE READ for it.
        """
        options: dict[str, Any] = {}
        if write:
            options[WRITE_OPTION] = True
        elif self.engine.dialect.name == "postgresql":
            options["isolation_level"] = "REPEATABLE READ"
        async with contextlib.AsyncExitStack() as stack:
            if write and self._sqlite_writer is not None:
                # SQLite has one writer at a time: queue writers here, in the event loop,
                # rather than in SQLite's busy wait, which a busy loop can run past.
                await stack.enter_async_context(self._sqlite_writer)
            session = await stack.enter_async_context(self._sessions())
            await stack.enter_async_context(session.begin())
            await session.connection(execution_options=options)
            yield session
        if write and self._sqlite_writer is not None:
            self._after_sqlite_write()

    # --- bots ---------------------------------------------------------------

    async def add_bot(self, name: str) -> str:
        """Register a bot and return its new token; only a salted hash is stored."""
        if not name or len(name) > NAME_LENGTH:
            raise ValueError(f"a bot name has 1 to {NAME_LENGTH} characters: {name!r}")
        token = new_token()
        token_hash = await asyncio.to_thread(hash_token, token)
        try:
            async with self._transaction(write=True) as session:
                session.add(
                    Bot(name=name, token_hash=token_hash, created_at=self._now(), guest=False)
                )
        except IntegrityError as exc:
            raise BotExists(name) from exc
        return token

    async def verify_bot(self, name: str, token: str) -> bool:
        """Whether ``token`` is the token of the registered bot ``name``."""
        async with self._transaction() as session:
            token_hash = await session.scalar(select(Bot.token_hash).where(Bot.name == name))
        if token_hash is None:
            return False
        return await asyncio.to_thread(check_token, token, token_hash)

    async def get_bot(self, name: str) -> BotRecord | None:
        async with self._transaction() as session:
            bot = await session.scalar(select(Bot).where(Bot.name == name))
            return None if bot is None else _bot_record(bot)

    async def list_bots(self) -> list[BotRecord]:
        """Every bot, by name."""
        async with self._transaction() as session:
            bots = await session.scalars(select(Bot).order_by(Bot.name))
            return [_bot_record(bot) for bot in bots]

    async def remove_bot(self, name: str) -> bool:
        """Forget a bot (its matches keep its name); False if there was none."""
        async with self._transaction(write=True) as session:
            removed = await session.scalar(delete(Bot).where(Bot.name == name).returning(Bot.id))
        return removed is not None

    # --- matches ------------------------------------------------------------

    async def create_match(
        self,
        match_id: str,
        game: str,
        bots: Sequence[str],
        rounds: int,
        time_control: Mapping[str, Any],
        options: Mapping[str, Any],
        tournament_id: str | None = None,
        status: MatchStatus = "pending",
    ) -> None:
        """Store a new live match and one seat per bot (player index = list index).

        A match about to be played is created ``running`` (with ``started_at``):
        one transaction fewer than creating it pending and starting it after.
        """
        if not bots:
            raise ValueError("a match needs at least one bot")
        if status not in LIVE_STATUSES:
            raise ValueError(f"a match is created pending or running, not {status!r}")
        now = self._now()
        try:
            async with self._transaction(write=True) as session:
                session.add(
                    Match(
                        id=match_id,
                        game=game,
                        status=status,
                        rounds=rounds,
                        options=dict(options),
                        time_control=dict(time_control),
                        created_at=now,
                        started_at=now if status == "running" else None,
                        tournament_id=tournament_id,
                    )
                )
                await session.flush()
                session.add_all(
                    MatchSeat(match_id=match_id, player=i, bot_name=name)
                    for i, name in enumerate(bots)
                )
        except IntegrityError as exc:
            async with self._transaction() as session:
                exists = await session.scalar(select(Match.id).where(Match.id == match_id))
            if exists is not None:
                raise MatchExists(match_id) from exc
            raise

    async def set_match_status(
        self, match_id: str, status: MatchStatus, *, started_at: datetime | None = None
    ) -> None:
        """Move a live match to ``pending``, ``running`` or ``aborted``.

        Entering ``running`` records ``started_at`` (now by default); ``aborted``
        records ``finished_at``. A finished result goes through ``finish_match``.
        """
        if status not in MATCH_STATUSES:
            raise ValueError(f"unknown match status {status!r}")
        if status == "finished":
            raise ValueError("use finish_match to finish a match")
        values: dict[str, Any] = {"status": status}
        if status == "running":
            values["started_at"] = started_at or self._now()
        elif started_at is not None:
            values["started_at"] = started_at
        if status == "aborted":
            values["finished_at"] = self._now()
        async with self._transaction(write=True) as session:
            await self._lock_live_match(session, match_id)
            await session.execute(update(Match).where(Match.id == match_id).values(values))

    async def append_events(
        self, match_id: str, events: Sequence[Mapping[str, Any] | EncodedEvent]
    ) -> int:
        """Append events after the last stored one; returns the match's event count."""
        _check_events(events)
        async with self._transaction(write=True) as session:
            await self._lock_live_match(session, match_id)
            return await self._append(session, match_id, events)

    async def finish_match(
        self,
        match_id: str,
        status: MatchStatus,
        result: Mapping[str, Any] | None,
        rounds: Sequence[Mapping[str, Any]],
        events: Sequence[Mapping[str, Any] | EncodedEvent],
        *,
        rate: bool = False,
    ) -> None:
        """Write the end of a match in one transaction: all of it or, on any error, none.

        Appends the last ``events``, stores ``rounds`` (dicts with round, seats,
        scores, verdict), the seats' scores (``result["scores"]`` by player),
        the winner, the verdict code and the result document, and closes the
        match as ``finished`` or ``aborted``. With ``rate``, a finished match
        with a result also updates its players' ratings in the same transaction
        (see ``ringside.store.ratings``).
        """
        if status not in ("finished", "aborted"):
            raise ValueError(f"a match ends finished or aborted, not {status!r}")
        _check_events(events)
        async with self._transaction(write=True) as session:
            await self._lock_live_match(session, match_id)
            await self._append(session, match_id, events)
            if rounds:
                await session.execute(
                    insert(Round),
                    [
                        {
                            "match_id": match_id,
                            "round": int(r["round"]),
                            "seats": list(r["seats"]),
                            "scores": list(r["scores"]),
                            "verdict": r.get("verdict"),
                        }
                        for r in rounds
                    ],
                )
            values: dict[str, Any] = {
                "status": status,
                "finished_at": self._now(),
                "result": None if result is None else dict(result),
            }
            if result is not None:
                scores = await self._set_scores(session, match_id, result.get("scores"))
                if rate and status == "finished":
                    match = await session.get(Match, match_id)
                    assert match is not None
                    bots = list(
                        await session.scalars(
                            select(MatchSeat.bot_name)
                            .where(MatchSeat.match_id == match_id)
                            .order_by(MatchSeat.player)
                        )
                    )
                    values["finished_at"] = await ratings.rate_match(
                        session, match.game, bots, scores, values["finished_at"]
                    )
                winner = result.get("winner")
                values["winner"] = winner if isinstance(winner, str) else None
                verdict = result.get("verdict")
                if isinstance(verdict, Mapping) and verdict.get("code") is not None:
                    values["verdict"] = str(verdict["code"])
            await session.execute(update(Match).where(Match.id == match_id).values(values))

    async def abort_interrupted(self) -> list[str]:
        """Mark every pending or running match aborted (start-up after a crash)."""
        async with self._transaction(write=True) as session:
            ids = list(
                await session.scalars(
                    select(Match.id)
                    .where(Match.status.in_(LIVE_STATUSES))
                    .order_by(Match.id)
                    .with_for_update()
                )
            )
            if ids:
                await session.execute(
                    update(Match)
                    .where(Match.id.in_(ids))
                    .values(status="aborted", finished_at=self._now())
                )
        return ids

    async def get_match(self, match_id: str) -> MatchRecord | None:
        """The whole match with seats, rounds played and its ordered event log."""
        async with self._transaction() as session:
            match = await session.get(Match, match_id)
            if match is None:
                return None
            seats = (
                await session.scalars(
                    select(MatchSeat)
                    .where(MatchSeat.match_id == match_id)
                    .order_by(MatchSeat.player)
                )
            ).all()
            rounds = await session.scalars(
                select(Round).where(Round.match_id == match_id).order_by(Round.round)
            )
            round_results = tuple(
                RoundRecord(r.round, r.seats, r.scores, r.verdict) for r in rounds
            )
            data = await session.scalars(
                select(Event.data).where(Event.match_id == match_id).order_by(Event.seq)
            )
            return MatchRecord(
                **_summary_fields(match, seats),
                result=match.result,
                round_results=round_results,
                events=tuple(data),
            )

    async def list_matches(
        self,
        bot: str | None = None,
        game: str | None = None,
        status: MatchStatus | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[MatchSummary], int]:
        """A page of matches, newest first, and how many match the filters in all."""
        if limit < 0 or offset < 0:
            raise ValueError("limit and offset cannot be negative")
        conditions: list[ColumnElement[bool]] = []
        if bot is not None:
            played = select(MatchSeat.match_id).where(MatchSeat.bot_name == bot)
            conditions.append(Match.id.in_(played))
        if game is not None:
            conditions.append(Match.game == game)
        if status is not None:
            conditions.append(Match.status == status)
        page = (
            select(Match)
            .where(*conditions)
            .order_by(Match.created_at.desc(), Match.id.desc())
            .limit(limit)
            .offset(offset)
        )
        async with self._transaction() as session:
            total = await session.scalar(select(func.count()).select_from(Match).where(*conditions))
            matches = (await session.scalars(page)).all()
            seats: dict[str, list[MatchSeat]] = {m.id: [] for m in matches}
            if matches:
                rows = await session.scalars(
                    select(MatchSeat)
                    .where(MatchSeat.match_id.in_(list(seats)))
                    .order_by(MatchSeat.match_id, MatchSeat.player)
                )
                for seat in rows:
                    seats[seat.match_id].append(seat)
            items = [MatchSummary(**_summary_fields(m, seats[m.id])) for m in matches]
        return items, total or 0

    # --- ratings ------------------------------------------------------------

    async def leaderboard(self, game: str) -> list[RatingRecord]:
        """The ratings of ``game``, best conservative skill (mu − 3 sigma) first."""
        async with self._transaction() as session:
            return await ratings.leaderboard(session, game)

    async def rated_games(self) -> list[str]:
        async with self._transaction() as session:
            return await ratings.rated_games(session)

    async def rebuild_ratings(self, game: str | None = None) -> int:
        """Recompute ratings from every finished match, in one transaction; returns how many."""
        async with self._transaction(write=True) as session:
            return await ratings.rebuild(session, game)

    # --- helpers ------------------------------------------------------------

    async def _lock_live_match(self, session: AsyncSession, match_id: str) -> None:
        """Lock the match row (PostgreSQL) and refuse a match whose record is final."""
        status = await session.scalar(
            select(Match.status).where(Match.id == match_id).with_for_update()
        )
        if status is None:
            raise MatchNotFound(match_id)
        if status not in LIVE_STATUSES:
            raise MatchClosed(match_id, status)

    async def _append(
        self,
        session: AsyncSession,
        match_id: str,
        events: Sequence[Mapping[str, Any] | EncodedEvent],
    ) -> int:
        last = await session.scalar(select(func.max(Event.seq)).where(Event.match_id == match_id))
        start = 0 if last is None else last + 1
        if events:
            # Straight to the driver's executemany: a match can log tens of
            # thousands of events, and per-row ORM or Core processing would
            # cost more than the database itself.
            connection = await session.connection()
            marks = _placeholders(connection.dialect.paramstyle, 4)
            await connection.exec_driver_sql(
                f"INSERT INTO {Event.__tablename__} (match_id, seq, type, data) VALUES ({marks})",
                _event_rows(match_id, start, events),
            )
        return start + len(events)

    async def _set_scores(self, session: AsyncSession, match_id: str, scores: Any) -> list[float]:
        players = list(
            await session.scalars(
                select(MatchSeat.player)
                .where(MatchSeat.match_id == match_id)
                .order_by(MatchSeat.player)
            )
        )
        checked = _check_scores(scores, len(players))
        await session.execute(
            update(MatchSeat),
            [
                {"match_id": match_id, "player": player, "score": score}
                for player, score in zip(players, checked, strict=True)
            ],
        )
        return checked
