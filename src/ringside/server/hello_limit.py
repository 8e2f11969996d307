"""Failed token checks per host, so that guessing tokens cannot tie up the server.

Checking a token runs scrypt (about 16 MiB and tens of milliseconds, see
``store.tokens``), so a client trying tokens in a loop costs the server far
more than it costs the client. After ``limit`` failures from one host within
``window`` seconds, hellos of registered bots from that host are refused
without a check until the oldest failure is ``window`` old. A check counts as
failed from the moment it starts until it passes, so many connections opened
at once cannot start more than ``limit`` checks either. A plain object: the
caller passes the time.
"""

from __future__ import annotations

import contextlib
from collections import deque


class FailedHellos:
    def __init__(self, limit: int = 10, window: float = 60.0, hosts: int = 10_000) -> None:
        """``hosts`` bounds the memory: beyond it the host that failed longest ago is forgotten."""
        self.limit = limit
        self.window = window
        self.hosts = hosts
        self._failures: dict[str, deque[float]] = {}
        """Host -> start times of its failed (or unfinished) checks within the window;
        the host that started one last is last."""

    def start_check(self, host: str, now: float) -> float:
        """0 when ``host`` may have a token checked now (the check is counted as
        failed until ``passed``), else the seconds it has to wait."""
        failures = self._failures.pop(host, None)
        if failures is not None:
            while failures and failures[0] <= now - self.window:
                failures.popleft()
            if len(failures) >= self.limit:
                self._failures[host] = failures
                return failures[0] + self.window - now
        else:
            failures = deque(maxlen=self.limit)
            while len(self._failures) >= self.hosts:
                del self._failures[next(iter(self._failures))]
        failures.append(now)
        self._failures[host] = failures
        return 0.0

    def passed(self, host: str, started: float) -> None:
        """The check ``host`` started at ``started`` found the right token: it did not fail."""
        failures = self._failures.get(host)
        if failures is None:
            return
        with contextlib.suppress(ValueError):
            failures.remove(started)
        if not failures:
            del self._failures[host]


__all__ = ["FailedHellos"]
