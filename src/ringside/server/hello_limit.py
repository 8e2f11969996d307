"""Failed token checks per host, so that guessing tokens cannot tie up the server.

Checking a token runs scrypt (about 16 MiB and tens of milliseconds, see
``store.tokens``), so a client trying tokens in a loop costs the server far
more than it costs the client. After ``limit`` failures from one host within
``window`` seconds, hellos of registered bots from that host are refused
without a check until the oldest failure is ``window`` old. A plain object:
the caller passes the time.
"""

from __future__ import annotations

from collections import deque


class FailedHellos:
    def __init__(self, limit: int = 10, window: float = 60.0, hosts: int = 10_000) -> None:
        """``hosts`` bounds the memory: beyond it the host that failed longest ago is forgotten."""
        self.limit = limit
        self.window = window
        self.hosts = hosts
        self._failures: dict[str, deque[float]] = {}
        """Host -> times of its failures within the window; the host that failed last is last."""

    def retry_after(self, host: str, now: float) -> float:
        """Seconds before ``host`` may have a token checked again; 0 when it may now."""
        failures = self._failures.get(host)
        if failures is None:
            return 0.0
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self._failures[host]
            return 0.0
        if len(failures) < self.limit:
            return 0.0
        return failures[0] + self.window - now

    def failed(self, host: str, now: float) -> None:
        failures = self._failures.pop(host, None)
        if failures is None:
            failures = deque(maxlen=self.limit)
            while len(self._failures) >= self.hosts:
                del self._failures[next(iter(self._failures))]
        failures.append(now)
        self._failures[host] = failures


__all__ = ["FailedHellos"]
