"""Adjudication with a real engine: Stockfish against itself through the UCI bridge and the
real server, ended by the scores Stockfish reports (cutechess's -resign and -draw).

Skipped when Stockfish is missing, unless RINGSIDE_REQUIRE_ENGINES is set.
"""

from __future__ import annotations

import io
import re
from typing import Any

import aiohttp
import pytest
from bridge_helpers import find_engine, play, running

from ringside.bridges import UciBridge
from ringside.testing.wire import ServerProcess

pytest.importorskip("chess", reason="python-chess is needed to check the games")
import chess.pgn

FAST = {"type": "fischer", "base": 2.0, "increment": 0.05}
OPTIONS = [("Threads", "1"), ("Hash", "16")]
QUEEN_UP = "4k3/8/8/8/8/8/8/3QK3 w - - 0 1"
"""King and queen against king: Stockfish sees it won (or a mate) at once, for both sides."""
ROOKS = "8/8/3k4/8/8/3K4/r7/7R w - - 0 1"
"""King and rook each, nothing hanging: a dead draw the fifty-move rule would end at ply 100."""


def stockfish_pair() -> tuple[UciBridge, UciBridge]:
    path = find_engine("stockfish")
    return (
        UciBridge([path], options=OPTIONS, name="sf-white"),
        UciBridge([path], options=OPTIONS, name="sf-black"),
    )


def the(record: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e for e in record["events"] if e["type"] == kind]


async def pgn_of(http: aiohttp.ClientSession, server: ServerProcess, match: str) -> chess.pgn.Game:
    async with http.get(f"{server.http}/api/matches/{match}/pgn") as response:
        assert response.status == 200, await response.text()
        game = chess.pgn.read_game(io.StringIO(await response.text()))
    assert game is not None and not game.errors, game and game.errors
    return game


async def test_stockfish_resigns_by_adjudication(
    server: ServerProcess, http: aiohttp.ClientSession
) -> None:
    white, black = stockfish_pair()
    rules = {"resign": {"movecount": 3, "score": 600, "twosided": True}}
    async with running(http, server, white, black):
        record = await play(
            http,
            server,
            {
                "game": "chess",
                "bots": ["sf-white", "sf-black"],
                "time_control": FAST,
                "options": {"fen": QUEEN_UP},
                "adjudication": rules,
            },
        )
    assert record["status"] == "finished", record["result"]
    (forfeit,) = the(record, "forfeit")
    verdict = forfeit["verdict"]
    assert verdict["code"] == "adjudicated" and verdict["bot"] == "sf-black"
    assert verdict["message"] == (
        "resign adjudication: sf-black (black) scored ≤ -600 cp for 3 moves"
        " and sf-white (white) ≥ +600 cp (two-sided)"
    )
    moves = the(record, "move")
    assert len(moves) == 6  # no mate in three: the scores ended it, at black's third move
    for move in moves:  # every score the rule counted was there, beyond the threshold
        info = move["info"]
        mover_wins = move["seat"] == 0
        assert "mate" in info or (info["score"] >= 600 if mover_wins else info["score"] <= -600)
    assert record["result"]["scores"] == [1.0, 0.0]
    assert record["result"].get("verdict") is None
    game = await pgn_of(http, server, record["id"])
    assert game.headers["Result"] == "1-0"
    assert game.headers["Termination"] == "adjudication"
    assert verdict["message"] in game.end().comment


async def test_a_dead_rook_ending_is_drawn_by_adjudication_before_fifty_moves(
    server: ServerProcess, http: aiohttp.ClientSession
) -> None:
    white, black = stockfish_pair()
    # Six plies: before any threefold repetition could end the game by its rules.
    rules = {"draw": {"movenumber": 3, "movecount": 3, "score": 50}}
    async with running(http, server, white, black):
        record = await play(
            http,
            server,
            {
                "game": "chess",
                "bots": ["sf-white", "sf-black"],
                "time_control": FAST,
                "options": {"fen": ROOKS},
                "adjudication": rules,
            },
        )
    assert record["status"] == "finished", record["result"]
    said = [(m["action"], m.get("info")) for m in the(record, "move")]
    assert the(record, "forfeit"), said
    (forfeit,) = the(record, "forfeit")
    verdict = forfeit["verdict"]
    assert verdict["code"] == "adjudicated" and verdict["player"] is None
    found = re.fullmatch(
        r"draw adjudication: both scored within ±50 cp for 3 moves each, after move (\d+)",
        verdict["message"],
    )
    assert found, verdict["message"]
    moves = the(record, "move")
    assert 6 <= len(moves) < 100  # after move 3, well before the fifty-move rule
    assert int(found.group(1)) == len(moves) // 2
    assert all(abs(m["info"]["score"]) <= 50 for m in moves[-6:])
    assert record["result"]["scores"] == [0.5, 0.5] and record["result"]["winner"] is None
    game = await pgn_of(http, server, record["id"])
    assert game.headers["Result"] == "1/2-1/2"
    assert game.headers["Termination"] == "adjudication"
    assert game.end().board().halfmove_clock < 100
