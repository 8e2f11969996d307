"""The cluster figure: what relaying moves through Redis costs (bench/README.md, "Cluster").

    python -m bench.cluster                  # both parts, full sizes
    python -m bench.cluster --quick          # smaller sizes
    python -m bench.cluster --only relay     # part (a) only; --only many for part (b)

(a) **Cross-node relay.** One counting match of two instant TCP bots, on the
    same two cluster nodes ``a`` and ``b`` in both cases: both bots on ``a``
    (``a`` owns the match; no move goes through Redis), then one bot on ``a``
    and one on ``b`` (``a`` owns it; every request to the bot on ``b`` and
    every action back go through Redis). Repetitions interleaved; the ratio
    cross/single is a ratio of medians, with the min-max of each side.
(b) **Many matches.** ``--matches`` concurrent counting matches of instant bots
    on a cluster of three nodes, each match's two bots on two different nodes
    (so half of all moves are relayed), against the same number of matches on
    a cluster of one node (same Redis and PostgreSQL store, no relay). Total
    moves/s over bounded windows. On two cores this is the bus's cost, not a
    speed-up.

Everything runs on 127.0.0.1 (Redis, PostgreSQL and the nodes from
``ringside.testing.cluster``, bots from ``bench.clients``); every wait is
bounded. Results go to ``bench/results/cluster-DATE.{txt,json}``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from redis.asyncio import Redis

from bench.common import (
    ONE_ADDRESS_LOAD,
    Child,
    cpu_seconds,
    median,
    percentile,
    raise_fd_limit,
    spawn,
    with_children,
    write_figures,
)
from ringside.testing import postgres
from ringside.testing.cluster import Cluster, running_cluster
from ringside.testing.wire import ServerProcess

PER_MOVE_60 = {"type": "per_move", "seconds": 60.0}
NODE_ARGS = ("--open", "--heartbeat", "5")
NODE_ENV = dict(ONE_ADDRESS_LOAD)


@dataclass(frozen=True)
class Sizes:
    reps: int
    plies: int
    matches: int
    warmup: float
    windows: int
    window_seconds: float


FULL = Sizes(reps=5, plies=20_000, matches=1000, warmup=2.0, windows=5, window_seconds=4.0)
QUICK = Sizes(reps=5, plies=5_000, matches=200, warmup=1.0, windows=3, window_seconds=2.0)


def note(text: str) -> None:
    print(f"  {text}", file=sys.stderr, flush=True)


def spread(values: list[float], fmt: str = "{:,.0f}") -> str:
    return f"{fmt.format(median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


class Http:
    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def post_match(self, node: ServerProcess, body: dict[str, Any], tries: int = 20) -> str:
        """``POST /api/matches``; a bot not yet seen cluster-wide (409) is tried again."""
        for attempt in range(tries):
            async with self.session.post(f"{node.http}/api/matches", json=body) as response:
                text = await response.text()
                if response.status == 201:
                    return str(json.loads(text)["id"])
                if response.status != 409 or attempt == tries - 1:
                    raise RuntimeError(f"POST /api/matches: {response.status} {text}")
            await asyncio.sleep(0.1 * (attempt + 1))
        raise AssertionError("unreachable")

    async def bots_online(self, node: ServerProcess, names: set[str], timeout: float) -> None:
        """Wait until ``node``'s lobby shows every bot of ``names`` (each from its own node)."""
        deadline = time.monotonic() + timeout
        while True:
            async with self.session.get(f"{node.http}/api/bots") as response:
                online = {b["name"] for b in (await response.json())["bots"]}
            if names <= online:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"{len(names - online)} bots not online on {node.http}")
            await asyncio.sleep(0.2)

    async def relayed(self, node: ServerProcess) -> tuple[int, list[float]]:
        """Moves ``node`` relayed (it owns the match) and its latency samples; then cleared."""
        async with self.session.get(f"{node.http}/api/bench/latency?clear=1") as response:
            data = await response.json()
        return int(data["moves"]), list(data["samples"])


async def bots(node: ServerProcess, prefix: str, count: int, *extra: str) -> Child:
    child = await spawn(
        "clients",
        "bots",
        node.tcp_bot,
        "--prefix",
        prefix,
        "--count",
        str(count),
        "--parallel",
        "100",
        *extra,
    )
    await child.expect("READY", 180)
    return child


async def redis_commands(redis: Redis) -> int:
    info = await redis.info("stats")
    return int(info["total_commands_processed"])


# --- (a) one match, single-node vs cross-node ---------------------------------------------------


async def one_match(cluster: Cluster, http: Http, sizes: Sizes) -> dict[str, Any]:
    a, b = cluster["a"], cluster["b"]
    children: list[Child] = []
    redis = Redis.from_url(cluster.redis.url)

    async def body() -> dict[str, Any]:
        # Two load processes of one bot each in both cases; only the node of the second differs.
        placement = {"single": (("sa", a), ("sb", a)), "cross": (("xa", a), ("xb", b))}
        procs: dict[str, tuple[Child, Child]] = {}
        for case, pair in placement.items():
            first, second = [await bots(node, prefix, 1) for prefix, node in pair]
            children.extend((first, second))
            procs[case] = (first, second)
        await http.bots_online(a, {"sa00000", "sb00000", "xa00000", "xb00000"}, 30)
        rates: dict[str, list[float]] = {"single": [], "cross": []}
        commands: dict[str, list[int]] = {"single": [], "cross": []}
        p50: dict[str, list[float]] = {"single": [], "cross": []}
        for rep in range(sizes.reps):
            order = ("single", "cross") if rep % 2 == 0 else ("cross", "single")
            for case in order:
                (p0, _), (p1, _) = placement[case]
                await http.relayed(a)
                before = await redis_commands(redis)
                match = await http.post_match(
                    a,
                    {
                        "game": "counting",
                        "bots": [f"{p0}00000", f"{p1}00000"],
                        "options": {"plies": sizes.plies},
                        "time_control": PER_MOVE_60,
                    },
                )
                owner_side, other = procs[case]
                result = await owner_side.expect("RESULT", 300)
                assert result["match"] == match, result
                theirs = await other.expect("RESULT", 60)
                assert theirs["match"] == match, theirs
                moves, samples = await http.relayed(a)
                assert moves == sizes.plies, (case, moves)
                commands[case].append(await redis_commands(redis) - before)
                rates[case].append(sizes.plies / result["seconds"])
                p50[case].append(percentile(samples, 50))
            note(
                f"rep {rep + 1}/{sizes.reps}: single {rates['single'][-1]:,.0f} moves/s, "
                f"cross {rates['cross'][-1]:,.0f} moves/s "
                f"(Redis commands: {commands['single'][-1]:,} / {commands['cross'][-1]:,})"
            )
        return {"moves_per_s": rates, "redis_commands": commands, "relay_p50_s": p50}

    try:
        return await with_children(children, body)
    finally:
        await redis.aclose()


# --- (b) many matches: three nodes, pairs split, vs one node --------------------------------------


PREFIXES = ("A", "B", "C")


def pairs(matches: int) -> list[tuple[int, str, str]]:
    """Match i: (node index of its first bot, first bot, second bot) with the first bot on
    node ``i % 3`` and the second on the next node; each load process holds ``per_node``."""
    out = []
    for i in range(matches):
        n, j = i % 3, i // 3
        out.append((n, f"{PREFIXES[n]}{2 * j:05d}", f"{PREFIXES[(n + 1) % 3]}{2 * j + 1:05d}"))
    return out


async def many_matches(
    cluster: Cluster, http: Http, sizes: Sizes, spread_over: int
) -> dict[str, Any]:
    """``sizes.matches`` matches; the bots of three load processes on ``spread_over`` nodes."""
    nodes = [cluster[name] for name in sorted(cluster.nodes)][:spread_over]
    per_process = 2 * -(-sizes.matches // 3)
    children: list[Child] = []

    async def body() -> dict[str, Any]:
        t0 = time.perf_counter()
        loads = await asyncio.gather(
            *(bots(nodes[k % len(nodes)], PREFIXES[k], per_process, "--hold") for k in range(3))
        )
        children.extend(loads)
        plan = pairs(sizes.matches)
        for node in nodes:
            await http.bots_online(node, {name for _, f, s in plan for name in (f, s)}, 120)
        note(f"{3 * per_process} bots connected in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        gate = asyncio.Semaphore(16)

        async def create(n: int, first: str, second: str) -> None:
            async with gate:
                await http.post_match(
                    nodes[n % len(nodes)],  # the first bot's node: it owns the match
                    {
                        "game": "counting",
                        "bots": [first, second],
                        "options": {"plies": 1_000_000},
                        "time_control": PER_MOVE_60,
                    },
                )

        await asyncio.wait_for(asyncio.gather(*(create(*p) for p in plan)), 300)
        created = time.perf_counter() - t0
        note(f"{sizes.matches} matches started in {created:.1f} s")
        for load in loads:
            load.send("go")
        await asyncio.sleep(sizes.warmup)
        for node in nodes:
            await http.relayed(node)
        pids = {
            **{f"node {name}": cluster[name].process.pid for name in sorted(cluster.nodes)},  # type: ignore[union-attr]
            "redis": cluster.redis.process.pid,  # type: ignore[union-attr]
            "postgres": postmaster(cluster),
            "load": None,
        }
        windows: list[dict[str, Any]] = []
        for _ in range(sizes.windows):
            t0 = time.perf_counter()
            cpu0 = {k: cpu_of(k, v, loads) for k, v in pids.items()}
            await asyncio.sleep(sizes.window_seconds)
            moves, samples = 0, []
            for node in nodes:
                m, s = await http.relayed(node)
                moves += m
                samples += s
            elapsed = time.perf_counter() - t0
            cpu = {k: (cpu_of(k, v, loads) - cpu0[k]) / elapsed for k, v in pids.items()}
            windows.append(
                {
                    "moves_per_s": moves / elapsed,
                    "p50": percentile(samples, 50),
                    "p99": percentile(samples, 99),
                    "cpu": cpu,
                }
            )
            note(
                f"window: {moves / elapsed:,.0f} moves/s, p50 {windows[-1]['p50'] * 1e3:.1f} ms, "
                f"p99 {windows[-1]['p99'] * 1e3:.1f} ms; CPU "
                + ", ".join(f"{k} {v:.0%}" for k, v in cpu.items())
            )
        return {"created_seconds": created, "windows": windows, "lost": counted_lost(cluster)}

    return await with_children(children, body)


def counted_lost(cluster: Cluster) -> list[str]:
    """Nodes that found their own beat key expired and ended their matches (see README)."""
    return [
        name
        for name, node in sorted(cluster.nodes.items())
        if "counted lost by the cluster" in node.log_tail(100_000)
    ]


def postmaster(cluster: Cluster) -> int:
    return int((cluster.postgres.data_dir / "postmaster.pid").read_text().split()[0])


def cpu_of(key: str, pid: int | None, loads: list[Child]) -> float:
    """CPU seconds of a process; PostgreSQL's with its backends; the load processes summed."""
    if key == "load":
        return sum(cpu_seconds(c.pid) for c in loads)
    assert pid is not None
    total = cpu_seconds(pid)
    if key == "postgres":
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    total += cpu_seconds(int(stat.parent.name))
    return total


# --- the run -------------------------------------------------------------------------------------


def report(sizes: Sizes, data: dict[str, Any], machine: dict[str, Any]) -> str:
    lines = [
        f"Ringside cluster bench, {machine['date']}, {machine['cores']} cores, "
        f"CPython {machine['python']}; took {data['seconds']:.0f} s",
        "",
    ]
    if "relay" in data:
        r = data["relay"]
        single, cross = r["moves_per_s"]["single"], r["moves_per_s"]["cross"]
        ratio = median(cross) / median(single)
        lines += [
            f"(a) one counting match of {sizes.plies:,} plies, two instant TCP bots, "
            f"{sizes.reps} repetitions interleaved; median (min–max)",
            f"    single-node (both bots on node a, a owns): {spread(single)} moves/s, "
            f"Redis commands per match {spread([float(c) for c in r['redis_commands']['single']])}",
            f"    cross-node  (bots on a and b, a owns):     {spread(cross)} moves/s, "
            f"Redis commands per match {spread([float(c) for c in r['redis_commands']['cross']])}",
            f"    ratio cross/single (of medians): {ratio:.2f} "
            f"(extremes {min(cross) / max(single):.2f}–{max(cross) / min(single):.2f}); "
            f"target ≥ 0.50: {'met' if ratio >= 0.5 else 'MISSED'}",
            f"    relay p50 on the owner (both seats): single "
            f"{median(r['relay_p50_s']['single']) * 1e6:.0f} µs, "
            f"cross {median(r['relay_p50_s']['cross']) * 1e6:.0f} µs",
            "",
        ]
    if "many" in data:
        m = data["many"]
        lines.append(
            f"(b) {sizes.matches:,} concurrent counting matches, {2 * sizes.matches:,} instant TCP "
            f"bots in 3 load processes; {sizes.windows} windows of {sizes.window_seconds:g} s "
            f"after {sizes.warmup:g} s of warm-up; median window (min–max)"
        )
        rates = {}
        for case, label in (
            ("one", "1 cluster node (all bots on it)     "),
            ("three", "3 nodes, each match's bots on 2 nodes"),
        ):
            if case not in m:
                continue
            w = m[case]["windows"]
            rates[case] = [x["moves_per_s"] for x in w]
            cpu = {k: median([x["cpu"][k] for x in w]) for k in w[0]["cpu"]}
            lines.append(
                f"    {label}: {spread(rates[case])} moves/s, p50 "
                f"{median([x['p50'] for x in w]) * 1e3:.1f} ms, p99 "
                f"{median([x['p99'] for x in w]) * 1e3:.1f} ms; matches created in "
                f"{m[case]['created_seconds']:.1f} s; CPU "
                + ", ".join(f"{k} {v:.0%}" for k, v in cpu.items())
            )
            if m[case]["lost"]:
                lines.append(
                    f"      INVALID: node(s) {', '.join(m[case]['lost'])} found their beat key "
                    "expired (event loop late by more than NODE_TTL - BEAT_EVERY) and aborted "
                    "their matches"
                )
        if len(rates) == 2:
            lines.append(
                f"    ratio three/one (of medians): {median(rates['three']) / median(rates['one']):.2f}"
                " — on 2 cores this is the cost of the bus (Redis, relay, 3 node processes"
                " sharing the same CPUs), not a speed-up"
            )
    return "\n".join(lines)


async def main(args: argparse.Namespace) -> int:
    sizes = QUICK if args.quick else FULL
    if args.matches:
        sizes = Sizes(**{**asdict(sizes), "matches": args.matches})
    raise_fd_limit()
    started = time.perf_counter()
    data: dict[str, Any] = {}
    root = Path(tempfile.mkdtemp(prefix="ringside-cluster-bench-"))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64)) as session:
        http = Http(session)
        with postgres.postgres_server() as pg:
            if args.only in (None, "relay"):
                print("(a) cross-node relay ...", file=sys.stderr, flush=True)
                with running_cluster(
                    root / "relay", ("a", "b"), postgres_server=pg, args=NODE_ARGS, env=NODE_ENV
                ) as cluster:
                    data["relay"] = await one_match(cluster, http, sizes)
            if args.only in (None, "many"):
                data["many"] = {}
                for case, names in (("one", ("a",)), ("three", ("a", "b", "c"))):
                    print(f"(b) {sizes.matches} matches, {case} node(s) ...", file=sys.stderr)
                    with running_cluster(
                        root / f"many-{case}", names, postgres_server=pg, args=NODE_ARGS,
                        env=NODE_ENV,
                    ) as cluster:  # fmt: skip
                        data["many"][case] = await many_matches(cluster, http, sizes, len(names))
    with contextlib.suppress(OSError):
        import shutil

        shutil.rmtree(root, ignore_errors=True)
    data["seconds"] = time.perf_counter() - started
    now = datetime.now(UTC)
    machine = {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": now.isoformat(timespec="seconds"),
    }
    text = report(sizes, data, machine)
    print(text)
    if not args.no_write:
        document = {"machine": machine, "sizes": asdict(sizes), **data}
        write_figures("cluster", now.date().isoformat(), args.quick, text, document)
    return 0


def cli() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.cluster", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument("--only", choices=("relay", "many"), help="one part only")
    parser.add_argument("--matches", type=int, help="matches of part (b) (default 1000)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    raise SystemExit(asyncio.run(main(args)))


if __name__ == "__main__":
    cli()
