"""``ringside demo``: a server on SQLite, four built-in bots, and matches that never stop.

Everything runs as it would for real: the server and each bot are separate
processes talking over loopback sockets, and the server runs in ladder mode
(``serve --ladder``), pairing idle bots of similar rating by itself so the
lobby and the leaderboard are always moving.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

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
        "--ladder",
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
        await stop.wait()
    finally:
        await _stop_all([*bots, server])


STOP_GRACE = 10.0
"""Seconds the server and the bots have, together, to stop cleanly before they are killed."""


async def _stop_all(processes: list[asyncio.subprocess.Process]) -> None:
    """SIGTERM to every process at once, then wait for all of them together.

    After Ctrl-C in a terminal they already have SIGINT (the whole foreground
    group gets it): SIGTERM is for ``kill`` of the demo alone.
    """
    for process in processes:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
    waits = [asyncio.ensure_future(process.wait()) for process in processes]
    await asyncio.wait(waits, timeout=STOP_GRACE)
    for process in processes:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
    await asyncio.gather(*waits)


def main(data_dir: Path, host: str, port: int, tcp_port: int) -> None:
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    asyncio.run(run_demo(data_dir, host, port, tcp_port))
