"""What every bench process shares: child processes, the server, statistics, limits.

Children are ``python -m bench.<module>`` processes that speak to the runner
in lines on stdin/stdout: they print ``READY {json}`` once set up and
``RESULT {json}`` for each measurement, and read commands (``go``, ``stop``)
from stdin. Everything listens on 127.0.0.1, port 0, and every wait has a
time limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import resource
import shutil
import signal
import sys
import tempfile
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, TypeVar

from ringside.testing.wire import READY_LINE

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
LOGS = ROOT / "bench" / "results" / "logs"
T = TypeVar("T")


# --- cores -----------------------------------------------------------------------


def _cores() -> tuple[set[int] | None, set[int] | None]:
    """The server's core and the load's core, or (None, None) with fewer than two cores.

    Every server (Ringside and the echo server of figure 1) runs on the first
    core this process may use, every load process and the runner itself on the
    second. Left to the kernel, a client and its server sometimes share a core
    (a round trip is then two in-core wake-ups) and sometimes not (two
    inter-processor wake-ups), which moved the one-connection echo by 2-4x
    between repetitions; pinned, the reference and the measured path take the
    same wake-ups every time (see bench/README.md).
    """
    if os.environ.get("RINGSIDE_BENCH_NO_PIN") == "1" or not hasattr(os, "sched_getaffinity"):
        return None, None
    usable = sorted(os.sched_getaffinity(0))
    if len(usable) < 2:
        return None, None
    return {usable[0]}, {usable[1]}


SERVER_CORES, LOAD_CORES = _cores()


_pinning = False


def pin_self() -> None:
    """Pin this process (the runner) to the load's core, and from now on every server
    started to the server's core and every other child to the load's (``bench.run``; the
    cluster and OpenSpiel benches leave placement to the kernel)."""
    global _pinning
    if LOAD_CORES is not None:
        os.sched_setaffinity(0, LOAD_CORES)
        _pinning = True


def _pinned(cores: set[int] | None) -> Callable[[], None] | None:
    """A ``preexec_fn`` pinning the child before it runs a line of Python."""
    if cores is None or not _pinning:
        return None
    return lambda: os.sched_setaffinity(0, cores)


def raise_fd_limit() -> int:
    """Raise this process's open-file limit to the hard limit; children inherit it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 1 << 20
    if soft == resource.RLIM_INFINITY or soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def run(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run on uvloop, like the server does."""
    import uvloop

    raise_fd_limit()
    return uvloop.run(main())


def emit(kind: str, payload: Any) -> None:
    """One line to the runner: ``READY {...}`` or ``RESULT {...}``."""
    sys.stdout.write(f"{kind} {json.dumps(payload, separators=(',', ':'))}\n")
    sys.stdout.flush()


async def commands() -> asyncio.Queue[str]:
    """Lines from stdin as a queue; EOF arrives as ``stop``."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str] = asyncio.Queue()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    async def pump() -> None:
        while True:
            line = await reader.readline()
            if not line:
                queue.put_nowait("stop")
                return
            queue.put_nowait(line.decode().strip())

    _background.add(loop.create_task(pump()))
    return queue


_background: set[asyncio.Task[None]] = set()
"""Tasks that live as long as the process (kept from the garbage collector)."""


# --- child processes -----------------------------------------------------------


class Child:
    """A bench child process (or the server) with line-based stdout."""

    def __init__(self, name: str, process: asyncio.subprocess.Process) -> None:
        self.name = name
        self.process = process

    @property
    def pid(self) -> int:
        return self.process.pid

    async def line(self, timeout: float) -> str:
        assert self.process.stdout is not None
        try:
            raw = await asyncio.wait_for(self.process.stdout.readline(), timeout)
        except TimeoutError:
            raise RuntimeError(f"{self.name}: no output within {timeout:g} s") from None
        if not raw:
            code = await self.process.wait()
            raise RuntimeError(f"{self.name} exited with code {code}")
        return raw.decode().rstrip("\n")

    async def expect(self, kind: str, timeout: float) -> Any:
        """The payload of the next ``kind`` line (other lines are passed through)."""
        async with asyncio.timeout(timeout):
            while True:
                text = await self.line(timeout)
                head, _, body = text.partition(" ")
                if head == kind:
                    return json.loads(body)
                print(f"  [{self.name}] {text}", file=sys.stderr)

    def send(self, command: str) -> None:
        assert self.process.stdin is not None
        with contextlib.suppress(ConnectionError, RuntimeError):
            self.process.stdin.write(command.encode() + b"\n")

    async def stop(self, timeout: float = 10.0) -> None:
        """``stop`` on stdin, then SIGTERM, then SIGKILL."""
        if self.process.returncode is not None:
            return
        self.send("stop")
        for sig in (None, signal.SIGTERM, signal.SIGKILL):
            if sig is not None and self.process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    self.process.send_signal(sig)
            try:
                await asyncio.wait_for(self.process.wait(), timeout)
                return
            except TimeoutError:
                continue


async def spawn(
    module: str, *args: str, env: dict[str, str] | None = None, server: bool = False
) -> Child:
    """Start ``python -m bench.<module> ARGS``: on the load's core, or the server's one
    with ``server`` (the echo server, figure 7's in-process reference)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        f"bench.{module}",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        limit=1 << 26,
        preexec_fn=_pinned(SERVER_CORES if server else LOAD_CORES),
    )
    return Child(f"{module} {' '.join(args)}"[:60], process)


class Server(Child):
    """A real ``ringside serve --open`` with the bench switch on, in a fresh data dir."""

    data_dir: Path
    port: int
    tcp_port: int

    @property
    def http(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def ws_bot(self) -> str:
        return f"ws://{HOST}:{self.port}/ws/bot"

    @property
    def tcp_bot(self) -> str:
        return f"tcp://{HOST}:{self.tcp_port}"

    def bot_url(self, transport: str) -> str:
        return self.tcp_bot if transport == "tcp" else self.ws_bot

    @property
    def watch(self) -> str:
        return f"ws://{HOST}:{self.port}/ws/watch"

    async def stop(self, timeout: float = 10.0) -> None:
        try:
            if self.process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    self.process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(self.process.wait(), timeout)
                except TimeoutError:
                    with contextlib.suppress(ProcessLookupError):
                        self.process.kill()
                    await self.process.wait()
        finally:
            log = self.data_dir / "server.log"
            if log.exists():  # kept for a look afterwards (git-ignored)
                LOGS.mkdir(parents=True, exist_ok=True)
                shutil.copy(log, LOGS / f"server-{self.pid}.log")
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def log_tail(self, lines: int = 30) -> str:
        path = self.data_dir / "server.log"
        return "\n".join(path.read_text().splitlines()[-lines:]) if path.exists() else ""


ONE_ADDRESS_LOAD: dict[str, str] = {
    "RINGSIDE_BENCH": "1",
    "RINGSIDE_MAX_PREHELLO_PER_ADDRESS": "1000000",
    "RINGSIDE_MAX_SPECTATORS_PER_ADDRESS": "1000000",
}
"""Every bench server's environment: the whole load comes from 127.0.0.1, which the
per-address caps against floods (64 bots before welcome) would otherwise refuse."""

SERVER_ENV: dict[str, str] = {}
"""Added to every server's environment (``bench.run --server-src`` sets PYTHONPATH here)."""


async def start_server(
    *, record: bool = True, extra_env: dict[str, str] | None = None, args: Sequence[str] = ()
) -> Server:
    """``args`` are more options of ``ringside serve`` (``--ladder``)."""
    data_dir = Path(tempfile.mkdtemp(prefix="ringside-bench-"))
    env = {**os.environ, **ONE_ADDRESS_LOAD, **SERVER_ENV, **(extra_env or {})}
    if not record:
        env["RINGSIDE_BENCH_NO_RECORD"] = "1"
    with open(data_dir / "server.log", "ab") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "ringside",
            "serve",
            "--open",
            "--host",
            HOST,
            "--port",
            "0",
            "--tcp-port",
            "0",
            "--data-dir",
            str(data_dir),
            *args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=log,
            env=env,
            preexec_fn=_pinned(SERVER_CORES),
        )
    server = Server("server", process)
    server.data_dir = data_dir
    try:
        while True:
            text = await server.line(60)
            found = READY_LINE.search(text)
            if found:
                server.port, server.tcp_port = int(found.group(2)), int(found.group(3))
                return server
    except BaseException:
        tail = server.log_tail()
        await server.stop(2)
        raise RuntimeError(f"server did not start: {tail}") from None


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used, from /proc."""
    user, system = cpu_split(pid)
    return user + system


def cpu_split(pid: int) -> tuple[float, float]:
    """User and system CPU time a process has used, from /proc: what its own code (the
    interpreter, uvloop, the libraries) costs apart from what the kernel does for it."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def rss_kib(pid: int) -> int:
    """Resident set size of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


async def with_children(children: Sequence[Child], body: Callable[[], Awaitable[T]]) -> T:
    """Run ``body`` and stop every child afterwards, whatever happens."""
    try:
        return await body()
    finally:
        await asyncio.gather(*(c.stop() for c in children), return_exceptions=True)


# --- statistics ---------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile, ``q`` from 0 to 100."""
    if not values:
        return math.nan
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


NOISY = 0.20
"""A figure whose repetitions spread (max - min) over more than this share of their median
is flagged: its median is less to be trusted."""


def spread(values: Sequence[float]) -> float:
    """(max - min) / median of the repetitions; 0 for one value, inf around a zero median."""
    if len(values) < 2:
        return 0.0
    mid = median(values)
    if mid == 0:
        return 0.0 if max(values) == min(values) else math.inf
    return (max(values) - min(values)) / abs(mid)


RESULTS = Path(__file__).resolve().parent / "results"


def write_figures(name: str, day: str, quick: bool, text: str, document: dict[str, Any]) -> None:
    """``bench/results/NAME-DAY[-quick].txt`` (the printed table) and ``.json`` (the figures)."""
    RESULTS.mkdir(exist_ok=True)
    stem = RESULTS / f"{name}-{day}{'-quick' * quick}"
    stem.with_suffix(".txt").write_text(text + "\n")
    stem.with_suffix(".json").write_text(json.dumps(document, indent=1) + "\n")
    print(f"written to {stem}.txt and .json", file=sys.stderr)
