"""``ringside demo``: a server on SQLite, four built-in bots, and matches that never stop.

Everything runs as it would for real: the server and each bot are separate
processes talking over loopback sockets, and a small matchmaker keeps asking
the HTTP API for matches between idle bots so the lobby is always alive.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import random
import re
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

READY = re.compile(r"serving (http://\S+?)/ .*tcp://\S+:(\d+)")


@dataclass(frozen=True)
class DemoBot:
    name: str
    game: str
    strategy: str
    transport: str  # "ws" or "tcp"


BOTS = (
    DemoBot("deep-four", "connect4", "alphabeta", "ws"),
    DemoBot("lucky-four", "connect4", "random", "tcp"),
    DemoBot("corner-taker", "othello", "alphabeta", "ws"),
    DemoBot("coin-flipper", "othello", "random", "tcp"),
)


async def _start_server(
    data_dir: Path, host: str, port: int, tcp_port: int
) -> tuple[asyncio.subprocess.Process, str, int]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ringside",
        "serve",
        "--open",
        "--host",
        host,
        "--port",
        str(port),
        "--tcp-port",
        str(tcp_port),
        "--data-dir",
        str(data_dir),
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    async with asyncio.timeout(60):
        while line := (await process.stdout.readline()).decode():
            found = READY.search(line)
            if found:
                return process, found.group(1), int(found.group(2))
    raise RuntimeError("the server did not start; see the messages above")


async def _start_bot(bot: DemoBot, url: str, tcp_port: int) -> asyncio.subprocess.Process:
    host = url.split("//", 1)[1].rsplit(":", 1)[0]
    server = f"{url.replace('http', 'ws', 1)}/ws/bot"
    if bot.transport == "tcp":
        server = f"tcp://{host}:{tcp_port}"
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ringside",
        "bot",
        "--name",
        bot.name,
        "--game",
        bot.game,
        "--strategy",
        bot.strategy,
        "--server",
        server,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def matchmaker(url: str, stop: asyncio.Event, rounds: int = 2) -> None:
    """Pair idle bots that play the same game, forever."""
    time_controls = itertools.cycle(
        [
            {"type": "per_move", "seconds": 5},
            {"type": "fischer", "base": 30, "increment": 0.5},
            {"type": "byoyomi", "base": 10, "periods": 3, "period": 2},
        ]
    )
    async with aiohttp.ClientSession() as http:
        while not stop.is_set():
            with contextlib.suppress(aiohttp.ClientError, asyncio.TimeoutError):
                async with http.get(f"{url}/api/bots") as response:
                    bots: list[dict[str, Any]] = (await response.json())["bots"]
                idle = [b for b in bots if b["status"] == "idle"]
                random.shuffle(idle)
                by_game: dict[str, list[str]] = {}
                for bot in idle:
                    for game in bot["games"] or []:
                        by_game.setdefault(game, []).append(bot["name"])
                taken: set[str] = set()
                for game, names in by_game.items():
                    free = [n for n in names if n not in taken]
                    if len(free) >= 2:
                        pair = free[:2]
                        taken.update(pair)
                        body = {
                            "game": game,
                            "bots": pair,
                            "rounds": rounds,
                            "time_control": next(time_controls),
                        }
                        async with http.post(f"{url}/api/matches", json=body) as response:
                            await response.read()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), 1.0)


async def run_demo(data_dir: Path, host: str, port: int, tcp_port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    server, url, actual_tcp = await _start_server(data_dir, host, port, tcp_port)
    bots: list[asyncio.subprocess.Process] = []
    try:
        bots = [await _start_bot(bot, url, actual_tcp) for bot in BOTS]
        print(f"\nRingside demo: open {url}/ in a browser (Ctrl-C stops everything)\n", flush=True)
        await matchmaker(url, stop)
    finally:
        for process in [*bots, server]:
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGTERM)
        for process in [*bots, server]:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(process.wait(), 15)
            if process.returncode is None:
                process.kill()


def main(data_dir: Path, host: str, port: int, tcp_port: int) -> None:
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    asyncio.run(run_demo(data_dir, host, port, tcp_port))
