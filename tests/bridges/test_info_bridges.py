"""The engine bridges send what the engine says of its move as the action's ``info``."""

from __future__ import annotations

import io
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from bridge_helpers import HERE, play, running

from ringside.bridges import GtpBridge, UciBridge
from ringside.bridges.engine import EngineBridge, EngineProcess
from ringside.bridges.uci import MAX_LOG, MAX_PV, move_info, parse_info
from ringside.client import Answer, ClockReading, MoveInfo, Request
from ringside.testing.wire import ServerProcess, WireBot, start_bot

pytest.importorskip("chess", reason="the fake engine uses python-chess")
import chess
import chess.pgn

FAKE_UCI = [sys.executable, str(HERE / "fake_uci.py")]
FAKE_GTP = [sys.executable, str(HERE / "fake_gtp.py")]
STOCKFISH_LINE = (
    "info depth 18 seldepth 24 multipv 1 score cp -34 upperbound nodes 123456 nps 987654 "
    "hashfull 12 tbhits 0 time 510 pv e7e5 g1f3 b8c6"
)


@pytest.mark.parametrize(
    ("line", "figures"),
    [
        (
            STOCKFISH_LINE,
            {"depth": 18, "seldepth": 24, "score": -34, "nodes": 123456, "nps": 987654,
             "time": 0.51, "pv": ["e7e5", "g1f3", "b8c6"]},
        ),
        ("info depth 20 score mate -3 pv e1e2", {"depth": 20, "mate": -3, "pv": ["e1e2"]}),
        ("info score cp 5 pv a2a3 depth 3", {"score": 5, "pv": ["a2a3"], "depth": 3}),
        ("info depth 5 multipv 2 score cp 1 pv a2a3", None),
        ("info depth 5 currmove e2e4 currmovenumber 1", None),
        ("info string score cp 7", None),
        ("info depth x score cp y", None),
        ("info score", None),
        ("bestmove e2e4", None),
        ("", None),
    ],
)  # fmt: skip
def test_parse_info(line: str, figures: dict[str, Any] | None) -> None:
    assert parse_info(line) == figures


def test_a_long_pv_and_log_are_cut() -> None:
    figures = parse_info("info score cp 1 pv " + " ".join(["e2e4"] * 100))
    assert figures is not None and len(figures["pv"]) == MAX_PV
    info = move_info(figures, ["x" * 1000])
    assert info is not None and info.log is not None and len(info.log) == MAX_LOG
    assert move_info(None, []) is None
    assert move_info(None, ["hello", "world"]) == MoveInfo(log="hello | world")


def request(observation: Any, seat: int = 0) -> Request:
    clock = ClockReading(5.0, 5.0, seats=[5.0, 5.0])
    return Request("m1", 2, 1, seat, observation, None, clock)


@asynccontextmanager
async def engine_of(bridge: EngineBridge) -> AsyncIterator[EngineProcess]:
    engine = await bridge.open_engine()
    try:
        yield engine
    finally:
        await bridge.close_engine()


async def test_the_uci_bridge_answers_with_the_main_lines_info() -> None:
    bridge = UciBridge(FAKE_UCI, name="fake")
    async with engine_of(bridge) as engine:
        answer = await bridge.think(engine, request({"moves": []}), None)
    assert isinstance(answer, Answer)
    assert answer.action in {move.uci() for move in chess.Board().legal_moves}
    assert answer.info == MoveInfo(
        score=12, depth=1, seldepth=2, nodes=20, nps=1000, time=0.51,
        pv=[answer.action], log="fake search",
    )  # fmt: skip


async def test_the_gtp_bridge_sends_the_engines_stderr_as_a_log_line() -> None:
    bridge = GtpBridge(FAKE_GTP, name="fake-go")
    observation = {"moves": [], "size": 9, "komi": 7.5}
    async with engine_of(bridge) as engine:
        await bridge.new_game(engine, None, request(observation))
        answer = await bridge.think(engine, request(observation), None)
    assert answer == Answer("pass", "visits 100 winrate 0.55 | pv D4 Q16")
    quiet = GtpBridge([*FAKE_GTP, "--quiet"], name="quiet-go")
    async with engine_of(quiet) as engine:
        await quiet.new_game(engine, None, request(observation))
        assert await quiet.think(engine, request(observation), None) == "pass"


async def test_the_info_is_stored_with_the_move_and_written_into_the_pgn(
    server: ServerProcess, http: aiohttp.ClientSession
) -> None:
    engine = UciBridge([*FAKE_UCI, "--crash-at", "4"], name="chatty")
    steady = WireBot("steady-info", server.tcp_bot)
    task = await start_bot(steady)
    async with running(http, server, engine):
        body = {
            "game": "chess",
            "bots": ["chatty", "steady-info"],
            "time_control": {"type": "per_move"},
        }
        record = await play(http, server, body)
    await steady.close()
    task.cancel()
    moves = [e for e in record["events"] if e["type"] == "move"]
    said = [m.get("info") for m in moves if m["bot"] == "chatty"]
    assert len(said) == 3
    for move, info in zip([m for m in moves if m["bot"] == "chatty"], said, strict=True):
        assert info == {
            "score": 12.0, "depth": 1, "seldepth": 2, "nodes": 20, "nps": 1000, "time": 0.51,
            "pv": [move["action"]], "log": "fake search",
        }  # fmt: skip
    assert all("info" not in m for m in moves if m["bot"] == "steady-info")
    async with http.get(f"{server.http}/api/matches/{record['id']}/pgn") as response:
        game = chess.pgn.read_game(io.StringIO(await response.text()))
    assert game is not None and not game.errors
    comments = [node.comment for node in game.mainline()]
    assert comments[0].startswith("+0.12/1 0.51s fake search [%clk")
    assert comments[1].startswith("[%clk")
