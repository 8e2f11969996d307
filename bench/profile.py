"""Profile the server's hot path while bots play: cProfile on a CPU-time clock.

    python -m bench.profile [--transport tcp|ws] [--matches 1] [--plies 30000] [--record]
    python -m bench.profile --tictactoe 200 --seconds 10 --out bench/results/profile-after.txt

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
import io
import os
import pstats
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench.common import LOGS, ONE_ADDRESS_LOAD, Child, Server, spawn, with_children
from bench.stream import MatchStream
from ringside.testing.wire import READY_LINE


def serve_profiled(out: str, argv: list[str]) -> None:
    """Run ``ringside ARGV`` under cProfile (CPU time) and dump to ``out`` at exit."""
    from ringside.cli import main

    profile = cProfile.Profile(time.thread_time)
    sys.argv = ["ringside", *argv]
    if os.environ.get("RINGSIDE_PROFILE_FROM_SIGNAL") == "1":
        # From SIGUSR1 on (after a warm-up): start-up and the ramp are not in the profile.
        # The handler is the event loop's, so that it runs on the loop's thread.
        import uvloop

        run = uvloop.run

        def run_with_trigger(main: Any, **kwargs: Any) -> Any:
            async def triggered() -> Any:
                loop = asyncio.get_running_loop()
                loop.add_signal_handler(signal.SIGUSR1, profile.enable)
                return await main

            return run(triggered(), **kwargs)

        uvloop.run = run_with_trigger
    else:
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
    what = f"ttt{args.tictactoe}" if args.tictactoe else f"{args.matches}x{args.plies}"
    out = LOGS / f"profile-{args.transport}-{what}.pstats"
    data_dir = Path(tempfile.mkdtemp(prefix="ringside-profile-"))
    env = {**os.environ, **ONE_ADDRESS_LOAD}
    if not args.record and not args.tictactoe:
        env["RINGSIDE_BENCH_NO_RECORD"] = "1"
    if args.tictactoe:
        env["RINGSIDE_PROFILE_FROM_SIGNAL"] = "1"
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
        if args.tictactoe:
            await tictactoe(server, args.tictactoe, args.seconds, children)
            return
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
    text = io.StringIO()
    stats = pstats.Stats(str(out), stream=text)
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)
    print(text.getvalue())
    if args.out:
        Path(args.out).write_text(f"{summary}\n{text.getvalue()}")
    print(f"full profile: {out}")


summary = ""


async def tictactoe(server: Server, pairs: int, seconds: float, children: list[Child]) -> None:
    """Keep ``pairs`` pairs of random bots playing recorded, rated tic-tac-toe; profile
    ``seconds`` of it after a warm-up (the server profiles from SIGUSR1 on)."""
    global summary
    bots = await spawn(
        "clients", "bots", server.tcp_bot, "--prefix", "t", "--count", str(2 * pairs),
        "--strategy", "random", "--parallel", "100",
    )  # fmt: skip
    children.append(bots)
    await bots.expect("READY", 120)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64)) as http:
        stream = MatchStream(server, bots, http, pairs, "t")
        await stream.start()
        await stream.window(2.0)  # warm-up
        os.kill(server.pid, signal.SIGUSR1)
        window = await stream.window(seconds)
        await stream.drain()
    summary = (
        f"{window.matches} tic-tac-toe matches ({pairs} pairs) in {window.seconds:.1f} s under "
        f"the profiler: {window.rate:.0f}/s, server CPU {window.cpu_ms_per_match:.2f} ms per "
        "match (profiled, so slower than without; read shares)"
    )
    print(summary)


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
    parser.add_argument("--tictactoe", type=int, metavar="PAIRS", help="random tic-tac-toe")
    parser.add_argument("--seconds", type=float, default=10.0, help="of tic-tac-toe")
    parser.add_argument("--out", help="also write the summary and the tables to this file")
    args = parser.parse_args()
    asyncio.run(run(args))


if __name__ == "__main__":
    cli()
