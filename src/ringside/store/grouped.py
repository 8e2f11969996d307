"""Group commit on SQLite: the writes of many matches in one transaction, on a thread of its own.

A short match costs three writes (created, started, finished and rated).
Through SQLAlchemy's ORM and aiosqlite each is a transaction of a dozen
statements, each statement a trip to the driver's thread and back, and most
of the server's CPU per tic-tac-toe match went there (``bench/README.md``).
Here a write is a plain function of a ``sqlite3`` connection (``Job``); the
jobs that queue while a group is being written go together into the next
group: one ``BEGIN IMMEDIATE`` ... ``COMMIT``, one trip to the thread, one
fsync. Each job runs inside a savepoint, so a job that fails (a match closed
meanwhile, a name taken) is undone alone and its caller gets its error; a
failed commit fails every job of the group, and nobody is told of a write
before the commit it is in returned.

The group takes ``Database``'s writer lock, so it never interleaves with the
SQLAlchemy transactions of the other stores; it commits with
``synchronous=FULL`` (the results' level) when one of its jobs is durable.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from ringside.store.errors import unavailable

T = TypeVar("T")
Job = Callable[[sqlite3.Connection], T]

MAX_GROUP = 512
"""Jobs in one transaction at most: a bound on the time the write lock is held."""


class GroupCommit:
    """Jobs queued while a group is written go together into the next group."""

    def __init__(
        self,
        path: str,
        lock: asyncio.Lock,
        *,
        busy_timeout_ms: int,
        autocheckpoint_pages: int,
        synchronous: Callable[[], str],
        after_write: Callable[[], None],
    ) -> None:
        self._path = path
        self._lock = lock
        self._busy_timeout_ms = busy_timeout_ms
        self._autocheckpoint_pages = autocheckpoint_pages
        self._synchronous = synchronous
        self._after_write = after_write
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="ringside-group-commit")
        self._connection: sqlite3.Connection | None = None
        self._level = "NORMAL"
        self._queue: list[tuple[Job[Any], bool, asyncio.Future[Any]]] = []
        self._writer: asyncio.Task[None] | None = None
        self._closed = False
        self.commits = 0
        """Transactions committed so far (each holding one or more jobs)."""

    async def run(self, job: Job[T], *, durable: bool = False) -> T:
        """Run ``job`` in the next group; its value once that group is committed."""
        if self._closed:
            raise RuntimeError("the store is closed")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.append((job, durable, future))
        if self._writer is None or self._writer.done():
            self._writer = loop.create_task(self._write())
        return await asyncio.shield(future)

    async def _write(self) -> None:
        loop = asyncio.get_running_loop()
        while self._queue:
            group, self._queue = self._queue[:MAX_GROUP], self._queue[MAX_GROUP:]
            durable = any(d for _, d, _ in group)
            jobs = [job for job, _, _ in group]
            try:
                async with self._lock:
                    outcomes = await loop.run_in_executor(
                        self._executor, self._commit, jobs, durable
                    )
            except BaseException as exc:  # the commit failed: no job of the group holds
                error = unavailable(exc) or exc
                for _, _, future in group:
                    if not future.done():
                        future.set_exception(error)
                if isinstance(exc, asyncio.CancelledError):
                    raise
                continue
            self.commits += 1
            self._after_write()
            for (_, _, future), (ok, value) in zip(group, outcomes, strict=True):
                if future.done():
                    continue
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(unavailable(value) or value)

    def _open(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self._path, isolation_level=None, check_same_thread=True)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute(f"PRAGMA busy_timeout={self._busy_timeout_ms}")
        connection.execute("PRAGMA synchronous=NORMAL")
        # As the engine's connections: commits leave checkpoints to the background.
        connection.execute(f"PRAGMA wal_autocheckpoint={self._autocheckpoint_pages}")
        return connection

    def _commit(self, jobs: list[Job[Any]], durable: bool) -> list[tuple[bool, Any]]:
        """On the group's thread: every job in one transaction, each in a savepoint."""
        if self._connection is None:
            self._connection = self._open()
        connection = self._connection
        level = self._synchronous().upper() if durable else "NORMAL"
        if level != self._level:
            connection.execute(f"PRAGMA synchronous={level}")
            self._level = level
        outcomes: list[tuple[bool, Any]] = []
        connection.execute("BEGIN IMMEDIATE")
        try:
            for job in jobs:
                connection.execute("SAVEPOINT job")
                try:
                    value = job(connection)
                except Exception as exc:
                    connection.execute("ROLLBACK TO job")
                    connection.execute("RELEASE job")
                    outcomes.append((False, exc))
                else:
                    connection.execute("RELEASE job")
                    outcomes.append((True, value))
            connection.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            raise
        return outcomes

    async def close(self) -> None:
        """Write what is queued, then close the connection and the thread."""
        self._closed = True
        if self._writer is not None:
            with contextlib.suppress(Exception):
                await self._writer
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._close_connection)
        self._executor.shutdown(wait=True)

    def _close_connection(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
