"""A cluster on loopback for tests and the bench: Redis, PostgreSQL and node processes.

Everything is real: ``redis-server`` and PostgreSQL from the machine's
binaries (``testing.redis``, ``testing.postgres``) and each node a ``ringside
serve --redis-url ... --database-url ...`` process on free ports, with its
own node id and data directory. Tests kill (SIGKILL), pause (SIGSTOP) and
restart nodes and Redis through it.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ringside.testing import postgres, redis
from ringside.testing.postgres import PostgresServer
from ringside.testing.redis import RedisServer
from ringside.testing.wire import ServerProcess

_databases = itertools.count()


@dataclass
class Cluster:
    """Nodes named ``a``, ``b``, ``c``... sharing one Redis and one PostgreSQL database."""

    root: Path
    redis: RedisServer
    postgres: PostgresServer
    database_url: str
    args: Sequence[str] = ("--open",)
    """The server's default heartbeat (20 s), not a short one: aiohttp drops a WebSocket
    whose pong it reads later than half a heartbeat after its ping, and three nodes on a
    loaded two-core machine stall that long (seen: four bots dropped mid-tournament)."""
    env: dict[str, str] = field(default_factory=dict)
    nodes: dict[str, ServerProcess] = field(default_factory=dict)

    def add_node(self, name: str) -> ServerProcess:
        """Start node ``name`` (again, after a kill or a stop, under the same id and folder)."""
        return self.launch_node(name).wait_ready()

    def add_nodes(self, names: Sequence[str]) -> None:
        """Start several nodes side by side (their migrations wait on one lock)."""
        for name in names:
            self.launch_node(name)
        for name in names:
            self.nodes[name].wait_ready()

    def launch_node(self, name: str) -> ServerProcess:
        data_dir = self.root / f"node-{name}"
        data_dir.mkdir(parents=True, exist_ok=True)
        node = ServerProcess(
            data_dir,
            [
                "--redis-url",
                self.redis.url,
                "--database-url",
                self.database_url,
                "--node-id",
                f"node-{name}",
                *self.args,
            ],
            env=self.env,
        )
        self.nodes[name] = node
        node.launch()
        return node

    def __getitem__(self, name: str) -> ServerProcess:
        return self.nodes[name]

    def kill(self, name: str) -> None:
        """SIGKILL: the node dies with no word to anyone."""
        self.nodes[name].kill()

    def pause(self, name: str) -> None:
        process = self.nodes[name].process
        assert process is not None
        os.kill(process.pid, signal.SIGSTOP)

    def resume(self, name: str) -> None:
        process = self.nodes[name].process
        assert process is not None
        os.kill(process.pid, signal.SIGCONT)

    def stop(self) -> None:
        for node in self.nodes.values():
            process = node.process
            if process is not None and process.poll() is None:
                os.kill(process.pid, signal.SIGCONT)  # a paused node cannot stop
            node.stop()

    def logs(self, lines: int = 30) -> str:
        """Every node's last log lines, for a failing test's message."""
        return "\n".join(
            f"--- node {name} ---\n{node.log_tail(lines)}" for name, node in self.nodes.items()
        )


async def until(check: Callable[[], Awaitable[object]], timeout: float = 30.0) -> Any:
    """Poll ``check`` until it returns something true, and return that: for state that
    lives in another process, where there is no event to await. ``timeout`` only stops a
    test that would hang."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached in {timeout} s: {check!r}")
        await asyncio.sleep(0.05)


@contextmanager
def running_cluster(
    root: Path,
    names: Sequence[str] = ("a", "b", "c"),
    *,
    postgres_server: PostgresServer | None = None,
    args: Sequence[str] = ("--open",),
    env: dict[str, str] | None = None,
) -> Iterator[Cluster]:
    """Redis, a fresh PostgreSQL database and one node per name; all stopped at the end.

    ``postgres_server``: a server to make the database on (a test session's), else one
    started for this cluster alone."""
    own_postgres = postgres_server is None
    pg = postgres.start() if postgres_server is None else postgres_server
    database = f"cluster_{os.getpid()}_{next(_databases)}"
    try:
        url = pg.create_database(database)
        redis_server = redis.start()
        try:
            cluster = Cluster(root, redis_server, pg, url, tuple(args), dict(env or {}))
            try:
                cluster.add_nodes(names)
                yield cluster
            finally:
                cluster.stop()
        finally:
            redis.stop(redis_server)
    finally:
        if own_postgres:
            postgres.stop(pg)
        else:
            pg.drop_database(database)


__all__ = ["Cluster", "running_cluster", "until"]
