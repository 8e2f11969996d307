"""Real engines through the real server: Stockfish, GNU Chess and GNU Go play whole matches.

Skipped when an engine is missing, unless RINGSIDE_REQUIRE_ENGINES is set
(scripts/system-deps.sh installs them; Debian puts them in /usr/games).
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import subprocess
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from bridge_helpers import find_engine, play, running
from sgf_check import parse_sgf

from ringside.bridges import GtpBridge, UciBridge
from ringside.testing.wire import ServerProcess, SpectatorClient, WireBot, start_bot

pytest.importorskip("chess", reason="python-chess is needed to check the games")
import chess
import chess.pgn

QUEEN_ENDGAME = "4k3/8/8/8/8/8/8/3QK3 w - - 0 1"
"""King and queen against king: a decisive game in a few dozen plies, whoever has the queen."""
FAST = {"type": "fischer", "base": 2.0, "increment": 0.05}
STOCKFISH_OPTIONS = [("Threads", "1"), ("Hash", "16")]


async def text(http: aiohttp.ClientSession, url: str) -> str:
    async with http.get(url) as response:
        assert response.status == 200, await response.text()
        return await response.text()


def last_views(record: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {e["round"]: e["view"] for e in record["events"] if e["type"] == "round_result"}


async def test_stockfish_against_gnu_chess_with_colours_swapped(
    server: ServerProcess, http: aiohttp.ClientSession
) -> None:
    stockfish = UciBridge([find_engine("stockfish")], options=STOCKFISH_OPTIONS, name="stockfish")
    gnuchess = UciBridge([find_engine("gnuchess"), "--uci"], name="gnuchess")
    async with running(http, server, stockfish, gnuchess):
        record = await play(
            http,
            server,
            {
                "game": "chess",
                "bots": ["stockfish", "gnuchess"],
                "rounds": 2,
                "time_control": FAST,
                "options": {"fen": QUEEN_ENDGAME, "openings": ["d1d5"]},
            },
        )
    assert record["status"] == "finished", record["result"]
    assert [e for e in record["events"] if e["type"] == "forfeit"] == []
    starts = [e for e in record["events"] if e["type"] == "round_started"]
    assert [s["bots"] for s in starts] == [["stockfish", "gnuchess"], ["gnuchess", "stockfish"]]
    assert len(record["round_results"]) == 2
    assert all(last_views(record)[r]["result"] in ("1-0", "0-1", "1/2-1/2") for r in (1, 2))
    said = [
        e.get("info") for e in record["events"] if e["type"] == "move" and e["bot"] == "stockfish"
    ]
    figures = [info for info in said if isinstance(info, dict) and "depth" in info]
    assert said and len(figures) >= len(said) / 2, said  # a forced reply may come unsearched

    pgn = io.StringIO(await text(http, f"{server.http}/api/matches/{record['id']}/pgn"))
    for round_number, (white, black) in ((1, starts[0]["bots"]), (2, starts[1]["bots"])):
        game = chess.pgn.read_game(pgn)
        assert game is not None and not game.errors, game and game.errors
        assert (game.headers["White"], game.headers["Black"]) == (white, black)
        assert game.headers["Round"] == str(round_number)
        assert game.headers["FEN"] == QUEEN_ENDGAME
        final = last_views(record)[round_number]
        assert game.headers["Result"] == final["result"]
        assert game.end().board().fen() == final["fen"]
        assert game.next() is not None and game.next().move.uci() == "d1d5"  # type: ignore[union-attr]
        clocks = [node.clock() for node in game.mainline()][1:]
        assert clocks and all(c is not None and c >= 0 for c in clocks)
    assert chess.pgn.read_game(pgn) is None


async def test_gnu_go_level_1_against_level_10_on_9x9(
    server: ServerProcess, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    gnugo = find_engine("gnugo")
    common = ["--mode", "gtp", "--capture-all-dead", "--chinese-rules"]
    weak = GtpBridge([gnugo, *common, "--level", "1"], name="gnugo-1")
    strong = GtpBridge([gnugo, *common, "--level", "10"], name="gnugo-10")
    async with running(http, server, weak, strong):
        record = await play(
            http,
            server,
            {
                "game": "go",
                "bots": ["gnugo-1", "gnugo-10"],
                "time_control": {"type": "per_move", "seconds": 10},
                "options": {"size": 9, "komi": 7.5},
            },
        )
    assert record["status"] == "finished", record["result"]
    assert [e for e in record["events"] if e["type"] == "forfeit"] == []
    final = last_views(record)[1]
    assert re.fullmatch(r"[BW]\+(R|\d+(\.5)?)", final["result"]), final["result"]
    moves = [e["action"] for e in record["events"] if e["type"] == "move"]
    assert moves[-2:] == ["pass", "pass"] or moves[-1] == "resign"

    sgf = await text(http, f"{server.http}/api/matches/{record['id']}/sgf")
    (tree,) = parse_sgf(sgf)
    root = tree[0]
    assert (root["SZ"], root["KM"], root["RE"]) == (["9"], ["7.5"], [final["result"]])
    assert (root["PB"], root["PW"]) == (["gnugo-1"], ["gnugo-10"])
    assert len(tree) - 1 == len([m for m in moves if m != "resign"])

    # GNU Go itself reads the record back to the stored final position.
    path = tmp_path / "game.sgf"
    path.write_text(sgf)
    script = f"loadsgf {path}\nlist_stones black\nlist_stones white\nquit\n"
    out = subprocess.run(
        [gnugo, "--mode", "gtp"], input=script, capture_output=True, text=True, timeout=30
    ).stdout
    answers = [a.strip() for a in out.split("\n\n") if a.strip()]
    assert answers[0].startswith("="), answers
    black, white = ({*a.lstrip("= ").split()} for a in answers[1:3])
    letters = "ABCDEFGHJ"
    board = final["board"]
    expected = [
        {f"{letters[c]}{9 - r}" for r in range(9) for c in range(9) if board[r][c] == seat}
        for seat in (0, 1)
    ]
    assert (black, white) == (expected[0], expected[1])


async def test_an_engine_killed_mid_game_loses_and_is_replaced(
    server: ServerProcess, http: aiohttp.ClientSession
) -> None:
    victim = UciBridge([find_engine("stockfish")], options=STOCKFISH_OPTIONS, name="sf-victim")
    steady = WireBot("steady-sf", server.tcp_bot)
    task = await start_bot(steady)
    spectator = SpectatorClient(await http.ws_connect(f"{server.http}/ws/watch"))
    async with running(http, server, victim):
        assert victim.engine is not None
        first_pid = victim.engine.pid
        created = await post(http, server, ["sf-victim", "steady-sf"])
        await spectator.ws.send_json({"type": "watch", "match": created["id"]})
        await spectator.wait_for(lambda e: e.get("type") == "move" and e["bot"] == "sf-victim")
        assert first_pid is not None
        os.kill(first_pid, signal.SIGKILL)
        result = await spectator.wait_for(lambda e: e.get("type") == "match_result")
        assert result["status"] == "finished" and result["winner"] == "steady-sf"
        verdict = result["verdict"]
        assert (verdict["code"], verdict["bot"]) == ("crashed", "sf-victim")
        assert verdict["message"] == "engine killed by SIGKILL"
        async with asyncio.timeout(10):
            while victim.engine is None or victim.engine.pid == first_pid:
                await asyncio.sleep(0.05)
        assert victim.engine.running and victim.fatal is None
    await spectator.close()
    await steady.close()
    task.cancel()


async def post(
    http: aiohttp.ClientSession, server: ServerProcess, bots: list[str]
) -> dict[str, Any]:
    body = {"game": "chess", "bots": bots, "time_control": {"type": "fischer", "base": 30}}
    async with http.post(f"{server.http}/api/matches", json=body) as response:
        created: dict[str, Any] = await response.json()
        assert response.status == 201, created
        return created
