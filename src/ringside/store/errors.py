"""When the database itself is away: one error for every backend and every cause.

A lost PostgreSQL connection, a refused one, a SQLite file that cannot be
opened or written (read-only, full disk, I/O error) or a write lock held past
the busy timeout all mean the same to a caller: nothing is wrong with the
request, and the same request may work a little later. The store raises
``DatabaseUnavailable`` for all of them (``Database.transaction`` classifies
what the driver raised), so the HTTP layer answers 503 with ``Retry-After``
and a bot's hello gets "try again in N s", without either knowing drivers.

Every other database error (a constraint, a bug in a query, a corrupt file)
stays what it is: a fault to log, not a wait.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from ringside.store.records import StoreError

RETRY_AFTER = 5
"""Seconds a client is told to wait before it tries again."""

# SQLite primary result codes (https://sqlite.org/rescode.html) that mean "not now".
_SQLITE_UNAVAILABLE = {
    5: "the database is locked (another writer held it past the busy timeout)",  # BUSY
    6: "the database is locked",  # LOCKED
    8: "the database is read-only",  # READONLY
    10: "a disk I/O error",  # IOERR
    13: "the disk is full",  # FULL
    14: "the database file cannot be opened",  # CANTOPEN
}
# PostgreSQL SQLSTATE classes and codes that mean "not now": connection exceptions,
# insufficient resources (disk full, too many connections), shutdown or start-up.
_PG_CLASSES = {
    "08": "the connection failed",
    "53": "the server lacks resources",
    "58": "a system error",
}
_PG_CODES = {
    "57P01": "the server is shutting down",
    "57P02": "the server crashed",
    "57P03": "the server is starting up or shutting down",
    "53100": "the database server's disk is full",
    "53300": "too many connections",
}


class DatabaseUnavailable(StoreError):
    """The database cannot be reached or written now; the same call may work later."""

    def __init__(self, reason: str, *, retry_after: int = RETRY_AFTER) -> None:
        super().__init__(f"the database is unavailable: {reason}")
        self.reason = reason
        """A short phrase for people: "connection refused", "the disk is full"."""
        self.retry_after = retry_after


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it wraps: SQLAlchemy's ``orig``, ``__cause__``, ``__context__``."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop(0)
        if item is None or any(item is s for s in seen) or len(seen) > 10:
            continue
        seen.append(item)
        todo += [getattr(item, "orig", None), item.__cause__, item.__context__]
    return seen


def unavailable_reason(exc: BaseException) -> str | None:
    """Why ``exc`` means the database is away (a short phrase), or None for any other error."""
    if isinstance(exc, StoreError):
        return None  # already classified (or a refusal on purpose)
    for cause in _causes(exc):
        if isinstance(cause, DBAPIError) and cause.connection_invalidated:
            return "the connection to the database was lost"
        code = getattr(cause, "sqlite_errorcode", None)
        if isinstance(code, int) and code & 0xFF in _SQLITE_UNAVAILABLE:
            return _SQLITE_UNAVAILABLE[code & 0xFF]
        state = getattr(cause, "sqlstate", None)
        if isinstance(state, str) and (state in _PG_CODES or state[:2] in _PG_CLASSES):
            return _PG_CODES.get(state) or _PG_CLASSES[state[:2]]
        name = type(cause).__name__
        if name in ("ConnectionDoesNotExistError", "ConnectionFailureError"):
            return "the connection to the database was lost"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, TimeoutError):
            return "no answer in time"
        if isinstance(cause, OSError):  # strerror: gaierror's errno is not an errno
            text = cause.strerror or str(cause) or "a network error"
            return text[:1].lower() + text[1:]
    return None


def unavailable(exc: BaseException) -> DatabaseUnavailable | None:
    """``exc`` as a ``DatabaseUnavailable`` when that is what it means."""
    reason = unavailable_reason(exc)
    return None if reason is None else DatabaseUnavailable(reason)


def safe_url(url: str) -> str:
    """``url`` with its password hidden, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy parses: say nothing more of it
        return "the configured database URL"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or None (another backend, memory, ``file:`` URIs)."""
    try:
        parsed = make_url(url)
    except Exception:
        return None
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    if database.startswith("file:"):
        return None
    return Path(database)


def _writable(path: Path) -> bool:
    """Whether this process can write ``path``, by trying (root passes ``os.access``)."""
    if path.is_dir():
        probe = path / f".ringside-write-probe-{os.getpid()}"
        try:
            probe.touch()
            probe.unlink()
        except OSError:
            return False
        return True
    try:
        with path.open("r+b"):
            return True
    except OSError:
        return False


def _no_space(folder: Path) -> bool:
    try:
        stats = os.statvfs(folder)
    except OSError:
        return False
    return stats.f_bavail * stats.f_frsize < 64 * 1024


def why_cannot_open(url: str, exc: BaseException) -> str:
    """One sentence saying where the database is and why it could not be opened."""
    path = sqlite_path(url)
    if isinstance(exc, DatabaseUnavailable):
        reason: str | None = exc.reason
        exc = exc.__cause__ or exc
    else:
        reason = unavailable_reason(exc)
    if path is None:
        detail = reason or _first_line(exc)
        return f"cannot reach the database at {safe_url(url)}: {detail}"
    folder = path.parent
    where = f"cannot open the database in {folder}"
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        return f"{where}: {existing} is a file, not a directory"
    if folder.is_dir() and not _writable(folder):
        return f"{where}: the directory is read-only"
    if isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        text = (exc.strerror or "permission denied").lower()
        return f"{where}: cannot create {exc.filename or folder}: {text}"
    if path.exists() and not _writable(path):
        return f"{where}: the database file {path.name} is read-only"
    if folder.is_dir() and _no_space(folder):
        return f"{where}: the disk is full"
    return f"{where}: {reason or _first_line(exc)}"


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    shown = orig if isinstance(orig, BaseException) else exc
    text = str(shown).strip().splitlines()
    return text[0] if text else type(shown).__name__


__all__ = [
    "RETRY_AFTER",
    "DatabaseUnavailable",
    "safe_url",
    "sqlite_path",
    "unavailable",
    "unavailable_reason",
    "why_cannot_open",
]
