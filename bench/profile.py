"""Profile the server's hot path while bots play: cProfile on a CPU-time clock.

    python -m bench.profile [--transport tcp|ws] [--matches 1] [--plies 30000] [--record]

Starts ``ringside serve`` under cProfile with ``time.thread_time`` as its
clock, plays ``matches`` counting matches of instant bots, stops the server
and prints the functions by own CPU time (the full profile is written to
``bench/results/logs/``, for ``python -m pstats``).

Why not a sampling profiler on wall time: on this two-core loopback set-up a
``send`` hands the CPU to the bot it wakes, so py-spy charged most of the
bot's time to the server's ``transport.write``. A CPU clock charges each
process only for what it runs. cProfile slows calls down, so read shares,
not absolute times.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.common import LOGS, Child, Server, spawn, with_children
from ringside.testing.wire import READY_LINE


def serve_profiled(out: str, argv: list[str]) -> None:
    """Run ``ringside ARGV`` under cProfile (CPU time) and dump to ``out`` at exit."""
    from ringside.cli import main

    profile = cProfile.Profile(time.thread_time)
    sys.argv = ["ringside", *argv]
    profile.enable()
    try:
        main()
    except SystemExit:
        pass
    finally:
        profile.disable()
        profile.dump_stats(out)


async def run(args: argparse.Namespace) -> None:
    LOGS.mkdir(parents=True, exist_ok=True)
    out = LOGS / f"profile-{args.transport}-{args.matches}x{args.plies}.pstats"
    data_dir = Path(tempfile.mkdtemp(prefix="ringside-profile-"))
    env = {**os.environ, "RINGSIDE_BENCH": "1"}
    if not args.record:
        env["RINGSIDE_BENCH_NO_RECORD"] = "1"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.profile", "--serve", str(out), "--",
        "serve", "--open", "--port", "0", "--tcp-port", "0", "--data-dir", str(data_dir),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL, env=env,
    )  # fmt: skip
    server = Server("server", process)
    server.data_dir = data_dir
    while not (found := READY_LINE.search(await server.line(60))):
        pass
    server.port, server.tcp_port = int(found.group(2)), int(found.group(3))
    children: list[Child] = [server]

    async def body() -> None:
        bots = await spawn(
            "clients", "bots", server.bot_url(args.transport), "--prefix", "p",
            "--count", str(2 * args.matches),
        )  # fmt: skip
        children.append(bots)
        await bots.expect("READY", 120)
        started = time.perf_counter()
        async with aiohttp.ClientSession() as http:
            for i in range(args.matches):
                body = {
                    "game": "counting",
                    "bots": [f"p{2 * i:05d}", f"p{2 * i + 1:05d}"],
                    "options": {"plies": args.plies},
                    "time_control": {"type": "per_move", "seconds": 60.0},
                }
                async with http.post(f"{server.http}/api/matches", json=body) as response:
                    assert response.status == 201, await response.text()
        for _ in range(args.matches):
            await bots.expect("RESULT", 600)
        seconds = time.perf_counter() - started
        moves = args.matches * args.plies
        print(f"{moves} moves in {seconds:.1f} s under the profiler")

    await with_children(children, body)
    stats = pstats.Stats(str(out))
    stats.sort_stats("tottime").print_stats(args.top)
    print(f"full profile: {out}")


def cli() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--serve":
        serve_profiled(sys.argv[2], sys.argv[4:])
        return
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--transport", choices=("tcp", "ws"), default="tcp")
    parser.add_argument("--matches", type=int, default=1)
    parser.add_argument("--plies", type=int, default=30_000)
    parser.add_argument("--record", action="store_true", help="record to SQLite too")
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args()
    asyncio.run(run(args))


if __name__ == "__main__":
    cli()
