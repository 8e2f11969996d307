"""SQLite's checkpoints on their own connection and thread, at a lower CPU priority."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest

from ringside.store import EncodedEvent, open_store, sqlite_url
from ringside.store.checkpoints import NICE_STEP, Checkpointer


def _checkpoint_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("ringside-checkpoint")]


async def test_the_log_is_copied_from_a_thread_of_its_own_which_closes_with_the_store(
    tmp_path: Path,
) -> None:
    before = _checkpoint_threads()
    async with await open_store(sqlite_url(tmp_path)) as store:
        await store.create_match("m1", "counting", ["a", "b"], 1, {}, {}, status="running")
        await store.append_events(
            "m1", [EncodedEvent("move", b'{"ply":%d}' % n) for n in range(500)]
        )
        logged, copied = await store.checkpoint() or (-1, -1)
        assert logged == copied > 0, "every page of the log copied"
        assert len(_checkpoint_threads()) == len(before) + 1
        await store.append_events("m1", [EncodedEvent("move", b'{"ply":500}')])
        logged, copied = await store.checkpoint() or (-1, -1)
        assert logged == copied > 0, "the same thread and connection checkpoint again"
        assert len(_checkpoint_threads()) == len(before) + 1
    assert _checkpoint_threads() == before, "closing the store ends the thread"
    async with await open_store(sqlite_url(tmp_path)) as store:
        match = await store.get_match("m1")
    assert match is not None and len(match.events) == 501


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own nice value")
async def test_the_checkpoint_thread_runs_at_a_lower_priority_than_the_rest(
    tmp_path: Path,
) -> None:
    main = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    async with await open_store(sqlite_url(tmp_path)) as store:
        await store.create_match("m1", "counting", ["a", "b"], 1, {}, {}, status="running")
        checkpoints = store.db._checkpoints
        assert isinstance(checkpoints, Checkpointer)
        await store.checkpoint()
        assert checkpoints.nice == min(19, main + NICE_STEP)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == main, (
        "the event loop's thread keeps its priority"
    )


async def test_a_database_in_memory_still_checkpoints_through_the_engine() -> None:
    async with await open_store("sqlite+aiosqlite:///:memory:") as store:
        assert store.db._checkpoints is None
        figures = await store.checkpoint()
    assert figures is not None
