"""How a server is configured: read once at start-up, passed to whoever needs it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal


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


__all__ = ["Settings"]
