"""OpenSpiel games through the server against the same games in-process (issue 18, item 7).

    python -m bench.spiel            # full sizes, about 3 minutes (make bench)
    python -m bench.spiel --quick    # smaller sizes, under a minute

Complete games per second of uniform random play, five ways, for a few games
(bench/README.md, "OpenSpiel"):

raw        pyspiel alone in one process: a loop of ``apply_action`` with seeded
           random agents and chance sampled by ``random.choices``. The lowest cost
           a game can have in Python: the reference.
adapter    the same games through ``ringside.games.spiel``'s ``Game`` functions,
           called as the referee calls them (``to_act``, ``observation``,
           ``legal_actions``, ``apply``, ``view``, ``public_action``; ``scores`` and
           ``revealed_view`` at the end), no referee: what the adapter adds to pyspiel.
simulation ``ringside.local.Simulation``: a real ``Match`` (the referee) over the
           adapter, instant seeded random bots, no network, no store.
server     a real ``ringside serve --open`` (127.0.0.1, port 0, matches recorded to
           SQLite) and N pairs of instant random TCP bots in one load process
           (``bench.clients``); each pair plays match after match, each started by
           ``POST /api/matches`` as soon as the pair's last one ended (as figure 7).
unrecorded the same against a second server with ``RINGSIDE_BENCH_NO_RECORD=1``
           (no store write for matches): the store's share of the server's cost.

The in-process ways run in a child process of their own; repetitions of all five
are interleaved. The server's CPU time per game is read from /proc over each
window. Every wait is bounded. Results: ``bench/results/spiel-DATE.{txt,json}``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import (
    Child,
    Server,
    cpu_seconds,
    median,
    raise_fd_limit,
    spawn,
    start_server,
    with_children,
    write_figures,
)

KINDS = ("raw", "adapter", "simulation")
"""The in-process ways, measured by the child process."""


@dataclass(frozen=True)
class Case:
    """One row of the figure: a game, and how many rounds (games) make one match."""

    game: str
    rounds: int = 1

    @property
    def label(self) -> str:
        return self.game if self.rounds == 1 else f"{self.game} ×{self.rounds} rounds/match"

    @property
    def short(self) -> str:
        return self.game.removeprefix("spiel.")


CASES = (
    Case("spiel.kuhn_poker"),
    Case("spiel.tic_tac_toe"),
    Case("spiel.breakthrough"),
    Case("spiel.kuhn_poker", rounds=20),
)
"""Imperfect information with chance (kuhn_poker, 2–3 plies), tiny and perfect
(tic_tac_toe), long (breakthrough, about 60 plies of random play); and kuhn_poker
again with 20 rounds per match, which tells the cost of a match from that of a game."""


@dataclass(frozen=True)
class Sizes:
    reps: int
    pairs: int
    """Pairs of bots, each pair playing one match at a time."""
    server_seconds: float
    inproc_seconds: float
    """Per in-process way and case, per repetition."""


FULL = Sizes(reps=5, pairs=20, server_seconds=2.5, inproc_seconds=0.6)
QUICK = Sizes(reps=3, pairs=10, server_seconds=1.0, inproc_seconds=0.25)
SERVERS = ("server", "norec")
"""The server recording every match to SQLite, and the same with the bench's switch
``RINGSIDE_BENCH_NO_RECORD=1`` (no store write for matches): the store's share."""


def note(text: str) -> None:
    print(f"  {text}", file=sys.stderr, flush=True)


def spread(values: list[float], fmt: str = "{:,.0f}") -> str:
    return f"{fmt.format(median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


# --- the in-process child: python -m bench.spiel --child -----------------------------------------


class InProcess:
    """The three in-process ways; a game is loaded once and warmed up before it is timed."""

    def __init__(self) -> None:
        self.warm: set[tuple[str, str, int]] = set()

    def measure(self, kind: str, case: Case, seconds: float, seed: int) -> dict[str, float]:
        play = {"raw": self.raw, "adapter": self.adapter, "simulation": self.simulation}[kind]
        if (kind, case.game, case.rounds) not in self.warm:
            self.warm.add((kind, case.game, case.rounds))
            play(case, random.Random(seed), seed, 0.05)
        cpu = time.process_time()
        games, plies, elapsed = play(case, random.Random(seed), seed, seconds)
        return {
            "games": games,
            "plies": plies,
            "seconds": elapsed,
            "cpu": time.process_time() - cpu,
        }

    @staticmethod
    def raw(case: Case, rng: random.Random, seed: int, seconds: float) -> tuple[int, int, float]:
        import pyspiel  # type: ignore[import-untyped]

        game = pyspiel.load_game(case.short)
        games = plies = 0
        started = time.perf_counter()
        while (elapsed := time.perf_counter() - started) < seconds:
            state = game.new_initial_state()
            while not state.is_terminal():
                if state.is_chance_node():
                    outcomes, probs = zip(*state.chance_outcomes(), strict=True)
                    state.apply_action(rng.choices(outcomes, probs)[0])
                elif state.is_simultaneous_node():
                    picks = [rng.choice(state.legal_actions(p)) for p in range(game.num_players())]
                    state.apply_actions(picks)
                    plies += game.num_players()
                else:
                    state.apply_action(rng.choice(state.legal_actions()))
                    plies += 1
            state.returns()
            games += 1
        return games, plies, elapsed

    @staticmethod
    def adapter(
        case: Case, rng: random.Random, seed: int, seconds: float
    ) -> tuple[int, int, float]:
        """The adapter's functions in the order ``referee.match`` calls them for a round."""
        from ringside.games import get_game

        game: Any = get_game(case.game)
        hidden = game.game_type.information == "imperfect"
        games = plies = 0
        started = time.perf_counter()
        while (elapsed := time.perf_counter() - started) < seconds:
            state = game.start(2, seed + games, {}, 1)
            game.view(state)
            while not game.is_over(state):
                actions = {}
                for seat in game.to_act(state):
                    game.observation(state, seat)
                    actions[seat] = rng.choice(list(game.legal_actions(state, seat)))
                before = state
                state = game.apply(before, actions)
                game.view(state)
                for seat, action in actions.items():
                    if hidden:
                        game.public_action(before, seat, action)
                    plies += 1
            game.scores(state)
            if hidden:
                game.revealed_view(state)
            games += 1
        return games, plies, elapsed

    @staticmethod
    def simulation(
        case: Case, rng: random.Random, seed: int, seconds: float
    ) -> tuple[int, int, float]:
        from ringside.local import PolitePlayer, Simulation
        from ringside.protocol.messages import Move, Request
        from ringside.referee import Match, MatchConfig

        def choose(request: Request) -> tuple[Any, float]:
            return rng.choice(request.legal_actions or [None]), 0.0

        matches = plies = 0
        started = time.perf_counter()
        while (elapsed := time.perf_counter() - started) < seconds:
            config = MatchConfig(
                game=case.game, bots=["a", "b"], rounds=case.rounds, seed=seed + matches
            )
            simulation = Simulation(
                Match(f"m{matches}", config), [PolitePlayer(choose), PolitePlayer(choose)]
            )
            result = simulation.run()
            if result.status != "finished" or any(r.verdicts for r in result.rounds):
                raise RuntimeError(f"{case.label}: {result}")
            plies += sum(isinstance(e, Move) for e in simulation.events)
            matches += 1
        return matches * case.rounds, plies, elapsed


def child() -> None:
    """Read ``KIND GAME ROUNDS SECONDS SEED`` lines, print a ``RESULT`` line for each."""
    from bench.common import emit

    inproc = InProcess()
    emit("READY", {})
    for line in sys.stdin:
        if not line.strip() or line.strip() == "stop":
            return
        kind, game, rounds, seconds, seed = line.split()
        case = Case(game, int(rounds))
        emit("RESULT", inproc.measure(kind, case, float(seconds), int(seed)))


# --- the runner ----------------------------------------------------------------------------------


class Bench:
    def __init__(self, sizes: Sizes, http: Any) -> None:
        self.sizes = sizes
        self.http = http

    async def post_match(self, server: Server, body: dict[str, Any]) -> str:
        async with self.http.post(f"{server.http}/api/matches", json=body) as response:
            if response.status != 201:
                text = await response.text()
                raise RuntimeError(f"POST /api/matches: {response.status} {text}")
            return str((await response.json())["id"])

    async def moves(self, server: Server) -> int:
        """Moves the server relayed since the last call (``RINGSIDE_BENCH``'s counter)."""
        async with self.http.get(f"{server.http}/api/bench/latency?clear=1") as response:
            return int((await response.json())["moves"])

    async def inproc(self, worker: Child, kind: str, case: Case, seed: int) -> dict[str, float]:
        s = self.sizes
        worker.send(f"{kind} {case.game} {case.rounds} {s.inproc_seconds} {seed}")
        return dict(await worker.expect("RESULT", 60 + 4 * s.inproc_seconds))

    async def window(self, server: Server, bots: Child, case: Case, seed: int) -> dict[str, float]:
        """Every pair plays for ``server_seconds``: matches ended in the window per second
        (as figure 7); CPU per game over the whole window including its drain."""
        s = self.sizes
        pair_of: dict[str, int] = {}
        posts: set[asyncio.Task[None]] = set()
        started_matches = 0

        async def start(pair: int) -> None:
            nonlocal started_matches
            body = {
                "game": case.game,
                "bots": [f"sp{2 * pair:05d}", f"sp{2 * pair + 1:05d}"],
                "rounds": case.rounds,
                "seed": seed * 1_000_003 + started_matches,
            }
            started_matches += 1
            match = await self.post_match(server, body)
            if match in early:  # it ended before its POST was answered
                early.discard(match)
                ended_match(pair)
            else:
                pair_of[match] = pair

        def post(pair: int) -> None:
            # The next match is posted in the background: the runner's round trip to the
            # API is not what limits the rate, the server is.
            task = asyncio.get_running_loop().create_task(start(pair))
            posts.add(task)
            task.add_done_callback(posts.discard)

        def ended_match(pair: int) -> None:
            counts["ended"] += 1
            if time.perf_counter() - t0 < s.server_seconds:
                counts["in_window"] += 1
                post(pair)

        early: set[str] = set()
        """Matches whose result was read before their POST's answer."""
        counts = {"ended": 0, "in_window": 0}
        await self.moves(server)
        cpu0 = {"server": cpu_seconds(server.pid), "load": cpu_seconds(bots.pid)}
        t0 = time.perf_counter()
        for p in range(s.pairs):
            post(p)
        deadline = t0 + s.server_seconds + 60
        while counts["ended"] < started_matches or posts:
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{case.label}: {len(pair_of)} matches did not end in 60 s")
            try:
                result = await bots.expect("RESULT", 0.05)
            except (TimeoutError, RuntimeError):
                if bots.process.returncode is not None:
                    raise
                continue  # posts in flight: their matches end later
            pair = pair_of.pop(result["match"], None)
            if pair is None:
                early.add(result["match"])
            else:
                ended_match(pair)
        in_window, ended = counts["in_window"], counts["ended"]
        elapsed = time.perf_counter() - t0
        moves = await self.moves(server)
        return {
            "games_per_s": in_window * case.rounds / s.server_seconds,
            "games": ended * case.rounds,
            "plies": moves,
            "seconds": elapsed,
            "server_cpu": cpu_seconds(server.pid) - cpu0["server"],
            "load_cpu": cpu_seconds(bots.pid) - cpu0["load"],
        }

    async def run(self) -> dict[str, Any]:
        s = self.sizes
        servers = {"server": await start_server(), "norec": await start_server(record=False)}
        children: list[Child] = list(servers.values())

        async def body() -> dict[str, Any]:
            worker = await spawn("spiel", "--child")
            children.append(worker)
            bots: dict[str, Child] = {}
            for key, server in servers.items():
                bots[key] = await spawn(
                    "clients", "bots", server.tcp_bot, "--prefix", "sp", "--count",
                    str(2 * s.pairs), "--strategy", "random", "--parallel", "100",
                )  # fmt: skip
                children.append(bots[key])
            await worker.expect("READY", 60)
            for child in bots.values():
                await child.expect("READY", 120)
            data: dict[str, Any] = {c.label: {k: [] for k in (*KINDS, *SERVERS)} for c in CASES}
            for rep in range(s.reps):
                for i, case in enumerate(CASES):
                    seed = 1000 * rep + i
                    kinds = [k for k in KINDS if case.rounds == 1 or k == "simulation"]
                    runs: list[str] = [*kinds, *SERVERS]
                    if (rep + i) % 2:  # the servers first every other time: drift cancels
                        runs = [*SERVERS[::-1], *kinds]
                    for kind in runs:
                        if kind in SERVERS:
                            measured = await self.window(servers[kind], bots[kind], case, seed)
                        else:
                            measured = await self.inproc(worker, kind, case, seed)
                        data[case.label][kind].append(measured)
                    row = data[case.label]
                    note(
                        f"rep {rep + 1}/{s.reps} {case.label}: "
                        + ", ".join(f"{k} {rate(row[k][-1]):,.0f}/s" for k in runs)
                        + f"; server CPU {cpu_ms(row['server'][-1]):.2f} ms/game "
                        f"(unrecorded {cpu_ms(row['norec'][-1]):.2f})"
                    )
            return data

        return await with_children(children, body)


def rate(m: dict[str, float]) -> float:
    return m["games_per_s"] if "games_per_s" in m else m["games"] / m["seconds"]


def cpu_ms(m: dict[str, float]) -> float:
    return m["server_cpu"] / m["games"] * 1e3


def per_ply_us(m: dict[str, float]) -> float:
    """CPU time per ply in the child process: steadier than wall time on a shared machine."""
    return m["cpu"] / m["plies"] * 1e6


# --- the report ----------------------------------------------------------------------------------


def report(sizes: Sizes, data: dict[str, Any], machine: dict[str, Any]) -> str:
    cases = data["cases"]

    def rates(label: str, kind: str) -> list[float]:
        return [rate(m) for m in cases[label][kind]]

    lines = [
        f"Ringside OpenSpiel bench, {machine['date']}, {machine['cores']} cores, CPython "
        f"{machine['python']}, pyspiel {machine['pyspiel']}; load average before "
        f"{machine['load_before']}, after {machine['load_after']}; took {data['seconds']:.0f} s",
        f"Complete games/s of uniform random play; servers: {sizes.pairs} pairs of instant "
        f"random TCP bots, matches by POST /api/matches; {sizes.reps} repetitions interleaved, "
        "median (min–max)",
        "",
        f"{'game':<34} {'plies':>5} {'raw pyspiel':>22} {'adapter':>20} {'Simulation':>20} "
        f"{'server':>14} {'unrecorded':>14} {'srv/raw':>8} {'srv/sim':>8}",
    ]
    for case in CASES:
        row = cases[case.label]
        raw = rates(Case(case.game).label, "raw")  # kuhn ×20 shares kuhn's raw rate
        sim, server = rates(case.label, "simulation"), rates(case.label, "server")
        plies = median([m["plies"] / m["games"] for m in row["server"]])
        lines.append(
            f"{case.label:<34} {plies:>5.1f} "
            + (f"{spread(raw):>22} " if case.rounds == 1 else f"{'(as above)':>22} ")
            + (f"{spread(rates(case.label, 'adapter')):>20} " if row["adapter"] else f"{'':>21}")
            + f"{spread(sim):>20} {spread(server):>14} {spread(rates(case.label, 'norec')):>14} "
            f"{median(server) / median(raw):>8.4f} {median(server) / median(sim):>8.3f}"
        )
    lines += [
        "",
        "CPU time per ply in one process (each game's start and end shared over its plies), µs:",
        f"{'game':<34} {'raw':>7} {'adapter':>8} {'+referee':>9} {'adapter−raw':>12} "
        f"{'referee':>8}",
    ]
    for case in CASES:
        if case.rounds == 1:
            raw, ada, sim = (median([per_ply_us(m) for m in cases[case.label][k]]) for k in KINDS)
            lines.append(
                f"{case.label:<34} {raw:>7.1f} {ada:>8.1f} {sim:>9.1f} {ada - raw:>12.1f} "
                f"{sim - ada:>8.1f}"
            )
    lines += [
        "",
        "CPU time per game, ms: Simulation (one process); the servers' (/proc, user+system, "
        "over each window and its drain) and the store's share; the load process's",
        f"{'game':<34} {'Simulation':>10} {'server':>20} {'unrecorded':>20} {'store':>6} "
        f"{'server µs/ply':>14} {'load':>6}",
    ]
    for case in CASES:
        row = cases[case.label]
        sim = median([m["cpu"] / m["games"] * 1e3 for m in row["simulation"]])
        rec = [cpu_ms(m) for m in row["server"]]
        norec = [cpu_ms(m) for m in row["norec"]]
        per_ply = median([m["server_cpu"] / m["plies"] * 1e6 for m in row["server"]])
        load = median([m["load_cpu"] / m["games"] * 1e3 for m in row["server"]])
        lines.append(
            f"{case.label:<34} {sim:>10.2f} {spread(rec, '{:.2f}'):>20} "
            f"{spread(norec, '{:.2f}'):>20} {1 - median(norec) / median(rec):>6.0%} "
            f"{per_ply:>14.0f} {load:>6.2f}"
        )
    return "\n".join(lines)


async def main(args: argparse.Namespace) -> int:
    import aiohttp
    import pyspiel

    sizes = QUICK if args.quick else FULL
    raise_fd_limit()
    load_before = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    started = time.perf_counter()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256)) as http:
        cases = await Bench(sizes, http).run()
    data = {"cases": cases, "seconds": time.perf_counter() - started}
    now = datetime.now(UTC)
    machine = {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "pyspiel": getattr(pyspiel, "__version__", "?"),
        "platform": platform.platform(),
        "date": now.isoformat(timespec="seconds"),
        "load_before": load_before,
        "load_after": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
    }
    text = report(sizes, data, machine)
    print(text)
    if not args.no_write:
        document = {"machine": machine, "sizes": asdict(sizes), **data}
        write_figures("spiel", now.date().isoformat(), args.quick, text, document)
    return 0


def cli() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.spiel", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, under a minute")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child()
        return
    raise SystemExit(asyncio.run(main(args)))


if __name__ == "__main__":
    cli()
