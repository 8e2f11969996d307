"""Matches in the store: created live, their events appended, finished once, then read.

A match's record is final once it is finished or aborted: every write locks
the match row first and refuses a closed match. ``finish_match`` writes the
end of a match (last events, rounds, scores, result, and with ``rate`` the
ratings) in one transaction, from a typed ``MatchOutcome``.

Each live row is owned by the node that runs it, under a lease
(``ringside.store.leases``): start-up and the periodic sweep end only rows
whose owner's lease has lapsed (``abort_lapsed``), and a node restarted under
its own id gets its rows back (``claim_interrupted``) instead of losing them.
An abort written here looks like one the referee announces: a ``match_result``
event closes the log and the result document records the reason.

Every row carries an ``epoch``, a fencing token: ending a lapsed row and
claiming one back each add one to it. A ``MatchStore`` remembers the epoch of
each row it created or claimed, and its writes to such a row check it under
the row lock: a node that was paused past its lease, and wakes up to write
events or a result of a match another node has ended since, is refused with
``MatchFenced`` whatever it writes (a late abort too, which would otherwise
look like a harmless repeat). A row whose epoch it does not hold (a journal
replayed at start-up) is written as before.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import ColumnElement, and_, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ringside.protocol.codec import encode
from ringside.protocol.messages import MatchResult, RoundResult, RoundScore, Verdict
from ringside.store import match_writes, ratings
from ringside.store.engine import Database
from ringside.store.event_rows import event_rows, expand
from ringside.store.leases import NodeLease
from ringside.store.models import (
    LIVE_STATUSES,
    MATCH_STATUSES,
    Event,
    Match,
    MatchSeat,
    MatchStatus,
    Round,
    json_text,
)
from ringside.store.records import (
    EncodedEvent,
    MatchClosed,
    MatchExists,
    MatchFenced,
    MatchNotFound,
    MatchOutcome,
    MatchRecord,
    MatchSummary,
    RoundRecord,
    SeatRecord,
    StoreError,
)

INTERRUPTED = "interrupted: the server stopped while it was being played"
"""The reason recorded when every live match is aborted (``abort_interrupted``)."""
RESTARTED = "interrupted by a restart of its server"
"""The reason a restarted node records for its own interrupted matches until they can resume."""


def node_lost_reason(owner: str | None) -> str:
    """The reason recorded for a match whose owner's lease lapsed."""
    if owner is None:
        return INTERRUPTED
    return f"node_lost: server node {owner!r} stopped renewing its lease"


SWEEP_LOCK_TIMEOUT_MS = 2_000
"""How long (PostgreSQL) the sweep of lapsed matches waits for a row another session
holds before it gives up until the next period."""
TOTAL_COUNTED_UP_TO = 1000
"""A listing's total is counted up to this many rows; above, it is None ("more than")."""
_NEWEST_FIRST = (Match.created_at.desc(), Match.id.desc())


def _check_events(events: Sequence[Mapping[str, Any] | EncodedEvent]) -> None:
    """A mapping must carry a string ``type``; encoded events carry theirs."""
    for event in events:
        if type(event) is EncodedEvent:
            continue
        if not isinstance(event, Mapping) or not isinstance(event.get("type"), str):
            raise ValueError(f"an event must be a mapping with a string 'type': {event!r}")


def _encoded(events: Sequence[Mapping[str, Any] | EncodedEvent]) -> list[EncodedEvent]:
    """The (checked) events as ``match_writes`` takes them: encoded ones as they are."""
    encoded = []
    for event in events:
        if type(event) is not EncodedEvent:
            assert isinstance(event, Mapping)
            event = EncodedEvent(event["type"], msgspec.json.encode(event))
        encoded.append(event)
    return encoded


def _placeholders(paramstyle: str, count: int) -> str:
    """Positional parameter markers in the driver's own style."""
    if paramstyle == "qmark":
        return ", ".join("?" * count)
    if paramstyle == "numeric_dollar":
        return ", ".join(f"${i}" for i in range(1, count + 1))
    if paramstyle == "numeric":
        return ", ".join(f":{i}" for i in range(1, count + 1))
    return ", ".join(["%s"] * count)  # format, and pyformat's positional form


def _check_scores(scores: Sequence[float], players: int) -> list[float]:
    if len(scores) != players:
        raise ValueError(f"result has {len(scores)} scores for {players} players")
    if not all(isinstance(s, int | float) and not isinstance(s, bool) for s in scores):
        raise ValueError(f"result scores must be numbers: {scores!r}")
    return [float(s) for s in scores]


def _verdicts(stored: Any) -> tuple[Verdict, ...]:
    """A round's stored verdicts: a list, or from older rows one object or null."""
    if stored is None:
        return ()
    if isinstance(stored, Mapping):
        stored = [stored]
    return tuple(msgspec.convert(stored, list[Verdict]))


def _round_record(row: Round) -> RoundRecord:
    return RoundRecord(
        row.round,
        tuple(row.players),
        tuple(float(s) for s in row.scores),
        _verdicts(row.verdicts),
    )


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


class MatchStore:
    """Matches, their seats, rounds and event logs; each method is one transaction.

    It satisfies ``ringside.store.ports.ResultStore``, what a match runner needs.
    The rows it creates are owned by ``lease.node`` (a fresh node id by default).
    """

    def __init__(self, db: Database, lease: NodeLease | None = None) -> None:
        self._db = db
        self.lease = lease if lease is not None else NodeLease(db)
        self._epochs: dict[str, int] = {}
        """The epoch of each live row this store created or claimed: its writes must match.

        Forgotten once the match is finished or aborted here, so it holds no
        more than the matches being played. A fenced row's stays: it is refused again."""

    def epoch(self, match_id: str) -> int | None:
        """The epoch this store holds of the match: None once it ended here, or if never held."""
        return self._epochs.get(match_id)

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
        config: Mapping[str, Any] | None = None,
    ) -> None:
        """Store a new live match and one seat per bot (player index = list index).

        A match about to be played is created ``running`` (with ``started_at``):
        one transaction fewer than creating it pending and starting it after.
        """
        if not bots:
            raise ValueError("a match needs at least one bot")
        if status not in LIVE_STATUSES:
            raise ValueError(f"a match is created pending or running, not {status!r}")
        now = self._db.now()
        group = self._db.group
        if group is not None:
            row = {
                "id": match_id, "game": game, "status": status, "rounds": rounds,
                "options": dict(options), "time_control": dict(time_control), "created_at": now,
                "started_at": now if status == "running" else None,
                "tournament_id": tournament_id, "config": None if config is None else dict(config),
                "owner": self.lease.node, "lease_until": self.lease.until(),
            }  # fmt: skip
            names = list(bots)
            await group.run(lambda c: match_writes.create(c, row, names))
            self._epochs[match_id] = 0
            return
        try:
            async with self._db.transaction(write=True) as session:
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
                        config=None if config is None else dict(config),
                        owner=self.lease.node,
                        lease_until=self.lease.until(),
                    )
                )
                await session.flush()
                session.add_all(
                    MatchSeat(match_id=match_id, player=i, bot_name=name)
                    for i, name in enumerate(bots)
                )
            self._epochs[match_id] = 0  # a new row's epoch
        except IntegrityError as exc:
            async with self._db.transaction() as session:
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
            values["started_at"] = started_at or self._db.now()
        elif started_at is not None:
            values["started_at"] = started_at
        if status == "aborted":
            values["finished_at"] = self._db.now()
        async with self._db.transaction(write=True) as session:
            await _lock_live_match(session, match_id, self._epochs.get(match_id))
            await session.execute(update(Match).where(Match.id == match_id).values(values))
        if status == "aborted":
            self._epochs.pop(match_id, None)

    async def append_events(
        self, match_id: str, events: Sequence[Mapping[str, Any] | EncodedEvent]
    ) -> int:
        """Append events after the last stored one; returns the match's event count."""
        _check_events(events)
        group = self._db.group
        if group is not None:
            encoded = _encoded(events)
            epoch = self._epochs.get(match_id)
            return await group.run(lambda c: match_writes.append(c, match_id, epoch, encoded))
        async with self._db.transaction(write=True) as session:
            await _lock_live_match(session, match_id, self._epochs.get(match_id))
            return await _append(session, match_id, events)

    async def finish_match(
        self,
        outcome: MatchOutcome,
        events: Sequence[Mapping[str, Any] | EncodedEvent] = (),
        *,
        rate: bool = False,
    ) -> None:
        """Write the end of a match in one transaction: all of it or, on any error, none.

        Appends the last ``events``, stores the outcome's rounds, the seats'
        scores, the winner, the verdict code and the result document, and
        closes the match as ``finished`` or ``aborted``. With ``rate``, a
        finished match with scores also updates its players' ratings in the
        same transaction (see ``ringside.store.ratings``).

        Finishing a match already closed with the same status does nothing
        (its events, scores and ratings stay as first written): a result kept
        in the journal is replayed after a commit whose answer was lost, or
        after a crash, without counting twice. Any other closed status is
        ``MatchClosed``. A match whose epoch this store holds and that changed
        hands since is ``MatchFenced``, whatever its status: checked first.
        """
        if outcome.status not in ("finished", "aborted"):
            raise ValueError(f"a match ends finished or aborted, not {outcome.status!r}")
        _check_events(events)
        group = self._db.group
        if group is not None:
            # With the others of its group: one commit (and one fsync) for many results.
            encoded = _encoded(events)
            epoch, now = self._epochs.get(outcome.match_id), self._db.now()
            await group.run(
                lambda c: match_writes.finish(c, outcome, epoch, encoded, rate, now), durable=True
            )
            self._epochs.pop(outcome.match_id, None)
            return
        async with self._db.transaction(write=True, durable=True) as session:
            await self._write_end(session, outcome, events, rate)
        self._epochs.pop(outcome.match_id, None)

    async def _write_end(
        self,
        session: AsyncSession,
        outcome: MatchOutcome,
        events: Sequence[Mapping[str, Any] | EncodedEvent],
        rate: bool,
    ) -> None:
        """``finish_match``'s transaction."""
        match_id = outcome.match_id
        status = await _lock_match(session, match_id, self._epochs.get(match_id))
        if status == outcome.status:
            return
        if status not in LIVE_STATUSES:
            raise MatchClosed(match_id, status)
        await _append(session, match_id, events)
        if outcome.rounds:
            await session.execute(
                insert(Round),
                [
                    {
                        "match_id": match_id,
                        "players": list(r.players),
                        "round": r.round,
                        "scores": list(r.scores),
                        "verdicts": [msgspec.to_builtins(v) for v in r.verdicts],
                    }
                    for r in outcome.rounds
                ],
            )
        values: dict[str, Any] = {
            "status": outcome.status,
            "finished_at": self._db.now(),
            "winner": outcome.winner,
            "verdict": None if outcome.verdict is None else outcome.verdict.code,
        }
        if outcome.scores is not None:
            match = await session.get(Match, match_id)
            assert match is not None  # locked above
            bots = await _seat_names(session, match_id)
            scores = await _set_scores(session, match_id, outcome.scores, len(bots))
            values["result"] = msgspec.to_builtins(_result_document(outcome, match.game, bots))
            if rate and outcome.status == "finished":
                values["finished_at"] = await ratings.rate_match(
                    session, match.game, bots, scores, values["finished_at"], match_id
                )
        await session.execute(update(Match).where(Match.id == match_id).values(values))

    async def abort_interrupted(self, reason: str = INTERRUPTED) -> list[str]:
        """Abort every pending or running match, whoever owns it (a database no server uses).

        A server uses ``abort_lapsed`` and ``claim_interrupted`` instead: this
        would end the live matches of every other server on the database.
        """
        async with self._db.transaction(write=True) as session:
            rows = await _lock_live(session, Match.status.in_(LIVE_STATUSES))
            for row in rows:
                await _abort_row(session, row, reason, self._db.now())
        return self._forget([row.id for row in rows])

    async def abort_lapsed(self) -> list[str]:
        """Abort the live matches of other nodes whose lease has lapsed; their ids.

        Their owner stopped renewing (killed, paused, cut off from the
        database), so no one is playing them any more: each is closed as
        ``aborted`` with the reason recorded (``node_lost_reason``). Rows of
        this node are never taken here, even lapsed: this node is alive, so
        they are still being played (see ``claim_interrupted`` for a restart).
        The lapsed owners' database sessions are ended first
        (``NodeLease.end_lapsed_sessions``): a paused one may hold the rows' locks.
        """
        lease = self.lease
        lapsed = (
            Match.status.in_(LIVE_STATUSES),
            or_(Match.owner.is_(None), Match.owner != lease.node),
            lease.lapsed(Match),
        )
        # Nearly always there is none: look first without taking the write lock (SQLite's
        # is the whole database's, and every match's save would wait behind it).
        async with self._db.transaction() as session:
            if await session.scalar(select(Match.id).where(*lapsed).limit(1)) is None:
                return []
        await lease.end_lapsed_sessions()
        async with self._db.transaction(write=True) as session:
            if self._db.dialect == "postgresql":
                # Whatever else holds a row, the sweep gives up and comes back next period:
                # the keeper's renewals must not wait behind it.
                await session.execute(text(f"SET LOCAL lock_timeout = {SWEEP_LOCK_TIMEOUT_MS}"))
            rows = await _lock_live(session, *lapsed)
            for row in rows:
                await _abort_row(session, row, node_lost_reason(row.owner), self._db.now())
        return self._forget([row.id for row in rows])

    async def claim_interrupted(self) -> list[MatchRecord]:
        """The live matches this very node left behind, with their events, leased again.

        Call it at start-up, before this process starts any match: the rows
        owned by this node id then belong to a previous run of it (a restart,
        a crash) and nobody else will end them while their lease is renewed.
        The caller resumes them from their events or ends them with ``abort``.
        Each claimed row's epoch goes up by one and this store holds the new
        one: a store of the previous run still writing is refused (``MatchFenced``).
        """
        lease = self.lease
        async with self._db.transaction(write=True) as session:
            rows = await _lock_live(
                session, Match.status.in_(LIVE_STATUSES), Match.owner == lease.node
            )
            if not rows:
                return []
            claimed = {row.id: row.epoch + 1 for row in rows}  # locked: nobody else moves it
            await session.execute(
                update(Match)
                .where(Match.id.in_(list(claimed)))
                .values(lease_until=lease.until(), epoch=Match.epoch + 1)
            )
            records = [await _load_record(session, row) for row in rows]
        self._epochs.update(claimed)
        return records

    async def abort(self, match_ids: Sequence[str], reason: str) -> list[str]:
        """Abort these live matches of this node, recording ``reason``; the ids aborted.

        Rows already final, or owned by another node, are left as they are: a
        node only ends what it owns (another ends a lapsed row by ``abort_lapsed``).
        """
        if not match_ids:
            return []
        async with self._db.transaction(write=True) as session:
            rows = await _lock_live(
                session,
                Match.id.in_(list(match_ids)),
                Match.status.in_(LIVE_STATUSES),
                Match.owner == self.lease.node,
            )
            for row in rows:
                await _abort_row(session, row, reason, self._db.now())
        return self._forget([row.id for row in rows])

    def _forget(self, match_ids: list[str]) -> list[str]:
        """Drop the epochs held of matches ended here; ``match_ids`` back."""
        for match_id in match_ids:
            self._epochs.pop(match_id, None)
        return match_ids

    async def get_match(self, match_id: str) -> MatchRecord | None:
        """The whole match with seats, rounds played and its ordered event log."""
        async with self._db.transaction() as session:
            match = await session.get(Match, match_id)
            if match is None:
                return None
            return await _load_record(session, match)

    async def unended_or_finished_in_tournament(
        self, tournament_id: str
    ) -> dict[str, tuple[str, dict[str, Any] | None]]:
        """The pending, running and finished matches of a tournament: status and
        configuration. A node that takes the tournament over adopts those its games do not
        know of (the owner was lost between starting a game's match and writing the game
        down): it waits for a live one and counts a finished one."""
        async with self._db.transaction() as session:
            rows = await session.execute(
                select(Match.id, Match.status, Match.config).where(
                    Match.tournament_id == tournament_id,
                    Match.status.in_(("pending", "running", "finished")),
                )
            )
            return {match_id: (status, config) for match_id, status, config in rows}

    async def list_matches(
        self,
        bot: str | None = None,
        game: str | None = None,
        status: MatchStatus | None = None,
        limit: int = 50,
        *,
        before: str | None = None,
        after: str | None = None,
        count_up_to: int = TOTAL_COUNTED_UP_TO,
    ) -> MatchListing:
        """A page of matches, newest first, by keyset: no row before the page is read.

        ``before`` (a page's ``next``) gives the older matches after that row;
        ``after`` (a page's ``previous``) the newer ones before it. The total
        is counted only up to ``count_up_to`` rows (None above), so a call
        costs the same at 700 rows or 30,000. Raises ``InvalidCursor``.
        """
        if limit < 0 or count_up_to < 0:
            raise ValueError("limit and count_up_to cannot be negative")
        if before is not None and after is not None:
            raise InvalidCursor("give before or after, not both")
        conditions = _filters(bot, game, status, indexed=True)
        # Counting stops at the cap: a bounded scan of the filters' index, never the table.
        capped = select(Match.id).where(*conditions).limit(count_up_to + 1).subquery()
        cursor = before if before is not None else after
        newer = after is not None
        async with self._db.transaction() as session:
            counted = await session.scalar(select(func.count()).select_from(capped)) or 0
            many = counted > count_up_to
            if many and self._db.dialect == "sqlite":
                # SQLite has no statistics: it would fetch every row the filters' index
                # gives and sort them all. So many fit that walking the newest-first index
                # and filtering finds a page sooner: keep the filters off their indexes.
                conditions = _filters(bot, game, status, indexed=False)
            items, more = await self._page(session, conditions, cursor, newer, limit)
        # Older rows exist past the page when the query found one more, or when we came
        # from an older page; newer ones likewise.
        older = more if not newer else cursor is not None
        newer_exist = (more if newer else cursor is not None) and bool(items)
        return MatchListing(
            items=[MatchSummary(**_summary_fields(m, seats)) for m, seats in items],
            next=encode_cursor(items[-1][0]) if older and items else None,
            previous=encode_cursor(items[0][0]) if newer_exist else None,
            total=None if many else counted,
        )

    async def _page(
        self,
        session: AsyncSession,
        conditions: list[ColumnElement[bool]],
        cursor: str | None,
        newer: bool,
        limit: int,
    ) -> tuple[list[tuple[Match, list[MatchSeat]]], bool]:
        """The page's rows with their seats, newest first, and whether more follow."""
        page = select(Match).where(*conditions)
        if cursor is not None:
            at, match_id = decode_cursor(cursor)
            if newer:
                page = page.where(
                    or_(Match.created_at > at, and_(Match.created_at == at, Match.id > match_id))
                )
            else:
                page = page.where(
                    or_(Match.created_at < at, and_(Match.created_at == at, Match.id < match_id))
                )
        order = (Match.created_at.asc(), Match.id.asc()) if newer else _NEWEST_FIRST
        page = page.order_by(*order).limit(limit + 1)  # one more says if a page follows
        matches = list((await session.scalars(page)).all())
        more = len(matches) > limit
        matches = matches[:limit]
        if newer:
            matches.reverse()
        seats: dict[str, list[MatchSeat]] = {m.id: [] for m in matches}
        if matches:
            rows = await session.scalars(
                select(MatchSeat)
                .where(MatchSeat.match_id.in_(list(seats)))
                .order_by(MatchSeat.match_id, MatchSeat.player)
            )
            for seat in rows:
                seats[seat.match_id].append(seat)
        return [(m, seats[m.id]) for m in matches], more


def _filters(
    bot: str | None, game: str | None, status: MatchStatus | None, *, indexed: bool
) -> list[ColumnElement[bool]]:
    """The listing's filters; not ``indexed``: written so that SQLite uses no index for them
    (``column || ''``), only the newest-first one."""

    def column(c: Any) -> Any:
        return c if indexed else c.concat("")

    conditions: list[ColumnElement[bool]] = []
    if bot is not None:
        played = select(MatchSeat.match_id).where(MatchSeat.bot_name == bot)
        conditions.append(column(Match.id).in_(played))
    if game is not None:
        conditions.append(column(Match.game) == game)
    if status is not None:
        conditions.append(column(Match.status) == status)
    return conditions


class InvalidCursor(StoreError, ValueError):
    """A listing cursor that this store did not hand out."""


@dataclass(frozen=True, slots=True)
class MatchListing:
    """A page of ``list_matches``: the items and the cursors on either side."""

    items: list[MatchSummary]
    next: str | None
    """Pass as ``before`` for the older matches; None on the last page."""
    previous: str | None
    """Pass as ``after`` for the newer matches; None on the first page."""
    total: int | None
    """How many matches fit the filters, or None when more than ``count_up_to``."""


def encode_cursor(match: Match) -> str:
    """An opaque cursor of a row's place in the listing: (created_at, id), URL-safe."""
    raw = json_text([match.created_at.isoformat(), match.id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, match_id = msgspec.json.decode(raw, type=tuple[datetime, str])
    except (ValueError, msgspec.DecodeError):
        raise InvalidCursor(f"not a cursor of this listing: {cursor[:40]!r}") from None
    if at.tzinfo is None:
        raise InvalidCursor(f"not a cursor of this listing: {cursor[:40]!r}")
    return at, match_id


def _result_document(outcome: MatchOutcome, game: str, bots: list[str]) -> MatchResult:
    """The protocol's ``MatchResult`` of the outcome: the stored result document."""
    assert outcome.scores is not None
    return MatchResult(
        match=outcome.match_id,
        game=game,
        status=outcome.status,
        bots=bots,
        rounds=list(outcome.rounds),
        scores=list(outcome.scores),
        winner=outcome.winner,
        verdict=outcome.verdict,
        reason=outcome.reason,
    )


SEALED = "sealed_move"
"""The stored type of a hidden move's real action (``protocol.messages.SealedMove``)."""


async def _load_record(session: AsyncSession, match: Match) -> MatchRecord:
    seats = (
        await session.scalars(
            select(MatchSeat).where(MatchSeat.match_id == match.id).order_by(MatchSeat.player)
        )
    ).all()
    rounds = await session.scalars(
        select(Round).where(Round.match_id == match.id).order_by(Round.round)
    )
    round_results = tuple(_round_record(r) for r in rounds)
    rows = await session.execute(
        select(Event.type, Event.data).where(Event.match_id == match.id).order_by(Event.seq)
    )
    events: list[dict[str, Any]] = []
    sealed: list[dict[str, Any]] = []
    for kind, data in expand(rows):
        (sealed if kind == SEALED else events).append(data)
    return MatchRecord(
        **_summary_fields(match, seats),
        result=match.result,
        round_results=round_results,
        events=tuple(events),
        config=match.config,
        sealed=tuple(sealed),
    )


async def _lock_live(session: AsyncSession, *conditions: ColumnElement[bool]) -> list[Match]:
    """The match rows that meet ``conditions``, locked (PostgreSQL), in id order.

    PostgreSQL checks the conditions again on the row it locked, so a row that
    another node closed or renewed meanwhile is skipped, not overwritten.
    """
    return list(
        (
            await session.scalars(
                select(Match).where(*conditions).order_by(Match.id).with_for_update()
            )
        ).all()
    )


async def _abort_row(session: AsyncSession, match: Match, reason: str, now: datetime) -> None:
    """Close a live match as ``aborted`` the way the referee would: log, rounds, scores, reason.

    The rounds are those whose ``round_result`` event was stored; the
    scores are their totals, as in an abort announced by a running match.
    The row's epoch goes up by one: whoever held it (a paused owner) is fenced off.
    """
    bots = await _seat_names(session, match.id)
    logged = await session.scalars(
        select(Event.data)
        .where(Event.match_id == match.id, Event.type == "round_result")
        .order_by(Event.seq)
    )
    rounds = [msgspec.convert(data, RoundResult) for data in logged]
    played = {r.round: RoundScore(r.round, r.players, r.scores, r.verdicts) for r in rounds}
    totals = [0.0] * len(bots)
    for played_round in played.values():
        for seat, score in enumerate(played_round.scores):
            if 0 <= played_round.players[seat] < len(totals):
                totals[played_round.players[seat]] += score
    result = MatchResult(
        match.id, match.game, "aborted", bots, list(played.values()), totals, None, None, reason
    )
    await _append(session, match.id, [EncodedEvent("match_result", encode(result))])
    if played:
        await session.execute(
            insert(Round),
            [
                {
                    "match_id": match.id,
                    "players": list(r.players),
                    "round": r.round,
                    "scores": list(r.scores),
                    "verdicts": [msgspec.to_builtins(v) for v in r.verdicts],
                }
                for r in played.values()
            ],
        )
    await _set_scores(session, match.id, totals, len(bots))
    await session.execute(
        update(Match)
        .where(Match.id == match.id)
        .values(
            status="aborted",
            finished_at=now,
            winner=None,
            verdict=None,
            result=msgspec.to_builtins(result),
            epoch=Match.epoch + 1,
        )
    )


async def _lock_match(session: AsyncSession, match_id: str, epoch: int | None) -> MatchStatus:
    """Lock the match row (PostgreSQL) and return its status; ``MatchNotFound`` if none.

    With the ``epoch`` the writer holds, a row whose epoch differs (it changed
    hands) is ``MatchFenced``, whatever its status; None checks nothing.
    """
    row = (
        await session.execute(
            select(Match.status, Match.epoch).where(Match.id == match_id).with_for_update()
        )
    ).first()
    if row is None:
        raise MatchNotFound(match_id)
    status: MatchStatus = row[0]  # type: ignore[assignment]  # the CHECK constraint's values
    if epoch is not None and row[1] != epoch:
        raise MatchFenced(match_id, status)
    return status


async def _lock_live_match(session: AsyncSession, match_id: str, epoch: int | None) -> None:
    """Lock the match row (PostgreSQL) and refuse a match whose record is final or fenced."""
    status = await _lock_match(session, match_id, epoch)
    if status not in LIVE_STATUSES:
        raise MatchClosed(match_id, status)


async def _append(
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
            list(event_rows(match_id, start, events)),
        )
    return start + len(events)


async def _seat_names(session: AsyncSession, match_id: str) -> list[str]:
    """The match's bot names by player index."""
    return list(
        await session.scalars(
            select(MatchSeat.bot_name)
            .where(MatchSeat.match_id == match_id)
            .order_by(MatchSeat.player)
        )
    )


async def _set_scores(
    session: AsyncSession, match_id: str, scores: Sequence[float], players: int
) -> list[float]:
    checked = _check_scores(scores, players)
    await session.execute(
        update(MatchSeat),
        [
            {"match_id": match_id, "player": player, "score": score}
            for player, score in enumerate(checked)
        ],
    )
    return checked
