"""What one client may hold of the server: bytes queued, time before it is useful, sockets.

Every figure has a default that a normal bot, page or script never reaches,
and an environment variable to change it (``Limits.from_env``). The
``ConnectionGate`` counts the sockets each address holds before it is useful
(bots before ``welcome``, spectators) and keeps a reserve of file descriptors
for the HTTP API and for bots already admitted, so that one address holding
its cap (or many holding theirs) cannot shut the others out.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import resource
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Literal

log = logging.getLogger("ringside.server")

__all__ = [
    "ConnectionGate",
    "GateKind",
    "Limits",
    "MemoryReturn",
    "raise_file_limit",
]

GateKind = Literal["bot", "spectator"]
"""``bot``: a bot connection before its ``welcome``; ``spectator``: a /ws/watch connection."""


@dataclass(frozen=True)
class Limits:
    """The bounds of one connection and of one address (``RINGSIDE_<NAME>`` in capitals)."""

    output_budget: int = 4 * 1024 * 1024
    """Bytes queued towards one connection (its outbox and its socket's buffer) past which
    a reader that does not keep up is closed with ``slow_consumer``. One message is always
    taken when nothing waits before it, so a snapshot longer than this still goes out."""
    close_grace: float = 2.0
    """Seconds a closing connection has to take its last messages (a fatal error) before
    the socket is dropped with whatever is still unwritten."""
    hello_timeout: float = 10.0
    """Seconds from a bot's connection to its ``hello``, on every transport; pings, pongs
    and bad lines do not extend it."""
    max_prehello_per_address: int = 64
    """Bot connections one address may hold before their ``welcome``."""
    max_spectators_per_address: int = 256
    """Spectator connections one address may hold."""
    fd_reserve: int = 256
    """File descriptors kept for the HTTP API and admitted bots: new bot connections before
    ``welcome`` and new spectators are refused once the process is this close to its limit."""
    max_json_depth: int = 64
    """Nesting of arrays and objects allowed in a protocol message or an HTTP JSON body."""
    http_header_timeout: float = 15.0
    """Seconds an HTTP connection has to send a request's headers (from the connection,
    or from the end of the previous response on a kept-alive one)."""
    http_body_timeout: float = 30.0
    """Seconds a request has to send its body once its headers are read."""
    spectator_strikes: int = 20
    """Commands a spectator may send past its rate limit (each answered ``too_many_commands``)
    before it is closed with a fatal ``too_many_commands``."""
    error_burst: int = 50
    """Unreadable messages an admitted bot may send at once (each is answered)."""
    error_rate: float = 5.0
    """Unreadable messages a second an admitted bot may send for good; past the burst and
    the rate, a fatal ``protocol_error`` closes it."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Limits:
        """The defaults, with each ``RINGSIDE_<FIELD>`` of ``env`` (``os.environ``) applied."""
        env = os.environ if env is None else env
        values: dict[str, int | float] = {}
        for f in fields(cls):
            raw = env.get(f"RINGSIDE_{f.name.upper()}")
            if raw is None:
                continue
            kind = int if f.type in ("int", int) else float
            try:
                value = kind(raw)
            except ValueError:
                raise ValueError(
                    f"RINGSIDE_{f.name.upper()} must be {'an integer' if kind is int else 'a number'}"
                    f", got {raw!r}"
                ) from None
            if value <= 0 and f.name != "fd_reserve":
                raise ValueError(f"RINGSIDE_{f.name.upper()} must be positive, got {raw!r}")
            values[f.name] = value
        return cls(**values)  # type: ignore[arg-type]


def raise_file_limit() -> int:
    """Raise the soft limit on open files to the hard one; the limit now in force.

    The usual soft default (1,024) is what a thousand idle sockets exhaust; the
    hard limit is what the operator allows, and the reserve is kept within it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if target > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError) as exc:  # a container may forbid it
            log.warning("cannot raise the open files limit from %d to %d: %s", soft, target, exc)
    return soft


def open_files() -> int:
    """File descriptors this process holds now (Linux; 0 where /proc is missing)."""
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return 0


class ConnectionGate:
    """Who holds how many sockets, and whether one more may come.

    ``admit`` is asked when a bot or a spectator connects; ``release`` when it
    leaves or (a bot) is welcomed. Every socket of the process is counted in
    ``sockets`` (HTTP connections included, by the guarded handler), on top
    of the descriptors held at start (listeners, database, logs)."""

    def __init__(self, limits: Limits, file_limit: int | None = None) -> None:
        self.limits = limits
        self.file_limit = file_limit if file_limit is not None else raise_file_limit_read()
        self.base = open_files()
        """Descriptors held before any client came."""
        self.sockets = 0
        """Client sockets open now (HTTP, WebSocket, TCP)."""
        self.held: dict[GateKind, Counter[str]] = {"bot": Counter(), "spectator": Counter()}
        self.closes = 0
        """Client sockets closed since the start (``MemoryReturn`` looks at it)."""
        self.refused: Counter[str] = Counter()
        """Refusals by reason (``per_address``, ``reserve``), for the metrics."""

    def cap(self, kind: GateKind) -> int:
        limits = self.limits
        return (
            limits.max_prehello_per_address if kind == "bot" else limits.max_spectators_per_address
        )

    def admit(self, kind: GateKind, address: str) -> str | None:
        """Take a place for ``address``; None, or why not (a sentence for the client)."""
        held = self.held[kind]
        cap = self.cap(kind)
        if held[address] >= cap:
            self.refused["per_address"] += 1
            what = "bot connections before welcome" if kind == "bot" else "spectator connections"
            return f"{address} already holds {cap} {what}, the most one address may"
        room = self.file_limit - self.limits.fd_reserve
        if self.base + self.sockets > room:
            self.refused["reserve"] += 1
            return "the server is at its connection limit; try again later"
        held[address] += 1
        return None

    def release(self, kind: GateKind, address: str) -> None:
        held = self.held[kind]
        count = held[address] - 1
        if count > 0:
            held[address] = count
        else:
            held.pop(address, None)

    def opened(self) -> None:
        self.sockets += 1

    def closed(self) -> None:
        self.sockets = max(0, self.sockets - 1)
        self.closes += 1


def raise_file_limit_read() -> int:
    """The soft limit on open files now (without changing it)."""
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class MemoryReturn:
    """Give freed memory back to the system after many connections closed.

    An attack's buffers are freed when its sockets close, but glibc keeps the
    freed pages in its heaps (RSS stayed 20 MiB up after 100 flooders, for
    good); ``malloc_trim`` returns them. ``tick`` is called now and then (every
    few seconds): it trims when at least ``after`` sockets closed since the
    last trim and costs nothing otherwise. Without glibc it does nothing.
    """

    def __init__(self, gate: ConnectionGate, after: int = 50) -> None:
        self.gate = gate
        self.after = after
        self.seen = gate.closes
        self.trims = 0
        self._trim = _malloc_trim()

    def tick(self) -> bool:
        """Trim if enough closed since the last time; whether it did."""
        closes = self.gate.closes
        if self._trim is None or closes - self.seen < self.after:
            return False
        self.seen = closes
        self._trim(0)
        self.trims += 1
        return True


def _malloc_trim() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS)
        return None
