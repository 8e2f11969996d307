"""Replays that tell the story, and live state that stays true (issue 19, items 2 and 3).

A real server, real bots, Chromium: a finished replay opens on its final position with
the winner and the reason, steps are moves, the keys work at once; live, a verdict
stops the caption and the clocks where they stood, and a bot within its reconnect
grace wears a badge until it is back.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from web_helpers import BotFleet, first_legal, http_json, play_match

from ringside.testing.wire import ServerProcess, WireBot, answer_session, start_bot

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture says why
    if os.environ.get("RINGSIDE_REQUIRE_BROWSER"):
        raise
    pytest.skip("playwright is not installed", allow_module_level=True)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# After 1. e4 e5 2. Bc4 Nc6 3. Qh5 Nf6: first-legal bots play 21 plies with captures and checks.
CHESS_FEN = "r1bqkb1r/pppp1ppp/2n2n2/4p2Q/2B1P3/8/PPPP1PPP/RNB1K1NR w KQkq - 4 4"


def script(*moves: str) -> Any:
    """A chess player that plays ``moves`` in turn (then the first legal move)."""
    queue = list(moves)

    def choose(legal: list[Any], _: dict[str, Any]) -> Any:
        while queue:
            move = queue.pop(0)
            if move in legal:
                return move
        return legal[0]

    return choose


def clock_seconds(text: str) -> float:
    minutes, seconds = text.split(":")
    return int(minutes) * 60 + float(seconds)


def test_a_finished_replay_opens_on_the_end_and_steps_by_moves(
    page: Any, server: ServerProcess, fleet: BotFleet
) -> None:
    # Fool's mate: 1. f3 e5 2. g4 Qh4#.
    fleet.add(server.ws_bot, "fool-white", games=["chess"], choose=script("f2f3", "g2g4"))
    fleet.add(server.ws_bot, "fool-black", games=["chess"], choose=script("e7e5", "d8h4"))
    record = play_match(server, {"game": "chess", "bots": ["fool-white", "fool-black"]})
    assert record["winner"] == "fool-black"
    page.goto(f"{server.http}/#/replay/{record['id']}")

    # The end, at once: the final position, the winner and why.
    where = page.locator("output.where")
    board = page.locator(".board-box")
    expect(where).to_have_text("End")
    expect(board).to_have_attribute("data-ply", "4")
    banner = page.locator(".result")
    expect(banner.locator(".winner")).to_have_text("Winner: fool-black")
    expect(banner.locator(".winner a.bot-link")).to_have_attribute("href", "#/bot/fool-black")
    expect(banner.locator(".reason")).to_contain_text("wins by checkmate (0-1)")
    expect(page.locator(".rounds td.note")).to_contain_text("checkmate")
    expect(page.locator(".board-caption")).to_contain_text("checkmate")
    expect(page.locator(".player-name a.bot-link")).to_have_count(2)

    # The keys work on load (nothing was clicked), and a step is a move.
    assert page.evaluate("document.activeElement.closest('input, select, textarea')") is None
    page.keyboard.press("ArrowLeft")
    expect(where).to_have_text("Move 4 of 4")
    expect(board).to_have_attribute("data-ply", "4")
    expect(page.locator('.moves li[aria-current="step"]')).to_contain_text("4. fool-black: Qh4#")
    page.keyboard.press("Home")
    expect(where).to_have_text("Start")
    expect(board).to_have_attribute("data-ply", "0")
    page.keyboard.press("ArrowRight")
    expect(where).to_have_text("Move 1 of 4")
    expect(page.locator('.moves li[aria-current="step"]')).to_contain_text("1. fool-white: f3")
    page.locator(".moves li.move").nth(2).get_by_role("button").click()
    expect(where).to_have_text("Move 3 of 4")
    expect(board).to_have_attribute("data-ply", "3")
    page.keyboard.press("End")
    expect(where).to_have_text("End")

    # The move list is one tab stop (the current move), its names are no tab stops.
    expect(page.locator('.moves button[tabindex="0"]')).to_have_count(1)
    expect(page.locator('.moves a.bot-link:not([tabindex="-1"])')).to_have_count(0)
    page.locator('.moves button[tabindex="0"]').focus()
    page.keyboard.press("ArrowUp")
    expect(where).to_have_text("Move 3 of 4")
    assert page.evaluate("document.activeElement.textContent").startswith("g4")

    # A click on the board focuses nothing (no outline around the page).
    page.locator(".board-box svg").click()
    assert page.evaluate("document.activeElement === document.getElementById('main')") is False

    # Downloads: PGN (chess) and JSON, from the API.
    pgn = page.get_by_role("link", name="Download PGN")
    expect(pgn).to_have_attribute("href", f"/api/matches/{record['id']}/pgn")
    expect(page.get_by_role("link", name="Download JSON")).to_have_attribute(
        "href", f"/api/matches/{record['id']}"
    )
    expect(page.get_by_role("link", name="Download SGF")).to_have_count(0)
    response = page.request.get(f"{server.http}/api/matches/{record['id']}/pgn")
    assert response.ok and "Qh4#" in response.text()
    fleet.remove("fool-white")
    fleet.remove("fool-black")


def test_the_round_selector_and_the_rounds_notes(
    page: Any, server: ServerProcess, fleet: BotFleet
) -> None:
    fleet.add(server.ws_bot, "c4-left", games=["connect4"], choose=first_legal)
    fleet.add(server.tcp_bot, "c4-right", games=["connect4"], choose=first_legal)
    record = play_match(server, {"game": "connect4", "bots": ["c4-left", "c4-right"], "rounds": 3})
    page.goto(f"{server.http}/#/replay/{record['id']}")
    where = page.locator("output.where")
    expect(where).to_have_text("Round 3 · End")
    notes = page.locator(".rounds td.note")
    expect(notes).to_have_count(3)
    for i in range(3):
        expect(notes.nth(i)).to_contain_text("wins with four in a row")

    select = page.locator("#r-round")
    expect(select.locator("option")).to_have_count(3)
    select.select_option("1")
    expect(where).to_have_text("Round 1 · End")
    expect(page.locator(".board-box")).to_have_attribute("data-round", "1")
    page.keyboard.press("ArrowLeft")
    plies = max(e["ply"] for e in record["events"] if e["type"] == "move" and e["round"] == 1)
    expect(where).to_have_text(f"Round 1 · Move {plies} of {plies}")
    # A right arrow at a round's end goes on to the next round's start.
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(where).to_have_text("Round 2 · Start")
    expect(select).to_have_value("2")
    fleet.remove("c4-left")
    fleet.remove("c4-right")


def test_a_tournament_game_links_to_its_tournament_and_missing_ids_say_so(
    page: Any, server: ServerProcess, fleet: BotFleet
) -> None:
    fleet.add(server.ws_bot, "ttt-one", games=["tictactoe"], choose=first_legal)
    fleet.add(server.ws_bot, "ttt-two", games=["tictactoe"], choose=first_legal)
    record = play_match(server, {"game": "tictactoe", "bots": ["ttt-one", "ttt-two"]})
    assert "tournament_id" in record

    def with_tournament(route: Any) -> None:
        response = route.fetch()
        body = response.json()
        body["tournament_id"] = "t-42"
        route.fulfill(response=response, body=json.dumps(body))

    page.route(f"**/api/matches/{record['id']}", with_tournament)
    page.goto(f"{server.http}/#/replay/{record['id']}")
    expect(page.get_by_role("link", name="Part of a tournament")).to_have_attribute(
        "href", "#/tournament/t-42"
    )
    expect(page.get_by_role("link", name="Download PGN")).to_have_count(0)

    # An aborted match (cut here after its third move): the caption and the banner say so.
    events = record["events"]
    third = next(i for i, e in enumerate(events) if e["type"] == "move" and e["ply"] == 3)
    aborted = {
        "type": "match_result",
        "match": record["id"],
        "game": "tictactoe",
        "status": "aborted",
        "bots": ["ttt-one", "ttt-two"],
        "rounds": [],
        "scores": [0, 0],
        "winner": None,
        "reason": "the server shut down",
    }
    cut = dict(record, status="aborted", events=[*events[: third + 1], aborted])
    page.route(
        f"**/api/matches/{record['id']}",
        lambda route: route.fulfill(
            status=200, content_type="application/json", body=json.dumps(cut)
        ),
    )
    page.goto(f"{server.http}/#/history")
    page.goto(f"{server.http}/#/replay/{record['id']}")
    expect(page.locator(".result .winner")).to_have_text("Aborted")
    expect(page.locator(".result .reason")).to_have_text("the server shut down")
    expect(page.locator(".board-caption")).to_contain_text("Match aborted: the server shut down.")
    expect(page.locator(".board-caption")).not_to_contain_text("to move")
    expect(page.locator(".player.to-move")).to_have_count(0)
    page.unroute(f"**/api/matches/{record['id']}")

    # A replay that does not exist: one error, and no "Try again" (it cannot succeed).
    page.goto(f"{server.http}/#/replay/no-such-match")
    expect(page.locator("h1")).to_have_text("Replay not found")
    expect(page.get_by_role("alert")).to_contain_text("no-such-match")
    expect(page.get_by_role("button", name="Try again")).to_have_count(0)

    # A live match that does not exist: the error alone, no empty board waiting for bots.
    page.goto(f"{server.http}/#/match/no-such-match")
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("h1")).to_have_text("Match not found")
    expect(page.locator(".board-box")).to_be_hidden()
    expect(page.get_by_text("Waiting for the bots")).to_have_count(0)
    fleet.remove("ttt-one")
    fleet.remove("ttt-two")


def test_a_timeout_stops_the_caption_and_the_clocks(
    page: Any, server: ServerProcess, fleet: BotFleet
) -> None:
    fleet.add(server.ws_bot, "quick", games=["connect4"], choose=first_legal)
    gate = fleet.gate(before_request=1)  # answers once, then sits on its second request
    fleet.add(server.ws_bot, "sleepy", games=["connect4"], choose=first_legal, gate=gate)
    page.add_init_script("localStorage.setItem('ringside.delay', '0');")
    status, created = http_json(
        "POST",
        f"{server.http}/api/matches",
        {
            "game": "connect4",
            "bots": ["quick", "sleepy"],
            "time_control": {"type": "fischer", "base": 3, "increment": 0},
            "time_margin": 0.0,
        },
    )
    assert status == 201, created
    page.goto(f"{server.http}/#/match/{created['id']}")
    sleepy = page.locator('.player[data-seat="1"]')
    expect(sleepy).to_have_class(re.compile(r"\bto-move\b"))
    assert gate.reached.wait(10)

    # The verdict: told in the caption (not "to move"), the clocks stopped, sleepy's at 0.
    caption = page.locator(".board-caption")
    expect(caption).to_contain_text("sleepy lost on time: sleepy ran out of time", timeout=15_000)
    expect(caption).not_to_contain_text("to move")
    expect(sleepy.locator(".clock")).to_have_text("0:00.0")
    expect(sleepy).to_have_class(re.compile(r"\bflagged\b"))
    expect(page.locator(".player.to-move")).to_have_count(0)
    expect(page.locator(".result .winner")).to_have_text("Winner: quick")
    expect(page.locator(".result .verdict")).to_contain_text("sleepy lost on time")
    quick = page.locator('.player[data-seat="0"] .clock').inner_text()
    page.wait_for_function(
        "() => document.querySelector('.match-status').dataset.status === 'finished'"
    )
    expect(page.locator('.player[data-seat="0"] .clock')).to_have_text(quick)
    gate.open()
    fleet.remove("quick")
    fleet.remove("sleepy")


def test_a_dropped_bot_wears_a_badge_until_it_is_back(
    page: Any, server: ServerProcess, fleet: BotFleet, artifacts: Path
) -> None:
    fleet.add(server.ws_bot, "stayer", games=["connect4"], choose=first_legal)
    gate = fleet.gate(before_request=1)
    fleet.add(server.ws_bot, "dropper", games=["connect4"], token="drop-token", gate=gate)
    page.add_init_script("localStorage.setItem('ringside.delay', '0');")
    status, created = http_json(
        "POST",
        f"{server.http}/api/matches",
        {
            "game": "connect4",
            "bots": ["stayer", "dropper"],
            "time_control": {"type": "per_move", "seconds": 60},
            "reconnect_grace": 60.0,
        },
    )
    assert status == 201, created
    page.goto(f"{server.http}/#/match/{created['id']}")
    assert gate.reached.wait(10)
    fleet.remove("dropper")  # its connection drops while it owes a move

    badge = page.locator('.player[data-seat="1"] .seat-badge')
    expect(badge).to_have_text(re.compile(r"^disconnected, reconnecting \(\d+ s left\)$"))
    expect(page.locator('.player[data-seat="1"]')).to_have_class(re.compile(r"\bdropped\b"))
    page.screenshot(path=str(artifacts / "live-reconnecting.png"))
    fleet.add(server.ws_bot, "dropper", games=["connect4"], token="drop-token", seed=1)
    expect(badge).to_be_hidden()
    expect(page.locator(".result .winner")).to_be_visible(timeout=20_000)
    status, stored = http_json("GET", f"{server.http}/api/matches/{created['id']}")
    kinds = [e["type"] for e in stored["events"]]
    assert kinds.index("seat_dropped") < kinds.index("seat_back")
    assert stored["verdict"] is None

    # The replay takes the new events in its stride.
    page.goto(f"{server.http}/#/replay/{created['id']}")
    expect(page.locator("output.where")).to_have_text("End")
    expect(page.locator(".seat-badge:visible")).to_have_count(0)
    fleet.remove("stayer")
    fleet.remove("dropper")


def test_a_bot_that_does_not_come_back_keeps_its_clock(
    page: Any, server: ServerProcess, fleet: BotFleet
) -> None:
    fleet.add(server.ws_bot, "keeper", games=["connect4"], choose=first_legal)
    gate = fleet.gate(before_request=1)
    fleet.add(server.ws_bot, "leaver", games=["connect4"], gate=gate)
    page.add_init_script("localStorage.setItem('ringside.delay', '0');")
    status, created = http_json(
        "POST",
        f"{server.http}/api/matches",
        {
            "game": "connect4",
            "bots": ["keeper", "leaver"],
            "time_control": {"type": "per_move", "seconds": 30},
            "reconnect_grace": 1.5,
        },
    )
    assert status == 201, created
    page.goto(f"{server.http}/#/match/{created['id']}")
    assert gate.reached.wait(10)
    fleet.remove("leaver")
    caption = page.locator(".board-caption")
    expect(caption).to_contain_text("leaver left the match", timeout=15_000)
    expect(caption).not_to_contain_text("to move")
    # Its clock ran during the grace and stays there: no jump back to 0:30.0.
    expect(page.locator(".player.to-move")).to_have_count(0)
    left = clock_seconds(page.locator('.player[data-seat="1"] .clock').inner_text())
    assert left < 29.0, left
    # The replay shows the same: the grace came off its clock.
    page.goto(f"{server.http}/#/replay/{created['id']}")
    expect(page.locator("output.where")).to_have_text("End")
    replayed = clock_seconds(page.locator('.player[data-seat="1"] .clock').inner_text())
    assert replayed < 29.0, replayed
    gate.open()
    fleet.remove("keeper")


def add_talking_bot(fleet: BotFleet, url: str, name: str, games: list[str], seat: int) -> None:
    """A first-legal bot that sends ``info`` with each action: engine figures, or a log line."""
    moves = 0

    async def behave(bot: WireBot, message: dict[str, Any]) -> None:
        nonlocal moves
        if await answer_session(bot, message) or message.get("type") != "request":
            return
        moves += 1
        await asyncio.sleep(0.02)
        action = message["legal_actions"][0]
        info: Any = (
            f"book move {moves}\nno search"
            if seat
            else {
                "score": 30 + 2 * moves,
                "depth": 16 + moves % 3,
                "time": 0.5,
                "nodes": 120_000 * moves,
                "pv": [action, *message["legal_actions"][1:3]],
                "log": f"searched {moves} plies deep\nbest {action}",
            }
        )
        await bot.send(
            {
                "type": "action",
                "match": message["match"],
                "id": message["id"],
                "action": action,
                "info": info,
            }
        )

    bot = WireBot(name, url, behave=behave, games=games)
    fleet.bots[name] = (bot, fleet._call(start_bot(bot)))


def _with_info(record: dict[str, Any]) -> dict[str, Any]:
    """The record with engine output on its moves, as a bot sending ``info`` leaves it."""
    body = json.loads(json.dumps(record))
    for event in body["events"]:
        if event["type"] != "move":
            continue
        if event["seat"] == 0:
            event["info"] = {
                "score": 34 + event["ply"],
                "depth": 18,
                "time": 0.51,
                "pv": ["e2e4", "e7e5"],
                "log": f"thinking about move {event['ply']}\nbest found",
            }
        else:
            event["info"] = f"line one of {event['ply']}\nline two"
    return body


def test_each_moves_info_is_shown_beside_it_in_the_replay_and_live(
    page: Any, server: ServerProcess, fleet: BotFleet, artifacts: Path
) -> None:
    add_talking_bot(fleet, server.ws_bot, "info-white", ["chess"], 0)
    add_talking_bot(fleet, server.tcp_bot, "info-black", ["chess"], 1)
    record = play_match(
        server,
        {
            "game": "chess",
            "bots": ["info-white", "info-black"],
            "options": {"fen": CHESS_FEN},
            "time_control": {"type": "fischer", "base": 300, "increment": 2},
        },
    )
    moves = [e for e in record["events"] if e["type"] == "move"]
    real = any("info" in m for m in moves)  # a server that keeps an action's info
    if not real:  # one that does not yet: the same events, with the info they would carry
        body = json.dumps(_with_info(record))
        page.route(
            f"**/api/matches/{record['id']}",
            lambda route: route.fulfill(status=200, content_type="application/json", body=body),
        )
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{server.http}/#/replay/{record['id']}")
    expect(page.locator("output.where")).to_have_text("End")
    items = page.locator(".moves li.move")
    expect(items).to_have_count(len(moves))
    if real:
        expect(items.nth(0).locator(".move-info")).to_have_text("+0.32/17")
        expect(items.nth(1).locator(".move-info")).to_have_text("book move 1")
        third, pv, log_text = "+0.34 (pawns)", moves[2]["info"]["pv"], "searched 2 plies deep"
    else:
        expect(items.nth(0).locator(".move-info")).to_have_text("+0.35/18")
        expect(items.nth(1).locator(".move-info")).to_have_text("line one of 2")
        third, pv, log_text = "+0.37 (pawns)", ["e2e4", "e7e5"], "thinking about move 3"
    # The move shown: its whole output, the log on demand.
    items.nth(2).get_by_role("button").click()
    output = page.locator(".move-output")
    expect(output).to_contain_text("Move 3")
    expect(output.locator("dd").first).to_have_text(third)
    expect(output).to_contain_text(" ".join(pv))
    log = output.locator("details.info-log")
    expect(log.locator("pre")).to_be_hidden()
    log.locator("summary").click()
    expect(log.locator("pre")).to_contain_text(log_text)
    if real:  # the PGN download carries it too, as a comment after the move
        pgn = page.request.get(f"{server.http}/api/matches/{record['id']}/pgn").text()
        assert "+0.32/17" in pgn, pgn
    # The replay of a real game for the README: chess, the end, the banner, the output.
    page.keyboard.press("End")
    expect(page.locator(".result .winner")).to_be_visible()
    page.locator("h1").focus()
    page.evaluate("window.scrollTo(0, 0)")
    shot = artifacts / "replay.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("RINGSIDE_SCREENSHOTS"):
        shutil.copy(shot, SCREENSHOTS / "replay.png")

    # Live: a move event with info is shown beside the move as it comes.
    fleet.add(server.ws_bot, "live-a", games=["tictactoe"], choose=first_legal)
    gate = fleet.gate(before_request=0)
    fleet.add(server.ws_bot, "live-b", games=["tictactoe"], choose=first_legal, gate=gate)
    page.add_init_script("localStorage.setItem('ringside.delay', '0');")
    status, created = http_json(
        "POST", f"{server.http}/api/matches", {"game": "tictactoe", "bots": ["live-a", "live-b"]}
    )
    assert status == 201, created
    page.goto(f"{server.http}/#/match/{created['id']}")
    assert gate.reached.wait(10)
    expect(page.locator(".moves li.move")).to_have_count(1)
    move = {
        "type": "move",
        "match": created["id"],
        "round": 1,
        "ply": 2,
        "seat": 1,
        "bot": "live-b",
        "action": 1,
        "elapsed": 0.1,
        "info": {"mate": 3, "depth": 20},
    }
    page.evaluate("async (event) => (await import('/static/live.js')).live.receive(event)", move)
    expect(page.locator(".moves li.move").nth(1).locator(".move-info")).to_have_text("#3/20")
    expect(page.locator(".move-output")).to_contain_text("mate in 3")
    gate.open()
    for name in ("info-white", "info-black", "live-a", "live-b"):
        fleet.remove(name)
