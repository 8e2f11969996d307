"""The store names the database being away with one error, whatever the driver said."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from ringside.store import engine, open_store, sqlite_url
from ringside.store.errors import DatabaseUnavailable, unavailable_reason


async def test_a_write_lock_held_past_the_busy_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "SQLITE_BUSY_TIMEOUT_MS", 50)
    async with await open_store(sqlite_url(tmp_path)) as store:
        other = sqlite3.connect(tmp_path / "ringside.db", isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
            with pytest.raises(DatabaseUnavailable) as caught:
                await store.add_bot("late")
            other.execute("ROLLBACK")
        finally:
            other.close()
        assert caught.value.reason.startswith("the database is locked")
        assert caught.value.retry_after == 5
        await store.add_bot("late")  # and once it is released, the same call works


async def test_other_database_errors_stay_what_they_are(tmp_path: Path) -> None:
    async with await open_store(sqlite_url(tmp_path)) as store:
        with pytest.raises(Exception) as caught:
            async with store.db.transaction() as session:
                await session.execute(text("SELECT * FROM no_such_table"))
    assert not isinstance(caught.value, DatabaseUnavailable)
    assert unavailable_reason(caught.value) is None


async def test_ping_reads_the_database(tmp_path: Path) -> None:
    async with await open_store(sqlite_url(tmp_path)) as store:
        assert 0 <= await store.db.ping() < 2
