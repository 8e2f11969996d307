"""Owned rows: which server node runs a live match or tournament, and until when.

Every live match row and running tournament row carries its ``owner`` (a node
id) and ``lease_until``. The owner renews its leases while it lives, with one
UPDATE per table per period for all its rows (``NodeLease.renew``); a row
whose lease has passed belongs to a node that stopped (killed, paused, cut
off), and only then may another node end it or take it over. So a second
server on the same database disturbs nothing of the first's, and a node
restarted under the same id finds its own rows at once.

The lease is read against the store's clock (``Database.now``): nodes on
several machines need clocks in step to well within ``LEASE_SECONDS`` (NTP).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, select, text, update
from sqlalchemy.exc import DBAPIError

from ringside.store import match_writes
from ringside.store.engine import Database
from ringside.store.models import LIVE_STATUSES, NODE_LENGTH, Match, Tournament

log = logging.getLogger("ringside.store")

SESSION_NAME_LENGTH = 63
"""PostgreSQL keeps this much of a session's ``application_name`` (NAMEDATALEN - 1)."""

LEASE_SECONDS = 15.0
"""How long a renewal vouches for a node's rows: three missed renewals and they lapse."""
RENEW_EVERY = 5.0
"""Seconds between two renewals of a node's leases."""


@dataclass(frozen=True)
class LeaseTerms:
    """The two numbers of a lease; tests shorten them, servers keep the defaults."""

    seconds: float = LEASE_SECONDS
    renew_every: float = RENEW_EVERY

    def __post_init__(self) -> None:
        if not 0 < self.renew_every < self.seconds:
            raise ValueError(
                f"a lease is renewed more often than it lasts: renew every {self.renew_every} s, "
                f"lease of {self.seconds} s"
            )


DEFAULT_TERMS = LeaseTerms()


def new_node_id() -> str:
    """A fresh node id, for a process that was given none."""
    return f"node-{secrets.token_hex(6)}"


def check_node_id(node: str) -> str:
    """``node`` if it is a usable node id; otherwise a ValueError that says why."""
    if not node or len(node) > NODE_LENGTH or not node.isprintable() or node != node.strip():
        raise ValueError(
            f"a node id is 1 to {NODE_LENGTH} printable characters without surrounding "
            f"spaces: {node!r}"
        )
    return node


@dataclass(frozen=True)
class Renewal:
    """What one renewal found still held by the node."""

    matches: int
    """Live matches whose lease was renewed."""
    tournaments: frozenset[str] = field(default_factory=frozenset)
    """Running tournaments still owned by the node (a claimed one is missing)."""


class NodeLease:
    """One node's leases over one database: the owner written on new rows, and their renewal."""

    def __init__(self, db: Database, node: str | None = None, terms: LeaseTerms = DEFAULT_TERMS):
        self._db = db
        self.node = check_node_id(node) if node is not None else new_node_id()
        self.terms = terms

    def until(self) -> datetime:
        """The end of a lease taken or renewed now."""
        return self._db.now() + timedelta(seconds=self.terms.seconds)

    def lapsed(self, table: type[Match] | type[Tournament]) -> ColumnElement[bool]:
        """Rows of ``table`` no live node vouches for: no owner, or a lease in the past."""
        return or_(
            table.owner.is_(None),
            table.lease_until.is_(None),
            table.lease_until < self._db.now(),
        )

    async def end_lapsed_sessions(self) -> list[str]:
        """PostgreSQL: end the database sessions of the nodes whose leases lapsed; their ids.

        A node paused in the middle of a statement (its ``Parse`` sent, not yet its
        ``Sync``) is neither idle in a transaction nor running one: PostgreSQL
        waits for it without end, and the row locks it holds stall every other
        node's sweep. Its lease lapsed, so it is counted lost and its writes are
        refused anyway (fenced by epoch): its sessions, named after it
        (``application_name``), are ended, and its locks go with them. Only this
        database's sessions inside a transaction (an idle one holds no lock: a
        node alive but lapsed, say after the database was away, keeps its pool);
        a role not allowed to end them is told in the log, and the sweep waits
        as before.
        """
        if self._db.dialect != "postgresql":
            return []
        try:
            async with self._db.transaction() as session:
                owners: set[str] = set()
                for table, live in (
                    (Match, Match.status.in_(LIVE_STATUSES)),
                    (Tournament, Tournament.status == "running"),
                ):
                    found = await session.scalars(
                        select(table.owner)
                        .distinct()
                        .where(live, table.owner.is_not(None), table.owner != self.node)
                        .where(self.lapsed(table))
                    )
                    owners.update(o for o in found if o is not None)
                if not owners:
                    return []
                names = {o[:SESSION_NAME_LENGTH]: o for o in owners}
                ended = await session.execute(
                    text(
                        "SELECT application_name, pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                        " AND xact_start IS NOT NULL AND application_name = ANY(:names)"
                    ),
                    {"names": list(names)},
                )
                nodes = sorted({names[name] for name, done in ended if done})
        except DBAPIError as exc:
            log.warning("node %s: could not end the sessions of lapsed nodes: %s", self.node, exc)
            return []
        if nodes:
            log.warning(
                "node %s: ended the database sessions of lapsed node(s) %s (their locks with them)",
                self.node,
                ", ".join(nodes),
            )
        return nodes

    async def renew(self) -> Renewal:
        """Extend every lease of this node: one UPDATE per table, whatever the number of rows.

        On SQLite with group commit, in the next group: a transaction of its
        own would hold the one write lock across several trips through a busy
        event loop (100-300 ms at figure 3's load of the bench), and every
        match's save would queue behind it.
        """
        until = self.until()
        group = self._db.group
        if group is not None:
            node = self.node
            renewed, owned = await group.run(lambda c: match_writes.renew_leases(c, node, until))
            return Renewal(renewed, owned)
        async with self._db.transaction(write=True) as session:
            matches = await session.execute(
                update(Match)
                .where(Match.owner == self.node, Match.status.in_(LIVE_STATUSES))
                .values(lease_until=until)
            )
            held = await session.scalars(
                update(Tournament)
                .where(Tournament.owner == self.node, Tournament.status == "running")
                .values(lease_until=until)
                .returning(Tournament.id)
            )
            tournaments = frozenset(held)
        return Renewal(matches.rowcount, tournaments)  # type: ignore[attr-defined]


__all__ = [
    "DEFAULT_TERMS",
    "LEASE_SECONDS",
    "RENEW_EVERY",
    "SESSION_NAME_LENGTH",
    "LeaseTerms",
    "NodeLease",
    "Renewal",
    "check_node_id",
    "new_node_id",
]
