"""The bench runner: every figure and its reference in one run, one table.

    python -m bench.run            # full sizes (make bench)
    python -m bench.run --quick    # smaller sizes, under two minutes (make bench-quick)
    python -m bench.run --only 2,6 # some figures only

Starts real ``ringside serve`` processes and load-generating processes on
127.0.0.1 (port 0 everywhere), prints one table, and writes
``bench/results/{full,quick}.json``, ``.md`` and ``-relay-latency.png``.
Every wait is bounded; every figure is the median of several repetitions,
measured next to its reference.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

from bench.common import (
    HOST,
    LOAD_CORES,
    SERVER_CORES,
    SERVER_ENV,
    Child,
    Server,
    cpu_split,
    median,
    percentile,
    pin_self,
    raise_fd_limit,
    rss_kib,
    spawn,
    start_server,
    with_children,
)
from bench.report import Row, write_results
from bench.stream import MatchStream

TRANSPORTS = ("tcp", "ws")
PER_MOVE_60 = {"type": "per_move", "seconds": 60.0}


def gc_note(pauses: list[dict[str, float]]) -> str:
    """The server's collector pauses in a window, per generation: count, total and longest."""
    return "GC " + ", ".join(
        f"gen{g} {p['count']:.0f}x {p['total'] * 1e3:.0f} ms (max {p['max'] * 1e3:.1f})"
        for g, p in enumerate(pauses)
    )


@dataclass(frozen=True)
class Sizes:
    reps: int
    echo_seconds: float
    many_conns: int
    """Connections of the many-connection echo figure, split over two client processes."""
    plies: int
    matches: int
    windows: int
    window_seconds: float
    idle_bots: int
    spectators: int
    spectated_moves: int
    think: float
    ttt_pairs: int
    ttt_seconds: float


@dataclass(frozen=True)
class EchoRun:
    rate: float
    """Round trips per second, all connections."""
    busy: float
    """The echo server's CPU seconds per second of the run."""
    user_us: float
    system_us: float
    """The echo server's CPU per round trip (µs): its own code, and the kernel's work."""


FULL = Sizes(
    reps=5,
    echo_seconds=2.0,
    many_conns=200,
    plies=20_000,
    matches=1000,
    windows=5,
    window_seconds=4.0,
    idle_bots=10_000,
    spectators=1000,
    spectated_moves=20,
    think=0.25,
    ttt_pairs=200,
    ttt_seconds=3.0,
)
QUICK = Sizes(
    reps=5,
    echo_seconds=0.5,
    many_conns=200,
    plies=3_000,
    matches=200,
    windows=5,
    window_seconds=1.0,
    idle_bots=2_000,
    spectators=200,
    spectated_moves=10,
    think=0.15,
    ttt_pairs=200,
    ttt_seconds=1.5,
)


class Bench:
    def __init__(self, sizes: Sizes, http: aiohttp.ClientSession) -> None:
        self.sizes = sizes
        self.http = http
        self.rows: list[Row] = []
        self.data: dict[str, Any] = {}
        self.latency: dict[str, list[float]] = {}
        """Relay-latency samples (seconds) for the plot, by label."""
        self.moves = 0
        """Moves the server relayed up to the last latency read (all of them, timed or not)."""
        self.collector: list[dict[str, float]] = []
        """The server's collector pauses reported with the last latency samples."""

    def note(self, text: str) -> None:
        print(f"  {text}", file=sys.stderr, flush=True)

    # --- server helpers ------------------------------------------------------------

    async def post_match(self, server: Server, body: dict[str, Any]) -> str:
        async with self.http.post(f"{server.http}/api/matches", json=body) as response:
            if response.status != 201:
                text = await response.text()
                raise RuntimeError(
                    f"POST /api/matches: {response.status} {text}\n{server.log_tail()}"
                )
            return str((await response.json())["id"])

    async def latency_samples(self, server: Server, clear: bool = True) -> list[float]:
        url = f"{server.http}/api/bench/latency" + ("?clear=1" if clear else "")
        async with self.http.get(url) as response:
            data = await response.json()
        self.collector = data.get("gc", [])
        self.moves = int(data.get("moves", 0))
        return list(data["samples"])

    async def bots(
        self, server: Server, transport: str, prefix: str, count: int, *extra: str
    ) -> Child:
        child = await spawn(
            "clients",
            "bots",
            server.bot_url(transport),
            "--prefix",
            prefix,
            "--count",
            str(count),
            *extra,
        )
        await child.expect("READY", 120)
        return child

    # --- figures 1, 2 and 6 -------------------------------------------------------------

    async def relay(self) -> None:
        """Echo round trips (1), one match's moves/s (2), with and without recording (6)."""
        s = self.sizes
        echo = await spawn("echo_server", server=True)
        ports = await echo.expect("READY", 30)
        urls = {"tcp": f"tcp://{HOST}:{ports['tcp_port']}", "ws": f"ws://{HOST}:{ports['port']}/ws"}
        recorded = await start_server()
        unrecorded = await start_server(record=False)
        children: list[Child] = [echo, recorded, unrecorded]

        async def body() -> None:
            players: dict[tuple[str, str], tuple[Child, list[str]]] = {}
            for transport in TRANSPORTS:
                for label, server in (("rec", recorded), ("norec", unrecorded)):
                    prefix = f"{transport}{label}"
                    child = await self.bots(server, transport, prefix, 2)
                    children.append(child)
                    players[transport, label] = (child, [f"{prefix}00000", f"{prefix}00001"])
            one: dict[str, list[float]] = {t: [] for t in TRANSPORTS}
            moves: dict[tuple[str, str], list[float]] = {k: [] for k in players}
            lat: dict[str, list[float]] = {t: [] for t in TRANSPORTS}
            for rep in range(s.reps):
                for transport in TRANSPORTS:
                    one[transport].append((await self.echo_rate(urls[transport], 1)).rate)
                    # Recorded and unrecorded back to back, in turns first: figure 6
                    # compares each pair, so a drift of the machine's speed cancels.
                    pair = (("rec", recorded), ("norec", unrecorded))
                    for label, server in pair if rep % 2 == 0 else pair[::-1]:
                        child, names = players[transport, label]
                        await self.latency_samples(server)
                        match = await self.post_match(
                            server,
                            {
                                "game": "counting",
                                "bots": names,
                                "options": {"plies": s.plies},
                                "time_control": PER_MOVE_60,
                            },
                        )
                        result = await child.expect("RESULT", 300)
                        assert result["match"] == match, result
                        moves[transport, label].append(s.plies / result["seconds"])
                        if label == "rec":
                            samples = await self.latency_samples(server)
                            lat[transport].append(percentile(samples, 50))
                            if rep == s.reps - 1:
                                self.latency[f"figure 2, one match ({transport})"] = samples
                self.note(
                    f"rep {rep + 1}/{s.reps}: "
                    + ", ".join(
                        f"{t} echo {one[t][-1]:,.0f}/s match {moves[t, 'rec'][-1]:,.0f}/s"
                        f" (no record {moves[t, 'norec'][-1]:,.0f}/s)"
                        for t in TRANSPORTS
                    )
                )
            many: dict[str, list[float]] = {t: [] for t in TRANSPORTS}
            busy: dict[str, list[float]] = {t: [] for t in TRANSPORTS}
            split: dict[str, list[tuple[float, float]]] = {t: [] for t in TRANSPORTS}
            for _ in range(s.reps):
                for transport in TRANSPORTS:
                    run = await self.echo_rate(urls[transport], s.many_conns, echo)
                    many[transport].append(run.rate)
                    busy[transport].append(run.busy)
                    split[transport].append((run.user_us, run.system_us))
            self.data["relay"] = {
                "echo_1": one,
                "echo_many": many,
                "echo_many_server_cpu": busy,
                "echo_many_server_user_system_us": split,
                "moves": {f"{t}/{label}": v for (t, label), v in moves.items()},
                "relay_p50_seconds": lat,
            }
            self.echo_many = many
            self.echo_split = {
                t: (median([u for u, _ in split[t]]), median([y for _, y in split[t]]))
                for t in TRANSPORTS
            }
            self.echo_per_cpu = {
                t: [r / c for r, c in zip(many[t], busy[t], strict=True) if c > 0]
                for t in TRANSPORTS
            }
            for transport in TRANSPORTS:
                name = "WebSocket" if transport == "ws" else "TCP"
                self.rows.append(
                    Row.of("1", f"echo_1_{transport}", f"echo round trips/s, 1 connection, {name}",
                           one[transport], "/s")
                )  # fmt: skip
            for transport in TRANSPORTS:
                name = "WebSocket" if transport == "ws" else "TCP"
                self.rows.append(
                    Row.of("1", f"echo_many_{transport}",
                           f"echo round trips/s, {s.many_conns} connections, {name}",
                           many[transport], "/s")
                )  # fmt: skip
                self.rows.append(
                    Row.of("1", f"echo_cpu_{transport}",
                           f"the same per second of the echo server's CPU (it was "
                           f"{median(busy[transport]):.0%} busy: its clients are the limit)",
                           self.echo_per_cpu[transport], "/CPU-s")
                )  # fmt: skip
            for transport in TRANSPORTS:
                name = "WebSocket" if transport == "ws" else "TCP"
                self.rows.append(
                    Row.of(
                        "2",
                        f"relay_{transport}",
                        f"moves/s, one match of two instant bots, {name}"
                        f" (relay p50 {median(lat[transport]) * 1e6:.0f} µs)",
                        moves[transport, "rec"],
                        "/s",
                        reference=one[transport],
                        target="≥ 0.70 of 1",
                        check=lambda _v, r: r is not None and r >= 0.70,
                    )
                )
            for transport in TRANSPORTS:
                name = "WebSocket" if transport == "ws" else "TCP"
                rec, norec = moves[transport, "rec"], moves[transport, "norec"]
                cost = 1 - median(rec) / median(norec)
                self.rows.append(
                    Row.of(
                        "6",
                        f"recorded_{transport}",
                        f"figure 2 recorded to SQLite, {name}: cost {cost * 100:.1f} %",
                        rec,
                        "/s",
                        reference=norec,
                        target="≥ 0.90 (cost < 10 %)",
                        check=lambda _v, r: r is not None and r >= 0.90,
                    )
                )

        await with_children(children, body)

    async def echo_rate(self, url: str, conns: int, server: Child | None = None) -> EchoRun:
        """Round trips/s, and the CPU ``server`` used (zero without it)."""
        procs = 1 if conns == 1 else 2
        per = conns // procs
        clients = [
            await spawn(
                "clients",
                "echo",
                url,
                "--conns",
                str(per),
                "--duration",
                str(self.sizes.echo_seconds),
            )
            for _ in range(procs)
        ]

        async def body() -> EchoRun:
            for c in clients:
                await c.expect("TIMING", 60)
            cpu0 = (0.0, 0.0) if server is None else cpu_split(server.pid)
            t0 = time.perf_counter()
            results = [await c.expect("RESULT", 60 + self.sizes.echo_seconds) for c in clients]
            rate = float(sum(r["round_trips"] / r["seconds"] for r in results))
            if server is None:
                return EchoRun(rate, 0.0, 0.0, 0.0)
            cpu1, elapsed = cpu_split(server.pid), time.perf_counter() - t0
            user, system = cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]
            trips = rate * elapsed
            return EchoRun(
                rate, (user + system) / elapsed, user / trips * 1e6, system / trips * 1e6
            )

        return await with_children(clients, body)

    # --- figure 3 -----------------------------------------------------------------------

    async def concurrent(self, transport: str = "tcp") -> None:
        """``matches`` concurrent counting matches of instant bots, load in one process,
        recorded and unrecorded (two servers, played in turns: figure 3's recording cost)."""
        s = self.sizes
        servers = {"rec": await start_server(), "norec": await start_server(record=False)}
        children: list[Child] = list(servers.values())

        async def body() -> None:
            loads: dict[str, Child] = {}
            for label, server in servers.items():
                prefix = "L" if label == "rec" else "U"
                # One load process holds all the bots of a server.
                loads[label] = load = await self.bots(
                    server, transport, prefix, 2 * s.matches, "--parallel", "100", "--hold"
                )
                children.append(load)
                started = time.perf_counter()
                await self.start_matches(server, prefix, s.matches)
                self.note(
                    f"{label}: {s.matches} matches started in {time.perf_counter() - started:.1f} s"
                )
            windows: dict[str, list[dict[str, Any]]] = {label: [] for label in servers}
            samples: list[float] = []
            for rep in range(s.windows):
                # In turns, first one then the other: a drift of the machine's speed cancels.
                for label in ("rec", "norec") if rep % 2 == 0 else ("norec", "rec"):
                    server, load = servers[label], loads[label]
                    load.send("go")  # the bots held their moves until every match was on
                    await asyncio.sleep(1.0)  # warm-up; the held moves go in a burst
                    await self.latency_samples(server)
                    window, window_samples = await self.window(server, load)
                    load.send("pause")  # and hold again while the other server plays
                    windows[label].append(window)
                    if label == "rec":
                        samples = window_samples
                    self.note(
                        f"{label} window: {window['moves_per_s']:,.0f} moves/s, "
                        f"p50 {window['p50'] * 1e3:.1f} ms, p99 {window['p99'] * 1e3:.1f} ms; "
                        f"CPU: server {window['server_cpu']:.0%}, load {window['load_cpu']:.0%}; "
                        + gc_note(self.collector)
                    )
                    await asyncio.sleep(0.2)  # the last answers of the paused bots land
            self.latency[f"figure 3, {s.matches} matches ({transport})"] = samples
            self.data[f"concurrent_{transport}"] = windows["rec"]
            self.data[f"concurrent_{transport}_unrecorded"] = windows["norec"]
            self._concurrent_rows(transport, windows)

        await with_children(children, body)

    async def start_matches(self, server: Server, prefix: str, count: int) -> None:
        """``count`` counting matches without end between the bots ``prefix``00000..."""
        gate = asyncio.Semaphore(16)

        async def create(i: int) -> None:
            async with gate:
                await self.post_match(
                    server,
                    {
                        "game": "counting",
                        "bots": [f"{prefix}{2 * i:05d}", f"{prefix}{2 * i + 1:05d}"],
                        "options": {"plies": 1_000_000},
                        "time_control": PER_MOVE_60,
                    },
                )

        await asyncio.gather(*(create(i) for i in range(count)))

    async def window(self, server: Server, load: Child) -> tuple[dict[str, Any], list[float]]:
        """One window of figure 3: moves/s, latency and CPU, and the latency samples."""
        t0 = time.perf_counter()
        cpu0 = [cpu_split(c.pid) for c in (server, load)]
        await asyncio.sleep(self.sizes.window_seconds)
        samples = await self.latency_samples(server)
        cpu1 = [cpu_split(c.pid) for c in (server, load)]
        elapsed = time.perf_counter() - t0
        busy = [(sum(b) - sum(a)) / elapsed for a, b in zip(cpu0, cpu1, strict=True)]
        moves = max(self.moves, 1)
        window = {
            "moves_per_s": self.moves / elapsed,
            "p50": percentile(samples, 50),
            "p99": percentile(samples, 99),
            "server_cpu": busy[0],
            "load_cpu": busy[1],
            # The server's CPU per move, its own code apart from the kernel's work for it.
            "server_user_us": (cpu1[0][0] - cpu0[0][0]) / moves * 1e6,
            "server_system_us": (cpu1[0][1] - cpu0[0][1]) / moves * 1e6,
            "gc": self.collector,
        }
        return window, samples

    def _concurrent_rows(self, transport: str, windows: dict[str, list[dict[str, Any]]]) -> None:
        s = self.sizes
        rec, norec = windows["rec"], windows["norec"]
        name = "WebSocket" if transport == "ws" else "TCP"
        what = f"{s.matches} matches, {2 * s.matches} bots, {name}"
        rates = [w["moves_per_s"] for w in rec]
        self.rows.append(
            Row.of("3", f"moves_{transport}", f"total moves/s, {what}", rates, "/s")
        )  # fmt: skip
        # Per second of the server's CPU, as the echo reference: that one is bound by its
        # clients (its server is not saturated), figure 3 by its server.
        per_cpu = [w["moves_per_s"] / w["server_cpu"] for w in rec if w["server_cpu"] > 0]
        echo = getattr(self, "echo_per_cpu", {}).get(transport)
        self.rows.append(
            Row.of("3", f"concurrent_{transport}",
                   f"moves per second of server CPU, {what}", per_cpu, "/CPU-s",
                   reference=echo, reference_unit="/CPU-s",
                   target=f"≥ 0.5 of {s.many_conns}-connection echo, per CPU-s",
                   check=None if echo is None else (lambda _v, r: r >= 0.5))
        )  # fmt: skip
        # Where a move's CPU goes, beside the echo's round trip (one read, one write each):
        # the kernel's share is alike, the difference is the server's own code.
        split = getattr(self, "echo_split", {}).get(transport)
        for part, index in (("user", 0), ("system", 1)):
            echoed = "" if split is None else f" (echo: {split[index]:.1f} per round trip)"
            self.rows.append(
                Row.of("3", f"cpu_{part}_{transport}",
                       f"server {part} CPU per move, µs{echoed}",
                       [w[f"server_{part}_us"] for w in rec], "µs")
            )  # fmt: skip
        unrecorded = [w["moves_per_s"] for w in norec]
        cost = 1 - median(rates) / median(unrecorded)
        self.rows.append(
            Row.of("3", f"recorded_many_{transport}",
                   f"figure 3 recorded to SQLite: cost {cost * 100:.1f} %", rates, "/s",
                   reference=unrecorded, target="≥ 0.90 (cost < 10 %)",
                   check=lambda _v, r: r is not None and r >= 0.90)
        )  # fmt: skip
        self.rows.append(
            Row.of("3", f"p50_{transport}", f"relay latency p50, {what}",
                   [w["p50"] * 1e3 for w in rec], "ms")
        )  # fmt: skip
        self.rows.append(
            Row.of("3", f"p99_{transport}", f"relay latency p99, {what}",
                   [w["p99"] * 1e3 for w in rec], "ms",
                   target="p99 < 50 ms in every window",
                   check=lambda _v, _r: max(w["p99"] for w in rec) < 0.050)
        )  # fmt: skip
        self.rows.append(
            Row.of("3", f"p99_unrecorded_{transport}", f"relay latency p99 unrecorded, {what}",
                   [w["p99"] * 1e3 for w in norec], "ms")
        )  # fmt: skip

    # --- figure 4 -----------------------------------------------------------------------

    async def idle(self) -> None:
        """RSS of the server per idle connected bot."""
        s = self.sizes
        for transport in TRANSPORTS:
            server = await start_server()
            children: list[Child] = [server]

            async def body(
                server: Server = server,
                transport: str = transport,
                children: list[Child] = children,
            ) -> None:
                await asyncio.sleep(0.5)
                before = await steady_rss(server.pid)
                child = await spawn(
                    "clients",
                    "bots",
                    server.bot_url(transport),
                    "--prefix",
                    "idle",
                    "--count",
                    str(s.idle_bots),
                    "--strategy",
                    "idle",
                    "--parallel",
                    "200",
                )
                children.append(child)
                ready = await child.expect("READY", 300)
                await asyncio.sleep(1.0)
                after = await steady_rss(server.pid)
                per = (after - before) / s.idle_bots
                limit = 12 if transport == "ws" else 20
                name = "WebSocket" if transport == "ws" else "TCP"
                self.note(
                    f"{s.idle_bots} {name} bots connected in {ready['seconds']:.1f} s; "
                    f"RSS {before:,} → {after:,} KiB"
                )
                self.data[f"idle_{transport}"] = {"before_kib": before, "after_kib": after}
                self.rows.append(
                    Row(
                        "4",
                        f"server RSS per idle bot, {s.idle_bots:,} {name} bots",
                        per,
                        "KiB",
                        reference=before,
                        reference_unit="KiB",
                        target=f"≤ {limit} KiB per bot",
                        passed=per <= limit,
                        key=f"idle_{transport}",
                    )
                )

            await with_children(children, body)

    # --- figure 5 -----------------------------------------------------------------------

    async def spectators(self) -> None:
        """One move delivered to ``spectators`` watchers of one match."""
        s = self.sizes
        server = await start_server()
        children: list[Child] = [server]

        async def body() -> None:
            bots = await self.bots(
                server, "tcp", "paced", 2, "--strategy", "paced", "--think", str(s.think)
            )
            children.append(bots)
            match = await self.post_match(
                server,
                {
                    "game": "counting",
                    "bots": ["paced00000", "paced00001"],
                    "options": {"plies": s.spectated_moves},
                    "time_control": PER_MOVE_60,
                },
            )
            watchers = []
            for _ in range(2):
                child = await spawn(
                    "clients", "spectators", server.watch, "--match", match,
                    "--count", str(s.spectators // 2),
                )  # fmt: skip
                children.append(child)
                watchers.append(child)
            for child in watchers:
                await child.expect("READY", 120)
            bots.send("go")
            timeout = 60 + s.spectated_moves * s.think * 2
            arrivals: dict[str, list[float]] = {}
            for child in watchers:
                for ply, times in (await child.expect("RESULT", timeout))["arrivals"].items():
                    arrivals.setdefault(ply, []).extend(times)
            await bots.expect("RESULT", 30)  # the match_result line
            bots.send("sent")
            sent = (await bots.expect("RESULT", 30))["sent_at"]
            per_move = []
            for ply, t0 in sorted(sent.items(), key=lambda kv: int(kv[0])):
                delays = [t - t0 for t in arrivals.get(ply, [])]
                if len(delays) < s.spectators:
                    raise RuntimeError(f"move {ply}: {len(delays)} of {s.spectators} spectators")
                per_move.append({"p50": percentile(delays, 50), "p99": percentile(delays, 99),
                                 "max": max(delays)})  # fmt: skip
            self.data["spectators"] = per_move
            p99 = median([m["p99"] for m in per_move])
            self.note(
                f"{len(per_move)} moves: p99 per move "
                + ", ".join(f"{m['p99'] * 1e3:.0f}" for m in per_move)
                + " ms"
            )
            self.rows.append(
                Row(
                    "5",
                    f"one move to {s.spectators:,} spectators: p99 delivery latency",
                    p99 * 1e3,
                    "ms",
                    target="< 100 ms",
                    passed=p99 < 0.100,
                    key="spectators",
                )
            )

        await with_children(children, body)

    # --- figure 7 -----------------------------------------------------------------------

    async def tictactoe(self) -> None:
        """Networked random tic-tac-toe matches/s (recorded, rated) and the server's CPU per
        match, against kaggle-environments' in-process episodes/s.

        The stream of matches runs in windows; before each window the stream is drained
        and the reference runs alone on the server's core, then the stream starts again
        and gets a warm-up before its window is read."""
        s = self.sizes
        server = await start_server()
        children: list[Child] = [server]

        async def body() -> None:
            bots = await self.bots(
                server, "tcp", "ttt", 2 * s.ttt_pairs, "--strategy", "random", "--parallel", "100"
            )
            children.append(bots)
            ours, theirs, cpu = [], [], []
            for _ in range(s.reps):
                kaggle = await spawn(
                    "kaggle_ttt", "--duration", str(s.ttt_seconds), "--reps", "1", server=True
                )
                result = await kaggle.expect("RESULT", 120 + s.ttt_seconds)
                await kaggle.stop()
                theirs.append(result["episodes"] / result["seconds"])
                stream = MatchStream(server, bots, self.http, s.ttt_pairs, "ttt")
                await stream.start()
                await stream.window(min(1.0, s.ttt_seconds))  # warm-up
                window = await stream.window(s.ttt_seconds)
                await stream.drain()
                ours.append(window.rate)
                cpu.append(window.cpu_ms_per_match)
                self.note(
                    f"tic-tac-toe: server {ours[-1]:.0f}/s ({cpu[-1]:.2f} ms CPU per match, "
                    f"{window.cpu_seconds / window.seconds:.0%} of a core; load "
                    f"{window.load_cpu_seconds / window.seconds:.0%}), kaggle {theirs[-1]:.1f}/s"
                )
            self.data["tictactoe"] = {"server": ours, "kaggle": theirs, "server_cpu_ms": cpu}
            what = f"tic-tac-toe matches/s, random bots, {s.ttt_pairs} pairs over TCP, rated"
            self.rows.append(
                Row.of("7", "tictactoe", what, ours, "/s", reference=theirs,
                       target="≥ 10 × kaggle in-process", check=lambda _v, r: r >= 10.0)
            )  # fmt: skip
            self.rows.append(
                Row.of("7", "tictactoe_cpu", "server CPU per tic-tac-toe match (store, rating)",
                       cpu, "ms", target="≤ 3 ms", check=lambda v, _r: v <= 3.0)
            )  # fmt: skip

        await with_children(children, body)


async def steady_rss(pid: int) -> int:
    readings = []
    for _ in range(3):
        readings.append(rss_kib(pid))
        await asyncio.sleep(0.3)
    return int(median(readings))


FIGURES: dict[str, Callable[[Bench], Awaitable[None]]] = {
    "1": Bench.relay,
    "3": Bench.concurrent,
    "4": Bench.idle,
    "5": Bench.spectators,
    "7": Bench.tictactoe,
}
"""Figures 1, 2 and 6 are measured together (``1``), each next to its reference."""


async def main(args: argparse.Namespace) -> int:
    sizes = QUICK if args.quick else FULL
    wanted = {"2": "1", "6": "1"}
    only = {wanted.get(f, f) for f in args.only.split(",")} if args.only else set(FIGURES)
    limit = raise_fd_limit()
    pin_self()
    started = time.perf_counter()
    failures = 0
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64)) as http:
        bench = Bench(sizes, http)
        for key, figure in FIGURES.items():
            if key not in only:
                continue
            print(
                f"figure {key}{' (with 2 and 6)' * (key == '1')} ...", file=sys.stderr, flush=True
            )
            t0 = time.perf_counter()
            try:
                await figure(bench)
            except Exception:
                failures += 1
                traceback.print_exc()
            bench.note(f"done in {time.perf_counter() - t0:.1f} s")
    machine = {
        "cores": os.cpu_count(),
        "pinned": None
        if SERVER_CORES is None or LOAD_CORES is None
        else {"servers": sorted(SERVER_CORES), "load": sorted(LOAD_CORES)},
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "fd_limit": limit,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    mode = "quick" if args.quick else "full"
    machine["server_src"] = args.server_src or "this tree"
    out = write_results(
        args.label or mode,
        bench.rows,
        machine,
        {"sizes": asdict(sizes), "seconds": time.perf_counter() - started, **bench.data},
        bench.latency,
    )
    print(out.table)
    print(f"\n{len(bench.rows)} figures in {time.perf_counter() - started:.0f} s; written to "
          f"{', '.join(str(p) for p in out.paths)}")  # fmt: skip
    return 1 if failures else 0


def cli() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, under two minutes")
    parser.add_argument("--only", help="comma-separated figures, e.g. 2,6 or 3")
    parser.add_argument(
        "--server-src", help=argparse.SUPPRESS
    )  # another tree's src/, for before/after
    parser.add_argument("--label", help=argparse.SUPPRESS)  # results go to {label}.json etc.
    args = parser.parse_args()
    if args.server_src:
        SERVER_ENV["PYTHONPATH"] = str(Path(args.server_src).resolve())
    raise SystemExit(asyncio.run(main(args)))


if __name__ == "__main__":
    cli()
