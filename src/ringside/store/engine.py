"""Engines, SQLite tuning, migrations and the ``Database`` every store shares.

SQLite is the default backend, so its sharp edges are handled here once: WAL
for concurrent readers, foreign keys (off by default in SQLite), a busy timeout
instead of instant "database is locked" errors, real transactions (the
sqlite3 driver's legacy mode runs SELECTs outside any transaction and never
takes the write lock up front, which breaks read-then-write sequences under
concurrency), and checkpoints of the write-ahead log left to the store's
background checkpointer (``Database.checkpoint``) instead of the commit that
happens to fill it.

``Database`` owns the engine, the transactions and the clock; the stores of
matches, bots, ratings and tournaments each take one and share it, so none of
them reaches into another.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self

import msgspec
from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from ringside.store.checkpoints import Checkpointer
from ringside.store.errors import DatabaseUnavailable, unavailable
from ringside.store.grouped import GroupCommit
from ringside.store.models import json_text

log = logging.getLogger("ringside.store")

WRITE_OPTION = "ringside_write"
"""Connection execution option marking a write transaction (SQLite: BEGIN IMMEDIATE)."""
SYNCHRONOUS_OPTION = "ringside_synchronous"
"""Connection execution option: SQLite's ``synchronous`` level for this transaction."""
Synchronous = Literal["normal", "full"]
CHECKPOINT_DELAY = 1.0
"""Seconds from a write to the background checkpoint of SQLite's log (``Database.checkpoint``)."""

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000
PING_TIMEOUT = 2.0
"""Seconds ``Database.ping`` waits for the database to answer."""
SQLITE_AUTOCHECKPOINT_PAGES = 10_000
"""A commit still checkpoints past this many WAL pages (about 40 MiB): a safety net
for when the store's own checkpointer cannot keep up (SQLite's default is 1,000)."""
IDLE_IN_TRANSACTION_MS = 3_000
"""PostgreSQL ends a transaction left idle this long (its holder paused, killed or cut off)."""
# Any constant shared by every node: serialises concurrent start-ups on PostgreSQL.
_PG_MIGRATION_LOCK = 0x52494E47  # "RING"


def sqlite_url(data_dir: Path) -> str:
    """The URL of the default embedded database inside ``data_dir``."""
    return f"sqlite+aiosqlite:///{(Path(data_dir).absolute() / 'ringside.db').as_posix()}"


def create_engine(url: str, *, application_name: str | None = None, **kwargs: Any) -> AsyncEngine:
    """An async engine for ``url``; for SQLite, creates the file's folder and tunes connections.

    ``application_name`` names the PostgreSQL sessions (the node id: another node
    that finds this one's leases lapsed ends its sessions, see ``NodeLease``)."""
    _ensure_sqlite_dir(url)
    # msgspec keeps key order like the standard library and is several times faster.
    kwargs.setdefault("json_serializer", json_text)
    kwargs.setdefault("json_deserializer", msgspec.json.decode)
    if url.startswith("postgresql+asyncpg"):
        # A server paused or cut off inside a transaction would hold its row locks and
        # stall every other node's lease sweep: PostgreSQL ends such a transaction.
        settings = {"idle_in_transaction_session_timeout": str(IDLE_IN_TRANSACTION_MS)}
        if application_name is not None:
            settings["application_name"] = application_name
        kwargs.setdefault("connect_args", {"server_settings": settings})
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _tune_sqlite(engine)
    return engine


def _tune_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy emit BEGIN itself (see _on_begin); PRAGMAs then run
        # outside any transaction, where foreign_keys and journal_mode apply.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            # Safe with WAL against a crash of the process; the transactions that
            # commit results ask for FULL (``Database.results_synchronous``), which
            # also holds against a crash of the machine.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_AUTOCHECKPOINT_PAGES}")
        finally:
            cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT":
            return  # no transaction wanted (a checkpoint cannot run inside one)
        # A write transaction takes the write lock at once, so it waits (busy
        # timeout) instead of failing when its read snapshot went stale.
        immediate = options.get(WRITE_OPTION, False)
        # synchronous cannot change inside a transaction: set it before, when it changes.
        synchronous = options.get(SYNCHRONOUS_OPTION, "normal")
        if conn.info.get(SYNCHRONOUS_OPTION, "normal") != synchronous:
            conn.exec_driver_sql(f"PRAGMA synchronous={synchronous.upper()}")
            conn.info[SYNCHRONOUS_OPTION] = synchronous
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config built in code (no alembic.ini), for the CLI-less command API."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        # ConfigParser interpolation would choke on "%" in passwords.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Migrate the database behind ``engine`` to ``revision`` in one transaction."""
    config = alembic_config()

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.connect() as conn:
        conn = await conn.execution_options(**{WRITE_OPTION: True})
        async with conn.begin():
            if engine.dialect.name == "postgresql":
                await conn.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
                )
            await conn.run_sync(run)


async def migrate(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` to ``revision`` (default: the latest)."""
    engine = create_engine(url)
    try:
        await upgrade(engine, revision)
    finally:
        await engine.dispose()


def _ensure_sqlite_dir(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def utcnow() -> datetime:
    """The default clock: an aware UTC datetime."""
    return datetime.now(UTC)


class Database:
    """The engine, its transactions and the clock, shared by every store.

    Each store method runs one ``transaction()`` and returns plain frozen
    records. The clock is injected so that tests fix time.
    """

    def __init__(self, engine: AsyncEngine, now: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self.now = now
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._sqlite_writer = asyncio.Lock() if engine.dialect.name == "sqlite" else None
        self._checkpointer: asyncio.Task[None] | None = None
        self._written_since_checkpoint = False
        path = engine.url.database
        self._sqlite_file = (
            path if self._sqlite_writer is not None and path and not _in_memory(path) else None
        )
        """The SQLite database's file; None for PostgreSQL and for SQLite in memory."""
        self._checkpoints: Checkpointer | None = None
        """Checkpoints of that file, on their own connection and thread."""
        if self._sqlite_file is not None:
            self._checkpoints = Checkpointer(self._sqlite_file, SQLITE_BUSY_TIMEOUT_MS)
        self.group: GroupCommit | None = None
        """Group commit of matches' writes (SQLite, once ``group_commits`` is called)."""
        self.results_synchronous: Synchronous = "full"
        """SQLite's ``synchronous`` for transactions that commit results (``durable=True``).

        ``full``: a commit is on disk (the log fsynced) before it returns, so an
        announced result survives a power cut or an OS crash. ``normal``: it
        survives a crash of the process only, and commits cost no fsync. Other
        transactions run ``normal``; PostgreSQL commits durably either way."""

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def group_commits(self) -> bool:
        """Write matches (created, events, finished and rated) by group commit from now on
        (``store.grouped``); SQLite files only. Whether it is on."""
        if self.group is not None:
            return True
        if self._sqlite_file is None or self._sqlite_writer is None:
            return False
        self.group = GroupCommit(
            self._sqlite_file,
            self._sqlite_writer,
            busy_timeout_ms=SQLITE_BUSY_TIMEOUT_MS,
            autocheckpoint_pages=SQLITE_AUTOCHECKPOINT_PAGES,
            synchronous=lambda: self.results_synchronous,
            after_write=self._after_sqlite_write,
        )
        return True

    async def close(self) -> None:
        """Close every pooled connection; the database is unusable afterwards.

        Closing the last connection checkpoints SQLite's write-ahead log."""
        if self.group is not None:
            await self.group.close()
        if self._checkpointer is not None:
            self._checkpointer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._checkpointer
        if self._checkpoints is not None:
            await self._checkpoints.close()
        await self.engine.dispose()

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
    async def transaction(
        self, *, write: bool = False, durable: bool = False
    ) -> AsyncIterator[AsyncSession]:
        """A session in one transaction, committed on success, rolled back on error.

        Reads of several statements get a consistent snapshot: SQLite gives it
        inside a transaction, PostgreSQL needs REPEATABLE READ for it. A
        ``durable`` write commits with ``results_synchronous`` on SQLite.
        """
        options: dict[str, Any] = {}
        if write:
            options[WRITE_OPTION] = True
            if durable and self._sqlite_writer is not None:
                options[SYNCHRONOUS_OPTION] = self.results_synchronous
        elif self.dialect == "postgresql":
            options["isolation_level"] = "REPEATABLE READ"
        try:
            async with contextlib.AsyncExitStack() as stack:
                if write and self._sqlite_writer is not None:
                    # SQLite has one writer at a time: queue writers here, in the event loop,
                    # rather than in SQLite's busy wait, which a busy loop can run past.
                    await stack.enter_async_context(self._sqlite_writer)
                session = await stack.enter_async_context(self._sessions())
                await stack.enter_async_context(session.begin())
                await session.connection(execution_options=options)
                yield session
        except Exception as exc:
            # The database being away is one domain error, whatever the driver said.
            away = unavailable(exc)
            if away is None:
                raise
            raise away from exc
        if write and self._sqlite_writer is not None:
            self._after_sqlite_write()

    async def ping(self, timeout: float = PING_TIMEOUT) -> float:
        """Run a trivial query; returns the seconds it took.

        Raises ``DatabaseUnavailable`` when the database does not answer within
        ``timeout`` seconds or answers with an error (readiness, ``GET /readyz``).
        """
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            async with asyncio.timeout(timeout), self.transaction() as session:
                # A table of ours, not just SELECT 1: SQLite must read its file.
                await session.execute(text("SELECT 1 FROM alembic_version LIMIT 1"))
        except TimeoutError:
            raise DatabaseUnavailable(f"no answer within {timeout:g} s") from None
        return loop.time() - started

    async def checkpoint(self) -> tuple[int, int] | None:
        """Copy SQLite's write-ahead log into the database file, without blocking anyone.

        A ``PASSIVE`` checkpoint: it copies what no reader still needs, waits
        for no lock, and lets writers go on. Returns the pages in the log and
        those copied; None for other databases, which checkpoint themselves.
        """
        if self._sqlite_writer is None:
            return None
        if self._checkpoints is not None:
            return await self._checkpoints.checkpoint()
        async with self.engine.connect() as connection:  # a database in memory
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


def _in_memory(path: str) -> bool:
    return path == ":memory:" or "mode=memory" in path


def _sqlite_workers() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if "_connection_worker_thread" in t.name}


async def _join_new_workers(before: set[threading.Thread], timeout: float = 2.0) -> None:
    """Let aiosqlite's threads of failed connections end while the event loop runs.

    A failed connect stops its worker thread, which then reports to the loop;
    if the loop has closed by then (a start-up that fails exits at once) the
    thread dies with "Event loop is closed" on stderr (omnilib/aiosqlite#241).
    """
    for thread in _sqlite_workers() - before:
        await asyncio.to_thread(thread.join, timeout)


async def open_database(
    url: str, *, now: Callable[[], datetime] = utcnow, application_name: str | None = None
) -> Database:
    """Connect to ``url``, migrate it to the latest schema and return the database.

    The caller owns it: ``await database.close()`` (or ``async with``) when done.
    """
    engine = create_engine(url, application_name=application_name)
    workers = _sqlite_workers()
    try:
        await upgrade(engine)
    except BaseException as exc:
        await engine.dispose()
        await _join_new_workers(workers)
        away = unavailable(exc) if isinstance(exc, Exception) else None
        if away is None:
            raise
        raise away from exc
    return Database(engine, now=now)
