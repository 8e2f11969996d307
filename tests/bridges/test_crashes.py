"""Crashes are crashes: real Stockfish killed under a bridge, on a real server.

An engine killed mid-move gives a ``crashed`` verdict with a clean message; with
``--recover`` a fresh engine is given the position and the game goes on; a bridge
stopped by SIGTERM concedes at once and exits non-zero; a SIGKILLed bridge leaves no
engine behind.
"""

from __future__ import annotations

import asyncio
import io
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from bridge_helpers import find_engine, running, wait_online

from ringside.bridges import GtpBridge, UciBridge
from ringside.testing.wire import (
    ServerProcess,
    SpectatorClient,
    WireBot,
    answer_session,
    post_match,
    start_bot,
)

pytest.importorskip("chess", reason="python-chess is needed to check the games")
import chess.pgn

OPTIONS = [("Threads", "1"), ("Hash", "16")]


def slow_first_legal(delay: float) -> Any:
    """A bot that thinks ``delay`` seconds, then plays the first legal move."""

    async def behave(bot: WireBot, message: dict[str, Any]) -> None:
        if await answer_session(bot, message):
            return
        if message.get("type") == "request":
            await asyncio.sleep(delay)  # the opponent's turn lasts this long
            action = message["legal_actions"][0]
            await bot.send(
                {"type": "action", "match": message["match"], "id": message["id"], "action": action}
            )

    return behave


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


async def watch(http: aiohttp.ClientSession, server: ServerProcess, match: str) -> SpectatorClient:
    spectator = SpectatorClient(await http.ws_connect(f"{server.http}/ws/watch"))
    await spectator.ws.send_json({"type": "watch", "match": match})
    return spectator


async def start(http: aiohttp.ClientSession, server: ServerProcess, body: dict[str, Any]) -> str:
    status, created = await post_match(http, server, body)
    assert status == 201, created
    return str(created["id"])


def is_move(bot: str) -> Any:
    return lambda e: e.get("type") == "move" and e["bot"] == bot


def moves_seen(spectator: SpectatorClient) -> list[dict[str, Any]]:
    """Every move a spectator saw: those in its snapshot (the match may have begun before
    the watch arrived), then the live ones."""
    moves = []
    for event in spectator.events:
        if event.get("type") == "snapshot":
            moves += [e for e in event["events"] if e.get("type") == "move"]
        elif event.get("type") == "move":
            moves.append(event)
    return moves


async def test_stockfish_killed_mid_move_is_crashed_with_a_clean_message(
    server: ServerProcess, http: aiohttp.ClientSession
) -> None:
    victim = UciBridge([find_engine("stockfish")], options=OPTIONS, name="sf-crash")
    steady = WireBot("steady-crash", server.tcp_bot)
    task = await start_bot(steady)
    async with running(http, server, victim):
        assert victim.engine is not None and victim.engine.pid is not None
        pid = victim.engine.pid
        body = {
            "game": "chess",
            "bots": ["steady-crash", "sf-crash"],  # steady is white: stockfish thinks 5 s
            "time_control": {"type": "per_move", "seconds": 5},
        }
        match = await start(http, server, body)
        spectator = await watch(http, server, match)
        await spectator.wait_for(is_move("steady-crash"))
        await asyncio.sleep(0.3)  # well into stockfish's 5 s search
        killed_at = asyncio.get_running_loop().time()
        os.kill(pid, signal.SIGKILL)
        await spectator.wait_for(lambda e: e.get("type") == "forfeit")
        print(
            f"killed mid-move: forfeit after {asyncio.get_running_loop().time() - killed_at:.3f} s"
        )
        result = await spectator.wait_for(lambda e: e.get("type") == "match_result")
        verdict = result["verdict"]
        assert (verdict["code"], verdict["bot"]) == ("crashed", "sf-crash")
        assert verdict["message"] == "engine killed by SIGKILL"
        assert result["winner"] == "steady-crash"
        await spectator.close()
        async with http.get(f"{server.http}/api/matches/{match}/pgn") as response:
            game = chess.pgn.read_game(io.StringIO(await response.text()))
        assert game is not None
        assert game.headers["Termination"] == "abandoned"
        assert game.headers["BlackEngine"].startswith("Stockfish"), "UCI's id name"
        assert "WhiteEngine" not in game.headers, "the wire bot named no engine"
    await steady.close()
    task.cancel()


@pytest.mark.parametrize("when", ["opponent's turn", "mid-move"])
async def test_with_recover_a_killed_engine_does_not_lose(
    server: ServerProcess, http: aiohttp.ClientSession, when: str
) -> None:
    name = "sf-recover-" + when.split()[0].strip("'s")
    victim = UciBridge([find_engine("stockfish")], options=OPTIONS, name=name, recover=True)
    slow = WireBot(f"slow-{name}", server.tcp_bot, behave=slow_first_legal(1.0))
    task = await start_bot(slow)
    async with running(http, server, victim):
        body = {
            "game": "chess",
            "bots": [name, slow.name],  # stockfish is white
            "time_control": {"type": "per_move", "seconds": 2},
        }
        match = await start(http, server, body)
        spectator = await watch(http, server, match)
        if when == "mid-move":
            await spectator.wait_for(is_move(slow.name))  # stockfish thinks 2 s now
        else:
            await spectator.wait_for(is_move(name))  # the slow bot thinks 1 s now
        await asyncio.sleep(0.3)
        engine = victim.engine
        assert engine is not None and engine.pid is not None
        os.kill(engine.pid, signal.SIGKILL)
        # the fresh engine moves on the same game, in time
        killed_at = len(spectator.events)

        def since() -> list[dict[str, Any]]:
            return spectator.events[killed_at:]

        await spectator.wait_for(
            lambda _: (
                sum(is_move(name)(e) for e in since()) >= 2
                or any(e.get("type") in ("forfeit", "match_result") for e in since())
            )
        )
        assert not [e for e in since() if e.get("type") == "forfeit"], since()
        assert victim.engine is not None and victim.engine.pid != engine.pid
        await spectator.close()
    await slow.close()
    task.cancel()
    record = await play_done(http, server, match)
    assert not [
        e for e in record["events"] if e["type"] == "forfeit" and e["verdict"]["bot"] == name
    ]


async def play_done(
    http: aiohttp.ClientSession, server: ServerProcess, match: str
) -> dict[str, Any]:
    async with asyncio.timeout(30):
        while True:
            async with http.get(f"{server.http}/api/matches/{match}") as response:
                record: dict[str, Any] = await response.json()
            if record["status"] in ("finished", "aborted"):
                return record
            await asyncio.sleep(0.1)


def bridge_process(
    server: ServerProcess, name: str, engine: str, log: Path
) -> subprocess.Popen[str]:
    """``ringside bridge uci`` as a process of its own, its output in ``log``."""
    with log.open("w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "ringside", "bridge", "uci", "--server", server.ws_bot,
             "--name", name, "--", engine],
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )  # fmt: skip


async def engine_of(bridge: subprocess.Popen[str]) -> int:
    async with asyncio.timeout(20):
        while not (found := children(bridge.pid)):
            await asyncio.sleep(0.05)
    return found[0]


async def test_sigterm_concedes_at_once_and_the_bridge_exits_non_zero(
    server: ServerProcess, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    log = tmp_path / "bridge.log"
    bridge = bridge_process(server, "sf-term", find_engine("stockfish"), log)
    slow = WireBot("slow-term", server.tcp_bot, behave=slow_first_legal(0.5))
    task = await start_bot(slow)
    try:
        engine = await engine_of(bridge)
        await wait_online(http, server, "sf-term")
        body = {
            "game": "chess",
            "bots": ["sf-term", "slow-term"],
            "time_control": {"type": "per_move", "seconds": 1},
            "reconnect_grace": 60,  # the concession, not the grace, ends the match
        }
        match = await start(http, server, body)
        spectator = await watch(http, server, match)
        await spectator.wait_for(is_move("sf-term"))
        loop = asyncio.get_running_loop()
        sent_at = loop.time()
        bridge.send_signal(signal.SIGTERM)
        result = await spectator.wait_for(lambda e: e.get("type") == "match_result")
        print(f"SIGTERM: match result after {loop.time() - sent_at:.3f} s")
        assert loop.time() - sent_at < 5
        verdict = result["verdict"]
        assert (verdict["code"], verdict["bot"]) == ("disconnected", "sf-term")
        assert verdict["message"] == "the bridge was stopped (SIGTERM)"
        assert result["winner"] == "slow-term"
        code = await asyncio.to_thread(bridge.wait, 15)
        assert code == 128 + signal.SIGTERM, log.read_text()
        assert not alive(engine)
        await spectator.close()
    finally:
        if bridge.poll() is None:
            bridge.kill()
        bridge.wait()
        await slow.close()
        task.cancel()


async def test_a_sigkilled_bridge_leaves_no_engine_behind(
    server: ServerProcess, tmp_path: Path
) -> None:
    bridge = bridge_process(server, "sf-killed", find_engine("stockfish"), tmp_path / "log")
    try:
        engine = await engine_of(bridge)
        assert alive(engine)
        bridge.kill()
        bridge.wait()
        async with asyncio.timeout(10):
            while alive(engine):
                await asyncio.sleep(0.05)
    finally:
        if bridge.poll() is None:
            bridge.kill()
            bridge.wait()


def slow_stone(delay: float) -> Any:
    """A Go bot that thinks ``delay`` seconds, then plays the first legal point (never passes)."""

    async def behave(bot: WireBot, message: dict[str, Any]) -> None:
        if await answer_session(bot, message):
            return
        if message.get("type") == "request":
            await asyncio.sleep(delay)
            legal = message["legal_actions"]
            action = next((a for a in legal if a != "pass"), legal[0])
            await bot.send(
                {"type": "action", "match": message["match"], "id": message["id"], "action": action}
            )

    return behave


async def test_with_recover_gnu_go_killed_on_the_opponents_turn_is_given_the_board_again(
    server: ServerProcess, http: aiohttp.ClientSession
) -> None:
    gnugo = [find_engine("gnugo"), "--mode", "gtp", "--level", "1"]
    victim = GtpBridge(gnugo, name="gnugo-recover", recover=True)
    slow = WireBot("slow-go", server.tcp_bot, behave=slow_stone(1.0))
    task = await start_bot(slow)
    async with running(http, server, victim):
        body = {
            "game": "go",
            "bots": ["gnugo-recover", "slow-go"],  # GNU Go is black
            "options": {"size": 9},
            "time_control": {"type": "per_move", "seconds": 5},
        }
        match = await start(http, server, body)
        spectator = await watch(http, server, match)
        await spectator.wait_for(
            lambda e: sum(m["bot"] == "slow-go" for m in moves_seen(spectator)) >= 2
        )
        await asyncio.sleep(0.3)  # the slow bot's third move is being thought
        engine = victim.engine
        assert engine is not None and engine.pid is not None
        os.kill(engine.pid, signal.SIGKILL)
        killed_at = len(spectator.events)

        def since() -> list[dict[str, Any]]:
            return spectator.events[killed_at:]

        await spectator.wait_for(
            lambda _: (
                sum(is_move("gnugo-recover")(e) for e in since()) >= 2
                or any(e.get("type") in ("forfeit", "match_result") for e in since())
            )
        )
        assert not [e for e in since() if e.get("type") == "forfeit"], since()
        assert victim.engine is not None and victim.engine.pid != engine.pid
        assert (
            victim.played == [str(e["action"]) for e in moves_seen(spectator)][: len(victim.played)]
        ), "the fresh engine was given every move"
        await spectator.close()
    await slow.close()
    task.cancel()
