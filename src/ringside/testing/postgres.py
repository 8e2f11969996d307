"""A throw-away PostgreSQL server for tests, started from the local binaries.

Tests that need PostgreSQL get a real server (no mocks, no shared instance):
``initdb`` into a temporary folder, ``pg_ctl start`` on 127.0.0.1 and a free
port with trust authentication, and everything removed on stop. As root the
server runs as the ``postgres`` user, since PostgreSQL refuses to run as root.

Debian's ``postgresql`` package puts the binaries in
``/usr/lib/postgresql/<version>/bin``; ``RINGSIDE_PG_BIN`` overrides the search.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

SUPERUSER = "postgres"
DEBIAN_ROOT = Path("/usr/lib/postgresql")
_REQUIRED = ("initdb", "pg_ctl", "postgres", "psql")
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class PostgresUnavailable(RuntimeError):
    """No usable PostgreSQL binaries on this machine (tests skip with this reason)."""


def find_bin_dir() -> Path:
    """The folder of the newest PostgreSQL server binaries, or ``PostgresUnavailable``."""
    candidates: list[Path] = []
    if override := os.environ.get("RINGSIDE_PG_BIN"):
        candidates.append(Path(override))
    else:
        versions = sorted(
            (p for p in DEBIAN_ROOT.glob("*/bin") if p.parent.name.isdigit()),
            key=lambda p: int(p.parent.name),
            reverse=True,
        )
        candidates.extend(versions)
        if on_path := shutil.which("pg_ctl"):
            candidates.append(Path(on_path).parent)
    for bin_dir in candidates:
        if all((bin_dir / tool).is_file() for tool in _REQUIRED):
            return bin_dir
    where = override or f"{DEBIAN_ROOT}/*/bin or on PATH"
    raise PostgresUnavailable(
        f"PostgreSQL server binaries ({', '.join(_REQUIRED)}) not found in {where}; "
        "install Debian's 'postgresql' package or set RINGSIDE_PG_BIN"
    )


def free_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class PostgresServer:
    """A running server; ``url()`` gives SQLAlchemy URLs for its databases."""

    bin_dir: Path
    root: Path
    port: int
    host: str = "127.0.0.1"
    run_as: str | None = None
    """System user that owns the cluster (``postgres`` when started as root)."""
    databases: list[str] = field(default_factory=list)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str = "ringside", driver: str = "asyncpg") -> str:
        return f"postgresql+{driver}://{SUPERUSER}@{self.host}:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run one SQL command as the superuser (outside a transaction) and return its output."""
        done = subprocess.run(
            [
                str(self.bin_dir / "psql"),
                *("-h", self.host, "-p", str(self.port), "-U", SUPERUSER, "-d", database),
                *("-v", "ON_ERROR_STOP=1", "-X", "-q", "-A", "-t", "-c", sql),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"psql failed ({done.returncode}): {done.stderr.strip()}")
        return done.stdout

    def create_database(self, name: str) -> str:
        """Create an empty database and return its URL."""
        if not _NAME.fullmatch(name):
            raise ValueError(f"database name {name!r} must match {_NAME.pattern}")
        self.psql(f'CREATE DATABASE "{name}"')
        self.databases.append(name)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, closing any connection still open to it."""
        if not _NAME.fullmatch(name):
            raise ValueError(f"database name {name!r} must match {_NAME.pattern}")
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if name in self.databases:
            self.databases.remove(name)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"


def _as_user(user: str | None, argv: Sequence[str]) -> list[str]:
    return ["runuser", "-u", user, "--", *argv] if user else list(argv)


def _run(argv: Sequence[str], what: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}): {done.stderr.strip()}")


def _owner() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SUPERUSER)
    except KeyError:
        raise PostgresUnavailable(
            f"running as root, but there is no '{SUPERUSER}' system user to run the server"
        ) from None
    if shutil.which("runuser") is None:
        raise PostgresUnavailable("running as root, but 'runuser' is missing")
    return SUPERUSER


# Durability is pointless for a throw-away cluster; these make tests faster.
TEST_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def start(settings: dict[str, str] | None = None, attempts: int = 3) -> PostgresServer:
    """Initialise and start a fresh server; the caller must ``stop`` it.

    Raises ``PostgresUnavailable`` when there is nothing to start.
    """
    bin_dir = find_bin_dir()
    owner = _owner()
    root = Path(tempfile.mkdtemp(prefix="ringside-pg-"))
    try:
        if owner is not None:
            shutil.chown(root, user=owner, group=owner)
        _run(
            _as_user(
                owner,
                [
                    str(bin_dir / "initdb"),
                    *("-D", str(root / "data"), "-U", SUPERUSER, "--auth=trust"),
                    *("-E", "UTF8", "--locale=C", "--no-sync"),
                ],
            ),
            "initdb",
        )
        options = {**TEST_SETTINGS, **(settings or {})}
        for attempt in range(attempts):
            server = PostgresServer(bin_dir=bin_dir, root=root, port=free_port(), run_as=owner)
            flags = " ".join(
                [
                    f"-c listen_addresses={server.host}",
                    f"-c port={server.port}",
                    f"-c unix_socket_directories={root}",
                    *(f"-c {key}={value}" for key, value in options.items()),
                ]
            )
            # -w: pg_ctl itself polls until the server accepts connections (bounded by -t).
            done = subprocess.run(
                _as_user(
                    owner,
                    [
                        str(bin_dir / "pg_ctl"),
                        *("-D", str(server.data_dir), "-l", str(server.log_file)),
                        *("-o", flags, "-w", "-t", "60", "start"),
                    ],
                ),
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode == 0:
                return server
            # A half-started server must not outlive its folder.
            stop_now = [str(bin_dir / "pg_ctl"), "-D", str(server.data_dir), "-m", "immediate"]
            subprocess.run(_as_user(owner, [*stop_now, "stop"]), capture_output=True, check=False)
            # Most likely the port was taken between probing and binding: retry.
            if attempt == attempts - 1:
                raise RuntimeError(
                    f"pg_ctl start failed ({done.returncode}): {done.stderr.strip()}\n"
                    f"{server.log_tail()}"
                )
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    raise AssertionError("unreachable")  # pragma: no cover


def stop(server: PostgresServer) -> None:
    """Stop the server (fast shutdown) and delete its files."""
    pg_ctl = [str(server.bin_dir / "pg_ctl"), "-D", str(server.data_dir)]
    try:
        _run(_as_user(server.run_as, [*pg_ctl, "-m", "fast", "-w", "-t", "60", "stop"]), "pg_ctl")
    finally:
        shutil.rmtree(server.root, ignore_errors=True)


@contextmanager
def postgres_server(settings: dict[str, str] | None = None) -> Iterator[PostgresServer]:
    """A fresh server for the duration of the block."""
    server = start(settings)
    try:
        yield server
    finally:
        stop(server)
