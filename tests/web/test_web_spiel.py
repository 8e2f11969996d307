"""OpenSpiel games in a real browser: real matches of spiel.* games played by bots on a
real server, watched live and replayed, drawn by games/spiel/board.js.

Kuhn poker hides the cards until the round ends (live and in the replay), hex and
breakthrough show their stones, backgammon its points, bar and dice, and goofspiel
(simultaneous, with chance) the generic view: the state as text and every step named.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from web_helpers import BotFleet, http_json, play_match

from ringside.testing.wire import ServerProcess

pytest.importorskip("pyspiel")

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture says why
    if os.environ.get("RINGSIDE_REQUIRE_BROWSER"):
        raise
    pytest.skip("playwright is not installed", allow_module_level=True)


def _views(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The view after each move of the match, in order."""
    return [e["view"] for e in record["events"] if e["type"] == "move"]


def _final(record: dict[str, Any]) -> dict[str, Any]:
    view: dict[str, Any] = next(e for e in record["events"] if e["type"] == "round_result")["view"]
    return view


def _steps(view: dict[str, Any], labels: list[str]) -> list[str]:
    """The generic view's list of steps, as the board module words them."""
    out = []
    for step in view["history"]:
        if step.get("chance") or step["seat"] < 0:
            out.append("Chance (hidden)" if step["name"] is None else f"Chance: {step['name']}")
        elif step["name"] is None:
            out.append(f"{labels[step['seat']]} acted (hidden)")
        else:
            out.append(f"{labels[step['seat']]}: {step['name']}")
    return out


def test_kuhn_poker_hides_the_cards_until_the_round_ends(
    page: Any, server: ServerProcess, fleet: BotFleet, artifacts: Path
) -> None:
    gate = fleet.gate(before_request=0)  # the second seat waits at its first turn
    fleet.add(server.ws_bot, "kuhn-a", games=["spiel.kuhn_poker"], seed=1)
    fleet.add(server.ws_bot, "kuhn-b", games=["spiel.kuhn_poker"], seed=2, gate=gate)
    status, created = http_json(
        "POST",
        f"{server.http}/api/matches",
        {"game": "spiel.kuhn_poker", "bots": ["kuhn-a", "kuhn-b"], "seed": 7},
    )
    assert status == 201, created
    assert gate.reached.wait(10), "the second seat was never asked to act"
    page.add_init_script("localStorage.setItem('ringside.delay', '0');")
    page.goto(f"{server.http}/#/match/{created['id']}")
    panel = page.locator(".board-box .spiel-view")
    steps = panel.locator("li.spiel-step")
    expect(steps).to_have_text(["Chance (hidden)", "Chance (hidden)", "Player 1 acted (hidden)"])
    expect(panel.locator(".spiel-turn")).to_have_text("To move: Player 2")
    expect(panel.locator(".spiel-public, .spiel-hidden")).to_contain_text(
        "hidden until the round ends"
    )
    expect(page.locator(".moves li.move")).to_have_text(
        [re.compile(r"^1\. kuhn-a: acted \(hidden\)")]
    )
    expect(page.locator(".board-caption")).to_have_text(
        "kuhn-a: acted (hidden). kuhn-b (Player 2) to move."
    )
    # Nothing on the page names a card: the deals and the first bet stay hidden.
    assert "Deal" not in page.locator("body").inner_text()
    page.screenshot(path=str(artifacts / "spiel-kuhn-live.png"))

    gate.open()
    expect(page.locator(".result .winner")).to_be_visible(timeout=20_000)
    status, record = http_json("GET", f"{server.http}/api/matches/{created['id']}")
    assert status == 200 and record["status"] == "finished"
    final = _final(record)
    assert final["public"] is False and final["returns"]
    expect(panel.locator("pre.spiel-text")).to_have_text(final["text"])
    expect(steps).to_have_text(_steps(final, ["Player 1", "Player 2"]))
    expect(steps.filter(has_text=re.compile(r"^Chance: Deal"))).to_have_count(2)
    expect(page.locator(".board-caption")).to_contain_text("Round over. Returns: kuhn-a ")
    expect(panel.locator(".spiel-turn")).to_contain_text("Round over: Player 1 ")

    # The replay steps through the same: hidden while the round runs, revealed at its end.
    page.goto(f"{server.http}/#/replay/{created['id']}")
    page.get_by_role("button", name="« First").click()  # it opens on the end
    expect(steps).to_have_count(2)
    expect(steps).to_have_text(["Chance (hidden)", "Chance (hidden)"])
    moves = _views(record)
    for ply, view in enumerate(moves, 1):
        page.get_by_role("button", name="Next ›").click()
        expect(page.locator(".board-box")).to_have_attribute("data-ply", str(ply))
        expect(steps).to_have_text(_steps(view, ["Player 1", "Player 2"]))
        if not view.get("returns"):
            assert "Deal" not in page.locator(".board-box").inner_text()
    page.get_by_role("button", name="Last »").click()
    expect(steps.filter(has_text=re.compile(r"^Chance: Deal"))).to_have_count(2)
    expect(panel.locator("pre.spiel-text")).to_have_text(final["text"])
    fleet.remove("kuhn-a")
    fleet.remove("kuhn-b")


def test_hex_stones_step_by_step_in_the_replay(
    page: Any, server: ServerProcess, fleet: BotFleet, artifacts: Path
) -> None:
    fleet.add(server.ws_bot, "hex-x", games=["spiel.hex"], seed=3)
    fleet.add(server.ws_bot, "hex-o", games=["spiel.hex"], seed=4)
    record = play_match(
        server, {"game": "spiel.hex", "bots": ["hex-x", "hex-o"], "options": {"board_size": 5}}
    )
    assert record["status"] == "finished", record
    views = _views(record)
    assert views[-1]["board"]["rows"] == 5 and views[-1]["returns"]

    page.goto(f"{server.http}/#/replay/{record['id']}")
    page.get_by_role("button", name="« First").click()  # it opens on the end
    board = page.locator(".board-box svg.board-svg.hex")
    expect(board.locator("path.cell")).to_have_count(25)
    expect(board.locator(".stone")).to_have_count(0)
    expect(board.locator(".goal")).to_have_count(2)
    for ply in range(1, 6):
        page.get_by_role("button", name="Next ›").click()
        expect(board.locator(".stone")).to_have_count(ply)
        expect(board.locator(".stone.last")).to_have_count(1)
        expect(board).to_have_attribute(
            "aria-label", re.compile(f"last move {views[ply - 1]['history'][-1]['name']}$")
        )
    page.get_by_role("button", name="Last »").click()
    cells = views[-1]["board"]["cells"]
    expect(board.locator(".stone.seat0")).to_have_count(cells.count("x"))
    expect(board.locator(".stone.seat1")).to_have_count(cells.count("o"))
    expect(page.locator(".board-caption")).to_contain_text("Round over. Returns:")
    page.screenshot(path=str(artifacts / "spiel-hex-replay.png"))

    # The catalogue: a picture for the games with a board, the others say they have none.
    page.goto(f"{server.http}/#/games")
    for game, kind in (("hex", "hex"), ("breakthrough", "grid"), ("backgammon", "backgammon")):
        card = page.locator(f'.game-card[data-game="spiel.{game}"]')
        expect(card.locator(f"svg.board-svg.{kind} .piece").first).to_be_visible()
    expect(page.locator('.game-card[data-game="spiel.kuhn_poker"] svg')).to_have_count(0)
    fleet.remove("hex-x")
    fleet.remove("hex-o")


def test_breakthrough_is_drawn_live(
    page: Any, server: ServerProcess, fleet: BotFleet, artifacts: Path
) -> None:
    fleet.add(server.ws_bot, "bt-black", games=["spiel.breakthrough"], seed=5, think=0.01)
    fleet.add(server.tcp_bot, "bt-white", games=["spiel.breakthrough"], seed=6, think=0.01)
    page.add_init_script("localStorage.setItem('ringside.delay', '0');")
    page.goto(f"{server.http}/")
    status, created = http_json(
        "POST",
        f"{server.http}/api/matches",
        {"game": "spiel.breakthrough", "bots": ["bt-black", "bt-white"]},
    )
    assert status == 201, created
    page.goto(f"{server.http}/#/match/{created['id']}")
    board = page.locator(".board-box svg.board-svg.grid")
    expect(board.locator("rect.sq")).to_have_count(64)
    page.wait_for_function("Number(document.querySelector('.board-box').dataset.ply) >= 4")
    expect(board.locator(".last-from")).to_have_count(1)
    expect(board.locator(".last-to")).to_have_count(1)
    expect(page.locator(".result .winner")).to_be_visible(timeout=30_000)
    status, record = http_json("GET", f"{server.http}/api/matches/{created['id']}")
    final = _final(record)["board"]
    expect(board.locator('.piece[data-piece="b"]')).to_have_count(final["cells"].count("b"))
    expect(board.locator('.piece[data-piece="w"]')).to_have_count(final["cells"].count("w"))
    # Black's swatch in the players list is the black of its pieces.
    expect(page.locator('.player[data-seat="0"] .seat-label')).to_have_text("Black")
    expect(page.locator('.player[data-seat="0"] .swatch')).to_have_attribute(
        "style", "background:#111827"
    )
    page.screenshot(path=str(artifacts / "spiel-breakthrough-live.png"))
    fleet.remove("bt-black")
    fleet.remove("bt-white")


def _checkers_drawn(board: dict[str, Any], seat: int) -> int:
    """Checkers the board draws for a seat: stacks of at most five."""
    sign = 1 if seat == 0 else -1
    on_points = sum(min(5, n * sign) for n in board["points"] if n * sign > 0)
    return on_points + min(5, board["bar"][seat])


def test_backgammon_points_bar_and_dice_in_the_replay(
    page: Any, server: ServerProcess, fleet: BotFleet, artifacts: Path
) -> None:
    fleet.add(server.ws_bot, "bg-x", games=["spiel.backgammon"], seed=7)
    fleet.add(server.ws_bot, "bg-o", games=["spiel.backgammon"], seed=8)
    record = play_match(
        server,
        {"game": "spiel.backgammon", "bots": ["bg-x", "bg-o"], "options": {"max_player_turns": 40}},
        timeout=60,
    )
    assert record["status"] == "finished", record
    views = _views(record)
    page.goto(f"{server.http}/#/replay/{record['id']}")
    board = page.locator(".board-box svg.board-svg.backgammon")
    expect(board.locator("path.point")).to_have_count(24)
    for ply in (1, len(views) // 2, len(views)):
        page.locator(".moves li.move").nth(ply - 1).get_by_role("button").click()
        expect(page.locator(".board-box")).to_have_attribute("data-ply", str(ply))
        drawn = views[ply - 1]["board"]
        counts = board.locator("path.point").evaluate_all(
            "ps => ps.map((p) => Number(p.dataset.count))"
        )
        assert counts == drawn["points"], ply
        expect(board.locator(".checker.seat0")).to_have_count(_checkers_drawn(drawn, 0))
        expect(board.locator(".checker.seat1")).to_have_count(_checkers_drawn(drawn, 1))
        expect(board.locator(".die")).to_have_count(len(drawn["dice"]))
        expect(board.locator("rect.off")).to_have_count(sum(drawn["off"]))
    page.screenshot(path=str(artifacts / "spiel-backgammon-replay.png"))
    fleet.remove("bg-x")
    fleet.remove("bg-o")


def test_goofspiel_is_shown_as_text_and_steps(
    page: Any, server: ServerProcess, fleet: BotFleet, artifacts: Path
) -> None:
    fleet.add(server.ws_bot, "goof-a", games=["spiel.goofspiel"], seed=9)
    fleet.add(server.ws_bot, "goof-b", games=["spiel.goofspiel"], seed=10)
    record = play_match(
        server,
        {"game": "spiel.goofspiel", "bots": ["goof-a", "goof-b"], "options": {"num_cards": 4}},
    )
    assert record["status"] == "finished", record
    start = next(e for e in record["events"] if e["type"] == "round_started")["view"]
    views = _views(record)
    labels = ["Player 1", "Player 2"]
    page.goto(f"{server.http}/#/replay/{record['id']}")
    page.get_by_role("button", name="« First").click()  # it opens on the end
    panel = page.locator(".board-box .spiel-view")
    steps = panel.locator("li.spiel-step")
    # The first point card is drawn before anyone bids: a chance step, shown as such.
    expect(panel.locator("pre.spiel-text")).to_have_text(start["text"])
    expect(steps).to_have_text(_steps(start, labels))
    expect(steps.first).to_have_text(re.compile(r"^Chance: "))
    expect(panel.locator(".spiel-turn")).to_have_text("To move together: Player 1, Player 2")
    expect(page.locator(".board-caption")).to_have_text(
        "goof-a (Player 1) and goof-b (Player 2) to move (together)."
    )
    page.get_by_role("button", name="Last »").click()
    final = _final(record)
    expect(panel.locator("pre.spiel-text")).to_have_text(final["text"])
    expect(steps).to_have_text(_steps(final, labels))
    expect(panel.locator("li[aria-current=step]")).to_have_count(1)
    # Each move in the list is named as the view names it.
    named = [s["name"] for s in views[0]["history"] if s["seat"] == 0]
    expect(page.locator(".moves li.move").first).to_contain_text(f"goof-a: {named[-1]}")
    page.screenshot(path=str(artifacts / "spiel-goofspiel-replay.png"))
    fleet.remove("goof-a")
    fleet.remove("goof-b")
