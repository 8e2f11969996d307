"""``Store``: one object holding the separate stores over one shared ``Database``.

The stores are reached as ``store.matches``, ``store.bots``, ``store.ratings``,
``store.tournaments`` and ``store.profiles`` (bot pages, read-only); each knows only the ``Database`` (engine,
transactions, clock), never another store. The methods below keep the names
callers used before the split and delegate to those stores.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncEngine

from ringside.store.bots import BotStore
from ringside.store.engine import Database, open_database, utcnow
from ringside.store.leases import DEFAULT_TERMS, LeaseTerms, NodeLease, check_node_id, new_node_id
from ringside.store.matches import MatchStore
from ringside.store.profiles import ProfileStore
from ringside.store.ratings import RatingStore
from ringside.store.tournaments import TournamentStore


class Store:
    """Bots, matches with their rounds and event logs, ratings and tournaments.

    Live rows it creates are owned by ``node`` (a fresh id by default) under ``lease``.
    """

    def __init__(
        self, db: Database, *, node: str | None = None, terms: LeaseTerms = DEFAULT_TERMS
    ) -> None:
        self.db = db
        self.lease = NodeLease(db, node, terms)
        self.matches = MatchStore(db, self.lease)
        self.bots = BotStore(db)
        self.ratings = RatingStore(db)
        self.tournaments = TournamentStore(db, self.lease)
        self.profiles = ProfileStore(db)
        # The names callers used before the split (the runner, the HTTP API, the CLI).
        self.add_bot = self.bots.add_bot
        self.verify_bot = self.bots.verify_bot
        self.get_bot = self.bots.get_bot
        self.list_bots = self.bots.list_bots
        self.remove_bot = self.bots.remove_bot
        self.create_match = self.matches.create_match
        self.set_match_status = self.matches.set_match_status
        self.append_events = self.matches.append_events
        self.finish_match = self.matches.finish_match
        self.abort_interrupted = self.matches.abort_interrupted
        self.get_match = self.matches.get_match
        self.list_matches = self.matches.list_matches
        self.leaderboard = self.ratings.leaderboard
        self.rated_games = self.ratings.rated_games
        self.rebuild_ratings = self.ratings.rebuild_ratings

    @property
    def engine(self) -> AsyncEngine:
        return self.db.engine

    async def checkpoint(self) -> tuple[int, int] | None:
        """See ``Database.checkpoint``."""
        return await self.db.checkpoint()

    async def close(self) -> None:
        """Close the shared database; the store is unusable afterwards."""
        await self.db.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


async def open_store(
    url: str,
    *,
    now: Callable[[], datetime] = utcnow,
    node: str | None = None,
    terms: LeaseTerms = DEFAULT_TERMS,
) -> Store:
    """Connect to ``url``, migrate it to the latest schema and return the store.

    The caller owns the store: ``await store.close()`` (or ``async with``) when done.
    ``node`` owns the live rows it creates (a fresh node id by default).
    """
    node = check_node_id(node) if node is not None else new_node_id()
    database = await open_database(url, now=now, application_name=node)
    return Store(database, node=node, terms=terms)
