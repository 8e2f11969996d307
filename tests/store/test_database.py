"""SQLite set-up: file location, WAL, foreign keys, busy timeout, aware UTC times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from ringside.store import EncodedEvent, engine, open_store, sqlite_url
from ringside.store.engine import SQLITE_AUTOCHECKPOINT_PAGES
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
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "wal_autocheckpoint")
            }
    assert pragma["journal_mode"] == "wal"
    assert pragma["foreign_keys"] == 1
    assert pragma["busy_timeout"] >= 1000
    assert pragma["wal_autocheckpoint"] == SQLITE_AUTOCHECKPOINT_PAGES


async def test_writes_are_checkpointed_in_the_background(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Commits leave the log to the store's checkpointer, which copies all of it soon after."""
    monkeypatch.setattr(engine, "CHECKPOINT_DELAY", 0.0)
    async with await open_store(sqlite_url(tmp_path)) as store:
        await store.create_match("m1", "counting", ["a", "b"], 1, {}, {}, status="running")
        events = [EncodedEvent("move", b'{"type":"move","ply":%d}' % n) for n in range(2000)]
        # Measured before the write: with no delay the checkpoint may be done by the
        # time append_events returns.
        database = tmp_path / "ringside.db"
        before = database.stat().st_size
        await store.append_events("m1", events)
        checkpointer = store.db._checkpointer
        assert checkpointer is not None, "a write schedules a checkpoint"
        await checkpointer
        assert database.stat().st_size > before + 50_000, "the events were copied into the file"
        logged, copied = await store.checkpoint() or (-1, -1)
        assert logged == copied > 0, "nothing was left behind in the log"
        match = await store.get_match("m1")
        assert match is not None and len(match.events) == 2000


async def test_checkpoint_is_sqlite_only(database_url: str) -> None:
    async with await open_store(database_url) as store:
        figures = await store.checkpoint()
    if database_url.startswith("sqlite"):
        assert figures is not None and figures[0] == figures[1], "every page copied"
    else:
        assert figures is None


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
