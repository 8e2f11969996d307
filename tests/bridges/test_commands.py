"""What the bridges say to engines, checked line by line (no engine needed)."""

from __future__ import annotations

import json

import pytest

from ringside.bridges.gtp import normalise_move
from ringside.bridges.stdio import request_line
from ringside.bridges.uci import STARTPOS, go_command, parse_options, position_command
from ringside.client import ClockReading, Prepare, Request
from ringside.protocol.messages import ByoYomi, Fischer, PerMove


def clock(remaining: float, move_time: float | None = None, **kw: object) -> ClockReading:
    return ClockReading(remaining, remaining if move_time is None else move_time, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("reading", "seat", "tc", "expected"),
    [
        (clock(10.0), 0, PerMove(10.0), "go movetime 9950"),
        (clock(0.1), 1, PerMove(0.1), "go movetime 50"),
        (clock(0.01), 1, PerMove(0.01), "go movetime 10"),
        (
            clock(58.5, increment=1.0, seats=[58.5, 60.0]),
            0,
            Fischer(60, 1),
            "go wtime 58450 btime 60000 winc 1000 binc 1000",
        ),
        (
            clock(30.0, increment=2.0, seats=[12.0, 30.0]),
            1,
            Fischer(60, 2),
            "go wtime 12000 btime 29950 winc 2000 binc 2000",
        ),
        (
            clock(20.0, 50.0, periods=3, period=10.0, seats=[20.0, 5.0]),
            0,
            ByoYomi(60, 3, 10),
            "go wtime 29950 btime 15000",
        ),
        (
            clock(0.0, 30.0, periods=3, period=10.0, seats=[0.0, 5.0]),
            0,
            ByoYomi(60, 3, 10),
            "go movetime 9950",
        ),
        (clock(5.0, seats=[5.0, 7.0]), 0, None, "go wtime 4950 btime 7000"),
    ],
)
def test_go_passes_the_real_clock(
    reading: ClockReading, seat: int, tc: object, expected: str
) -> None:
    assert go_command(reading, seat, tc, 0.05) == expected  # type: ignore[arg-type]


def test_go_under_time_odds_sends_each_sides_increment() -> None:
    reading = clock(30.0, increment=2.0, seats=[12.0, 30.0])
    controls = [Fischer(10, 0), Fischer(60, 2)]
    assert (
        go_command(reading, 1, Fischer(60, 2), 0.05, controls)
        == "go wtime 12000 btime 29950 winc 0 binc 2000"
    )


def test_position_from_the_start_or_a_fen() -> None:
    assert position_command({"start_fen": STARTPOS, "moves": []}) == "position startpos"
    assert (
        position_command({"start_fen": STARTPOS, "moves": ["e2e4", "c7c5"]})
        == "position startpos moves e2e4 c7c5"
    )
    fen = "4k3/8/8/8/8/8/8/3QK3 w - - 0 1"
    assert position_command({"start_fen": fen, "moves": ["d1d5"]}) == (
        f"position fen {fen} moves d1d5"
    )


def test_engine_options() -> None:
    assert parse_options(["Threads=1", " Move Overhead = 100 ", "Book="]) == [
        ("Threads", "1"),
        ("Move Overhead", "100"),
        ("Book", ""),
    ]
    with pytest.raises(ValueError, match="NAME=VALUE"):
        parse_options(["=3"])


@pytest.mark.parametrize(
    ("answer", "move"),
    [("D4", "D4"), ("d4", "D4"), ("PASS", "pass"), ("pass", "pass"), ("resign", "resign")],
)
def test_gtp_moves_are_written_the_games_way(answer: str, move: str) -> None:
    assert normalise_move(f" {answer} ") == move


def test_a_stdio_request_is_one_line_of_json() -> None:
    request = Request("m1", 7, 2, 1, {"board": [None, "x\ny"]}, [0, 1], clock(3.0))
    prepare = Prepare("m1", 5, "tictactoe", 1, 2, 2, 3, PerMove(3.0), {"k": 1})
    line = request_line(request, prepare)
    assert "\n" not in line
    assert json.loads(line) == {
        "type": "request",
        "game": "tictactoe",
        "match": "m1",
        "round": 2,
        "seat": 1,
        "players": 2,
        "options": {"k": 1},
        "observation": {"board": [None, "x\ny"]},
        "legal_actions": [0, 1],
        "clock": {
            "remaining": 3.0,
            "move_time": 3.0,
            "increment": 0.0,
            "periods": 0,
            "period": 0.0,
            "seats": [],
        },
    }
