"""The leaderboard and the tournament pages in a real browser, against real bots."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any

import pytest
from web_helpers import BotFleet, finished_tournament, http_json, play_match

from ringside.testing.wire import ServerProcess

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture says why
    if os.environ.get("RINGSIDE_REQUIRE_BROWSER"):
        raise
    pytest.skip("playwright is not installed", allow_module_level=True)

CUP = "<b>Web cup</b> & <i>co</i>"

# Every "played" figure the tournament page shows, to prove it moved on live.
RECORD_PROGRESS = """
window.__played = [];
new MutationObserver(() => {
  const box = document.querySelector(".tournament-progress");
  if (!box || box.dataset.played === undefined) return;
  const n = Number(box.dataset.played);
  const seen = window.__played;
  if (!seen.length || seen[seen.length - 1] !== n) seen.push(n);
}).observe(document, { subtree: true, childList: true, attributes: true,
                       attributeFilter: ["data-played"] });
"""


def fmt(x: float) -> str:
    """Points as the page writes them (dom.js fmtScore)."""
    return str(int(x)) if float(x).is_integer() else f"{x:.1f}"


def js_round(x: float) -> int:
    return math.floor(x + 0.5)


def expect_leaderboard(page: Any, server: ServerProcess, game: str) -> dict[str, Any]:
    """Every row of the page's table is the API's, in the API's order."""
    status, board = http_json("GET", f"{server.http}/api/leaderboard?game={game}")
    assert status == 200
    rows = page.locator("table.leaderboard tbody tr")
    expect(rows).to_have_count(len(board["rows"]))
    for i, r in enumerate(board["rows"]):
        row = rows.nth(i)
        expect(row).to_have_attribute("data-bot", r["bot"])
        margin = js_round((r["elo_high"] - r["elo_low"]) / 2)
        expect(row.locator("td.rating")).to_have_text(f"{js_round(r['elo'])} ± {margin}")
        expect(row.locator("td.mu")).to_have_text(f"{r['mu']:.2f} / {r['sigma']:.2f}")
        for key in ("games", "wins", "draws", "losses"):
            expect(row.locator(f"td.{key}")).to_have_text(str(r[key]))
    return board  # type: ignore[no-any-return]


def test_the_leaderboard_shows_rated_bots_and_follows_finished_matches(
    page: Any, server: ServerProcess, fleet: BotFleet, artifacts: Path
) -> None:
    for i, name in enumerate(("lb-ann", "lb-bob", "lb-cid")):
        fleet.add(server.ws_bot, name, games=["tictactoe"], seed=10 + i)
    play_match(server, {"game": "tictactoe", "bots": ["lb-ann", "lb-bob"], "rounds": 2})
    page.goto(f"{server.http}/#/leaderboard")  # no game asked: the first rated one
    expect(page.locator("#lb-game")).to_have_value("tictactoe")
    expect(page.locator("#lb-game optgroup[label='Rated'] option")).to_have_text(["Tic-tac-toe"])
    board = expect_leaderboard(page, server, "tictactoe")
    assert {r["bot"] for r in board["rows"]} == {"lb-ann", "lb-bob"}
    assert all(r["games"] == 1 for r in board["rows"])

    # No reload: the finished matches arrive as lobby events and the table follows.
    page.evaluate("window.__sameDocument = true")
    play_match(server, {"game": "tictactoe", "bots": ["lb-bob", "lb-cid"], "rounds": 2})
    expect(page.locator('tr[data-bot="lb-cid"] td.games')).to_have_text("1")
    expect(page.locator('tr[data-bot="lb-bob"] td.games')).to_have_text("2")
    play_match(server, {"game": "tictactoe", "bots": ["lb-ann", "lb-cid"], "rounds": 2})
    expect(page.locator('tr[data-bot="lb-ann"] td.games')).to_have_text("2")
    board = expect_leaderboard(page, server, "tictactoe")
    assert sorted(r["games"] for r in board["rows"]) == [2, 2, 2]
    assert page.evaluate("window.__sameDocument") is True
    expect(page.locator(".model-note")).to_contain_text("mu − 3 sigma")
    page.screenshot(path=str(artifacts / "leaderboard.png"))

    page.select_option("#lb-game", "connect4")
    expect(page.locator(".leaderboard-box .empty")).to_contain_text("No Connect Four match")
    assert page.url.endswith("#/leaderboard?game=connect4")
    for name in ("lb-ann", "lb-bob", "lb-cid"):
        fleet.remove(name)


def test_a_round_robin_from_the_form_shows_live_standings_and_cross_table(
    page: Any, server: ServerProcess, fleet: BotFleet, artifacts: Path
) -> None:
    bots = ("rr-ann", "rr-bob", "rr-cid")
    for i, name in enumerate(bots):
        fleet.add(server.ws_bot, name, games=["tictactoe"], think=0.05, seed=20 + i)
    # A two-bot SPRT gauntlet through the API first: over quickly, with an SPRT state.
    body = {"game": "tictactoe", "format": "gauntlet", "bots": ["rr-ann", "rr-bob"]}
    sprt_settings = {"elo0": 0, "elo1": 50, "model": "pentanomial"}  # the two games: one pair
    body |= {"games_per_pair": 2, "sprt": sprt_settings, "name": CUP}
    status, sprt_ref = http_json("POST", f"{server.http}/api/tournaments", body)
    assert status == 201, sprt_ref
    sprt = finished_tournament(server, sprt_ref["id"])["sprt"]

    page.add_init_script(RECORD_PROGRESS)
    page.goto(f"{server.http}/#/tournaments")
    rows = page.locator("table.tournaments tbody tr")
    expect(rows.first).to_have_attribute("data-tournament", sprt_ref["id"])
    expect(rows.first).to_contain_text("2 / 2")
    expect(rows.first.locator("th").get_by_role("link")).to_have_text(CUP)
    page.fill("#t-name", "Spring cup")
    page.select_option("#t-game", "tictactoe")
    page.select_option("#t-format", "round-robin")
    for name in bots:
        page.get_by_label(name, exact=True).check()
    page.fill("#t-games", "2")
    page.fill("#t-seconds", "5")
    page.get_by_role("button", name="Start tournament").click()
    expect(page).to_have_url(re.compile(r"#/tournament/[0-9a-f]+$"))
    tid = page.url.rsplit("/", 1)[1]
    expect(page.locator("h1")).to_have_text("Spring cup")

    # Meanwhile the list, in another tab, has it first and follows it to the end.
    listing = page.context.new_page()
    listing.goto(f"{server.http}/#/tournaments")
    expect(listing.locator("table.tournaments tbody tr").first).to_have_attribute(
        "data-tournament", tid
    )
    progress = page.locator(".tournament-progress")
    expect(progress).to_have_attribute("data-status", "finished", timeout=30_000)
    mine = listing.locator(f'tr[data-tournament="{tid}"]')
    expect(mine).to_have_attribute("data-status", "finished")
    expect(mine).to_contain_text("6 / 6")
    listing.close()

    detail = finished_tournament(server, tid)
    assert detail["played"] == detail["total"] == 6
    seen = page.evaluate("window.__played")
    assert seen == sorted(seen) and seen[-1] == 6 and len(seen) >= 3, seen
    expect(progress).to_contain_text("6 / 6")
    expect(progress.locator(".leader")).to_have_text(f"Winner: {detail['leader']}")

    standings = page.locator("table.standings tbody tr")
    expect(standings).to_have_count(3)
    for i, r in enumerate(detail["standings"]):
        expect(standings.nth(i)).to_have_attribute("data-bot", r["bot"])
        expect(standings.nth(i).locator("td.points")).to_have_text(fmt(r["points"]))
        expect(standings.nth(i).locator("td.games")).to_have_text("4")
    points = {}
    for r in detail["cross_table"]:
        row = page.locator(f'table.cross-table tbody tr[data-bot="{r["bot"]}"]')
        for opponent, cell in r["cells"].items():
            text = f"{fmt(cell['points'])}/{cell['games']}"
            expect(row.locator(f'td[data-opponent="{opponent}"]')).to_have_text(text)
            points[r["bot"], opponent] = cell["points"]
        expect(row.locator("td.total")).to_have_text(f"{fmt(r['points'])}/{r['games']}")
        expect(row.locator("td.self")).to_have_count(1)
    # The right totals: each pair shares its two points; six games, six points.
    assert all(points[a, b] + points[b, a] == 2 for a, b in points)
    assert sum(r["points"] for r in detail["cross_table"]) == 6
    page.get_by_text("Games (6)").click()  # the game list is folded away at first
    games = page.locator("table.games tbody tr")
    expect(games).to_have_count(6)
    expect(games.filter(has=page.get_by_role("link", name="Replay"))).to_have_count(6)
    page.screenshot(path=str(artifacts / "tournament.png"), full_page=True)

    page.goto(f"{server.http}/#/tournament/{sprt_ref['id']}")
    expect(page.locator("h1")).to_have_text(CUP)
    assert page.locator("main b, main i").count() == 0  # the name stayed text
    box = page.locator(".sprt")
    expect(box).to_contain_text(f"{sprt['llr']:.2f} (bounds {sprt['lower']:.2f}")
    expect(box).to_contain_text(f"+{sprt['wins']} ={sprt['draws']} −{sprt['losses']} in 2 games")
    expect(box.locator("meter")).to_have_count(1)
    ptnml = ", ".join(str(c) for c in sprt["pentanomial"])
    expect(box.locator(".sprt-model")).to_have_text(
        f"Pentanomial (seat-swapped game pairs), logistic Elo. Pairs 1, rr-ann's points"
        f" 0/½/1/1½/2: {ptnml}."
    )

    # A long one, cancelled from its page (this server is open: no token asked).
    body = {"game": "tictactoe", "bots": list(bots), "games_per_pair": 20, "name": "long"}
    status, long = http_json("POST", f"{server.http}/api/tournaments", body)
    assert status == 201, long
    page.goto(f"{server.http}/#/tournament/{long['id']}")
    page.get_by_role("button", name="Cancel the tournament").click()
    expect(progress).to_have_attribute("data-status", "cancelled")
    expect(page.get_by_role("button", name="Cancel the tournament")).to_be_hidden()
    assert finished_tournament(server, long["id"])["status"] == "cancelled"
    for name in bots:
        fleet.remove(name)


def test_the_tournament_form_asks_for_the_admin_token_and_shows_api_errors(
    page: Any, tmp_path: Path
) -> None:
    token = "tournament-web-secret"
    locked = ServerProcess(tmp_path, ["--admin-token", token]).start()
    try:
        page.goto(f"{locked.http}/#/tournaments")
        expect(page.locator(".bot-checks")).to_contain_text("No bot online plays Tic-tac-toe")
        page.select_option("#t-format", "gauntlet")
        expect(page.get_by_label("First bot (plays all the others)")).to_be_visible()
        expect(page.locator("#t-rounds")).to_be_hidden()
        page.select_option("#t-format", "swiss")
        page.fill("#t-rounds", "3")
        start = page.get_by_role("button", name="Start tournament")

        start.click()  # no token yet: the server answers 401
        message = page.locator(".form-message")
        expect(message).to_contain_text("needs an admin token to start a tournament")
        expect(message).to_contain_text("Authorization: Bearer")
        expect(page.get_by_label("Admin token")).to_be_focused()

        page.get_by_label("Admin token").fill("wrong")
        start.click()
        expect(message).to_contain_text("refused that admin token")

        page.get_by_label("Admin token").fill(token)
        start.click()  # the right token, but no bots: the server's own sentence
        expect(message).to_contain_text("The server refused the tournament (invalid_tournament)")
        expect(message).to_contain_text("a tournament needs 2 to")
        assert page.evaluate("sessionStorage.getItem('ringside.adminToken')") == token
    finally:
        locked.stop()
