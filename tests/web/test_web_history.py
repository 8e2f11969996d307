"""The history view pages by the API's cursors: Older and Newer, and what is shown of the total."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from ringside.store import MatchOutcome, open_store, sqlite_url
from ringside.testing.clock import FakeClock
from ringside.testing.wire import ServerProcess

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture says why
    if os.environ.get("RINGSIDE_REQUIRE_BROWSER"):
        raise
    pytest.skip("playwright is not installed", allow_module_level=True)

MATCHES = 60  # two full pages of 25 and one of 10


def fill(data_dir: Path) -> None:
    """Finished matches m00 (oldest) to m59 (newest), one second apart."""

    async def run() -> None:
        clock = FakeClock()
        async with await open_store(sqlite_url(data_dir), now=clock) as store:
            for n in range(MATCHES):
                clock.advance(1)
                match_id = f"m{n:02d}"
                await store.create_match(
                    match_id, "tictactoe", ["ann", "bob"], 1, {}, {}, status="running"
                )
                await store.finish_match(
                    MatchOutcome(
                        match_id=match_id, status="finished", scores=(1.0, 0.0), winner="ann"
                    )
                )

    with ThreadPoolExecutor(1) as thread:  # the browser's event loop runs in this one
        thread.submit(asyncio.run, run()).result()


@pytest.fixture
def filled_server(tmp_path: Path) -> Iterator[ServerProcess]:
    fill(tmp_path)
    server = ServerProcess(tmp_path, ["--open"]).start()
    yield server
    server.stop()


def shown(page: Any) -> list[str]:
    rows = page.locator("table.history tbody tr")
    expect(rows.first).to_be_visible()
    return [rows.nth(i).get_attribute("data-match") for i in range(rows.count())]


def test_older_and_newer_follow_the_cursors(page: Any, filled_server: ServerProcess) -> None:
    page.goto(f"{filled_server.http}/#/history")
    older = page.get_by_role("button", name="Older")
    newer = page.get_by_role("button", name="Newer")
    expect(page.locator("nav.pager span")).to_have_text("25 shown of 60")
    assert shown(page) == [f"m{n:02d}" for n in range(59, 34, -1)]
    expect(newer).to_be_disabled()

    older.click()
    expect(page.locator('tr[data-match="m34"]')).to_be_visible()
    assert shown(page) == [f"m{n:02d}" for n in range(34, 9, -1)]
    older.click()
    expect(page.locator("nav.pager span")).to_have_text("10 shown of 60")
    assert shown(page) == [f"m{n:02d}" for n in range(9, -1, -1)]
    expect(older).to_be_disabled()

    newer.click()
    expect(page.locator('tr[data-match="m34"]')).to_be_visible()
    assert shown(page) == [f"m{n:02d}" for n in range(34, 9, -1)]
    newer.click()
    expect(page.locator('tr[data-match="m59"]')).to_be_visible()
    expect(newer).to_be_disabled()
