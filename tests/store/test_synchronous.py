"""SQLite commits results with synchronous=FULL, everything else with NORMAL (or all NORMAL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from ringside.store import MatchOutcome, Store, open_store, sqlite_url


async def statements(store: Store, match_id: str) -> list[str]:
    """The PRAGMA and BEGIN statements of creating, appending to and finishing a match."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith(("PRAGMA synchronous", "BEGIN")):
            seen.append(statement)

    event.listen(store.engine.sync_engine, "before_cursor_execute", record)
    try:
        await store.create_match(match_id, "tictactoe", ["a", "b"], 1, {}, {}, status="running")
        await store.finish_match(MatchOutcome(match_id=match_id, status="aborted"))
        await store.list_matches()
    finally:
        event.remove(store.engine.sync_engine, "before_cursor_execute", record)
    return seen


@pytest.mark.parametrize(("level", "pragmas"), [("full", ["FULL", "NORMAL"]), ("normal", [])])
async def test_results_commit_with_the_chosen_level(
    tmp_path: Path, level: str, pragmas: list[str]
) -> None:
    async with await open_store(sqlite_url(tmp_path)) as store:
        store.db.results_synchronous = level  # type: ignore[assignment]
        seen = await statements(store, "m1")
    assert [s.rsplit("=", 1)[1] for s in seen if s.startswith("PRAGMA")] == pragmas
    if pragmas:
        # FULL just before the finishing transaction, NORMAL again for the next one.
        assert seen == [
            "BEGIN IMMEDIATE",
            "PRAGMA synchronous=FULL",
            "BEGIN IMMEDIATE",
            "PRAGMA synchronous=NORMAL",
            "BEGIN",
        ]
