"""SQLite's write-ahead log copied into the database file, on a thread of its own.

A checkpoint runs on its own ``sqlite3`` connection and its own thread, not
through the engine: every call of an engine connection goes round the event
loop, so on a busy server a checkpoint took half a second of waiting for a
few milliseconds of work. The thread also runs at a lower CPU priority (nice
raised by ``NICE_STEP``, where the platform has it): a checkpoint copies MiB
of pages in ``write`` calls, and at the loop's priority it took half of the
server's core from the event loop while it did (figure 3's bursts of relay
latency, bench/README.md, tenth round). When the loop has time to spare the
checkpoint runs at full speed; when it has none, it gets a small share, and
SQLite's own autocheckpoint (``SQLITE_AUTOCHECKPOINT_PAGES``) bounds the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger("ringside.store")

NICE_STEP = 10
"""How much lower the checkpoint thread's priority is than the process's (Linux: a
thread's own nice value; the scheduler then gives it about a tenth of a busy core)."""


def lower_this_threads_priority(step: int = NICE_STEP) -> int | None:
    """Raise the calling thread's nice value by ``step`` (at most 19); its new value, or
    None where a thread's priority cannot be set apart from its process's."""
    if not hasattr(os, "setpriority"):
        return None
    tid = threading.get_native_id()
    try:
        nice = min(19, os.getpriority(os.PRIO_PROCESS, tid) + step)
        os.setpriority(os.PRIO_PROCESS, tid, nice)
    except OSError:  # not allowed here: the checkpoints run at the usual priority
        log.debug("could not lower the checkpoint thread's priority", exc_info=True)
        return None
    return nice


class Checkpointer:
    """``PASSIVE`` checkpoints of one SQLite file: they copy what no reader still needs,
    wait for no lock and let writers go on."""

    def __init__(self, path: str, busy_timeout_ms: int) -> None:
        self._path = path
        self._busy_timeout_ms = busy_timeout_ms
        self._executor: ThreadPoolExecutor | None = None
        self._connection: sqlite3.Connection | None = None
        self.nice: int | None = None
        """The thread's nice value once it has run, if it could be set."""

    async def checkpoint(self) -> tuple[int, int]:
        """The pages in the log and those copied into the file."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                1, thread_name_prefix="ringside-checkpoint", initializer=self._start
            )
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._run)

    def _start(self) -> None:
        self.nice = lower_this_threads_priority()

    def _run(self) -> tuple[int, int]:
        if self._connection is None:
            self._connection = sqlite3.connect(
                self._path, isolation_level=None, check_same_thread=True
            )
            self._connection.execute(f"PRAGMA busy_timeout={self._busy_timeout_ms}")
        _busy, logged, copied = self._connection.execute(
            "PRAGMA wal_checkpoint(PASSIVE)"
        ).fetchone()
        return int(logged), int(copied)

    def _close_connection(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(sqlite3.Error):
                self._connection.close()
            self._connection = None

    async def close(self) -> None:
        """Close the connection on its thread, then the thread."""
        executor, self._executor = self._executor, None
        if executor is None:
            return
        await asyncio.get_running_loop().run_in_executor(executor, self._close_connection)
        executor.shutdown(wait=True)
