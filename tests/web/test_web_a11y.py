"""Every page at a desktop and a phone size: no horizontal overflow, no serious axe finding.

One server, one set of bots and matches (a finished match, a round-robin, a live
match held open by a gate), and one browser context per size whose pages are
visited in turn. axe-core is the released file vendored under tests/web/vendor/
(see its README), injected into the page and run as it is.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from web_helpers import BotFleet, Gate, finished_tournament, http_json, play_match

from ringside.testing.wire import ServerProcess

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture says why
    if os.environ.get("RINGSIDE_REQUIRE_BROWSER"):
        raise
    pytest.skip("playwright is not installed", allow_module_level=True)

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
STATIC = Path(__file__).resolve().parents[2] / "src" / "ringside" / "web" / "static"
BAD_IMPACTS = ("serious", "critical")
# Found on these pages before, at a lower impact than serious: checked whatever their impact.
ALWAYS = ("empty-table-header", "scrollable-region-focusable", "list", "listitem")

# Long names, as bot authors write them: they must neither overflow a phone nor break mid-word.
ANN = "Ann-the-careful-calculator"
BOB = "bob_minimax_depth_four"
CID = "cid"
RED = "red-live"
YELLOW = "yellow-live"


@dataclass(frozen=True)
class Size:
    name: str
    width: int
    height: int
    scheme: str = "light"


SIZES = [
    Size("desktop", 1440, 900),
    Size("phone", 390, 844),
    Size("phone-dark", 390, 844, "dark"),
]


@dataclass
class World:
    server: ServerProcess
    replay: str
    live: str
    tournament: str


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The suite's server with a slow heartbeat: the gated bot answers no ping while it waits."""
    process = ServerProcess(tmp_path_factory.mktemp("a11y"), ["--open", "--heartbeat", "600"])
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def world(server: ServerProcess, fleet: BotFleet) -> Iterator[World]:
    for i, name in enumerate((ANN, BOB, CID)):
        fleet.add(server.ws_bot, name, games=["tictactoe"], seed=40 + i)
    finished = play_match(server, {"game": "tictactoe", "bots": [ANN, BOB], "rounds": 2})
    body = {"game": "tictactoe", "format": "round-robin", "bots": [ANN, BOB, CID]}
    status, cup = http_json("POST", f"{server.http}/api/tournaments", body | {"name": "Phone cup"})
    assert status == 201, cup
    finished_tournament(server, cup["id"])
    # Red waits at its third move for the whole module: the match stays live.
    held: Gate = fleet.gate(before_request=2)
    fleet.add(server.ws_bot, RED, games=["connect4"], seed=50, gate=held)
    fleet.add(server.ws_bot, YELLOW, games=["connect4"], seed=51)
    config = {
        "game": "connect4",
        "bots": [RED, YELLOW],
        "time_control": {"type": "fischer", "base": 300, "increment": 1},
    }
    status, running = http_json("POST", f"{server.http}/api/matches", config)
    assert status == 201, running
    assert held.reached.wait(20), "the live match did not reach its gate"
    yield World(server, finished["id"], running["id"], cup["id"])
    held.open()


@dataclass(frozen=True)
class View:
    name: str
    hash: str
    ready: str
    """A selector that is on the page once it has loaded what it shows."""


def views(w: World) -> dict[str, View]:
    return {
        "lobby": View("lobby", "#/", f'li.running-match[data-match="{w.live}"]'),
        "match": View("match", f"#/match/{w.live}", ".players .player .clock"),
        "replay": View("replay", f"#/replay/{w.replay}", ".moves li.move"),
        "bot": View("bot", f"#/bot/{ANN}", "main h1"),
        "history": View("history", "#/history", "table.history tbody tr"),
        "leaderboard": View(
            "leaderboard", "#/leaderboard?game=tictactoe", "table.leaderboard tbody tr"
        ),
        "tournaments": View("tournaments", "#/tournaments", "table.tournaments tbody tr"),
        "tournament": View(
            "tournament", f"#/tournament/{w.tournament}", "table.cross-table tbody tr"
        ),
        "games": View("games", "#/games", ".game-card .board-svg"),
    }


VIEW_NAMES = [
    "lobby",
    "match",
    "replay",
    "bot",
    "history",
    "leaderboard",
    "tournaments",
    "tournament",
    "games",
]


class Tab:
    """One browser context at one size, kept for every page of the module."""

    def __init__(self, page: Any, size: Size) -> None:
        self.page = page
        self.size = size
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))


@pytest.fixture(scope="module", params=SIZES, ids=lambda s: s.name)
def tab(request: pytest.FixtureRequest, browser: Any) -> Iterator[Tab]:
    size: Size = request.param
    context = browser.new_context(
        viewport={"width": size.width, "height": size.height},
        color_scheme=size.scheme,
        is_mobile=size.width < 600,
        has_touch=size.width < 600,
    )
    tab = Tab(context.new_page(), size)
    yield tab
    context.close()


def axe_findings(page: Any) -> list[dict[str, Any]]:
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate("axe.run(document, { resultTypes: ['violations'] })")
    return [v for v in results["violations"] if v["impact"] in BAD_IMPACTS or v["id"] in ALWAYS]


# The elements sticking out past the screen's right edge (their ancestors fit), for the message.
WIDE = """(width) => {
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.right <= width + 0.5 || r.width === 0) continue;
    const parent = el.parentElement.getBoundingClientRect();
    if (parent.right > width + 0.5 && el.parentElement !== document.body) continue;
    const cls = typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\\s+/).join(".") : "";
    out.push(`${el.tagName.toLowerCase()}${cls} (${Math.round(r.left)}..${Math.round(r.right)} px)`);
  }
  return out.slice(0, 8);
}"""

# Words split across two lines inside the elements that show names (a break at a hyphen is
# allowed: "Ann-the-careful-calculator" may wrap as a phrase would, never inside "careful").
BROKEN_WORDS = """() => {
  const where = ".bot-name, .player-name, .bot-link, main h1, .running-match, table td, .board-caption, .moves li";
  const broken = [];
  for (const el of document.querySelectorAll(where)) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/[^\\s\\-]{2,30}/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (tops.size > 1) broken.push(m[0]);
      }
    }
  }
  return [...new Set(broken)];
}"""


def describe(findings: list[dict[str, Any]]) -> str:
    lines = []
    for v in findings:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} nodes)")
        for node in v["nodes"][:4]:
            lines.append(
                f"    {json.dumps(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}"
            )
    return "\n".join(lines)


@pytest.mark.parametrize("view_name", VIEW_NAMES)
def test_every_page_fits_and_passes_axe(tab: Tab, world: World, view_name: str) -> None:
    expect.set_options(timeout=10_000)
    view = views(world)[view_name]
    page = tab.page
    page.goto(f"{world.server.http}/{view.hash}")
    expect(page.locator(view.ready).first).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Loading")
    if view_name == "bot":
        expect(page.locator("main h1")).to_contain_text(ANN)
    # A phone widens its layout viewport to fit a page too wide for it (innerWidth grows
    # with it): the page is measured against the screen's width, not innerWidth alone.
    width = tab.size.width
    laid_out = page.evaluate("Math.max(document.documentElement.scrollWidth, window.innerWidth)")
    if laid_out > width:
        wide = page.evaluate(WIDE, width)
        raise AssertionError(
            f"{view_name} lays out {laid_out} px wide on a {width} px screen: {wide}"
        )
    broken = page.evaluate(BROKEN_WORDS)
    assert not broken, f"{view_name} breaks these words across lines: {broken}"
    findings = axe_findings(page)
    assert not findings, f"axe on {view_name}:\n{describe(findings)}"
    assert not tab.errors, f"script errors in the page: {tab.errors}"


def test_on_a_phone_the_clocks_sit_above_and_below_the_board(tab: Tab, world: World) -> None:
    page = tab.page
    page.goto(f"{world.server.http}/#/match/{world.live}")
    board = page.locator("figure.board")
    expect(page.locator(".player[data-seat='1'] .clock")).to_be_visible()
    expect(board.locator(".board-svg")).to_be_visible()
    box = board.bounding_box()
    top = page.locator(".player[data-seat='1']").bounding_box()
    bottom = page.locator(".player[data-seat='0']").bounding_box()
    if tab.size.width >= 600:
        # Beside the board, in seat order.
        assert min(top["x"], bottom["x"]) >= box["x"] + box["width"]
        return
    assert top["y"] + top["height"] <= box["y"], "the second seat's clock is not above the board"
    assert bottom["y"] >= box["y"] + box["height"], "the first seat's clock is not below the board"
