"""A bot in JavaScript, through ``ringside bridge stdio`` run as its own process."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from bridge_helpers import play, wait_online

from ringside.testing.wire import ServerProcess, WireBot, start_bot

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "stdio_bot.js"


async def test_a_node_bot_plays_tic_tac_toe_to_the_end(
    server: ServerProcess, http: aiohttp.ClientSession
) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    argv = [sys.executable, "-m", "ringside.cli.engines", "bridge", "stdio"]
    argv += ["--server", server.tcp_bot, "--name", "js-bot", "--game", "tictactoe", "--verbose"]
    bridge = subprocess.Popen([*argv, "--", node, str(EXAMPLE)], stderr=subprocess.PIPE, text=True)
    opponent = WireBot("first-legal", server.ws_bot)
    task = await start_bot(opponent)
    try:
        await wait_online(http, server, "js-bot")
        record = await play(
            http, server, {"game": "tictactoe", "bots": ["js-bot", "first-legal"], "rounds": 2}
        )
    finally:
        bridge.send_signal(signal.SIGTERM)
        _, stderr = bridge.communicate(timeout=15)
        await opponent.close()
        task.cancel()
    assert bridge.returncode == 0, stderr
    assert record["status"] == "finished" and len(record["round_results"]) == 2
    assert [r["verdicts"] for r in record["round_results"]] == [[], []]
    moves = [e for e in record["events"] if e["type"] == "move" and e["bot"] == "js-bot"]
    assert moves, "the JavaScript bot moved"
    assert "tictactoe match" in stderr, "the program's stderr is shown with --verbose"
