"""Engine limits (``--nodes``, ``--depth``, ``--movetime``): reproducible low-strength games.

The Stockfish test is skipped when Stockfish is missing, unless RINGSIDE_REQUIRE_ENGINES is set.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from bridge_helpers import find_engine, play, running

from ringside.bridges.uci import Limits, UciBridge, go_command
from ringside.client import ClockReading
from ringside.protocol.messages import Fischer, PerMove
from ringside.testing.wire import ServerProcess


def test_limits_ride_on_go() -> None:
    clock = ClockReading(30.0, 30.0, 1.0, seats=[30.0, 20.0])
    fischer = Fischer(30, 1)
    assert (
        go_command(clock, 0, fischer, 0.05, limits=Limits(nodes=1000))
        == "go wtime 29950 btime 20000 winc 1000 binc 1000 nodes 1000"
    )
    assert go_command(clock, 0, fischer, 0.05, limits=Limits(depth=5)).endswith(" depth 5")
    assert go_command(clock, 0, fischer, 0.05, limits=Limits(movetime=0.2)) == "go movetime 200"
    short = ClockReading(0.1, 0.1)
    assert go_command(short, 0, PerMove(0.1), 0.05, limits=Limits(movetime=5)) == (
        "go movetime 50"
    )  # never past the clock
    with pytest.raises(ValueError, match="--nodes must be positive"):
        Limits(nodes=0)


async def moves_of_a_game(http: aiohttp.ClientSession, server: ServerProcess) -> list[Any]:
    path = find_engine("stockfish")
    options = [("Threads", "1"), ("Hash", "16")]
    limits = Limits(nodes=1000)
    white = UciBridge([path], options=options, limits=limits, name="sf-nodes-a")
    black = UciBridge([path], options=options, limits=limits, name="sf-nodes-b")
    async with running(http, server, white, black):
        record = await play(
            http,
            server,
            {
                "game": "chess",
                "bots": ["sf-nodes-a", "sf-nodes-b"],
                "time_control": {"type": "fischer", "base": 60, "increment": 1},
                "adjudication": {"max_plies": 60},
                "seed": 7,
            },
            timeout=180,
        )
    assert record["status"] == "finished", record
    return [e["action"] for e in record["events"] if e["type"] == "move"]


async def test_stockfish_at_1000_nodes_plays_the_same_game_twice(
    server: ServerProcess, http: aiohttp.ClientSession
) -> None:
    first = await moves_of_a_game(http, server)
    second = await moves_of_a_game(http, server)
    assert len(first) > 10
    assert first == second
    print(f"\nStockfish at 1000 nodes: the same {len(first)} plies on two runs")
