"""How a server is configured: read once at start-up, passed to whoever needs it."""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

from ringside.server.limits import Limits

NODE_ID_FILE = "node-id"
"""The file in the data directory that keeps a server's node id from one run to the next."""


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    tcp_port: int = 8001
    database_url: str | None = None
    data_dir: Path = Path("data")
    open: bool = False
    admin_token: str | None = None
    max_message_bytes: int = 64 * 1024
    heartbeat: float = 20.0
    sqlite_synchronous: Literal["normal", "full"] = "full"
    """SQLite's durability for commits of results (README, "Reliability")."""
    ladder: bool = False
    bench: bool = False
    """Bench only (``RINGSIDE_BENCH=1``): measure relay latency, serve ``/api/bench/latency``."""
    record: bool = True
    """Bench only (``RINGSIDE_BENCH_NO_RECORD=1``): False skips every store write of matches."""
    node_id: str | None = None
    """This server's node id (owner of its live rows); None: the one kept in ``data_dir``."""
    drain: float = 0.0
    """Seconds a stopping server lets running matches finish; the rest are left for the restart."""
    redis_url: str | None = None
    """A cluster's Redis (``redis://host:port/db``): this process is one node of several, on a
    shared PostgreSQL ``database_url``. None: the single process of one server."""
    max_tournament_games: int = 100_000
    """The most games one tournament may plan; a bigger request is refused with a 422."""
    trusted_proxies: tuple[str, ...] = ()
    """Addresses or networks (``10.0.0.0/8``) of reverse proxies whose ``X-Forwarded-For``
    names the client (docs/security.md, "Behind a proxy"); none by default."""
    limits: Limits = field(default_factory=Limits)
    """What one connection and one address may hold (``server/limits.py``; the command
    line reads them from ``RINGSIDE_*`` variables)."""


def node_id(settings: Settings) -> str:
    """The node id of this server: ``settings.node_id``, else the one kept in the data directory.

    The first start writes a fresh id to ``data_dir/node-id``; later starts
    read it, so a restarted server recognises its own live rows at once.
    Several processes on one database need an id each (``--node-id``).
    """
    # Here, not at the top: every ``ringside`` command imports these settings (for its
    # --help), and the store package brings SQLAlchemy and alembic (a second of start-up).
    from ringside.store.leases import check_node_id, new_node_id

    if settings.node_id is not None:
        return check_node_id(settings.node_id)
    path = Path(settings.data_dir) / NODE_ID_FILE
    try:
        return check_node_id(path.read_text(encoding="utf-8").strip())
    except FileNotFoundError:
        pass
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
    node = new_node_id()
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.with_name(f".{NODE_ID_FILE}.{os.getpid()}")
    fresh.write_text(node + "\n", encoding="utf-8")
    try:
        os.link(fresh, path)  # fails if another process wrote one meanwhile: use theirs
    except FileExistsError:
        return check_node_id(path.read_text(encoding="utf-8").strip())
    finally:
        fresh.unlink()
    return node


class NodeIdInUse(RuntimeError):
    """Another live process on this machine already runs as this node id."""


def hold_node_id(settings: Settings, node: str) -> IO[bytes]:
    """Lock ``node`` for this process (a lock file in the data directory) until it exits.

    Two processes sharing a node id would take each other's live rows for
    their own at start-up; on one machine this refuses the second one.
    """
    path = Path(settings.data_dir) / f".node-{node.replace('/', '_')}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("ab")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise NodeIdInUse(
            f"another server already runs as node {node!r} (data directory {settings.data_dir}): "
            "give each server on one database its own --node-id or --data-dir"
        ) from None
    return handle


__all__ = ["NODE_ID_FILE", "NodeIdInUse", "Settings", "hold_node_id", "node_id"]
