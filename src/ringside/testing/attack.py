"""The attack suite (``make attack``, ``bench/attack.py``): a real server on loopback,
attacked case by case.

Each case is an ``Attack``: a name and a coroutine that attacks the running
server and says what the server answered (a sentence). While it runs, a
probe asks ``GET /api/games`` every 20 ms and samples the server's RSS and
open file descriptors; once it is over and its sockets are gone, the RSS is
read again. The table printed at the end has one row per case: attack,
answer, peak RSS / fds, the API's latency during it (p50 / p99 / worst) and
the memory after. A case that finds the server wanting raises ``Failed``;
the row says so and the exit status is 1.

More cases: append an ``Attack`` to ``CASES`` (or call ``register``) from any
module imported before ``main`` runs. Everything stays on loopback and is
bounded in time and count (about five minutes with the defaults).

The fast subset of these cases runs as tests (``tests/server/test_attack_*.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import random
import re
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from ringside.testing.wire import ServerProcess, WireBot, polite_first_legal, start_bot

ADMIN = "attack-admin-token"
ATTACKER = "127.0.0.2"
"""The attacker's address: another loopback address, so that per-address caps tell it
from the legitimate clients on 127.0.0.1."""


class Failed(Exception):
    """The server did not hold: the sentence says how."""


@dataclass
class Target:
    """The server under attack and what the cases share."""

    server: ServerProcess
    tokens: dict[str, str]
    http: aiohttp.ClientSession
    options: argparse.Namespace
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        assert self.server.process is not None
        return self.server.process.pid

    def rss(self) -> float:
        """The server's resident memory, MiB."""
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def fds(self) -> int:
        return len(os.listdir(f"/proc/{self.pid}/fd"))


@dataclass
class Attack:
    name: str
    run: Callable[[Target], Awaitable[str]]
    fuzz: bool = False
    """Runs against a server of its own with the error limits raised (it tests parsing)."""
    prepare: Callable[[Target], Awaitable[object]] | None = None
    """Set-up that is not the attack (a match to watch): done before anything is measured."""


CASES: list[Attack] = []


def register(
    name: str, *, fuzz: bool = False, prepare: Callable[[Target], Awaitable[object]] | None = None
) -> Callable[..., Any]:
    def add(run: Callable[[Target], Awaitable[str]]) -> Callable[[Target], Awaitable[str]]:
        CASES.append(Attack(name, run, fuzz, prepare))
        return run

    return add


@dataclass
class Row:
    attack: str
    answer: str
    ok: bool
    rss_before: float
    rss_peak: float
    fds_peak: int
    latencies: list[float]
    rss_after: float
    seconds: float

    def cells(self) -> list[str]:
        lat = sorted(self.latencies) or [0.0]
        p50 = lat[len(lat) // 2] * 1000
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
        return [
            self.attack,
            ("" if self.ok else "FAILED: ") + self.answer,
            f"{self.rss_before:.0f} → {self.rss_peak:.0f} MiB / {self.fds_peak}",
            f"{p50:.1f} / {p99:.1f} / {lat[-1] * 1000:.0f} ms ({len(self.latencies)})",
            f"{self.rss_after:.0f} MiB",
            f"{self.seconds:.0f} s",
        ]

    def p99(self) -> float:
        lat = sorted(self.latencies) or [0.0]
        return lat[min(len(lat) - 1, int(len(lat) * 0.99))]


# --- measuring ------------------------------------------------------------------------


async def probe(target: Target, stop: asyncio.Event, row: Row) -> None:
    """GET /api/games every 20 ms, and the server's RSS and fds, until ``stop``."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                async with http.get(f"{target.server.http}/api/games") as response:
                    await response.read()
                    if response.status != 200:
                        raise Failed(f"GET /api/games answered {response.status}")
                row.latencies.append(time.perf_counter() - started)
            except aiohttp.ClientError as exc:
                raise Failed(f"GET /api/games failed: {exc}") from exc
            row.rss_peak = max(row.rss_peak, target.rss())
            row.fds_peak = max(row.fds_peak, target.fds())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.02)


async def settle(target: Target, fds: int, timeout: float = 15.0) -> None:
    """Wait until the server's descriptors are back near ``fds`` (its clients are gone)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and target.fds() > fds + 8:
        await asyncio.sleep(0.2)


async def run_case(target: Target, attack: Attack) -> Row:
    if attack.prepare is not None:
        await attack.prepare(target)
    fds_before = target.fds()
    row = Row(attack.name, "", True, target.rss(), target.rss(), fds_before, [], 0.0, 0.0)
    stop = asyncio.Event()
    prober = asyncio.create_task(probe(target, stop, row))
    started = time.monotonic()
    try:
        row.answer = await asyncio.wait_for(attack.run(target), target.options.case_timeout)
    except Failed as exc:
        row.ok, row.answer = False, str(exc)
    except TimeoutError:
        row.ok, row.answer = False, f"did not end within {target.options.case_timeout:g} s"
    finally:
        row.seconds = time.monotonic() - started
        stop.set()
        try:
            await prober
        except Failed as exc:
            row.ok, row.answer = False, f"{row.answer}; {exc}"
    await settle(target, fds_before)
    # The server gives freed memory back every 5 s once enough sockets closed.
    deadline = time.monotonic() + 7.0
    while target.rss() > 1.1 * row.rss_before and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
    row.rss_after = target.rss()
    return row


# --- helpers of the cases ---------------------------------------------------------------


def raise_own_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def open_tcp(target: Target, local: str = ATTACKER) -> tuple[Any, Any]:
    return await asyncio.open_connection(
        target.server.host, target.server.tcp_port, local_addr=(local, 0)
    )


def upgrade_request(target: Target, path: str) -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    return (
        f"GET {path} HTTP/1.1\r\nHost: {target.server.host}:{target.server.port}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    ).encode()


def ws_frame(payload: bytes, opcode: int = 0x1) -> bytes:
    """A masked client frame (RFC 6455 §5.2)."""
    mask = os.urandom(4)
    size = len(payload)
    if size < 126:
        header = bytes((0x80 | opcode, 0x80 | size))
    elif size < 65536:
        header = bytes((0x80 | opcode, 0x80 | 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((0x80 | opcode, 0x80 | 127)) + size.to_bytes(8, "big")
    keys = (mask * (size // 4 + 1))[:size]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(keys, "big")).to_bytes(size, "big")
    return header + mask + masked


async def open_ws(
    target: Target, path: str, local: str = ATTACKER, rcvbuf: int | None = None
) -> tuple[Any, Any]:
    """A raw WebSocket: the upgrade sent and its answer read, nothing else.

    ``rcvbuf``: a small receive buffer, as a reader far away has (on loopback the
    kernel's buffers take megabytes before anything waits in the server)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.bind((local, 0))
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, (target.server.host, target.server.port))
    reader, writer = await asyncio.open_connection(sock=sock)
    writer.write(upgrade_request(target, path))
    head = await reader.readuntil(b"\r\n\r\n")
    status = head.split(b"\r\n", 1)[0]
    if b" 101 " not in status:
        length = re.search(rb"(?i)content-length: *(\d+)", head)
        body = await reader.readexactly(int(length.group(1))) if length else b""
        writer.transport.abort()
        raise UpgradeRefused(f"the upgrade of {path} was answered {status!r}: {body!r}", body)
    return reader, writer


class UpgradeRefused(Failed):
    """A WebSocket upgrade answered without 101 (429 ``too_many_connections``...)."""

    def __init__(self, text: str, body: bytes) -> None:
        super().__init__(text)
        self.body = body


async def closed_within(reader: asyncio.StreamReader, seconds: float) -> float | None:
    """Read (and drop) until the server closes; the seconds it took, None if it did not."""
    started = time.monotonic()
    try:
        async with asyncio.timeout(seconds):
            while await reader.read(65536):
                pass
    except TimeoutError:
        return None
    except (ConnectionError, OSError):
        pass
    return time.monotonic() - started


def close_all(writers: list[Any]) -> None:
    for writer in writers:
        with contextlib.suppress(Exception):
            writer.transport.abort()


async def play_big_match(target: Target) -> str:
    """A finished match with a long snapshot: 4 KB of info on every move, ~36 KB a round
    (160 rounds: ~6 MB, more than loopback's kernel buffers hide)."""
    if "big_match" in target.notes:
        return str(target.notes["big_match"])
    info = "x" * 3900

    async def verbose(bot: WireBot, message: dict[str, Any]) -> None:
        if message.get("type") == "request":
            action = message["legal_actions"][0]
            await bot.send(
                {
                    "type": "action",
                    "match": message["match"],
                    "id": message["id"],
                    "action": action,
                    "info": info,
                }
            )
        else:
            await polite_first_legal(bot, message)

    bots = [
        WireBot(n, target.server.tcp_bot, target.tokens[n], behave=verbose)
        for n in ("alice", "bob")
    ]
    tasks = [await start_bot(b) for b in bots]
    body = {"game": "tictactoe", "bots": ["alice", "bob"], "rounds": target.options.big_rounds}
    headers = {"Authorization": f"Bearer {ADMIN}"}
    async with target.http.post(
        f"{target.server.http}/api/matches", json=body, headers=headers
    ) as response:
        created = await response.json()
        if response.status != 201:
            raise Failed(f"could not start the big match: {created}")
    async with asyncio.timeout(180):
        await asyncio.gather(*(b.result_seen.wait() for b in bots))
    for bot in bots:
        await bot.close()
    for task in tasks:
        task.cancel()
    target.notes["big_match"] = created["id"]
    return str(created["id"])


# --- the cases ------------------------------------------------------------------------


@register("baseline: no attack, 3 s")
async def baseline(target: Target) -> str:
    await asyncio.sleep(3.0)  # the probe measures the API of a quiet server meanwhile
    return "the API's latency on a quiet server, for comparison"


@register(
    "spectator amplification: 500 watch of a 6 MB snapshot, never reading",
    prepare=lambda target: play_big_match(target),
)
async def spectator_amplification(target: Target) -> str:
    match = await play_big_match(target)  # played already (``prepare``)
    idle = target.rss()
    reader, writer = await open_ws(target, "/ws/watch", rcvbuf=4096)
    command = ws_frame(json.dumps({"type": "watch", "match": match}).encode())
    sent = 0
    try:
        for _ in range(500):
            writer.write(command)
            sent += 1
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    writer.transport.pause_reading()
    await asyncio.sleep(1.0)  # what the server queues for a spectator that reads nothing
    peak = target.rss()
    writer.transport.resume_reading()
    data = b""
    took = None
    with contextlib.suppress(TimeoutError, ConnectionError, OSError):
        async with asyncio.timeout(20):
            started = time.monotonic()
            while chunk := await reader.read(1 << 20):
                data += chunk
            took = time.monotonic() - started
    close_all([writer])
    codes = sorted(set(re.findall(rb'"code":"([a-z_]+)"', data)))
    snapshots = data.count(b'"type":"snapshot"')
    if took is None:
        raise Failed("the spectator was not closed")
    if peak > 2 * idle:
        raise Failed(f"RSS went from {idle:.0f} to {peak:.0f} MiB")
    shown = ", ".join(c.decode() for c in codes) or "a close"
    return f"{sent} watch sent; {snapshots} snapshot(s) sent; closed with {shown}"


@register(
    "200 spectators of the big match from one address, none reading",
    prepare=lambda target: play_big_match(target),
)
async def many_spectators(target: Target) -> str:
    match = await play_big_match(target)
    idle = target.rss()
    count = target.options.spectators
    writers: list[Any] = []
    readers: list[Any] = []
    try:
        for _ in range(count):
            reader, writer = await open_ws(target, f"/ws/watch?match={match}")
            writer.transport.pause_reading()
            readers.append(reader)
            writers.append(writer)
        await asyncio.sleep(2.0)  # the snapshots queue towards them meanwhile
        peak = target.rss()
    finally:
        close_all(writers)
    if peak > 2 * idle:
        raise Failed(f"RSS went from {idle:.0f} to {peak:.0f} MiB")
    return f"{count} held, none reading; RSS {idle:.0f} → {peak:.0f} MiB"


@register("100 non-reading flooders (60,000 lines each before hello), again for 10 s")
async def flooders(target: Target) -> str:
    """Each flooder sends its lines without reading a reply; when the server closes it,
    it comes back and floods again, until ``--flood-seconds`` are over."""
    count = target.options.flooders
    line = b'{"type":"pong","id":1}\n'
    lines = target.options.flood_lines
    deadline = time.monotonic() + target.options.flood_seconds
    rounds: list[int] = []
    held: list[int] = []

    async def flood() -> None:
        while time.monotonic() < deadline:
            reader, writer = await open_tcp(target)
            writer.transport.pause_reading()  # never reads
            try:
                for _ in range(lines // 1000):
                    writer.write(line * 1000)
                    await writer.drain()
            except (ConnectionError, OSError):
                pass
            writer.transport.resume_reading()
            took = await closed_within(reader, 30)
            close_all([writer])
            if took is None:
                held.append(1)
                return
            rounds.append(1)

    await asyncio.gather(*(flood() for _ in range(count)))
    if held:
        raise Failed(f"{len(held)} flooders were still connected 30 s after their flood")
    return (
        f"{len(rounds)} floods by {count} flooders in {target.options.flood_seconds:g} s, "
        "each closed (protocol_error after the error burst, or too_many_connections)"
    )


@register("5,000 idle pre-hello connections from one address")
async def idle_prehello(target: Target) -> str:
    raise_own_file_limit()
    count = target.options.idle
    writers: list[Any] = []
    readers: list[Any] = []
    refused = told = 0
    try:
        for n in range(count):
            try:
                if n % 2:
                    reader, writer = await open_tcp(target)
                else:
                    reader, writer = await open_ws(target, "/ws/bot")
            except UpgradeRefused as exc:
                refused += 1
                told += b"too_many_connections" in exc.body
                continue
            except (ConnectionError, OSError, asyncio.IncompleteReadError):
                refused += 1
                continue
            readers.append(reader)
            writers.append(writer)
        # While the attacker holds its cap: the API answers and a registered bot plays.
        bot = WireBot("carol", target.server.ws_bot, target.tokens["carol"])
        task = await start_bot(bot)
        tcp_bot = WireBot("dave", target.server.tcp_bot, target.tokens["dave"])
        tcp_task = await start_bot(tcp_bot)
        async with target.http.get(f"{target.server.http}/api/bots") as response:
            if response.status != 200:
                raise Failed(f"GET /api/bots answered {response.status} during the attack")
        await bot.close()
        await tcp_bot.close()
        task.cancel()
        tcp_task.cancel()
        tcp_told = 0
        for reader in readers[:200]:  # the refused ones were told why
            with contextlib.suppress(Exception):
                async with asyncio.timeout(0.5):
                    if b"too_many_connections" in await reader.read(4096):
                        tcp_told += 1
    finally:
        close_all(writers)
    if told == 0:
        raise Failed(f"no WebSocket of {count // 2} was refused with too_many_connections")
    return (
        f"{count} opened: {told} WebSocket upgrades refused (429 too_many_connections); "
        f"of the first 200 other connections, {tcp_told} read too_many_connections (TCP) "
        "and the rest held the cap; "
        "bots carol (ws) and dave (tcp) were welcomed meanwhile"
    )


@register("pre-hello deadline: pong lines on TCP, silence and a trickled frame on WebSocket")
async def prehello_deadline(target: Target) -> str:
    limit = target.options.hello_timeout + 10
    results: dict[str, float | None] = {}

    async def pongs() -> None:
        reader, writer = await open_tcp(target)

        async def keep_ponging() -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while True:
                    writer.write(b'{"type":"pong","id":1}\n')
                    await writer.drain()
                    await asyncio.sleep(1)

        task = asyncio.create_task(keep_ponging())
        results["tcp, pong lines"] = await closed_within(reader, limit)
        task.cancel()
        close_all([writer])

    async def silent_ws() -> None:
        reader, writer = await open_ws(target, "/ws/bot")
        results["ws, silent"] = await closed_within(reader, limit)
        close_all([writer])

    async def trickled_ws() -> None:
        reader, writer = await open_ws(target, "/ws/bot")
        frame = ws_frame(b'{"type":"hello","name":"slow","protocol":1}')

        async def trickle() -> None:
            with contextlib.suppress(ConnectionError, OSError):
                for byte in frame[:-1]:
                    writer.write(bytes((byte,)))
                    await writer.drain()
                    await asyncio.sleep(1)

        task = asyncio.create_task(trickle())
        results["ws, trickled frame"] = await closed_within(reader, limit)
        task.cancel()
        close_all([writer])

    async def silent_tcp() -> None:
        reader, writer = await open_tcp(target)
        results["tcp, silent"] = await closed_within(reader, limit)
        close_all([writer])

    await asyncio.gather(pongs(), silent_ws(), trickled_ws(), silent_tcp())
    late = [k for k, v in results.items() if v is None]
    if late:
        raise Failed(f"not closed within {limit:g} s: {', '.join(late)}")
    return "; ".join(f"{k} closed after {v:.1f} s" for k, v in results.items())


@register("HTTP slowloris: 200 connections, a header byte every 2 s")
async def slowloris(target: Target) -> str:
    limit = target.options.header_timeout + 10
    request = f"GET /api/games HTTP/1.1\r\nHost: {target.server.host}\r\nX-A: ".encode()

    async def one() -> float | None:
        reader, writer = await asyncio.open_connection(
            target.server.host, target.server.port, local_addr=(ATTACKER, 0)
        )

        async def trickle() -> None:
            with contextlib.suppress(ConnectionError, OSError):
                for byte in request + b"a" * 1000:
                    writer.write(bytes((byte,)))
                    await writer.drain()
                    await asyncio.sleep(2)

        task = asyncio.create_task(trickle())
        took = await closed_within(reader, limit)
        task.cancel()
        close_all([writer])
        return took

    took = await asyncio.gather(*(one() for _ in range(target.options.slowloris)))
    if any(t is None for t in took):
        raise Failed(f"{took.count(None)} slow connections held past {limit:g} s")
    return f"{len(took)} closed after at most {max(t or 0 for t in took):.1f} s"


@register("nested JSON bodies (depth 400,000) and protocol messages (depth 5,000)")
async def nested(target: Target) -> str:
    deep = "[" * 400_000 + "]" * 400_000
    headers = {"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/json"}
    answers = []
    bodies = {
        "/api/matches": '{"game":"tictactoe","bots":["alice","bob"],"options":{"a":%s}}',
        "/api/tournaments": '{"name":"t","game":"tictactoe","bots":["alice","bob"],'
        '"format":"round_robin","options":{"a":%s}}',
    }
    for path, body in bodies.items():
        async with target.http.post(
            f"{target.server.http}{path}", data=(body % deep).encode(), headers=headers
        ) as response:
            got = await response.json(content_type=None)
            if response.status != 422 or response.content_type != "application/json":
                raise Failed(f"{path} answered {response.status} {response.content_type}")
            answers.append(f"{path} {response.status} {got['error']['code']}")
    reader, writer = await open_tcp(target, "127.0.0.1")
    writer.write(b'{"type":"hello","name":' + b"[" * 5000 + b"]" * 5000 + b"}\n")
    await writer.drain()
    async with asyncio.timeout(10):
        reply = json.loads(await reader.readline())
    close_all([writer])
    answers.append(f"tcp hello: {reply.get('code')}")
    return "; ".join(answers)


# --- the fuzzer -----------------------------------------------------------------------


def message_pool(size: int) -> list[bytes]:
    """``size`` messages from Hypothesis: shaped like the protocol's (every type, right and
    wrong fields, any JSON as an action or an info), any JSON value, any bytes."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    json_values = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=8,
    )
    types = st.sampled_from(
        ["hello", "ready", "action", "ok", "pong", "concede", "watch", "welcome", "x", ""]
    )
    shaped = st.fixed_dictionaries(
        {"type": types},
        optional={
            "match": st.text(max_size=12),
            "id": st.integers(),
            "action": json_values,
            "name": st.text(max_size=70),
            "protocol": st.integers(0, 2),
            "info": json_values,
            "max_matches": st.integers(),
            "games": st.lists(st.text(max_size=12), max_size=3) | st.none(),
        },
    ).map(lambda d: json.dumps(d).encode())
    garbage = st.binary(max_size=200)
    message = st.one_of(shaped, shaped, garbage, json_values.map(lambda v: json.dumps(v).encode()))
    pool: list[bytes] = []

    @settings(
        max_examples=size,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(message)
    def collect(data: bytes) -> None:
        pool.append(data)

    collect()
    return pool


def mutated(pool: list[bytes], rng: random.Random) -> bytes:
    """One message: a pool's message as it is or mutated (cut, bytes flipped, two spliced,
    nested deep, a field's value swapped for another message). Hypothesis is slow on a
    loaded machine (about 100 messages a second); this makes a hundred thousand cheap."""
    data = rng.choice(pool)
    kind = rng.randrange(8)
    if kind == 0 and data:
        return data[: rng.randrange(len(data))]
    if kind == 1 and data:
        flipped = bytearray(data)
        for _ in range(rng.randrange(1, 4)):
            flipped[rng.randrange(len(flipped))] = rng.randrange(256)
        return bytes(flipped)
    if kind == 2:
        other = rng.choice(pool)
        return data[: rng.randrange(len(data) + 1)] + other[rng.randrange(len(other) + 1) :]
    if kind == 3:
        depth = rng.choice((2, 63, 64, 65, 200, 5000))
        return (
            b'{"type":"action","match":"m","id":1,"action":'
            + b"[" * depth
            + data[:50].replace(b"[", b"").replace(b"]", b"")
            + b"]" * depth
            + b"}"
        )
    if kind == 4 and data.startswith(b"{"):
        with contextlib.suppress(ValueError):
            value = json.loads(data)
            if isinstance(value, dict) and value:
                key = rng.choice(sorted(value))
                with contextlib.suppress(ValueError):
                    value[key] = json.loads(rng.choice(pool))
                return json.dumps(value).encode()
    return data


def ws_message(data: bytes) -> bytes:
    """Text when it is UTF-8 (else aiohttp closes: RFC 6455 §8.1), binary otherwise; the
    server reads both as a message."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return ws_frame(data, 0x2)
    return ws_frame(data)


END = b"fuzz-end-marker"
"""A match no bot plays: its ``unexpected_message`` comes after every earlier answer."""


def fuzz_transport(
    target: Target, transport: str, messages: int, pool: list[bytes]
) -> tuple[int, int, int]:
    """Send ``messages`` messages made from ``pool``; (sent, answers read, connections)."""
    host = target.server.host
    rng = random.Random(f"{transport}-{messages}")
    state: dict[str, Any] = {"read": 0, "connections": 0}
    lock = threading.Lock()

    ended = threading.Event()
    gone: set[socket.socket] = set()
    """Connections the server closed (a fatal error, a WebSocket protocol violation)."""

    def drain(sock: socket.socket) -> None:
        tail = b""
        with contextlib.suppress(OSError):
            while chunk := sock.recv(1 << 16):
                with lock:
                    state["read"] += chunk.count(b"\n") if transport == "tcp" else 1
                if END in tail + chunk:
                    ended.set()
                tail = chunk[-64:]
        gone.add(sock)
        ended.set()

    def connect() -> socket.socket:
        port = target.server.tcp_port if transport == "tcp" else target.server.port
        sock = socket.create_connection((host, port))
        name = f"fuzz-{transport}-{state['connections']}"
        hello = json.dumps({"type": "hello", "name": name, "protocol": 1}).encode()
        if transport == "ws":
            sock.sendall(upgrade_request(target, "/ws/bot"))
            head = b""
            while b"\r\n\r\n" not in head:
                head += sock.recv(1)
            sock.sendall(ws_frame(hello))
        else:
            sock.sendall(hello + b"\n")
        state["connections"] += 1
        threading.Thread(target=drain, args=(sock,), daemon=True).start()
        return sock

    sock: socket.socket | None = None
    sent = 0
    while sent < messages:
        data = mutated(pool, rng)
        frame = ws_message(data) if transport == "ws" else data.replace(b"\n", b" ") + b"\n"
        for _ in range(3):
            if sock is not None and sock in gone:
                sock.close()
                sock = None
            if sock is None:
                ended.clear()
                sock = connect()
            try:
                sock.sendall(frame)
                break
            except OSError:  # closed after a fatal error (too_large, a bad hello): again
                with contextlib.suppress(OSError):
                    sock.close()
                sock = None
        sent += 1
    if sock is not None:  # every message answered before the last: then it closes
        marker = json.dumps({"type": "action", "match": END.decode(), "id": 1, "action": 0})
        with contextlib.suppress(OSError):
            sock.sendall(
                ws_frame(marker.encode()) if transport == "ws" else marker.encode() + b"\n"
            )
            ended.wait(60)
        sock.close()
    return sent, state["read"], state["connections"]


@register("Hypothesis protocol fuzzer, both transports", fuzz=True)
async def fuzzer(target: Target) -> str:
    loop = asyncio.get_running_loop()
    results = []
    pool = await loop.run_in_executor(None, message_pool, target.options.fuzz_pool)
    for transport in ("tcp", "ws"):
        sent, read, connections = await loop.run_in_executor(
            None, fuzz_transport, target, transport, target.options.fuzz, pool
        )
        results.append(
            f"{transport}: {sent} sent, {read} {'answers' if transport == 'tcp' else 'reads'}, "
            f"{connections} connections"
        )
    if target.server.process is None or target.server.process.poll() is not None:
        raise Failed("the server died")
    log = (target.server.data_dir / "server.log").read_text()
    tracebacks = log.count("Traceback")
    if tracebacks:
        raise Failed(f"{tracebacks} tracebacks in the server's log; " + "; ".join(results))
    return "; ".join(results) + "; no traceback in the log"


# --- running -------------------------------------------------------------------------


def add_bot(data_dir: Path, name: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "ringside", "bots", "add", name, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.search(r"token \(shown only now\): (\S+)", out)
    if found is None:
        raise RuntimeError(f"no token in {out!r}")
    return found.group(1)


def server_env(options: argparse.Namespace, fuzz: bool) -> dict[str, str]:
    env = {
        "RINGSIDE_HELLO_TIMEOUT": str(options.hello_timeout),
        "RINGSIDE_HTTP_HEADER_TIMEOUT": str(options.header_timeout),
    }
    if fuzz:  # parsing, not limits: every message is answered, no connection closed early
        env |= {"RINGSIDE_ERROR_BURST": "10000000", "RINGSIDE_ERROR_RATE": "10000000"}
    return env


def start_server(
    data_dir: Path,
    options: argparse.Namespace,
    *,
    fuzz: bool = False,
    env: dict[str, str] | None = None,
    args: list[str] | None = None,
) -> tuple[ServerProcess, dict[str, str]]:
    """A server for the cases and the tokens of its registered bots (none for the fuzzer,
    whose server is ``--open``: it tests parsing, not tokens)."""
    tokens = {} if fuzz else {n: add_bot(data_dir, n) for n in ("alice", "bob", "carol", "dave")}
    argv = ["--open"] if fuzz else ["--admin-token", ADMIN]
    server = ServerProcess(
        data_dir, args=argv + (args or []), env=server_env(options, fuzz) | (env or {})
    )
    return server.start(), tokens


async def attack(
    options: argparse.Namespace,
    names: list[str] | None = None,
    report: Callable[[Row], None] | None = None,
) -> list[Row]:
    """Run the cases (all, or those whose name starts with one of ``names``); the rows,
    each also given to ``report`` as soon as its case is over."""
    chosen = [c for c in CASES if not names or any(c.name.startswith(n) for n in names)]
    rows: list[Row] = []
    for fuzz in (False, True):
        cases = [c for c in chosen if c.fuzz == fuzz]
        if not cases:
            continue
        with tempfile.TemporaryDirectory(prefix="ringside-attack-") as tmp:
            server, tokens = start_server(Path(tmp), options, fuzz=fuzz)
            try:
                async with aiohttp.ClientSession() as http:
                    target = Target(server, tokens, http, options)
                    await asyncio.sleep(1.0)  # the start-up's own allocations settle
                    for case in cases:
                        row = await run_case(target, case)
                        rows.append(row)
                        if report is not None:
                            report(row)
            finally:
                server.stop()
    return rows


def options(argv: list[str] | None = None) -> argparse.Namespace:
    """The knobs of the suite (``python -m bench.attack --help``); the defaults are issue 22's."""
    parser = argparse.ArgumentParser(description="Attack a real Ringside server on loopback")
    parser.add_argument("--only", nargs="*", help="cases whose name starts with these")
    parser.add_argument("--fuzz", type=int, default=100_000, help="fuzzer messages per transport")
    parser.add_argument(
        "--fuzz-pool", type=int, default=1_000, help="messages Hypothesis makes for the fuzzer"
    )
    parser.add_argument("--flooders", type=int, default=100)
    parser.add_argument("--spectators", type=int, default=200)
    parser.add_argument("--big-rounds", type=int, default=160, help="rounds of the big match")
    parser.add_argument("--flood-lines", type=int, default=60_000)
    parser.add_argument("--flood-seconds", type=float, default=10.0)
    parser.add_argument("--idle", type=int, default=5_000)
    parser.add_argument("--slowloris", type=int, default=200)
    parser.add_argument("--hello-timeout", type=float, default=10.0)
    parser.add_argument("--header-timeout", type=float, default=15.0)
    parser.add_argument("--case-timeout", type=float, default=240.0)
    return parser.parse_args(argv)
