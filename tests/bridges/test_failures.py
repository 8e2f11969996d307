"""What a bridge does when its program fails, with a fake engine on a real server.

A crash concedes the game at once (a ``crashed`` verdict naming the crash) and
a fresh engine plays on; a hang is judged by the server's clock and
the hung engine is replaced; a program that cannot start stops the bridge.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import aiohttp
import pytest
from bridge_helpers import HERE, play, running
from typer.testing import CliRunner

from ringside.bridges import StdioBridge, UciBridge
from ringside.bridges.engine import EngineBridge, EngineError
from ringside.cli.engines import _standalone
from ringside.testing.wire import ServerProcess, WireBot, start_bot

pytest.importorskip("chess", reason="the fake engine uses python-chess")

FAKE_UCI = [sys.executable, str(HERE / "fake_uci.py")]
CHESS = {"game": "chess", "rounds": 1}


def forfeits(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["verdict"] for e in record["events"] if e["type"] == "forfeit"]


async def fresh_engine(bridge: EngineBridge, old_pid: int | None) -> int:
    """Wait until the bridge runs a new engine, and return its pid."""
    async with asyncio.timeout(10):
        while bridge.engine is None or not bridge.engine.running or bridge.engine.pid == old_pid:
            await asyncio.sleep(0.05)
    pid = bridge.engine.pid
    assert pid is not None
    return pid


async def test_a_crash_concedes_the_game_and_a_fresh_engine_plays_on(
    server: ServerProcess, http: aiohttp.ClientSession
) -> None:
    crashy = UciBridge([*FAKE_UCI, "--crash-at", "3", "--stderr", "segfault!"], name="crashy")
    steady = WireBot("steady-1", server.tcp_bot)
    task = await start_bot(steady)
    async with running(http, server, crashy):
        first_pid = crashy.engine.pid if crashy.engine else None
        body = {**CHESS, "bots": ["crashy", "steady-1"], "time_control": {"type": "per_move"}}
        record = await play(http, server, body)
        assert record["status"] == "finished" and record["winner"] == "steady-1"
        (verdict,) = forfeits(record)
        assert verdict["code"] == "crashed" and verdict["bot"] == "crashy"
        assert verdict["message"] == "engine exited with code 3"
        moves = [e for e in record["events"] if e["type"] == "move" and e["bot"] == "crashy"]
        assert len(moves) == 2, "two searches worked, the third crashed"

        await fresh_engine(crashy, first_pid)
        again = await play(http, server, body)
        assert any(e["type"] == "move" and e["bot"] == "crashy" for e in again["events"])
    await steady.close()
    task.cancel()


@pytest.mark.parametrize("recover", [False, True])
async def test_a_hung_engine_times_out_and_is_replaced(
    server: ServerProcess, http: aiohttp.ClientSession, recover: bool
) -> None:
    """A stall is a timeout, --recover or not: the engine is alive, only silent."""
    name = f"hung-{recover}"
    hung = UciBridge([*FAKE_UCI, "--hang-at", "2"], name=name, recover=recover)
    steady = WireBot(f"steady-2-{recover}", server.tcp_bot)
    task = await start_bot(steady)
    async with running(http, server, hung):
        first_pid = hung.engine.pid if hung.engine else None
        body = {
            **CHESS,
            "bots": [name, steady.name],
            "time_control": {"type": "per_move", "seconds": 0.5},
        }
        record = await play(http, server, body)
        (verdict,) = forfeits(record)
        assert (verdict["code"], verdict["bot"]) == ("timeout", name)
        await fresh_engine(hung, first_pid)
        assert hung.fatal is None
    await steady.close()
    task.cancel()


async def test_a_program_writing_no_json_concedes(
    server: ServerProcess, http: aiohttp.ClientSession
) -> None:
    chatty = StdioBridge(
        [
            sys.executable,
            "-c",
            "import sys\nfor line in sys.stdin: print('thinking...', flush=True)",
        ],
        name="chatty",
    )
    steady = WireBot("steady-3", server.tcp_bot)
    task = await start_bot(steady)
    async with running(http, server, chatty):
        record = await play(http, server, {"game": "tictactoe", "bots": ["chatty", "steady-3"]})
        (verdict,) = forfeits(record)
        assert verdict["code"] == "crashed"
        assert verdict["message"] == "program wrote a line that is not JSON"
    await steady.close()
    task.cancel()


async def test_a_program_that_cannot_start_stops_the_bridge(server: ServerProcess) -> None:
    bridge = UciBridge(["/nonexistent/engine"], name="ghost")
    with pytest.raises(EngineError, match="no such program"):
        await bridge.serve(server.ws_bot)


def test_stdio_bridge_refuses_nothing_to_run(server: ServerProcess) -> None:
    result = CliRunner().invoke(_standalone(), ["bridge", "stdio", "--server", server.ws_bot])
    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["bridge", "uci", "--server", "http://x:1/", "--", "stockfish"], 2, "--server must be"),
        (["bridge", "uci", "--option", "Threads", "--", "stockfish"], 2, "NAME=VALUE"),
        (
            ["bridge", "gtp", "--server", "ws://127.0.0.1:9/ws/bot", "--", "no-such-gtp"],
            1,
            "no such",
        ),
        (["export", "m1", "--format", "xml"], 2, "--format must be"),
        (["export", "m1", "--data-dir", "/nonexistent"], 2, "no database"),
    ],
)
def test_cli_errors_are_one_line(args: list[str], code: int, words: str) -> None:
    result = CliRunner().invoke(_standalone(), args)
    assert result.exit_code == code, result.output
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ringside: error: ") and words in last


async def test_with_recover_a_crash_mid_move_is_answered_by_a_fresh_engine(
    server: ServerProcess, http: aiohttp.ClientSession
) -> None:
    """The fake engine exits on its 3rd search; a fresh one gets the position and moves."""
    crashy = UciBridge([*FAKE_UCI, "--crash-at", "3"], name="crashy-recover", recover=True)
    steady = WireBot("steady-4", server.tcp_bot)
    task = await start_bot(steady)
    async with running(http, server, crashy):
        body = {
            **CHESS,
            "bots": ["crashy-recover", "steady-4"],
            "time_control": {"type": "per_move"},
            "options": {"fen": "4k3/8/8/8/8/8/8/3QK3 w - - 0 1"},
        }
        record = await play(http, server, body)
        assert forfeits(record) == []
        moves = [
            e for e in record["events"] if e["type"] == "move" and e["bot"] == "crashy-recover"
        ]
        assert len(moves) >= 3, "the third move came from the fresh engine"
        assert crashy.fatal is None
    await steady.close()
    task.cancel()


def test_a_retried_request_has_the_time_already_spent_taken_off() -> None:
    from ringside.bridges.engine import _later
    from ringside.client import ClockReading, Request

    request = Request("m", 3, 1, 1, {}, None, ClockReading(10.0, 10.0, seats=[30.0, 10.0]))
    later = _later(request, 2.5)
    assert (later.clock.remaining, later.clock.move_time) == (7.5, 7.5)
    assert later.clock.seats == [30.0, 7.5]
    assert later.id == 3 and request.clock.move_time == 10.0
