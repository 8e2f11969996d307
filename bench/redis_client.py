"""What a message through Redis costs a client: redis-py's asyncio client against redis_wire.

    python -m bench.redis_client [--round-trips 20000] [--cap 10] [--repetitions 5]

A cluster node relays each move through Redis: PUBLISH on one connection, a
pub/sub message read on another. This measures that path on its own, one
message in flight (publish, wait until the subscriber has it, publish the
next), on uvloop like the server, for:

- **redis-py**: ``redis.asyncio`` (with the hiredis parser) ``await publish``
  on one connection and a ``PubSub`` on another, read with
  ``get_message(timeout=None)``;
- **redis_wire**: ``RedisLink.publish`` (fire and forget) and
  ``RedisSubscription``'s ``on_message`` callback.

For each: round trips per second, the bench process's CPU time per round
trip (``time.process_time`` over the loop: both connections' client work;
also its user-space part alone, the rest being the kernel's), and redis-server's CPU per round trip (from ``/proc``, 10 ms ticks). The
server is a throw-away one from ``ringside.testing.redis``. Repetitions of
the two clients alternate, each on new connections after a warm-up; the table
gives the median and the range. Read the ratio, not the absolute figures
(bench/README.md: this machine's speed moves).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import redis
import redis.asyncio as aioredis
from redis.utils import HIREDIS_AVAILABLE

from bench.common import run
from ringside.server.redis_wire import RedisLink, RedisSubscription
from ringside.testing import redis as test_redis

CHANNEL = b"bench:moves"
PAYLOAD = b'{"type":"action","match":"m-0123456789","id":42,"action":7}' * 2
"""About the size of a relayed move."""
WARM_UP = 500


@dataclass
class Sample:
    round_trips: int
    seconds: float
    cpu: float
    user: float
    server_cpu: float

    @property
    def rate(self) -> float:
        return self.round_trips / self.seconds

    @property
    def cpu_us(self) -> float:
        return self.cpu / self.round_trips * 1e6

    @property
    def user_us(self) -> float:
        return self.user / self.round_trips * 1e6

    @property
    def server_us(self) -> float:
        return self.server_cpu / self.round_trips * 1e6


def server_cpu(pid: int) -> float:
    """redis-server's user + system CPU seconds so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def timed(one: Callable[[], Awaitable[None]], n: int, cap: float, pid: int) -> Sample:
    """Run ``one`` round trip ``n`` times (stopping after ``cap`` seconds), after a warm-up."""
    for _ in range(WARM_UP):
        await one()
    done = 0
    server0 = server_cpu(pid)
    user0 = resource.getrusage(resource.RUSAGE_SELF).ru_utime
    cpu0, wall0 = time.process_time(), time.perf_counter()
    while done < n:
        for _ in range(500):
            await one()
        done += 500
        if time.perf_counter() - wall0 > cap:
            break
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    user = resource.getrusage(resource.RUSAGE_SELF).ru_utime - user0
    return Sample(done, wall, cpu, user, server_cpu(pid) - server0)


async def with_redis_py(url: str, n: int, cap: float, pid: int) -> Sample:
    publisher = aioredis.Redis.from_url(url)
    reader = aioredis.Redis.from_url(url)
    pubsub = reader.pubsub()
    try:
        await pubsub.subscribe(CHANNEL)
        confirmed = await pubsub.get_message(timeout=None)
        assert confirmed is not None and confirmed["type"] == "subscribe", confirmed

        async def one() -> None:
            await publisher.publish(CHANNEL, PAYLOAD)
            message = await pubsub.get_message(timeout=None)
            assert message is not None and message["data"] == PAYLOAD

        return await timed(one, n, cap, pid)
    finally:
        await pubsub.aclose()
        await reader.aclose()
        await publisher.aclose()


async def with_redis_wire(url: str, n: int, cap: float, pid: int) -> Sample:
    loop = asyncio.get_running_loop()
    arrived: asyncio.Future[bytes] = loop.create_future()

    def on_message(channel: bytes, data: bytes) -> None:
        arrived.set_result(data)

    link = await RedisLink.open(url)
    subscription = await RedisSubscription.open(url, on_message)
    try:
        await subscription.subscribe(CHANNEL)

        async def one() -> None:
            nonlocal arrived
            arrived = loop.create_future()
            link.publish(CHANNEL, PAYLOAD)
            assert await arrived == PAYLOAD

        sample = await timed(one, n, cap, pid)
        assert link.errors == 0 and link.dropped == 0
        return sample
    finally:
        await link.close()
        await subscription.close()


CLIENTS: dict[str, Callable[[str, int, float, int], Awaitable[Sample]]] = {
    "redis-py (asyncio, hiredis)": with_redis_py,
    "redis_wire (RedisLink/Subscription)": with_redis_wire,
}


def spread(values: list[float], fmt: str) -> str:
    return f"{statistics.median(values):{fmt}} ({min(values):{fmt}}–{max(values):{fmt}})"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--round-trips", type=int, default=20_000)
    parser.add_argument("--cap", type=float, default=10.0, help="seconds per repetition at most")
    parser.add_argument("--repetitions", type=int, default=5)
    args = parser.parse_args()
    if not HIREDIS_AVAILABLE:
        sys.exit("redis-py does not see hiredis: the comparison would be unfair")

    server = test_redis.start()
    try:
        assert server.process is not None
        pid = server.process.pid
        samples: dict[str, list[Sample]] = {name: [] for name in CLIENTS}
        for _ in range(args.repetitions):
            for name, client in CLIENTS.items():
                samples[name].append(await client(server.url, args.round_trips, args.cap, pid))
    finally:
        test_redis.stop(server)

    print(
        f"Redis pub/sub round trips, one in flight, {len(PAYLOAD)}-byte messages; "
        f"median (min–max) of {args.repetitions}; Python {sys.version.split()[0]}, "
        f"redis-py {redis.__version__}, uvloop, {os.cpu_count()} CPUs"
    )
    rows = [
        ("client", "round trips/s", "client CPU µs/rt", "of which user", "redis-server CPU µs/rt")
    ]
    for name, runs in samples.items():
        rows.append(
            (
                name,
                spread([s.rate for s in runs], ",.0f"),
                spread([s.cpu_us for s in runs], ".1f"),
                spread([s.user_us for s in runs], ".1f"),
                spread([s.server_us for s in runs], ".1f"),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for i, row in enumerate(rows):
        print("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    py, wire = (statistics.median(s.cpu_us for s in runs) for runs in samples.values())
    print(f"client CPU per round trip, redis-py / redis_wire: {py / wire:.1f}×")


if __name__ == "__main__":
    run(main)
