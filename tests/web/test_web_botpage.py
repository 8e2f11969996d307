"""A bot's page in a real browser: its rating chart, its results, and the links to it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from web_helpers import BotFleet, finished_tournament, first_legal, http_json, play_match

from ringside.testing.wire import ServerProcess

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture says why
    if os.environ.get("RINGSIDE_REQUIRE_BROWSER"):
        raise
    pytest.skip("playwright is not installed", allow_module_level=True)

BOTS = ("bp-ann", "bp-bob", "bp-cid")


def stored_tally(server: ServerProcess, name: str) -> dict[str, int]:
    """Wins, draws and losses of ``name`` counted from the stored matches' seat scores."""
    status, listing = http_json(
        "GET", f"{server.http}/api/matches?bot={name}&status=finished&limit=200"
    )
    assert status == 200
    tally = {"played": 0, "wins": 0, "draws": 0, "losses": 0}
    for m in listing["items"]:
        mine = next(s["score"] for s in m["seats"] if s["bot"] == name)
        best = max(s["score"] for s in m["seats"] if s["bot"] != name)
        tally["played"] += 1
        tally["wins" if mine > best else "draws" if mine == best else "losses"] += 1
    return tally


def chart_points(page: Any, game: str) -> Any:
    return page.locator(f'.bot-game[data-game="{game}"] svg.rating-chart circle.point')


def test_a_bot_page_charts_every_rated_match_and_adds_up_its_results(
    page: Any, server: ServerProcess, fleet: BotFleet, artifacts: Path
) -> None:
    fleet.add(server.ws_bot, "bp-ann", games=["tictactoe"], seed=1)
    fleet.add(server.ws_bot, "bp-bob", games=["tictactoe"], seed=2)
    fleet.add(server.ws_bot, "bp-cid", games=["tictactoe"], choose=first_legal)
    for pair in (("bp-ann", "bp-bob"), ("bp-cid", "bp-ann"), ("bp-ann", "bp-cid")):
        play_match(server, {"game": "tictactoe", "bots": list(pair)})
    play_match(server, {"game": "tictactoe", "bots": ["bp-bob", "bp-ann"], "rounds": 2})
    body = {"game": "tictactoe", "bots": list(BOTS), "games_per_pair": 2, "name": "Bot page cup"}
    status, cup = http_json("POST", f"{server.http}/api/tournaments", body)
    assert status == 201, cup
    finished_tournament(server, cup["id"], timeout=60)

    # A name in the leaderboard links to the bot's page.
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{server.http}/#/leaderboard?game=tictactoe")
    page.locator('table.leaderboard tr[data-bot="bp-ann"] a.bot-link').click()
    expect(page).to_have_url(f"{server.http}/#/bot/bp-ann")
    expect(page.locator("h1")).to_have_text("bp-ann")

    # One point per rated match: every finished match of hers was rated.
    tally = stored_tally(server, "bp-ann")
    assert tally["played"] == 8
    points = chart_points(page, "tictactoe")
    expect(points).to_have_count(tally["played"])
    _, api = http_json("GET", f"{server.http}/api/bots/bp-ann")
    [game] = api["games"]
    assert [p.get_attribute("data-match") for p in points.all()] == [
        p["match_id"] for p in game["history"]
    ]
    chart = page.locator(".bot-game svg.rating-chart")
    expect(chart).to_have_attribute("role", "img")
    expect(chart.locator("title").first).to_have_text("Tic-tac-toe: rating after each rated match")
    expect(chart.locator("desc")).to_contain_text("8 rated matches")
    history_rows = page.locator(".bot-game .history-table tbody tr")
    expect(history_rows).to_have_count(8)
    last_elo = str(round(game["history"][-1]["elo"]))
    expect(history_rows.last.locator("td.elo")).to_have_text(last_elo)
    expect(page.locator(".bot-game .rating-line .elo")).to_have_text(last_elo)

    # W/D/L are the stored results.
    for key in ("played", "wins", "draws", "losses"):
        figure = page.locator(f'.bot-summary [data-figure="{key}"] dd')
        expect(figure).to_have_text(str(tally[key]))
        expect(page.locator(f'.bot-game [data-figure="{key}"] dd')).to_have_text(str(tally[key]))
    expect(page.locator('.bot-summary [data-figure="aborted"] dd')).to_have_text("0")

    for row in api["head_to_head"]:
        cells = page.locator(f'table.head-to-head tr[data-opponent="{row["opponent"]}"]')
        expect(cells.locator("td.games")).to_have_text(str(row["games"]))
        expect(cells.locator("td.wins")).to_have_text(str(row["wins"]))
    expect(page.locator("table.head-to-head tbody tr")).to_have_count(2)
    expect(page.locator("table.recent tbody tr")).to_have_count(8)
    expect(
        page.locator("table.recent tbody tr").first.get_by_role("link", name="Replay")
    ).to_have_count(1)
    cup_row = page.locator(f'table.bot-tournaments tr[data-tournament="{cup["id"]}"]')
    expect(cup_row.get_by_role("link")).to_have_text("Bot page cup")
    expect(page.locator(".online")).to_contain_text("online now")
    page.screenshot(path=str(artifacts / "bot-page.png"), full_page=True)

    # No reload: a finished match arrives as a lobby event and the chart grows by a point.
    page.evaluate("window.__sameDocument = true")
    play_match(server, {"game": "tictactoe", "bots": ["bp-ann", "bp-bob"]})
    expect(points).to_have_count(9)
    expect(page.locator('.bot-summary [data-figure="played"] dd')).to_have_text("9")
    assert page.evaluate("window.__sameDocument") is True

    # The names on the page link to the other bots' pages.
    page.locator('table.head-to-head tr[data-opponent="bp-cid"] a.bot-link').click()
    expect(page).to_have_url(f"{server.http}/#/bot/bp-cid")
    expect(page.locator("h1")).to_have_text("bp-cid")
    expect(chart_points(page, "tictactoe")).to_have_count(stored_tally(server, "bp-cid")["played"])

    # Tournament standings, cross table and games, and History, link to the bots too.
    page.goto(f"{server.http}/#/tournament/{cup['id']}")
    expect(page.locator("table.standings tbody a.bot-link")).to_have_count(3)
    expect(page.locator("table.cross-table tbody a.bot-link")).to_have_count(3)
    page.goto(f"{server.http}/#/history?bot=bp-ann")
    expect(page.locator("table.history tbody tr").first.locator("a.bot-link")).to_have_count(2)
    page.goto(f"{server.http}/#/")
    expect(page.locator('table.bots tr[data-bot="bp-ann"] a.bot-link')).to_have_attribute(
        "href", "#/bot/bp-ann"
    )
    for name in BOTS:
        fleet.remove(name)


def test_an_unknown_bot_says_so_without_a_retry(page: Any, server: ServerProcess) -> None:
    name = "nobody <b>here</b>"
    page.goto(f"{server.http}/#/bot/{quote(name, safe='')}")
    expect(page.locator("h1")).to_have_text(name)
    expect(page.locator(".bot-body .empty")).to_contain_text(f"There is no bot named {name} here")
    expect(page.get_by_role("button", name="Try again")).to_have_count(0)
    assert page.locator("main b").count() == 0  # the name stayed text
