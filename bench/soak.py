"""``make soak``: a server under steady load for a bounded time, and what it kept.

    python -m bench.soak                     # 10 minutes, 400 bots (make soak)
    python -m bench.soak --seconds 60 --bots 100

Starts a real ``ringside serve --open --ladder`` (SQLite) and raw-protocol bots
in two processes, half over TCP and half over WebSocket; the ladder keeps
pairing them, so matches start and end all the time. Every ``--every``
seconds it samples the server's memory (RSS), its open file descriptors and
the latency of the HTTP API. At the end it compares the matches whose
``match_result`` a bot heard with the matches the database holds as
finished: a result announced and not stored is data lost, and the run fails.

Everything is bounded: the duration, the bots, every wait.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bench.common import Child, Server, percentile, rss_kib, run, spawn, start_server

GAMES = "tictactoe,connect4,othello,gomoku,baskin31,rps"
"""What the bots play: the ladder pairs bots by the games they name."""


@dataclass
class Sample:
    at: float
    rss_kib: int
    fds: int
    api_ms: list[float]


@dataclass
class Soak:
    seconds: float
    bots: int
    every: float
    samples: list[Sample] = field(default_factory=list)
    announced: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)

    async def run(self) -> int:
        server = await start_server(args=["--ladder"])
        children: list[Child] = []
        readers: list[asyncio.Task[None]] = []
        try:
            half = self.bots // 2
            for transport, prefix, count in (("tcp", "t", half), ("ws", "w", self.bots - half)):
                child = await spawn(
                    "clients", "bots", server.bot_url(transport), "--prefix", prefix,
                    "--count", str(count), "--strategy", "random", "--games", GAMES,
                )  # fmt: skip
                await child.expect("READY", 120)
                children.append(child)
                readers.append(asyncio.get_running_loop().create_task(self._read(child)))
            print(f"soak: {self.bots} bots connected; running {self.seconds:g} s", flush=True)
            await self._sample(server)
            async with aiohttp.ClientSession() as http:
                started = time.monotonic()
                while (elapsed := time.monotonic() - started) < self.seconds:
                    await asyncio.sleep(min(self.every, self.seconds - elapsed))
                    sample = await self._sample(server, http)
                    print(
                        f"  {elapsed + self.every:6.0f} s: {len(self.announced):,} matches heard, "
                        f"RSS {sample.rss_kib / 1024:.1f} MiB, {sample.fds} fds, "
                        f"API p99 {percentile(sample.api_ms, 0.99):.1f} ms",
                        flush=True,
                    )
            for child in children:
                await child.stop()
            for reader in readers:
                reader.cancel()
            stored = _stored_finished(server.data_dir / "ringside.db")
            await server.stop()
            return self._report(stored)
        finally:
            for reader in readers:
                reader.cancel()
            for child in children:
                await child.stop(5)
            await server.stop(5)

    async def _read(self, child: Child) -> None:
        """Every match result a bot of ``child`` heard (the pipe must be drained anyway)."""
        while True:
            text = await child.line(3600)
            kind, _, body = text.partition(" ")
            if kind == "RESULT":
                self.announced.add(json.loads(body)["match"])
            elif kind == "LOG":
                self.errors.append(body)

    async def _sample(self, server: Server, http: aiohttp.ClientSession | None = None) -> Sample:
        api: list[float] = []
        if http is not None:
            for path in (
                "/api/bots",
                "/api/matches?limit=20",
                "/api/games",
                "/api/leaderboard?game=tictactoe",
            ):
                t0 = time.perf_counter()
                async with http.get(server.http + path) as response:
                    await response.read()
                    if response.status >= 500:
                        self.errors.append(f"GET {path}: {response.status}")
                api.append((time.perf_counter() - t0) * 1000.0)
        sample = Sample(time.monotonic(), rss_kib(server.pid), _fds(server.pid), api)
        self.samples.append(sample)
        return sample

    def _report(self, stored: set[str]) -> int:
        lost = self.announced - stored
        first, last = (
            self.samples[1] if len(self.samples) > 1 else self.samples[0],
            self.samples[-1],
        )
        peak = max(s.rss_kib for s in self.samples)
        api = [ms for s in self.samples for ms in s.api_ms]
        minutes = self.seconds / 60.0
        print()
        print(f"soak: {self.bots} bots, {self.seconds:g} s")
        print(
            f"  matches announced to bots: {len(self.announced):,} ({len(self.announced) / minutes:,.0f} a minute)"
        )
        print(
            f"  of them stored as finished: {len(self.announced & stored):,}; announced but not stored: {len(lost)}"
        )
        print(
            f"  RSS: {first.rss_kib / 1024:.1f} MiB after the first sample, peak {peak / 1024:.1f}, end {last.rss_kib / 1024:.1f}"
        )
        print(f"  file descriptors: {first.fds} after the first sample, end {last.fds}")
        if api:
            print(
                f"  HTTP API latency: p50 {percentile(api, 0.5):.1f} ms, p99 {percentile(api, 0.99):.1f} ms ({len(api)} requests)"
            )
        print(f"  errors bots were sent: {len(self.errors)}")
        for error in self.errors[:5]:
            print(f"    {error[:200]}")
        return 1 if lost else 0


def _fds(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


def _stored_finished(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT id FROM matches WHERE status = 'finished'")}


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--seconds", type=float, default=600.0, help="how long (default 600)")
    parser.add_argument("--bots", type=int, default=400, help="bots, half TCP, half WebSocket")
    parser.add_argument("--every", type=float, default=30.0, help="seconds between samples")
    args = parser.parse_args()
    if not 10 <= args.seconds <= 4 * 3600 or not 2 <= args.bots <= 10_000:
        parser.error("--seconds from 10 to 14400, --bots from 2 to 10000")
    sys.exit(run(lambda: Soak(args.seconds, args.bots, min(args.every, args.seconds)).run()))


if __name__ == "__main__":
    main()
