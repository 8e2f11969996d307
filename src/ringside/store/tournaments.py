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

Writes of many games are chunked under the database's limit of bound
parameters (``rows_per_statement``): one ``INSERT … VALUES`` of every game of
a big tournament would be refused (SQLite allows 999 variables in its
smallest default build). The chunks of one write share a transaction, and
each is its own ``await``, so other requests run between them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, or_, select, update
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


PARAMETER_LIMITS = {"sqlite": 999, "postgresql": 32_767}
"""Bound parameters one statement may carry: SQLite's smallest default build allows 999
(many builds 32,766), asyncpg 32,767; any other database is taken to allow 999."""
_GAME_COLUMNS = 9
"""Parameters a game row binds (``tournament_id``, ``no`` and ``_game_values``)."""


def rows_per_statement(dialect: str, columns: int = _GAME_COLUMNS) -> int:
    """How many rows of ``columns`` parameters one statement may write on ``dialect``."""
    return max(1, PARAMETER_LIMITS.get(dialect, 999) // columns)


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


def _record(t: Tournament, games: Sequence[TournamentGame]) -> TournamentRecord:
    return TournamentRecord(
        id=t.id,
        name=t.name,
        game=t.game,
        format=t.format,
        status=t.status,
        config=t.config,
        result=t.result,
        created_at=t.created_at,
        failure=t.failure,
        finished_at=t.finished_at,
        games=tuple(
            TournamentGameRecord(
                g.no,
                g.round,
                tuple(g.bots),
                g.status,
                None if g.points is None else tuple(g.points),
                g.match_id,
                g.attempts,
                g.note,
            )
            for g in games
        ),
    )


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
        """Upsert ``games`` in chunks under the parameter limit, yielding between chunks."""
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        size = rows_per_statement(dialect)
        for start in range(0, len(games), size):
            rows = [
                {"tournament_id": tournament_id, "no": int(g["no"]), **_game_values(g)}
                for g in games[start : start + size]
            ]
            statement = insert(TournamentGame).values(rows)
            changed = {
                key: statement.excluded[key]
                for key in ("round", "bots", "status", "points", "match_id", "attempts", "note")
            }
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=["tournament_id", "no"], set_=changed
                )
            )
            await asyncio.sleep(0)  # let the loop serve others between two chunks

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
                    status=status,
                    finished_at=self._db.now(),
                    failure=None if failure is None else failure[:FAILURE_LENGTH],
                )
            )

    async def claim(self) -> list[TournamentRecord]:
        """Take over the running tournaments that are this node's or whose owner's lease lapsed.

        Oldest first, each with its games, now owned by this node under a fresh
        lease. A tournament whose owner still renews its lease is left alone.
        """
        lease = self.lease
        async with self._db.transaction(write=True) as session:
            claimed = (
                await session.scalars(
                    select(Tournament)
                    .where(
                        Tournament.status == "running",
                        or_(Tournament.owner == lease.node, lease.lapsed(Tournament)),
                    )
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
            games: dict[str, list[TournamentGame]] = {tid: [] for tid in ids}
            rows = await session.scalars(
                select(TournamentGame)
                .where(TournamentGame.tournament_id.in_(ids))
                .order_by(TournamentGame.tournament_id, TournamentGame.no)
            )
            for row in rows:
                games[row.tournament_id].append(row)
            return [_record(t, games[t.id]) for t in claimed]

    async def get(self, tournament_id: str) -> TournamentRecord | None:
        async with self._db.transaction() as session:
            tournament = await session.get(Tournament, tournament_id)
            if tournament is None:
                return None
            games = (
                await session.scalars(
                    select(TournamentGame)
                    .where(TournamentGame.tournament_id == tournament_id)
                    .order_by(TournamentGame.no)
                )
            ).all()
            return _record(tournament, games)

    async def page(
        self, status: TournamentStatus | None = None, limit: int = 50, offset: int = 0
    ) -> tuple[list[TournamentRecord], int]:
        """A page of tournaments, newest first, with their games, and the total count."""
        conditions = [] if status is None else [Tournament.status == status]
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
            games: dict[str, list[TournamentGame]] = {t.id: [] for t in page}
            if page:
                rows = await session.scalars(
                    select(TournamentGame)
                    .where(TournamentGame.tournament_id.in_(list(games)))
                    .order_by(TournamentGame.tournament_id, TournamentGame.no)
                )
                for row in rows:
                    games[row.tournament_id].append(row)
            return [_record(t, games[t.id]) for t in page], total or 0

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
