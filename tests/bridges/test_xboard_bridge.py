"""The XBoard/CECP bridge: the commands it sends, the moves and thinking it reads, and real
games through it against a fake engine (and GNU Chess, whose native protocol it is)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from bridge_helpers import HERE, find_engine, play, running

from ringside.bridges.engine import EngineProcess
from ringside.bridges.uci import Limits
from ringside.bridges.xboard import (
    XBoardBridge,
    level_command,
    parse_features,
    parse_thinking,
    time_commands,
)
from ringside.client import Answer, ClockReading, Crashed, MoveInfo, Prepare, Request
from ringside.protocol.messages import ByoYomi, Fischer, PerMove
from ringside.testing.wire import ServerProcess, WireBot, start_bot

pytest.importorskip("chess", reason="the XBoard bridge uses python-chess")
import chess

FAKE = [sys.executable, str(HERE / "fake_xboard.py")]
START = chess.STARTING_FEN


def test_features_are_read_with_quotes() -> None:
    line = 'feature done=0 myname="Crafty 25.2" ping=1 variants="normal,fischerandom"'
    assert parse_features(line) == [
        ("done", "0"),
        ("myname", "Crafty 25.2"),
        ("ping", "1"),
        ("variants", "normal,fischerandom"),
    ]
    assert parse_features("feature") == []
    assert parse_features("tellics hello") == []


@pytest.mark.parametrize(
    ("tc", "command"),
    [
        (Fischer(60, 1), "level 0 1 1"),
        (Fischer(90, 0.5), "level 0 1:30 0.5"),
        (Fischer(5, 0.05), "level 0 0:05 0.05"),
        (PerMove(10), "st 10"),
        (PerMove(0.5), "st 1"),
        (ByoYomi(60, 3, 10), "level 0 1:10 0"),
        (None, None),
    ],
)
def test_the_clock_at_a_new_game(tc: Any, command: str | None) -> None:
    assert level_command(tc) == command


def test_time_and_otim_are_centiseconds() -> None:
    clock = ClockReading(12.5, 12.5, 0.0, 0, 0.0, [30.0, 12.5])
    assert time_commands(clock, 1, 0.05) == ["time 1245", "otim 3000"]
    assert time_commands(ClockReading(0.001, 0.001), 0, 0.05) == ["time 1", "otim 1"]


@pytest.mark.parametrize(
    ("line", "figures"),
    [
        ("9 156 1084 48000 Nf3 Nc6 Nc3", {"depth": 9, "score": 156, "time": 10.84,
                                          "nodes": 48000, "pv": ["g1f3", "b8c6", "b1c3"]}),
        ("4 100003 5 120 e4", {"depth": 4, "mate": 3, "time": 0.05, "nodes": 120,
                               "pv": ["e2e4"]}),
        ("4 -100002 5 120", {"depth": 4, "mate": -2, "time": 0.05, "nodes": 120}),
        ("5 -20 7 99 1. e4 e5 2. Qh5?! zz", {"depth": 5, "score": -20, "time": 0.07,
                                            "nodes": 99, "pv": ["e2e4", "e7e5", "d1h5"]}),
        ("move e2e4", None),
        ("feature done=1", None),
        ("1 2 3", None),
    ],
)  # fmt: skip
def test_thinking_output(line: str, figures: dict[str, Any] | None) -> None:
    assert parse_thinking(line, chess.Board()) == figures


def request(moves: list[str], seat: int = 0, fen: str = START, **more: Any) -> Request:
    clock = ClockReading(5.0, 5.0, seats=[5.0, 5.0])
    observation = {"moves": moves, "start_fen": fen, **more}
    return Request("m1", 2, 1, seat, observation, None, clock)


def prepare(tc: Any = None) -> Prepare:
    return Prepare("m1", 1, "chess", 0, 2, 1, 1, tc or Fischer(60, 1))


@asynccontextmanager
async def engine_of(bridge: XBoardBridge) -> AsyncIterator[EngineProcess]:
    engine = await bridge.open_engine()
    try:
        yield engine
    finally:
        await bridge.close_engine()


def sent(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").splitlines()


async def test_a_game_is_told_as_cutechess_tells_it(tmp_path: Path) -> None:
    log = tmp_path / "xboard.log"
    bridge = XBoardBridge([*FAKE, "--log", str(log)], name="fake")
    async with engine_of(bridge) as engine:
        assert bridge.engine_name == "Fake XBoard 1.0"
        first = request(["e2e4"], seat=1)
        await bridge.new_game(engine, prepare(), first)
        answer = await bridge.think(engine, first, prepare())
        assert isinstance(answer, Answer)
        board = chess.Board()
        board.push_uci("e2e4")
        reply = next(iter(board.legal_moves)).uci()
        assert answer.action == reply
        assert answer.info == MoveInfo(depth=3, score=34, time=0.12, nodes=456, pv=[reply])
        second = await bridge.think(engine, request(["e2e4", reply, "d2d4"], seat=1), prepare())
        assert isinstance(second, Answer)
    lines = sent(log)
    assert lines[:2] == ["xboard", "protover 2"]
    assert "accepted ping" in lines and "accepted usermove" in lines
    assert "rejected frobnicate" in lines
    game = lines[lines.index("new") :]
    assert game[:9] == [
        "new", "force", "easy", "post", "level 0 1 1",
        "force", "usermove e2e4", "time 495", "otim 500",
    ]  # fmt: skip
    assert game[9] == "go"
    # The second move tells only what the engine has not seen.
    assert game[10:14] == ["force", "usermove d2d4", "time 495", "otim 500"]


async def test_a_set_position_goes_by_setboard_and_chess960_by_variant(tmp_path: Path) -> None:
    log = tmp_path / "xboard.log"
    bridge = XBoardBridge([*FAKE, "--log", str(log), "--san"], name="fake")
    fen = "5k1r/pppppppp/8/8/8/8/PPPPPPPP/5K1R w Hh - 0 1"
    async with engine_of(bridge) as engine:
        first = request(["f1h1"], seat=1, fen=fen, variant="chess960")
        await bridge.new_game(engine, prepare(PerMove(2)), first)
        answer = await bridge.think(engine, first, prepare(PerMove(2)))
        board = chess.Board(fen, chess960=True)
        board.push_uci("f1h1")
        assert isinstance(answer, Answer)
        assert answer.action == next(iter(board.legal_moves)).uci()
    lines = sent(log)
    game = lines[lines.index("new") :]
    assert game[:7] == ["new", "variant fischerandom", "force", "easy", "post", "st 2",
                        f"setboard {fen}"]  # fmt: skip
    assert "usermove O-O" in game  # castling in SAN: the engine asked for san=1


async def test_no_setboard_no_set_position(tmp_path: Path) -> None:
    bridge = XBoardBridge([*FAKE, "--no-setboard"], name="fake")
    fen = "4k3/8/8/8/8/8/4P3/4K3 w - - 0 1"
    async with engine_of(bridge) as engine:
        with pytest.raises(Exception, match="cannot start from a set position"):
            await bridge.new_game(engine, prepare(), request([], fen=fen))


async def test_moves_without_usermove_and_resigning(tmp_path: Path) -> None:
    log = tmp_path / "xboard.log"
    bridge = XBoardBridge(
        [*FAKE, "--log", str(log), "--no-usermove", "--resign-at", "2"], name="fake"
    )
    async with engine_of(bridge) as engine:
        await bridge.new_game(engine, prepare(), request(["e2e4"], seat=1))
        answer = await bridge.think(engine, request(["e2e4"], seat=1), prepare())
        assert isinstance(answer, Answer)
        with pytest.raises(Crashed, match="resigned"):
            await bridge.think(engine, request(["e2e4", answer.action, "d2d4"], 1), prepare())
    assert "e2e4" in sent(log) and "d2d4" in sent(log)


async def test_move_now_when_the_time_is_up() -> None:
    bridge = XBoardBridge([*FAKE, "--slow"], name="fake", move_overhead=0.0)
    async with engine_of(bridge) as engine:
        quick = Request(
            "m1", 2, 1, 0, {"moves": [], "start_fen": START}, None, ClockReading(0.3, 0.3)
        )
        await bridge.new_game(engine, prepare(), quick)
        answer = await bridge.think(engine, quick, prepare())
    assert isinstance(answer, Answer)
    assert answer.action in {m.uci() for m in chess.Board().legal_moves}


async def test_the_fake_engine_plays_a_match_over_the_wire(
    server: ServerProcess, http: aiohttp.ClientSession
) -> None:
    engine = XBoardBridge(FAKE, name="fake-xboard")
    steady = WireBot("steady-xboard", server.tcp_bot)
    task = await start_bot(steady)
    async with running(http, server, engine):
        body = {
            "game": "chess",
            "bots": ["fake-xboard", "steady-xboard"],
            "rounds": 2,
            "time_control": {"type": "fischer", "base": 30, "increment": 0.1},
            "options": {"openings": ["4k3/8/8/8/8/8/4P3/4K3 w - - 0 1 moves e2e4"]},
            "adjudication": {"max_plies": 12},
        }
        record = await play(http, server, body)
    await steady.close()
    task.cancel()
    assert record["status"] == "finished", record
    started = next(e for e in record["events"] if e["type"] == "match_started")
    assert started["engines"][0] == "Fake XBoard 1.0"
    moves = [e for e in record["events"] if e["type"] == "move" and e["bot"] == "fake-xboard"]
    assert len(moves) >= 10
    assert all(m["info"]["depth"] == 3 for m in moves)
    for result in (e for e in record["events"] if e["type"] == "round_result"):
        assert [v["code"] for v in result["verdicts"]] == ["adjudicated"]


async def test_gnu_chess_plays_through_its_native_protocol(
    server: ServerProcess, http: aiohttp.ClientSession
) -> None:
    gnuchess = XBoardBridge([find_engine("gnuchess"), "--xboard"], name="gnuchess-xboard")
    steady = WireBot("steady-gnuchess", server.tcp_bot)
    task = await start_bot(steady)
    async with running(http, server, gnuchess):
        body = {
            "game": "chess",
            "bots": ["gnuchess-xboard", "steady-gnuchess"],
            "rounds": 2,
            "time_control": {"type": "fischer", "base": 20, "increment": 0.1},
            "adjudication": {"max_plies": 16},
        }
        record = await play(http, server, body, timeout=180)
    await steady.close()
    task.cancel()
    assert record["status"] == "finished", record
    started = next(e for e in record["events"] if e["type"] == "match_started")
    assert started.get("engines", [None])[0] == "GNU Chess", started
    results = [e for e in record["events"] if e["type"] == "round_result"]
    assert len(results) == 2
    for result in results:  # GNU Chess mates the first-legal-move bot, or the cap ends it
        verdicts = result.get("verdicts") or []
        assert all(v["code"] == "adjudicated" for v in verdicts), result
    moves = [e for e in record["events"] if e["type"] == "move" and e["bot"] == "gnuchess-xboard"]
    assert len(moves) >= 8
    assert sum(1 for m in moves if (m.get("info") or {}).get("depth")) >= len(moves) // 2
    points = [r["scores"] for r in results]
    print(f"\nGNU Chess over XBoard: {len(moves)} moves in 2 rounds, scores by seat {points}")


async def test_limits_are_sd_and_st(tmp_path: Path) -> None:
    log = tmp_path / "xboard.log"
    limits = Limits(depth=4, movetime=2.5)
    bridge = XBoardBridge([*FAKE, "--log", str(log)], name="fake", limits=limits)
    async with engine_of(bridge) as engine:
        await bridge.new_game(engine, prepare(), request([]))
    game = sent(log)[sent(log).index("new") :]
    assert game[:6] == ["new", "force", "easy", "post", "st 2", "sd 4"]
    with pytest.raises(ValueError, match="no node limit"):
        XBoardBridge(FAKE, name="fake", limits=Limits(nodes=10))
