"""Chess and Go boards in a real browser: live, in the replay and in the catalogue."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from web_helpers import BotFleet, first_legal, go_player, http_json, play_match

from ringside.testing.wire import ServerProcess

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture says why
    if os.environ.get("RINGSIDE_REQUIRE_BROWSER"):
        raise
    pytest.skip("playwright is not installed", allow_module_level=True)

# After 1. e4 e5 2. Bc4 Nc6 3. Qh5 Nf6: first-legal bots go on with Qxh7, ..., Bxf7+,
# ..., Ng5+ and a threefold repetition: 21 plies with captures and two checks.
CHESS_FEN = "r1bqkb1r/pppp1ppp/2n2n2/4p2Q/2B1P3/8/PPPP1PPP/RNB1K1NR w KQkq - 4 4"

# Every chess position the board shows: its pieces, highlighted squares and check.
RECORD_CHESS = """
window.__chess = [];
new MutationObserver(() => {
  const box = document.querySelector(".board-box");
  if (!box || !box.querySelector("svg.chess")) return;
  const key = box.dataset.round + ":" + box.dataset.ply;
  const seen = window.__chess;
  if (seen.length && seen[seen.length - 1].key === key) return;
  const squares = (sel) => [...box.querySelectorAll(sel)].map((el) => el.dataset.square);
  seen.push({
    key, ply: Number(box.dataset.ply),
    pieces: [...box.querySelectorAll(".piece")].map((p) => p.dataset.square + p.dataset.piece).sort(),
    glyphs: [...box.querySelectorAll(".piece")].every((p) => p.tagName === "text" && p.textContent),
    last: squares(".last"), check: squares(".check"),
  });
}).observe(document, { subtree: true, childList: true, attributes: true,
                       attributeFilter: ["data-ply"] });
"""


def fen_pieces(fen: str) -> list[str]:
    """["e1K", "e8k", ...] from a FEN's placement field, sorted like the recorder's."""
    pieces = []
    for r, rank in enumerate(fen.split()[0].split("/")):
        col = 0
        for ch in rank:
            if ch.isdigit():
                col += int(ch)
            else:
                pieces.append(f"{'abcdefgh'[col]}{8 - r}{ch}")
                col += 1
    return sorted(pieces)


def king_in_check(fen: str) -> list[str]:
    """The square of the king to move, as the board marks it when the view says check."""
    king = "K" if fen.split()[1] == "w" else "k"
    return [p[:2] for p in fen_pieces(fen) if p[2] == king]


def test_a_live_chess_match_is_drawn_move_by_move(
    page: Any, server: ServerProcess, fleet: BotFleet, artifacts: Path
) -> None:
    # White waits at its first move until the page shows the start: every position is then
    # drawn live, however slow the machine is to open the page.
    held = fleet.gate(before_request=0)
    fleet.add(
        server.ws_bot, "chess-white", games=["chess"], think=0.05, choose=first_legal, gate=held
    )
    fleet.add(server.tcp_bot, "chess-black", games=["chess"], think=0.05, choose=first_legal)
    page.add_init_script("localStorage.setItem('ringside.delay', '100');" + RECORD_CHESS)
    page.goto(f"{server.http}/")
    expect(page.locator('tr[data-bot="chess-black"]')).to_be_visible()
    page.select_option("#f-game", "chess")
    page.select_option("#f-bot-0", "chess-white")
    page.select_option("#f-bot-1", "chess-black")
    page.fill("#opt-fen", CHESS_FEN)
    page.get_by_role("button", name="Start match").click()
    expect(page).to_have_url(re.compile(r"#/match/[0-9a-f]+$"))
    match_id = page.url.rsplit("/", 1)[1]
    expect(page.locator("h1")).to_have_text("Chess — chess-white vs chess-black")
    board = page.locator(".board-box svg.chess")
    expect(board).to_be_visible()
    assert held.reached.wait(20), "white was never asked for its first move"
    held.open()
    page.wait_for_function("Number(document.querySelector('.board-box').dataset.ply) >= 8")
    screenshot = artifacts / "live-chess.png"
    page.screenshot(path=str(screenshot))
    assert screenshot.stat().st_size > 10_000
    expect(page.locator(".result .winner")).to_be_visible(timeout=20_000)

    status, record = http_json("GET", f"{server.http}/api/matches/{match_id}")
    assert status == 200 and record["status"] == "finished"
    start = next(e for e in record["events"] if e["type"] == "round_started")["view"]
    moves = [e for e in record["events"] if e["type"] == "move"]
    assert any(m["view"]["check"] for m in moves), "the game should show a check"
    final = moves[-1]["view"]
    expect(page.locator(".result .winner")).to_have_text(
        "Draw" if not record["winner"] else f"Winner: {record['winner']}"
    )
    expect(page.locator(".board-caption")).to_contain_text(
        f"({final['result']})".replace("1/2-1/2", "½–½")
    )
    shown = page.evaluate("window.__chess")
    # Every position was drawn, in order, as the stored views say.
    assert [b["ply"] for b in shown] == list(range(len(moves) + 1))
    assert shown[0]["pieces"] == fen_pieces(start["fen"]) and shown[0]["last"] == []
    for drawn, move in zip(shown[1:], moves, strict=True):
        view = move["view"]
        assert drawn["glyphs"], "pieces are text glyphs"
        assert drawn["pieces"] == fen_pieces(view["fen"]), move["ply"]
        assert drawn["last"] == [view["last"][:2], view["last"][2:4]], move["ply"]
        assert drawn["check"] == (king_in_check(view["fen"]) if view["check"] else [])
    # The move list speaks algebraic notation; the UCI move is its tooltip.
    items = page.locator(".moves li.move")
    expect(items).to_have_count(len(moves))
    expect(items.nth(4)).to_contain_text(f"5. chess-white: {moves[4]['view']['san']}")
    expect(items.nth(4)).to_have_attribute("title", moves[4]["action"])
    fleet.remove("chess-white")
    fleet.remove("chess-black")


def test_go_is_drawn_in_the_replay_and_chess_and_go_in_the_catalogue(
    page: Any, server: ServerProcess, fleet: BotFleet, artifacts: Path
) -> None:
    fleet.add(server.ws_bot, "go-black", games=["go"], choose=go_player(14, seed=5))
    fleet.add(server.ws_bot, "go-white", games=["go"], choose=go_player(14, seed=6))
    record = play_match(server, {"game": "go", "bots": ["go-black", "go-white"]})
    events = record["events"]
    moves = [e for e in events if e["type"] == "move"]
    assert [m["action"] for m in moves[-2:]] == ["pass", "pass"]

    page.goto(f"{server.http}/#/replay/{record['id']}")
    page.get_by_role("button", name="« First").click()  # it opens on the end
    board = page.locator(".board-box svg.go")
    expect(board).to_be_visible()
    expect(board.locator(".piece")).to_have_count(0)
    coords = board.locator("text.coord")
    expect(coords.filter(has_text=re.compile("^J$"))).to_have_count(2)
    expect(coords.filter(has_text=re.compile("^I$"))).to_have_count(0)
    expect(board.locator("circle.star")).to_have_count(5)

    # Jump to the tenth move: its stones, and the tenth stone marked as the last.
    page.locator(".moves li.move").nth(9).get_by_role("button").click()
    expect(page.locator(".board-box")).to_have_attribute("data-ply", "10")
    tenth = moves[9]["view"]
    expect(board.locator(".stone")).to_have_count(_stones(tenth))
    expect(board.locator(".stone.last")).to_have_count(1)
    expect(board.locator(".last-mark")).to_have_count(1)
    expect(board).to_have_attribute("aria-label", re.compile(f"last move {moves[9]['action']}$"))

    page.get_by_role("button", name="Last »").click()
    final = next(e for e in reversed(events) if e.get("view"))["view"]
    black = sum(row.count(0) for row in final["board"])
    expect(board.locator(".stone.seat0")).to_have_count(black)
    expect(board.locator(".stone")).to_have_count(_stones(final))
    expect(board.locator(".last")).to_have_count(0)  # the last move was a pass
    score = f"Black {final['score'][0]:g} – White {final['score'][1]:g} (komi 7.5)"
    expect(page.locator(".board-caption")).to_contain_text(score)
    expect(page.locator(".board-caption")).to_contain_text(f"({final['result']})")
    page.screenshot(path=str(artifacts / "go-replay.png"))

    page.goto(f"{server.http}/#/games")
    chess = page.locator('.game-card[data-game="chess"] svg.board-svg.chess')
    expect(chess.locator("text.piece")).to_have_count(31)  # scholar's mate took f7
    expect(chess.locator(".last")).to_have_count(2)
    expect(chess.locator(".check")).to_have_count(1)
    go = page.locator('.game-card[data-game="go"] svg.board-svg.go')
    expect(go.locator(".stone")).to_have_count(9)
    expect(go.locator(".last-mark")).to_have_count(1)
    fleet.remove("go-black")
    fleet.remove("go-white")


def _stones(view: dict[str, Any]) -> int:
    return sum(1 for row in view["board"] for cell in row if cell is not None)
