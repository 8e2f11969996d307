"""Failed token checks per (address, name) and per address, so that guessing tokens
cannot tie up the server, nor lock out the bots that know their tokens.

Checking a token runs scrypt (about 16 MiB and tens of milliseconds, see
``store.tokens``), so a client trying tokens in a loop costs the server far
more than it costs the client. Failures are counted twice, within ``window``
seconds:

- per (address, name): after ``per_name`` failures against one name from one
  address, that name is refused from that address without a check. A flood
  against one name does not lock out the other names of that address (bots
  behind one NAT, or one machine running several bots);
- per address: after ``per_address`` failures against any names, the address
  is refused for every name. An attacker spraying names is still slowed.

A lock ends when the oldest failure it counts is ``window`` old. A check counts
as failed from the moment it starts until it passes, so many connections
opened at once cannot start more checks than the limits either. The admin
token is counted the same way under the name ``None`` (``ADMIN``).

The address is the socket's peer, or, for a connection from a configured
trusted proxy only, the client its ``X-Forwarded-For`` names
(``client_address``; docs/security.md, "Behind a proxy"). A plain object: the
caller passes the time.
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections import deque
from collections.abc import Hashable, Iterable, Sequence
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

ADMIN = None
"""The "name" the failures of the admin token are counted under."""


class _Window:
    """Start times of failed (or unfinished) checks per key, within a window, bounded."""

    def __init__(self, limit: int, window: float, keys: int) -> None:
        self.limit = limit
        self.window = window
        self.keys = keys
        self.failures: dict[Hashable, deque[float]] = {}
        """Key -> start times within the window; the key that started one last is last."""

    def wait(self, key: Hashable, now: float) -> float:
        """0 when ``key`` is under its limit, else the seconds until it is."""
        failures = self.failures.get(key)
        if failures is None:
            return 0.0
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self.failures[key]
            return 0.0
        if len(failures) >= self.limit:
            return failures[0] + self.window - now
        return 0.0

    def add(self, key: Hashable, now: float) -> None:
        failures = self.failures.pop(key, None)
        if failures is None:
            failures = deque(maxlen=self.limit)
            while len(self.failures) >= self.keys:  # forget the key that failed longest ago
                del self.failures[next(iter(self.failures))]
        failures.append(now)
        self.failures[key] = failures

    def remove(self, key: Hashable, started: float) -> None:
        failures = self.failures.get(key)
        if failures is None:
            return
        with contextlib.suppress(ValueError):
            failures.remove(started)
        if not failures:
            del self.failures[key]


class FailedHellos:
    def __init__(
        self,
        per_name: int = 10,
        per_address: int = 50,
        window: float = 60.0,
        keys: int = 10_000,
    ) -> None:
        """``keys`` bounds the memory of each count: beyond it the key (address, or
        address and name) that failed longest ago is forgotten."""
        self.window = window
        self._by_name = _Window(per_name, window, keys)
        self._by_address = _Window(per_address, window, keys)

    def start_check(self, address: str, name: str | None, now: float) -> float:
        """0 when a token for ``name`` from ``address`` may be checked now (the check
        is counted as failed until ``passed``), else the seconds it has to wait."""
        key = (address, name)
        wait = max(self._by_name.wait(key, now), self._by_address.wait(address, now))
        if wait > 0.0:
            return wait
        self._by_name.add(key, now)
        self._by_address.add(address, now)
        return 0.0

    def passed(self, address: str, name: str | None, started: float) -> None:
        """The check started at ``started`` found the right token: it did not fail."""
        self._by_name.remove((address, name), started)
        self._by_address.remove(address, started)

    def counted(self) -> tuple[int, int]:
        """How many (address, name) pairs and addresses have failures kept (bounded)."""
        return len(self._by_name.failures), len(self._by_address.failures)


@lru_cache(maxsize=16)
def trusted_networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    """The networks of ``--trusted-proxy`` values (``10.0.0.5``, ``10.0.0.0/8``, ``::1``).

    Raises ValueError naming a value that is not an address or network."""
    networks = []
    for proxy in proxies:
        try:
            networks.append(ipaddress.ip_network(proxy.strip(), strict=False))
        except ValueError:
            raise ValueError(
                f"trusted proxy {proxy!r} is not an IP address or network (10.0.0.0/8)"
            ) from None
    return tuple(networks)


def _trusted(address: str, networks: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(remote: str, forwarded_for: Iterable[str], networks: Sequence[Network]) -> str:
    """The client's address: ``remote`` (the socket's peer), unless ``remote`` is a
    trusted proxy; then the last address of ``X-Forwarded-For`` (every header, in
    order) that is not itself a trusted proxy.

    Each proxy appends the address it got the request from, so only the entries
    that trusted proxies wrote can be believed: read from the right, skipping
    trusted proxies, the first other address is the client. Anything a client
    wrote itself lies further left and is never read. A malformed entry ends
    the walk at the proxy that passed it on."""
    if not networks or not _trusted(remote, networks):
        return remote
    entries = [e.strip() for header in forwarded_for for e in header.split(",")]
    client = remote
    for entry in reversed(entries):
        try:
            ip = ipaddress.ip_address(entry)
        except ValueError:
            return client
        client = str(ip)
        if not any(ip in network for network in networks):
            return client
    return client


__all__ = ["ADMIN", "FailedHellos", "client_address", "trusted_networks"]
