"""Tournaments in the store: the request, the schedule and each game's outcome.

A tournament's whole state is its request (``config``), its games and its
SPRT decision (``result``), so the server writes each game as it changes and
a restarted server rebuilds the tournament from these rows alone. A game
points at the match of its last attempt: after a crash, that match's stored
status says whether the game was played (finished: count it) or not (aborted:
play it again); a match is never counted through two games.

A running tournament is owned by one node under a lease, like a live match
(``ringside.store.leases``): only its owner writes it (any other write raises
``TournamentLost``), and a node takes over a tournament only when it is its own
or its owner's lease has lapsed (``claim``), so two servers never both run one.

Writes of many games never put them all in one statement: one ``INSERT …
VALUES`` of every game of a big tournament would pass the database's limit of
bound parameters (SQLite allows 999 in its smallest default build, 9 a game).
Each game is one execution of a one-row statement (``executemany``), in
chunks of ``CHUNK`` games that share a transaction; each chunk is its own
``await``, so other requests run between them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ringside.store.engine import Database
from ringside.store.leases import NodeLease
from ringside.store.models import (
    FAILURE_LENGTH,
    TOURNAMENT_STATUSES,
    Tournament,
    TournamentGame,
    TournamentStatus,
)
from ringside.store.records import (
    StoreError,
    TournamentGameRecord,
    TournamentNotFound,
    TournamentRecord,
)


class TournamentLost(StoreError):
    """The tournament is run by another node now (this one's lease lapsed and it was claimed)."""

    def __init__(self, tournament_id: str, owner: str | None) -> None:
        super().__init__(f"tournament {tournament_id!r} is now run by node {owner!r}")
        self.tournament_id = tournament_id
        self.owner = owner


CHUNK = 1000
"""Games written by one call to the database: big writes go in chunks, with the loop
free between them."""
CANCEL_RANGES = 400
"""Ranges of game numbers in one ``UPDATE`` (2 parameters each): under 999, SQLite's
smallest default limit of bound parameters, with room for the others."""


def _runs(nos: Sequence[int]) -> list[tuple[int, int]]:
    """``nos`` as ranges of consecutive numbers: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for no in sorted(set(nos)):
        if runs and runs[-1][1] == no - 1:
            runs[-1] = (runs[-1][0], no)
        else:
            runs.append((no, no))
    return runs


def _game_values(game: Mapping[str, Any]) -> dict[str, Any]:
    points = game.get("points")
    return {
        "round": int(game["round"]),
        "bots": list(game["bots"]),
        "status": str(game["status"]),
        "points": None if points is None else [float(p) for p in points],
        "match_id": game.get("match_id"),
        "attempts": int(game.get("attempts", 0)),
        "note": None if game.get("note") is None else str(game["note"])[:255],
    }


def _record(t: Tournament, games: Sequence[TournamentGameRecord]) -> TournamentRecord:
    return TournamentRecord(
        id=t.id,
        name=t.name,
        game=t.game,
        format=t.format,
        status="failed" if t.status == "cancelled" and t.failure is not None else t.status,
        config=t.config,
        result=t.result,
        created_at=t.created_at,
        finished_at=t.finished_at,
        games=tuple(games),
        failure=t.failure,
    )


_GAME_COLUMNS = (
    TournamentGame.tournament_id,
    TournamentGame.no,
    TournamentGame.round,
    TournamentGame.bots,
    TournamentGame.status,
    TournamentGame.points,
    TournamentGame.match_id,
    TournamentGame.attempts,
    TournamentGame.note,
)


async def _games_of(
    session: AsyncSession, ids: Sequence[str]
) -> dict[str, list[TournamentGameRecord]]:
    """The games of these tournaments, by ``no``: plain rows, not ORM objects (a
    tournament may have 100,000 games, and loading each as an object costs)."""
    games: dict[str, list[TournamentGameRecord]] = {tid: [] for tid in ids}
    if not ids:
        return games
    rows = await session.execute(
        select(*_GAME_COLUMNS)
        .where(TournamentGame.tournament_id.in_(list(ids)))
        .order_by(TournamentGame.tournament_id, TournamentGame.no)
    )
    for tid, no, round_, bots, status, points, match_id, attempts, note in rows:
        games[tid].append(
            TournamentGameRecord(
                no,
                round_,
                tuple(bots),
                status,
                None if points is None else tuple(points),
                match_id,
                attempts,
                note,
            )
        )
    return games


def _status_is(status: TournamentStatus) -> list[ColumnElement[bool]]:
    """Where a tournament reads as ``status`` (``failed``: cancelled with a failure)."""
    if status == "failed":
        return [Tournament.status == "cancelled", Tournament.failure.is_not(None)]
    if status == "cancelled":
        return [Tournament.status == "cancelled", Tournament.failure.is_(None)]
    return [Tournament.status == status]


class TournamentStore:
    """Tournaments and their games (also reached as ``store.tournaments``); one transaction each."""

    def __init__(self, db: Database, lease: NodeLease | None = None) -> None:
        self._db = db
        self.lease = lease if lease is not None else NodeLease(db)

    async def create(
        self,
        tournament_id: str,
        *,
        name: str | None,
        game: str,
        format: str,
        config: Mapping[str, Any],
        games: Sequence[Mapping[str, Any]],
    ) -> None:
        """Store a new running tournament and its first games (dicts with no, round, bots...)."""
        async with self._db.transaction(write=True) as session:
            session.add(
                Tournament(
                    id=tournament_id,
                    name=name,
                    game=game,
                    format=format,
                    status="running",
                    config=dict(config),
                    created_at=self._db.now(),
                    owner=self.lease.node,
                    lease_until=self.lease.until(),
                )
            )
            await session.flush()
            await self._write_games(session, tournament_id, games)

    async def save_games(self, tournament_id: str, games: Sequence[Mapping[str, Any]]) -> None:
        """Insert or overwrite these games (by ``no``) with their current state."""
        if not games:
            return
        async with self._db.transaction(write=True) as session:
            await self._require(session, tournament_id)
            await self._write_games(session, tournament_id, games)

    @staticmethod
    async def _write_games(
        session: AsyncSession, tournament_id: str, games: Sequence[Mapping[str, Any]]
    ) -> None:
        """Upsert ``games`` in chunks, yielding to the loop between two chunks.

        Each chunk is one statement of one row bound once per game (the driver's
        ``executemany``): no statement ever carries more than a row's parameters,
        whatever the database's limit, and one compiled statement serves every row.
        """
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(TournamentGame)
        statement = statement.on_conflict_do_update(
            index_elements=["tournament_id", "no"],
            set_={
                key: statement.excluded[key]
                for key in ("round", "bots", "status", "points", "match_id", "attempts", "note")
            },
        )
        for start in range(0, len(games), CHUNK):
            rows = [
                {"tournament_id": tournament_id, "no": int(g["no"]), **_game_values(g)}
                for g in games[start : start + CHUNK]
            ]
            await session.execute(statement, rows)
            await asyncio.sleep(0)  # let the loop serve others between two chunks

    async def cancel_games(self, tournament_id: str, nos: Sequence[int], note: str) -> None:
        """Mark these games ``cancelled`` with ``note``, their other fields kept.

        A cancel or an SPRT decision drops thousands of games at once, mostly
        consecutive: they are written as ranges of numbers (``no BETWEEN a AND b``),
        ``CANCEL_RANGES`` ranges an ``UPDATE``, not one row or one ``IN`` item each
        (a long ``IN`` list is compared row by row when the planner scans)."""
        runs = _runs(nos)
        if not runs:
            return
        async with self._db.transaction(write=True) as session:
            await self._require(session, tournament_id)
            for start in range(0, len(runs), CANCEL_RANGES):
                chunk = runs[start : start + CANCEL_RANGES]
                await session.execute(
                    update(TournamentGame)
                    .where(
                        TournamentGame.tournament_id == tournament_id,
                        or_(*(TournamentGame.no.between(lo, hi) for lo, hi in chunk)),
                    )
                    .values(status="cancelled", note=note[:255])
                    .execution_options(synchronize_session=False)
                )
                await asyncio.sleep(0)

    async def set_result(self, tournament_id: str, result: Mapping[str, Any] | None) -> None:
        async with self._db.transaction(write=True) as session:
            await self._require(session, tournament_id)
            await session.execute(
                update(Tournament)
                .where(Tournament.id == tournament_id)
                .values(result=None if result is None else dict(result))
            )

    async def finish(
        self, tournament_id: str, status: TournamentStatus, failure: str | None = None
    ) -> None:
        """Close a tournament as ``finished``, ``cancelled`` or ``failed`` (with ``failure``)."""
        if status not in TOURNAMENT_STATUSES or status == "running":
            raise ValueError(f"a tournament ends finished, cancelled or failed, not {status!r}")
        async with self._db.transaction(write=True) as session:
            await self._require(session, tournament_id)
            await session.execute(
                update(Tournament)
                .where(Tournament.id == tournament_id)
                .values(
                    status="cancelled" if status == "failed" else status,
                    finished_at=self._db.now(),
                    failure=None if status != "failed" else (failure or "failed")[:FAILURE_LENGTH],
                )
            )

    async def claim(self, running: Collection[str] = ()) -> list[TournamentRecord]:
        """Take over the running tournaments that are this node's or whose owner's lease lapsed.

        Oldest first, each with its games, now owned by this node under a fresh
        lease. A tournament whose owner still renews its lease is left alone.
        Those in ``running`` (run here already) only have their lease renewed:
        they are not returned, so their games (up to the cap, say 100,000) are
        not read again at every renewal.
        """
        lease = self.lease
        candidates = (
            Tournament.status == "running",
            or_(Tournament.owner == lease.node, lease.lapsed(Tournament)),
        )
        # Mostly there is none: look first without taking the write lock (SQLite's is the
        # whole database's; every match's save would wait behind it at each renewal).
        async with self._db.transaction() as session:
            if await session.scalar(select(Tournament.id).where(*candidates).limit(1)) is None:
                return []
        async with self._db.transaction(write=True) as session:
            claimed = (
                await session.scalars(
                    select(Tournament)
                    .where(*candidates)
                    .order_by(Tournament.created_at, Tournament.id)
                    .with_for_update()
                )
            ).all()
            if not claimed:
                return []
            ids = [t.id for t in claimed]
            await session.execute(
                update(Tournament)
                .where(Tournament.id.in_(ids))
                .values(owner=lease.node, lease_until=lease.until())
            )
            taken = [t for t in claimed if t.id not in running]
            games = await _games_of(session, [t.id for t in taken])
            return [_record(t, games[t.id]) for t in taken]

    async def get(self, tournament_id: str, games: bool = True) -> TournamentRecord | None:
        """The tournament with its games; without them (``games=False``) when only its
        status is wanted, which costs nothing however big the tournament is."""
        async with self._db.transaction() as session:
            tournament = await session.get(Tournament, tournament_id)
            if tournament is None:
                return None
            rows = await _games_of(session, [tournament_id] if games else [])
            return _record(tournament, rows.get(tournament_id, []))

    async def page(
        self,
        status: TournamentStatus | None = None,
        limit: int = 50,
        offset: int = 0,
        games: bool = True,
    ) -> tuple[list[TournamentRecord], int]:
        """A page of tournaments, newest first, with their games (or none, ``games=False``),
        and the total count."""
        conditions = [] if status is None else _status_is(status)
        async with self._db.transaction() as session:
            total = await session.scalar(
                select(func.count()).select_from(Tournament).where(*conditions)
            )
            page = (
                await session.scalars(
                    select(Tournament)
                    .where(*conditions)
                    .order_by(Tournament.created_at.desc(), Tournament.id.desc())
                    .limit(limit)
                    .offset(offset)
                )
            ).all()
            rows = await _games_of(session, [t.id for t in page] if games else [])
            return [_record(t, rows.get(t.id, [])) for t in page], total or 0

    async def _require(self, session: AsyncSession, tournament_id: str) -> None:
        """Lock the tournament row; refuse a missing one, or one another node owns now."""
        found = (
            await session.execute(
                select(Tournament.id, Tournament.owner)
                .where(Tournament.id == tournament_id)
                .with_for_update()
            )
        ).first()
        if found is None:
            raise TournamentNotFound(tournament_id)
        if found.owner != self.lease.node:
            raise TournamentLost(tournament_id, found.owner)
