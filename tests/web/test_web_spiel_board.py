"""The OpenSpiel board module (games/spiel/board.js) on hand-built views, in Chromium.

No server and no pyspiel: spiel_harness.html, the page's static files and the board
module are served from a made-up origin by Playwright's routing, with a catalogue of
its own, and the views are those of the contract, written out here. The same module
draws every spiel game; these tests pin its dispatch (view.board.kind, else the
generic view), what it hides, and that bot-made text never becomes markup.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture says why
    if os.environ.get("RINGSIDE_REQUIRE_BROWSER"):
        raise
    pytest.skip("playwright is not installed", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "src" / "ringside" / "web" / "static"
BOARD = ROOT / "src" / "ringside" / "games" / "spiel" / "board.js"
HARNESS = Path(__file__).with_name("spiel_harness.html")
ORIGIN = "http://spiel-harness.test"
GAMES = ["hex", "breakthrough", "backgammon", "kuhn_poker", "liars_dice"]
TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html"}


def _catalogue() -> dict[str, Any]:
    return {
        "games": [
            {
                "name": f"spiel.{name}",
                "title": name.replace("_", " ").title(),
                "rules": "",
                "min_players": 2,
                "max_players": 2,
                "simultaneous": False,
                "options_schema": {},
                "seats": ["Player 1", "Player 2"],
                "board": f"/games/spiel.{name}/board.js",
            }
            for name in GAMES
        ]
    }


def _serve(route: Any) -> None:
    path = urlsplit(route.request.url).path
    if path == "/":
        file = HARNESS
    elif path == "/api/games":
        route.fulfill(status=200, content_type="application/json", body=json.dumps(_catalogue()))
        return
    elif re.fullmatch(r"/games/spiel\.[a-z_]+/board\.js", path):
        file = BOARD
    elif path.startswith("/static/") and "/" not in path[len("/static/") :]:
        file = STATIC / path[len("/static/") :]
    else:
        route.fulfill(status=404, body="")
        return
    if not file.is_file():
        route.fulfill(status=404, body="")
        return
    route.fulfill(status=200, content_type=TYPES[file.suffix], body=file.read_bytes())


@pytest.fixture
def harness(page: Any) -> Any:
    page.route(f"{ORIGIN}/**", _serve)
    page.goto(f"{ORIGIN}/")
    page.wait_for_function("window.harnessReady === true")
    return page


def show(page: Any, game: str, view: dict[str, Any], names: list[str] | None = None) -> Any:
    page.evaluate("([g, v, n]) => window.show(g, v, n)", [f"spiel.{game}", view, names or []])
    return page.locator(".board-box")


def step(seat: int, action: int | None, name: str | None, chance: bool = False) -> dict[str, Any]:
    entry: dict[str, Any] = {"seat": seat, "action": action, "name": name}
    if chance:
        entry["chance"] = True
    return entry


def test_hex_is_a_rhombus_with_both_goals_and_the_last_stone(harness: Any) -> None:
    cells = [""] * 25
    moves = [(12, "x"), (7, "o"), (18, "x")]
    for cell, mark in moves:
        cells[cell] = mark
    history = [step(k % 2, a, f"{'abcde'[a % 5]}{a // 5 + 1}") for k, (a, _) in enumerate(moves)]
    view = {
        "game": "hex",
        "public": False,
        "text": ". . .\n",
        "history": history,
        "to_act": [1],
        "board": {
            "kind": "hex",
            "rows": 5,
            "cols": 5,
            "cells": cells,
            "goals": ["top-bottom", "left-right"],
        },
    }
    box = show(harness, "hex", view, ["red-bot", "blue-bot"])
    board = box.locator("svg.board-svg.hex")
    expect(board).to_have_attribute("role", "img")
    expect(board).to_have_attribute("aria-label", "Hex board 5×5, 3 stones, last move d4")
    expect(board.locator("path.cell")).to_have_count(25)
    expect(board.locator(".stone")).to_have_count(3)
    expect(board.locator(".stone.seat0")).to_have_count(2)
    expect(board.locator(".stone.seat1")).to_have_count(1)
    expect(board.locator(".stone.last")).to_have_attribute("data-cell", "d4")
    expect(board.locator(".last-mark")).to_have_count(1)
    # Each seat's goal edges in its colour, the same as its swatch in the players list.
    expect(board.locator('.goal.seat0[data-goal="top-bottom"]')).to_have_attribute(
        "stroke", "#b91c1c"
    )
    expect(board.locator('.goal.seat1[data-goal="left-right"]')).to_have_attribute(
        "stroke", "#1d4ed8"
    )
    expect(board.locator(".stone.seat0").first).to_have_attribute("fill", "#b91c1c")
    # The top goal runs over the first row, the left one down the first column.
    top = board.locator(".goal.seat0").bounding_box()
    left = board.locator(".goal.seat1").bounding_box()
    first = board.locator('path.cell[data-cell="a1"]').bounding_box()
    last = board.locator('path.cell[data-cell="e5"]').bounding_box()
    assert top["y"] < first["y"] + 2 and top["y"] + top["height"] > last["y"] + last["height"] - 2
    assert left["x"] < first["x"] + 2 and left["x"] + left["width"] > last["x"] + last["width"] - 2
    # The rhombus: each row half a hexagon right of the one above.
    a2, b1 = (board.locator(f'path.cell[data-cell="{c}"]').bounding_box() for c in ("a2", "b1"))
    assert a2["x"] == pytest.approx((first["x"] + b1["x"]) / 2, abs=0.1)
    assert a2["y"] > first["y"] + first["height"] / 2
    expect(harness.locator(".board-caption")).to_have_text("blue-bot (Player 2) to move.")


def test_breakthrough_shows_its_pieces_and_the_last_move(harness: Any) -> None:
    rows = [
        "bbbbbbbb",
        "b.bbbbbb",
        ".b......",
        "........",
        "........",
        "...w....",
        "www.wwww",
        "wwwwwwww",
    ]
    cells = ["" if c == "." else c for c in "".join(rows)]
    view = {
        "game": "breakthrough",
        "public": False,
        "text": "8bbbbbbbb\n...",
        "history": [step(0, 100, "b7b6"), step(1, 200, "d2d3")],
        "to_act": [0],
        "board": {
            "kind": "grid",
            "rows": 8,
            "cols": 8,
            "cells": cells,
            "labels": {"b": "Black", "w": "White"},
        },
    }
    board = show(harness, "breakthrough", view).locator("svg.board-svg.grid")
    expect(board.locator(".piece")).to_have_count(32)
    expect(board.locator('.piece[data-piece="b"]')).to_have_count(16)
    expect(board.locator('.piece[data-square="d3"]')).to_have_attribute("aria-label", "White on d3")
    expect(board.locator('.piece[data-square="b6"]')).to_have_class(re.compile(r"\bseat0\b"))
    expect(board.locator(".last-from")).to_have_attribute("data-square", "d2")
    expect(board.locator(".last-to")).to_have_attribute("data-square", "d3")
    expect(board.locator("rect.sq")).to_have_count(64)
    expect(board).to_have_attribute("aria-label", re.compile("last move d2d3$"))


def test_backgammon_shows_points_bar_off_and_dice(harness: Any) -> None:
    points = [0] * 24
    # Seat 0 (positive) and seat 1 (negative); one of each hit, a few borne off.
    for index, n in {5: 4, 7: 3, 12: 5, 23: 1, 0: -2, 11: -7, 16: -3, 18: -1}.items():
        points[index] = n
    view = {
        "game": "backgammon",
        "public": False,
        "text": "+------|------+\n",
        "history": [
            step(-1, 3, "chance outcome 3 (roll: 25)", chance=True),
            step(0, 978, "978 - 13/9 8/7"),
        ],
        "to_act": [1],
        "board": {
            "kind": "backgammon",
            "points": points,
            "bar": [1, 1],
            "off": [1, 1],
            "dice": [2, 5],
        },
    }
    board = show(harness, "backgammon", view).locator("svg.board-svg.backgammon")
    expect(board.locator("path.point")).to_have_count(24)
    expect(board.locator('path.point[data-point="12"]')).to_have_attribute("data-count", "-7")
    # Stacks are at most five high; the seven on point 12 show their count.
    expect(board.locator(".checker.seat0")).to_have_count(4 + 3 + 5 + 1 + 1)
    expect(board.locator(".checker.seat1")).to_have_count(2 + 5 + 3 + 1 + 1)
    expect(board.locator("text.num-text")).to_have_text(["7"])
    expect(board.locator(".checker.on-bar")).to_have_count(2)
    expect(board.locator("rect.off")).to_have_count(2)
    expect(board.locator(".die")).to_have_count(2)
    expect(board.locator('.die[data-value="5"] circle')).to_have_count(5)
    expect(board.locator(".last-move")).to_have_text("Last: Player 1 978 - 13/9 8/7")
    # Point 1 is bottom right, 12 bottom left, 13 top left, 24 top right.
    box = {
        p: board.locator(f'path.point[data-point="{p}"]').bounding_box() for p in (1, 12, 13, 24)
    }
    assert box[1]["x"] > box[12]["x"] and box[1]["y"] > box[24]["y"]
    assert box[13]["x"] == pytest.approx(box[12]["x"]) and box[24]["x"] == pytest.approx(
        box[1]["x"]
    )


def test_the_generic_view_hides_what_a_public_view_hides(harness: Any) -> None:
    public = {
        "game": "kuhn_poker",
        "public": True,
        "text": None,
        "history": [
            step(-1, None, None, chance=True),
            step(-1, None, None, chance=True),
            step(0, None, None),
        ],
        "to_act": [1],
    }
    box = show(harness, "kuhn_poker", public, ["alice", "bob"])
    panel = box.locator(".spiel-view")
    expect(panel).to_have_attribute("role", "group")
    expect(panel.locator(".spiel-hidden")).to_have_text(
        "Private information is hidden until the round ends."
    )
    expect(panel.locator("pre")).to_have_count(0)
    expect(panel.locator("li.spiel-step")).to_have_text(
        ["Chance (hidden)", "Chance (hidden)", "Player 1 acted (hidden)"]
    )
    expect(panel.locator("li[aria-current=step]")).to_have_text("Player 1 acted (hidden)")
    expect(panel.locator(".spiel-turn")).to_have_text("To move: Player 2")
    expect(harness.locator(".board-caption")).to_have_text("bob (Player 2) to move.")
    assert "Deal" not in box.inner_text()

    revealed = {
        "game": "kuhn_poker",
        "public": False,
        "text": "0 1 pb",
        "history": [
            step(-1, 0, "Deal:0", chance=True),
            step(-1, 1, "Deal:1", chance=True),
            step(0, 0, "Pass"),
            step(1, 1, "Bet"),
            step(0, 0, "Pass"),
        ],
        "to_act": [],
        "returns": [-1.0, 1.0],
    }
    show(harness, "kuhn_poker", revealed, ["alice", "bob"])
    expect(panel.locator("pre.spiel-text")).to_have_text("0 1 pb")
    expect(panel.locator("li.spiel-step")).to_have_text(
        ["Chance: Deal:0", "Chance: Deal:1", "Player 1: Pass", "Player 2: Bet", "Player 1: Pass"]
    )
    expect(panel.locator("li.chance")).to_have_count(2)
    expect(panel.locator(".spiel-hidden, .spiel-public")).to_have_count(0)
    expect(harness.locator(".board-caption")).to_have_text(
        "Round over. Returns: alice \u22121, bob +1."
    )
    expect(panel.locator(".spiel-turn")).to_have_text("Round over: Player 1 \u22121, Player 2 +1")


def test_a_public_text_is_shown_with_a_note_and_never_parsed_as_markup(harness: Any) -> None:
    view = {
        "game": "liars_dice",
        "public": True,
        "text": '<img src=x onerror="window.owned=1"> bids: 1-2 <b>2-3</b>',
        "history": [step(-1, None, None, chance=True), step(0, 1, "<i>1-2</i>")],
        "to_act": [1],
    }
    box = show(harness, "liars_dice", view)
    expect(box.locator(".spiel-public")).to_contain_text("Public view")
    expect(box.locator("pre.spiel-text")).to_have_text(view["text"])
    expect(box.locator("li.spiel-step").last).to_have_text("Player 1: <i>1-2</i>")
    expect(box.locator("img, b, i")).to_have_count(0)
    assert harness.evaluate("window.owned") is None


def test_move_texts_and_the_catalogue_pictures(harness: Any) -> None:
    hidden = {"seat": 1, "action": None, "view": {"history": []}}
    assert (
        harness.evaluate("m => window.moveText('spiel.kuhn_poker', m)", hidden) == "acted (hidden)"
    )
    named = {
        "seat": 0,
        "action": 12,
        "view": {"history": [step(0, 12, "c3"), step(-1, 4, "Roll 4", chance=True)]},
    }
    assert harness.evaluate("m => window.moveText('spiel.hex', m)", named) == "c3"
    assert harness.evaluate("m => window.moveText('spiel.hex', m)", {"seat": 0, "action": 3}) == "3"
    # A picture for the games with a real board; none for the others (the panel shows their text).
    for game, kind in (("hex", "hex"), ("breakthrough", "grid"), ("backgammon", "backgammon")):
        picture = harness.evaluate("g => window.sample(g)", f"spiel.{game}")
        assert picture["view"]["board"]["kind"] == kind
        show(harness, game, picture["view"])
        expect(harness.locator(f".board-box svg.board-svg.{kind} .piece").first).to_be_visible()
    assert harness.evaluate("g => window.sample(g)", "spiel.kuhn_poker") is None
