"""Results kept on local disk until the database has them: the result journal.

A match's result is announced only once it is durable. When the database
cannot take it (stopped, disk full, read-only), the runner appends it here
first: one file in the data directory, one record per line, each written and
fsynced before any bot or spectator hears the result. The runner keeps
retrying the database; once the result is committed its record is settled,
and the file is truncated when nothing is left pending. At start-up
``replay`` commits whatever a previous run left here, before anything else
touches the database.

A record is ``<crc32 of the JSON, 8 hex digits> <JSON>\\n``. A torn last
record (a crash mid-write: no newline, or a checksum that does not match) is
ignored and cut off, so the next append starts on a clean line; a damaged
record in the middle is skipped with a warning. Replaying is idempotent:
``finish_match`` of a match already finished does nothing, so a record whose
commit succeeded but was not yet settled costs nothing on the next start.
"""

from __future__ import annotations

import asyncio
import logging
import os
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

import msgspec

from ringside.protocol.messages import MatchResult
from ringside.store.ports import ResultStore
from ringside.store.records import EncodedEvent, MatchClosed, MatchNotFound, MatchOutcome

log = logging.getLogger("ringside.store")

JOURNAL_FILE = "results.journal"
"""The journal's name in the data directory."""
REJECTED_FILE = "results.rejected"
"""Records the database refused for good (their match is gone or closed otherwise), kept for an operator."""


class JournalEntry(msgspec.Struct, frozen=True, tag="result"):
    """A match's result with the events the database does not have yet."""

    match_id: str
    tournament_id: str | None
    result: MatchResult
    events: list[tuple[str, msgspec.Raw]]
    """Each event's type and its JSON as it was sent, not decoded."""

    @classmethod
    def of(
        cls, tournament_id: str | None, result: MatchResult, events: Sequence[EncodedEvent]
    ) -> JournalEntry:
        return cls(
            result.match, tournament_id, result, [(e.type, msgspec.Raw(e.json)) for e in events]
        )

    def encoded_events(self) -> list[EncodedEvent]:
        return [EncodedEvent(kind, bytes(data)) for kind, data in self.events]


class Settled(msgspec.Struct, frozen=True, tag="settled"):
    """The database has this match's result: its entry no longer counts."""

    match_id: str


_Record = JournalEntry | Settled
_decoder = msgspec.json.Decoder(_Record)


def _frame(record: _Record) -> bytes:
    data = msgspec.json.encode(record)  # JSON text never holds a raw newline
    return b"%08x %s\n" % (zlib.crc32(data), data)


def _unframe(line: bytes) -> _Record | None:
    """The record on one complete line, or None when it is damaged."""
    crc, _, data = line.rstrip(b"\n").partition(b" ")
    try:
        if len(crc) != 8 or int(crc, 16) != zlib.crc32(data):
            return None
        return _decoder.decode(data)
    except (ValueError, msgspec.DecodeError):
        return None


def read_journal(path: Path) -> tuple[list[JournalEntry], int]:
    """The entries not settled, in order, and the length of the file's sound part.

    Everything after the last complete line is a torn write and not counted.
    """
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        return [], 0
    entries: dict[str, JournalEntry] = {}
    end = content.rfind(b"\n") + 1
    for number, line in enumerate(content[:end].splitlines(keepends=True), 1):
        record = _unframe(line)
        if record is None:
            log.warning("%s: record %d is damaged and skipped", path, number)
        elif type(record) is Settled:
            entries.pop(record.match_id, None)
        else:
            assert type(record) is JournalEntry
            entries[record.match_id] = record
    if end < len(content):
        log.warning("%s: a torn last record (%d bytes) is ignored", path, len(content) - end)
    return list(entries.values()), end


class ResultJournal:
    """The journal file of one server and the entries in it not yet in the database.

    Appends are written and fsynced in a worker thread, one at a time, so the
    event loop never waits on the disk. ``back`` is a future resolved when
    the database takes a write again (``database_back``): runners waiting to
    retry then retry at once instead of at the end of their back-off.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._pending: dict[str, JournalEntry] = {}
        self._file: IO[bytes] | None = None
        self._loaded = False
        self._lock = asyncio.Lock()
        self._back: asyncio.Future[None] | None = None

    @classmethod
    def in_dir(cls, data_dir: Path) -> ResultJournal:
        return cls(Path(data_dir) / JOURNAL_FILE)

    # --- state --------------------------------------------------------------------

    @property
    def drained(self) -> bool:
        """True when every result journaled here is in the database (a readiness check)."""
        if not self._loaded:
            self.load()
        return not self._pending

    def holds(self, match_id: str) -> bool:
        """Whether ``match_id``'s result waits here for the database."""
        return match_id in self._pending

    def pending(self) -> list[JournalEntry]:
        if not self._loaded:
            self.load()
        return list(self._pending.values())

    def load(self) -> list[JournalEntry]:
        """Read the file (once a process), cutting off a torn last record."""
        entries, end = read_journal(self.path)
        if self.path.exists() and self.path.stat().st_size > end:
            with self.path.open("r+b") as file:
                file.truncate(end)
                os.fsync(file.fileno())
        self._pending = {e.match_id: e for e in entries}
        self._loaded = True
        return entries

    # --- writes -------------------------------------------------------------------

    async def append(self, entry: JournalEntry) -> None:
        """Make ``entry`` durable: on return it is on disk (an ``OSError`` if it is not)."""
        data = _frame(entry)
        async with self._lock:
            if not self._loaded:
                self.load()
            await asyncio.to_thread(self._write, data, True)
            self._pending[entry.match_id] = entry

    async def settle(self, match_id: str) -> None:
        """The database has the result: forget it; an empty journal is truncated.

        A settled mark needs no fsync: lost, it only makes the next start
        replay a result already stored, which changes nothing.
        """
        async with self._lock:
            if self._pending.pop(match_id, None) is None:
                return
            try:
                if self._pending:
                    await asyncio.to_thread(self._write, _frame(Settled(match_id)), False)
                else:
                    await asyncio.to_thread(self._truncate)
            except OSError:
                log.warning(
                    "%s: could not mark match %s stored", self.path, match_id, exc_info=True
                )

    async def reject(self, entry: JournalEntry, error: Exception) -> None:
        """The database refuses ``entry`` for good (``MatchNotFound``, ``MatchClosed``):
        keep it in ``results.rejected`` for an operator, log it, and settle it here,
        so that it is not replayed at every start."""
        rejected = self.path.with_name(REJECTED_FILE)
        await asyncio.to_thread(_append_to, rejected, _frame(entry))
        log.error(
            "journal: the result of match %s cannot be stored (%s); kept in %s",
            entry.match_id,
            error,
            rejected,
        )
        await self.settle(entry.match_id)

    def database_back(self) -> None:
        """A write went through: wake whoever waits to retry."""
        if self._back is not None and not self._back.done():
            self._back.set_result(None)
        self._back = None

    def back(self) -> asyncio.Future[None]:
        """Resolved at the next ``database_back``."""
        if self._back is None:
            self._back = asyncio.get_running_loop().create_future()
        return self._back

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def _open(self) -> IO[bytes]:
        if self._file is None:
            new = not self.path.exists()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("ab")
            if new:  # the file's name must survive a crash too
                _fsync_dir(self.path.parent)
        return self._file

    def _write(self, data: bytes, sync: bool) -> None:
        file = self._open()
        try:
            file.write(data)
            file.flush()
            if sync:
                os.fsync(file.fileno())
        except OSError:
            # A partial write may be in the file: close it so the next append
            # reopens (load cuts a torn record at the next start).
            self.close()
            raise

    def _truncate(self) -> None:
        """Empty the file, and close it: an idle server holds no journal open."""
        file = self._open()
        try:
            file.truncate(0)
            file.flush()
            os.fsync(file.fileno())
        finally:
            self.close()


def _append_to(path: Path, data: bytes) -> None:
    with path.open("ab") as file:
        file.write(data)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


async def replay(
    journal: ResultJournal,
    store: ResultStore,
    stored: Callable[[JournalEntry], None] | None = None,
) -> int:
    """Commit every pending entry, in order, and settle it; how many were committed.

    A database error stops the replay and propagates (the entries stay). An
    entry the database refuses for good (its match is unknown, was closed
    otherwise, or was taken over by another node: ``MatchFenced``) is moved to ``results.rejected`` beside the journal, with an
    error in the log, so that one bad record cannot block the others.
    """
    committed = 0
    for entry in journal.pending():
        try:
            await store.finish_match(
                MatchOutcome.of(entry.result), entry.encoded_events(), rate=True
            )
        except (MatchNotFound, MatchClosed) as exc:  # MatchFenced too
            await journal.reject(entry, exc)
            continue
        committed += 1
        if stored is not None:
            stored(entry)
        await journal.settle(entry.match_id)
    return committed


__all__ = [
    "JOURNAL_FILE",
    "JournalEntry",
    "ResultJournal",
    "read_journal",
    "replay",
]
