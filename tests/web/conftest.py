"""Browser tests of the web page: a real server, real bots, Debian's chromium.

Nothing is downloaded: Playwright drives /usr/bin/chromium (from
``scripts/system-deps.sh``). Without it the tests skip, unless
RINGSIDE_REQUIRE_BROWSER is set (CI), where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_helpers import BotFleet

from ringside.testing.wire import ServerProcess

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _unavailable(reason: str) -> None:
    if os.environ.get("RINGSIDE_REQUIRE_BROWSER"):
        pytest.fail(f"a browser is required here (RINGSIDE_REQUIRE_BROWSER): {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One per module: Playwright's sync API runs an event loop of its own in this thread,
    and pytest-asyncio cannot start one beside it, so the browser must be gone before a
    pytest-xdist worker goes on from a browser module to an async one."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing: run `bash scripts/system-deps.sh` as root")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is missing: pip install -e '.[test]'")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    except Exception as exc:
        playwright.stop()
        _unavailable(f"chromium did not start: {exc}")
    yield browser
    browser.close()
    playwright.stop()


class PageWatch:
    """What a page did that a test must not miss: script errors and dialogs."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = PageWatch()
    page.on("pageerror", lambda error: watch.errors.append(str(error)))

    def on_dialog(dialog: Any) -> None:
        watch.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.watch = watch
    yield page
    context.close()
    assert not watch.errors, f"script errors in the page: {watch.errors}"
    assert not watch.dialogs, f"the page opened dialogs: {watch.dialogs}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    # The default heartbeat (20 s): a bot held at a gate reads nothing, pongs included, and
    # aiohttp drops a WebSocket whose pong is late by half a heartbeat.
    process = ServerProcess(tmp_path_factory.mktemp("web"), ["--open"])
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def fleet() -> Iterator[BotFleet]:
    bots = BotFleet()
    yield bots
    bots.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
