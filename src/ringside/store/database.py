"""Engines, SQLite tuning and migrations: everything needed to get a ready ``Store``.

SQLite is the default backend, so its sharp edges are handled here once: WAL
for concurrent readers, foreign keys (off by default in SQLite), a busy timeout
instead of instant "database is locked" errors, real transactions (the
sqlite3 driver's legacy mode runs SELECTs outside any transaction and never
takes the write lock up front, which breaks read-then-write sequences under
concurrency), and checkpoints of the write-ahead log left to the store's
background checkpointer (``Store.checkpoint``) instead of the commit that
happens to fill it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec
from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from ringside.store.models import json_text
from ringside.store.repository import WRITE_OPTION, Store, utcnow

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_AUTOCHECKPOINT_PAGES = 10_000
"""A commit still checkpoints past this many WAL pages (about 40 MiB): a safety net
for when the store's own checkpointer cannot keep up (SQLite's default is 1,000)."""
# Any constant shared by every node: serialises concurrent start-ups on PostgreSQL.
_PG_MIGRATION_LOCK = 0x52494E47  # "RING"


def sqlite_url(data_dir: Path) -> str:
    """The URL of the default embedded database inside ``data_dir``."""
    return f"sqlite+aiosqlite:///{(Path(data_dir).absolute() / 'ringside.db').as_posix()}"


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for ``url``; for SQLite, creates the file's folder and tunes connections."""
    _ensure_sqlite_dir(url)
    # msgspec keeps key order like the standard library and is several times faster.
    kwargs.setdefault("json_serializer", json_text)
    kwargs.setdefault("json_deserializer", msgspec.json.decode)
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
            # Safe with WAL: a crash of the process loses nothing committed.
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


async def open_store(url: str, *, now: Callable[[], datetime] = utcnow) -> Store:
    """Connect to ``url``, migrate it to the latest schema and return the store.

    The caller owns the store: ``await store.close()`` (or ``async with``) when done.
    """
    engine = create_engine(url)
    try:
        await upgrade(engine)
    except BaseException:
        await engine.dispose()
        raise
    return Store(engine, now=now)
