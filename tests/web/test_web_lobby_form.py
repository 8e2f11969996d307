"""The lobby as TV and the match form beside a running ladder, in a real browser."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from web_helpers import BotFleet, http_json

from ringside.store import MatchOutcome, open_store, sqlite_url
from ringside.testing.clock import FakeClock
from ringside.testing.wire import ServerProcess

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture says why
    if os.environ.get("RINGSIDE_REQUIRE_BROWSER"):
        raise
    pytest.skip("playwright is not installed", allow_module_level=True)


@pytest.fixture(scope="module", name="ladder")
def ladder_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server whose ladder keeps pairing idle bots, as in ``make demo``."""
    process = ServerProcess(tmp_path_factory.mktemp("ladder"), ["--open", "--ladder"])
    process.start()
    yield process
    process.stop()


def test_the_form_waits_for_a_bot_the_ladder_has_and_starts_when_it_is_free(
    page: Any, ladder: ServerProcess, fleet: BotFleet
) -> None:
    page.goto(f"{ladder.http}/")
    expect(page.locator("#conn")).to_have_text("live")
    page.select_option("#f-game", "tictactoe")
    # The ladder pairs these two at once; lad-a stops before its second move until let go.
    held = fleet.gate(before_request=1)
    fleet.add(ladder.ws_bot, "lad-a", games=["tictactoe"], think=0.05, gate=held)
    fleet.add(ladder.ws_bot, "lad-b", games=["tictactoe"], think=0.05)
    assert held.reached.wait(15), "the ladder did not pair lad-a"
    fleet.add(ladder.ws_bot, "person-pick", games=["tictactoe"])  # alone: the ladder waits
    expect(page.locator('tr[data-bot="lad-a"]')).to_contain_text("playing")

    # A busy bot stays in the choices, marked, instead of vanishing under the cursor.
    expect(page.locator('#f-bot-1 option[value="lad-a"]')).to_have_text("lad-a (playing)")
    page.select_option("#f-bot-0", "person-pick")
    page.select_option("#f-bot-1", "lad-a")
    expect(page.locator(".bots-set .hint")).to_contain_text("lad-a is playing a match")
    start = page.get_by_role("button", name="Start match")
    start.click()

    waiting = page.locator(".form-message .waiting")
    expect(waiting).to_contain_text("Waiting for lad-a")
    expect(waiting).to_contain_text("to finish its match")
    expect(waiting).to_contain_text(re.compile(r"\d:\d\d left"))
    expect(waiting.get_by_role("link", name="lad-a")).to_have_attribute("href", "#/bot/lad-a")
    expect(waiting.get_by_role("button", name="Cancel")).to_be_visible()
    expect(start).to_be_disabled()
    # person-pick is held for the request: the ladder does not take it meanwhile.
    expect(page.locator('tr[data-bot="person-pick"]')).to_contain_text("idle")

    held.open()  # lad-a's ladder match plays out; the request takes lad-a then
    expect(page).to_have_url(re.compile(r"#/match/[0-9a-f]+$"), timeout=30_000)
    expect(page.locator("h1")).to_have_text("Tic-tac-toe — person-pick vs lad-a")
    # X's dot is blue and O's red, the colours of their marks (they were both black).
    swatches = page.locator(".player .swatch")
    expect(swatches).to_have_count(2)
    # Waited for, not read once: the page draws the players again as the match starts.
    expect(swatches.nth(0)).to_have_css("background-color", "rgb(29, 78, 216)")
    expect(swatches.nth(1)).to_have_css("background-color", "rgb(185, 28, 28)")
    for name in ("lad-a", "lad-b", "person-pick"):
        fleet.remove(name)


def test_a_waiting_request_can_be_cancelled(
    page: Any, ladder: ServerProcess, fleet: BotFleet
) -> None:
    page.goto(f"{ladder.http}/")
    page.select_option("#f-game", "connect4")
    held = fleet.gate(before_request=0)
    fleet.add(ladder.ws_bot, "c4-a", games=["connect4"], gate=held)
    fleet.add(ladder.ws_bot, "c4-b", games=["connect4"], gate=held)
    assert held.reached.wait(15), "the ladder did not pair c4-a and c4-b"
    fleet.add(ladder.ws_bot, "c4-me", games=["connect4"])
    expect(page.locator('#f-bot-1 option[value="c4-me"]')).to_have_count(1)
    page.select_option("#f-bot-0", "c4-me")
    page.select_option("#f-bot-1", "c4-a")
    page.get_by_role("button", name="Start match").click()
    waiting = page.locator(".form-message .waiting")
    expect(waiting).to_contain_text("Waiting for c4-a")
    waiting.get_by_role("button", name="Cancel").click()
    expect(page.locator(".form-message")).to_contain_text("Request cancelled")
    expect(page.get_by_role("button", name="Start match")).to_be_enabled()
    held.open()
    for name in ("c4-a", "c4-b", "c4-me"):
        fleet.remove(name)


def test_the_lobby_shows_running_matches_first_with_mini_boards_and_a_game_filter(
    page: Any, ladder: ServerProcess, fleet: BotFleet
) -> None:
    ttt = fleet.gate(before_request=1)
    c4 = fleet.gate(before_request=1)
    fleet.add(ladder.ws_bot, "tv-x", games=["tictactoe"], gate=ttt)
    fleet.add(ladder.ws_bot, "tv-o", games=["tictactoe"], gate=ttt)
    fleet.add(ladder.ws_bot, "tv-red", games=["connect4"], gate=c4)
    fleet.add(ladder.ws_bot, "tv-yellow", games=["connect4"], gate=c4)
    assert ttt.reached.wait(15) and c4.reached.wait(15), "the ladder did not pair them"
    page.goto(f"{ladder.http}/")
    tv = page.locator("section.now-playing")
    ttt_match = tv.locator('li.running-match[data-game="tictactoe"]')
    c4_match = tv.locator('li.running-match[data-game="connect4"]')
    expect(ttt_match).to_have_count(1)
    expect(c4_match).to_have_count(1)
    # The matches come first on the page, the bots and the form after them.
    assert page.evaluate(
        "document.querySelector('section.now-playing')"
        ".compareDocumentPosition(document.querySelector('table.bots'))"
        " & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    # Each has a small live board drawn by the game's own module, and links to its bots.
    expect(ttt_match.locator(".mini-board svg")).to_be_visible()
    expect(c4_match.locator(".mini-board svg")).to_be_visible()
    expect(ttt_match.locator(".mini-board")).to_have_attribute("data-ply", re.compile("[1-9]"))
    expect(ttt_match.get_by_role("link", name="tv-x", exact=True)).to_have_attribute(
        "href", "#/bot/tv-x"
    )
    box = c4_match.locator(".mini-board svg").bounding_box()
    assert box is not None and box["width"] <= 320, "a mini board, not a full one"

    page.select_option("#tv-game", "connect4")
    expect(ttt_match).to_have_count(0)
    expect(c4_match).to_have_count(1)
    expect(page.locator("#tv-game option:checked")).to_have_text("Connect Four (1)")
    page.select_option("#tv-game", "")
    expect(ttt_match).to_have_count(1)

    ttt.open()
    c4.open()
    for name in ("tv-x", "tv-o", "tv-red", "tv-yellow"):
        fleet.remove(name)


def test_start_is_disabled_while_the_page_is_offline(page: Any, tmp_path: Path) -> None:
    first = ServerProcess(tmp_path, ["--open"]).start()
    again: ServerProcess | None = None
    try:
        page.goto(f"{first.http}/")
        start = page.get_by_role("button", name="Start match")
        expect(start).to_be_enabled()
        first.stop()
        expect(page.locator("#conn")).to_have_text("offline")
        expect(start).to_be_disabled()
        expect(page.locator(".offline-note")).to_contain_text("Offline")
        again = ServerProcess(tmp_path, ["--open", "--port", str(first.port)]).start()
        expect(page.locator("#conn")).to_have_text("live", timeout=15_000)
        expect(start).to_be_enabled()
        expect(page.locator(".offline-note")).to_be_hidden()
    finally:
        first.stop()
        if again is not None:
            again.stop()


def test_the_api_docs_lead_back_and_fit_a_phone(browser: Any, server: ServerProcess) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(f"{server.http}/api/docs")
        expect(page.locator("h3").first).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the docs lay out {width} px wide on a 390 px phone"
        page.get_by_role("link", name="Back to Ringside").click()
        expect(page.locator("h1")).to_have_text("Lobby")
    finally:
        context.close()


def test_history_shows_the_time_it_is_ordered_by(page: Any, tmp_path: Path) -> None:
    """Rows are newest-created first; "When" shows that creation time (the finish is its
    tooltip), so the column reads in order even when an older match finished last."""

    async def fill() -> None:
        clock = FakeClock()
        async with await open_store(sqlite_url(tmp_path), now=clock) as store:
            for match_id in ("early", "late"):
                clock.advance(60)
                await store.create_match(
                    match_id, "tictactoe", ["ann", "bob"], 1, {}, {}, status="running"
                )
            for match_id in ("late", "early"):  # the older one finishes last
                clock.advance(3600)
                outcome = MatchOutcome(
                    match_id=match_id, status="finished", scores=(1.0, 0.0), winner="ann"
                )
                await store.finish_match(outcome)

    with ThreadPoolExecutor(1) as thread:  # the browser's event loop runs in this one
        thread.submit(asyncio.run, fill()).result()
    server = ServerProcess(tmp_path, ["--open"]).start()
    try:
        page.goto(f"{server.http}/#/history")
        rows = page.locator("table.history tbody tr")
        expect(rows).to_have_count(2)
        assert [rows.nth(i).get_attribute("data-match") for i in (0, 1)] == ["late", "early"]
        listed = {m["id"]: m for m in http_json("GET", f"{server.http}/api/matches")[1]["items"]}
        for i, match_id in enumerate(("late", "early")):
            created = page.evaluate(
                "iso => new Date(iso).toLocaleString()", listed[match_id]["created_at"]
            )
            expect(rows.nth(i).locator("td").first).to_have_text(created)
    finally:
        server.stop()
