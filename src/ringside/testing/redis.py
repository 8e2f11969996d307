"""A throw-away Redis server for tests, started from the local binary.

Tests that need Redis get a real server (no mocks, no shared instance):
``redis-server`` on 127.0.0.1 and a free port, in a temporary folder, with no
persistence (``--save "" --appendonly no``), removed on ``stop``. Cluster
tests kill and restart it: ``restart`` brings it back on the *same* port, so
clients reconnect to the URL they already have. Redis runs fine as root, so
unlike PostgreSQL there is no user to switch to.

Readiness is a PING that gets its PONG, not a sleep. Debian's
``redis-server`` package installs ``/usr/bin/redis-server``;
``RINGSIDE_REDIS_SERVER`` overrides it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ringside.testing.postgres import free_port

DEFAULT_BINARY = Path("/usr/bin/redis-server")
READY_TIMEOUT = 30.0
"""Seconds a starting server may take to answer PING (a bound, not a wait)."""
STOP_TIMEOUT = 30.0


class RedisUnavailable(RuntimeError):
    """No usable ``redis-server`` on this machine (tests skip with this reason)."""


def find_binary() -> Path:
    """The ``redis-server`` to run, or ``RedisUnavailable``."""
    override = os.environ.get("RINGSIDE_REDIS_SERVER")
    candidates = [Path(override)] if override else [DEFAULT_BINARY]
    if not override and (on_path := shutil.which("redis-server")):
        candidates.append(Path(on_path))
    for binary in candidates:
        if binary.is_file() and os.access(binary, os.X_OK):
            return binary
    where = override or f"{DEFAULT_BINARY} or on PATH"
    raise RedisUnavailable(
        f"redis-server not found at {where}; install Debian's 'redis-server' package "
        "or set RINGSIDE_REDIS_SERVER"
    )


class _Exited(RuntimeError):
    """The server process ended before it answered PING (most likely: port taken)."""


@dataclass
class RedisServer:
    """One server process; ``stop``/``kill`` end it, ``launch``/``restart`` bring it back."""

    binary: Path
    root: Path
    port: int
    host: str = "127.0.0.1"
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    @property
    def log_file(self) -> Path:
        return self.root / "redis.log"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def launch(self) -> None:
        """Start the process on ``self.port`` and return once it answers PING."""
        if self.running:
            raise RuntimeError("redis-server is already running")
        self.process = subprocess.Popen(
            [
                str(self.binary),
                *("--bind", self.host, "--port", str(self.port)),
                *("--save", "", "--appendonly", "no"),
                *("--dir", str(self.root), "--logfile", str(self.log_file)),
                *("--daemonize", "no", "--databases", "16"),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            self._wait_ready()
        except BaseException:
            self.kill()
            raise

    def _wait_ready(self) -> None:
        """Connect and PING until PONG; a process that exits stops the wait at once."""
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            if self.process is None or self.process.poll() is not None:
                raise _Exited(f"redis-server exited before it was ready\n{self.log_tail()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(64).startswith(b"+PONG"):
                        return
            except OSError:
                pass  # not listening yet (or still loading): try again
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not answer PING\n{self.log_tail()}")
            time.sleep(0.005)  # between attempts only; readiness is the PONG

    def stop(self) -> None:
        """End the process politely (SIGTERM: no save, since persistence is off)."""
        self._end(signal.SIGTERM)

    def kill(self) -> None:
        """End the process at once (SIGKILL), as a crash would; clients see their sockets close."""
        self._end(signal.SIGKILL)

    def _end(self, sig: signal.Signals) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(sig)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def restart(self) -> None:
        """Stop, then start again on the same port, so clients can reconnect to ``url``."""
        self.stop()
        self.launch()

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"


def start(attempts: int = 3) -> RedisServer:
    """Start a fresh server on a free port; the caller must ``stop`` it.

    Raises ``RedisUnavailable`` when there is no binary to start.
    """
    binary = find_binary()
    root = Path(tempfile.mkdtemp(prefix="ringside-redis-"))
    try:
        for attempt in range(attempts):
            server = RedisServer(binary=binary, root=root, port=free_port())
            try:
                server.launch()
                return server
            except _Exited:
                # Most likely the port was taken between probing and binding: retry.
                if attempt == attempts - 1:
                    raise
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    raise AssertionError("unreachable")  # pragma: no cover


def stop(server: RedisServer) -> None:
    """Stop the server and delete its folder."""
    try:
        server.stop()
    finally:
        shutil.rmtree(server.root, ignore_errors=True)


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    """A fresh server for the duration of the block."""
    server = start()
    try:
        yield server
    finally:
        stop(server)
