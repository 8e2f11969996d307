"""The web page in a real browser against a real server and real bots."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from web_helpers import BotFleet, explained, http_json, play_match, register_bot

from ringside.testing.wire import ServerProcess

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture says why
    if os.environ.get("RINGSIDE_REQUIRE_BROWSER"):
        raise
    pytest.skip("playwright is not installed", allow_module_level=True)

GAMES = (
    "tictactoe",
    "connect4",
    "othello",
    "gomoku",
    "baskin31",
    "rps",
    "counting",
    "chess",
    "go",
)
HOSTILE = "<img src=x onerror=alert(1)>"

# Records every position the board shows, so a test can prove none was skipped.
RECORD_BOARDS = """
window.__boards = [];
new MutationObserver(() => {
  const box = document.querySelector(".board-box");
  if (!box || !box.dataset.round) return;
  const key = box.dataset.round + ":" + box.dataset.ply;
  const seen = window.__boards;
  if (seen.length && seen[seen.length - 1].key === key) return;
  seen.push({ key, round: Number(box.dataset.round), ply: Number(box.dataset.ply),
              pieces: box.querySelectorAll(".piece").length });
}).observe(document, { subtree: true, childList: true, attributes: true,
                       attributeFilter: ["data-ply"] });
"""


def screenshot(page: Any, artifacts: Path, name: str) -> None:
    """Write test-artifacts/NAME (docs/screenshots/ holds a copy made once by hand)."""
    path = artifacts / name
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000, f"{name} looks empty"


def test_bots_joining_and_leaving_show_in_the_lobby_without_reload(
    page: Any, server: ServerProcess, fleet: BotFleet
) -> None:
    page.goto(f"{server.http}/")
    expect(page.locator("#conn")).to_have_text("live")
    page.evaluate("window.__sameDocument = true")

    fleet.add(server.ws_bot, "lobby-ws", games=["connect4", "othello"])
    fleet.add(server.tcp_bot, "lobby-tcp")
    ws_row = page.locator('tr[data-bot="lobby-ws"]')
    tcp_row = page.locator('tr[data-bot="lobby-tcp"]')
    expect(ws_row).to_contain_text("Connect Four, Othello")
    expect(ws_row).to_contain_text("idle")
    expect(tcp_row).to_contain_text("any game")
    # The form offers them too: an idle bot that plays the chosen game.
    page.select_option("#f-game", "othello")
    expect(page.locator("#f-bot-0 option", has_text="lobby-ws")).to_have_count(1)
    page.select_option("#f-game", "rps")
    expect(page.locator("#f-bot-0 option", has_text="lobby-ws")).to_have_count(0)
    expect(page.locator("#f-bot-0 option", has_text="lobby-tcp")).to_have_count(1)

    fleet.remove("lobby-ws")
    expect(ws_row).to_have_count(0)
    expect(tcp_row).to_be_visible()
    fleet.remove("lobby-tcp")
    expect(tcp_row).to_have_count(0)
    assert page.evaluate("window.__sameDocument") is True


def test_a_match_requested_through_the_form_plays_out_live(
    page: Any, server: ServerProcess, fleet: BotFleet, artifacts: Path
) -> None:
    # Red waits at its third move until the lobby has been looked at: the match is
    # still running then, however slow or fast the machine.
    held = fleet.gate(before_request=2)
    fleet.add(server.ws_bot, "red-ws", games=["connect4"], think=0.1, seed=7, gate=held)
    fleet.add(server.tcp_bot, "yellow-tcp", games=["connect4"], think=0.1, seed=8)
    page.add_init_script("localStorage.setItem('ringside.delay', '150');" + RECORD_BOARDS)
    page.goto(f"{server.http}/")
    expect(page.locator('tr[data-bot="yellow-tcp"]')).to_be_visible()
    page.select_option("#f-game", "connect4")
    page.select_option("#f-bot-0", "red-ws")
    page.select_option("#f-bot-1", "yellow-tcp")
    page.select_option("#f-tc", "fischer")
    page.fill("#tc-fischer-base", "300")
    page.fill("#tc-fischer-increment", "0.5")
    page.get_by_role("button", name="Start match").click()

    expect(page).to_have_url(re.compile(r"#/match/[0-9a-f]+$"))
    match_id = page.url.rsplit("/", 1)[1]

    # Meanwhile, in another tab, the lobby lists the match with a link to watch it.
    lobby = page.context.new_page()
    lobby.goto(f"{server.http}/")
    running = lobby.locator(f'li.running-match[data-match="{match_id}"]')
    expect(running).to_contain_text("red-ws vs yellow-tcp")
    expect(lobby.locator('tr[data-bot="red-ws"]')).to_contain_text("playing")
    screenshot(lobby, artifacts, "lobby.png")
    running.get_by_role("link", name="Watch red-ws vs yellow-tcp").click()
    expect(lobby.locator("h1")).to_have_text("Connect Four — red-ws vs yellow-tcp")
    lobby.close()
    # Still held at red's third move: red, and only red, is to move.
    expect(page.locator("h1")).to_have_text("Connect Four — red-ws vs yellow-tcp")
    expect(page.locator(".player.to-move")).to_have_count(1)
    held.open()
    page.wait_for_function(
        "Number(document.querySelector('.board-box').dataset.ply) >= 12"
        " || !document.querySelector('.result').hidden"
    )
    screenshot(page, artifacts, "live-connect4.png")

    expect(page.locator(".result .winner")).to_be_visible(timeout=30_000)
    status, record = http_json("GET", f"{server.http}/api/matches/{match_id}")
    assert status == 200 and record["status"] == "finished"
    moves = [e for e in record["events"] if e["type"] == "move"]
    winner = f"Winner: {record['winner']}" if record["winner"] else "Draw"
    expect(page.locator(".result .winner")).to_have_text(winner)
    expect(page.locator(".moves li.move")).to_have_count(len(moves))
    expect(page.locator(".match-status")).to_contain_text("finished")
    expect(page.get_by_role("link", name="Open the replay")).to_be_visible()

    # Every move was drawn, one disc more each time, in order.
    shown = [b for b in page.evaluate("window.__boards") if b["round"] == 1]
    assert [b["ply"] for b in shown] == list(range(len(moves) + 1))
    assert all(b["pieces"] == b["ply"] for b in shown)
    # The Fischer clocks ran down from 300 s.
    final = moves[-1]["clocks"]
    assert all(c < 300 + 0.5 * len(moves) for c in final)
    expect(page.locator(".clock").first).not_to_have_text("5:00.0")
    fleet.remove("red-ws")
    fleet.remove("yellow-tcp")


def test_the_replay_steps_through_every_move_and_ends_on_the_final_position(
    page: Any, server: ServerProcess, fleet: BotFleet, artifacts: Path
) -> None:
    fleet.add(server.ws_bot, "oth-black", games=["othello"], seed=1)
    fleet.add(server.ws_bot, "oth-white", games=["othello"], seed=2)
    record = play_match(server, {"game": "othello", "bots": ["oth-black", "oth-white"]})
    events = record["events"]
    moves = [e for e in events if e["type"] == "move"]
    page.goto(f"{server.http}/#/replay/{record['id']}")
    board = page.locator(".board-box")
    where = page.locator("output.where")
    expect(where).to_have_text("End")  # a finished match opens on its end
    expect(page.get_by_role("button", name="Next ›")).to_be_disabled()
    page.get_by_role("button", name="« First").click()
    expect(where).to_have_text("Start")
    expect(board.locator(".piece")).to_have_count(4)
    expect(page.get_by_role("button", name="‹ Back")).to_be_disabled()

    forward = page.get_by_role("button", name="Next ›")
    for move in moves:  # a step is a move
        forward.click()
        expect(where).to_have_text(f"Move {move['ply']} of {len(moves)}")
        expect(board).to_have_attribute("data-ply", str(move["ply"]))
    forward.click()
    expect(where).to_have_text("End")
    expect(forward).to_be_disabled()

    final = next(e for e in reversed(events) if e.get("view"))["view"]
    black, white = final["counts"]
    expect(board.locator(".piece")).to_have_count(black + white)
    expect(page.locator(".board-caption")).to_contain_text(f"Black {black} – White {white}")
    winner = f"Winner: {record['winner']}" if record["winner"] else "Draw"
    expect(page.locator(".result .winner")).to_have_text(winner)
    expect(page.locator(".moves li.move")).to_have_count(len(moves))
    expect(page.locator('.moves li[aria-current="step"]')).to_contain_text(
        f"{moves[-1]['ply']}. {moves[-1]['bot']}: {moves[-1]['action']}"
    )
    screenshot(page, artifacts, "othello-replay.png")

    # Jump: click a move in the list, drag the range, use the keyboard, play.
    page.locator(".moves li.move").nth(4).get_by_role("button").click()
    expect(board).to_have_attribute("data-ply", "5")
    expect(board.locator(".piece")).to_have_count(_discs(events, 5))
    page.eval_on_selector(
        "#r-pos", "(el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }", 2
    )
    expect(board).to_have_attribute("data-ply", "2")
    page.get_by_role("button", name="Next ›").focus()
    page.keyboard.press("ArrowLeft")
    expect(board).to_have_attribute("data-ply", "1")
    page.keyboard.press("Home")
    expect(where).to_have_text("Start")
    page.select_option("#r-speed", "50")
    page.get_by_role("button", name="Play").click()
    expect(where).to_have_text("End")
    expect(page.get_by_role("button", name="Play")).to_be_visible()
    fleet.remove("oth-black")
    fleet.remove("oth-white")


def _discs(events: list[dict[str, Any]], ply: int) -> int:
    """Othello: discs on the board after move ``ply``, from the stored view."""
    move = next(e for e in events if e["type"] == "move" and e["ply"] == ply)
    return sum(1 for row in move["view"]["board"] for cell in row if cell is not None)


def test_every_built_in_game_is_drawn_and_catalogued(
    page: Any, server: ServerProcess, fleet: BotFleet
) -> None:
    fleet.add(server.ws_bot, "every-a", seed=3)
    fleet.add(server.tcp_bot, "every-b", seed=4)
    records = {
        game: play_match(server, {"game": game, "bots": ["every-a", "every-b"], "rounds": 2})
        for game in GAMES
    }
    page.goto(f"{server.http}/#/games")
    for game in GAMES:  # games added later may have no picture yet; these must
        expect(page.locator(f'.game-card[data-game="{game}"] svg.board-svg')).to_have_count(1)

    for game, record in records.items():
        page.goto(f"{server.http}/#/replay/{record['id']}")  # it opens on the end
        expect(page.locator(".board-box svg.board-svg")).to_be_visible()
        expect(page.locator(".view-json")).to_have_count(0)
        expect(page.locator(".result .winner")).to_be_visible()
        expect(page.locator(".rounds tbody tr")).to_have_count(2)
        if game in ("tictactoe", "connect4", "othello", "gomoku"):
            expect(page.locator(".board-box .last")).to_have_count(1)

    page.goto(f"{server.http}/#/history?game=rps&bot=every-a")
    rows = page.locator("table.history tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Rock-paper-scissors")
    rows.get_by_role("link", name=re.compile("^Replay")).click()
    expect(page).to_have_url(re.compile(rf"#/replay/{records['rps']['id']}$"))
    fleet.remove("every-a")
    fleet.remove("every-b")


def test_a_bot_name_full_of_markup_is_shown_as_text(
    page: Any, server: ServerProcess, fleet: BotFleet
) -> None:
    fleet.add(server.ws_bot, HOSTILE, games=["tictactoe"])
    fleet.add(server.ws_bot, "plain-partner", games=["tictactoe"])
    page.goto(f"{server.http}/")
    expect(page.locator("tr.bot .bot-name", has_text=HOSTILE)).to_be_visible()
    page.select_option("#f-game", "tictactoe")
    expect(page.locator("#f-bot-0 option", has_text=HOSTILE)).to_have_count(1)

    record = play_match(server, {"game": "tictactoe", "bots": [HOSTILE, "plain-partner"]})
    page.goto(f"{server.http}/#/replay/{record['id']}")
    expect(page.locator("h1")).to_have_text(f"Tic-tac-toe — {HOSTILE} vs plain-partner")
    expect(page.locator(".player-name").first).to_have_text(HOSTILE)
    page.goto(f"{server.http}/#/history")
    expect(page.locator("table.history")).to_contain_text(HOSTILE)
    assert page.locator("img").count() == 0
    fleet.remove(HOSTILE)
    fleet.remove("plain-partner")
    # The page fixture fails the test if the name opened an alert.


def test_a_refused_match_shows_why_and_a_lost_server_shows_a_banner(
    page: Any, tmp_path: Path
) -> None:
    token = "web-admin-secret"
    names = ("locked-a", "locked-b")
    tokens = {name: register_bot(tmp_path, name) for name in names}
    first = ServerProcess(tmp_path, ["--admin-token", token]).start()
    again: ServerProcess | None = None
    bots = BotFleet()
    try:
        for name in names:
            bots.add(first.ws_bot, name, token=tokens[name])
        page.goto(f"{first.http}/")
        expect(page.locator('tr[data-bot="locked-b"]')).to_be_visible()
        page.select_option("#f-game", "gomoku")
        page.fill("#opt-size", "40")
        start = page.get_by_role("button", name="Start match")

        start.click()  # no token yet: the server answers 401
        message = page.locator(".form-message")
        expect(message).to_contain_text("needs an admin token")
        expect(message).to_contain_text("Authorization: Bearer")
        expect(page.get_by_label("Admin token")).to_be_focused()

        page.get_by_label("Admin token").fill("wrong")
        start.click()
        expect(message).to_contain_text("refused that admin token")

        page.get_by_label("Admin token").fill(token)
        start.click()  # right token, bad option: the server's own sentence
        expect(message).to_contain_text("gomoku: size must be from 9 to 19")
        assert page.evaluate("sessionStorage.getItem('ringside.adminToken')") == token

        page.fill("#opt-size", "9")
        start.click()
        expect(page).to_have_url(re.compile(r"#/match/[0-9a-f]+$"))
        # Paced at the default delay; the slider at 0 shows everything at once.
        page.eval_on_selector(
            "#delay", "el => { el.value = '0'; el.dispatchEvent(new Event('input')); }"
        )
        expect(page.locator("output.delay-out")).to_have_text("live")
        # A whole gomoku match: its length is the bots', not the page's (two test workers).
        with explained(first, page.url.rsplit("/", 1)[1]):
            expect(page.locator(".result .winner")).to_be_visible(timeout=90_000)

        first.stop()
        banner = page.locator("#banner")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text(re.compile("connection lost — retrying", re.I))
        expect(page.locator("#conn")).to_have_text("offline")
        expect(page.locator(".board-box svg")).to_be_visible()  # never a blank screen

        again = ServerProcess(tmp_path, ["--admin-token", token, "--port", str(first.port)])
        again.start()
        expect(banner).to_be_hidden(timeout=15_000)
        expect(page.locator("#conn")).to_have_text("live")
    finally:
        bots.close()
        first.stop()
        if again is not None:
            again.stop()


def test_a_finished_match_opened_again_on_the_same_socket_shows_its_end(
    page: Any, server: ServerProcess, fleet: BotFleet
) -> None:
    """A match view let go of and opened again is snapshotted again.

    The lobby's small board once watched a match that ended as it was listed; the
    match view opened from the form then asked the same socket for it and got
    nothing: an empty board that waited for a first round forever."""
    fleet.add(server.ws_bot, "again-a", games=["tictactoe"])
    fleet.add(server.ws_bot, "again-b", games=["tictactoe"])
    record = play_match(server, {"game": "tictactoe", "bots": ["again-a", "again-b"]})
    view = f"#/match/{record['id']}"
    page.goto(f"{server.http}/{view}")
    score = re.compile(r"again-a \d – again-b \d")
    expect(page.locator(".result")).to_contain_text(score)
    page.evaluate("window.__samePage = true")
    page.evaluate("location.hash = '#/'")
    expect(page.get_by_role("heading", name="Lobby", exact=True)).to_be_visible()
    page.evaluate(f"location.hash = {view!r}")  # the same page and socket
    expect(page.locator(".result")).to_contain_text(score)
    assert page.evaluate("window.__samePage") is True
    expect(page.locator(".moves li").first).to_be_visible()
    fleet.remove("again-a")
    fleet.remove("again-b")
