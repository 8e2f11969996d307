"""SQLite set-up: file location, WAL, foreign keys, busy timeout, aware UTC times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from ringside.store import open_store, sqlite_url
from ringside.testing.clock import FakeClock


def test_sqlite_url(tmp_path: Path) -> None:
    assert sqlite_url(tmp_path) == f"sqlite+aiosqlite:///{tmp_path}/ringside.db"
    assert sqlite_url(Path("rel")).endswith(f"{Path.cwd()}/rel/ringside.db")


async def test_sqlite_pragmas_and_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "not" / "yet"
    async with await open_store(sqlite_url(data_dir)) as store:
        assert (data_dir / "ringside.db").is_file()
        async with store.engine.connect() as conn:
            pragma = {
                name: (await conn.execute(text(f"PRAGMA {name}"))).scalar_one()
                for name in ("journal_mode", "foreign_keys", "busy_timeout")
            }
    assert pragma["journal_mode"] == "wal"
    assert pragma["foreign_keys"] == 1
    assert pragma["busy_timeout"] >= 1000


async def test_times_come_back_aware_utc(database_url: str) -> None:
    clock = FakeClock(datetime(2031, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=2))))
    async with await open_store(database_url, now=clock) as store:
        await store.add_bot("alpha")
        bot = await store.get_bot("alpha")
    assert bot is not None
    assert bot.created_at == datetime(2031, 6, 1, 10, 0, tzinfo=UTC)
    assert bot.created_at.tzinfo == UTC


async def test_naive_times_refused(database_url: str) -> None:
    clock = FakeClock(datetime(2031, 6, 1, 12, 0))
    async with await open_store(database_url, now=clock) as store:
        with pytest.raises(Exception, match="naive"):
            await store.add_bot("alpha")
        assert await store.list_bots() == []
