"""What the server's services need from outside, as small protocols.

The services take these in their constructors (``app.build_server`` hands
them over), so a test gives a manual clock or an in-memory transport where
the server gives the event loop and sockets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class TimerHandle(Protocol):
    def cancel(self) -> None: ...


class Clock(Protocol):
    """Monotonic time and timers; ``asyncio``'s event loop is one."""

    def time(self) -> float: ...

    def call_at(self, when: float, callback: Callable[..., object], *args: object) -> TimerHandle:
        """Run ``callback(*args)`` at ``when`` (on this clock), unless cancelled."""
        ...


class Outbox(Protocol):
    """A connection's sending side as the services see it (``peer.Peer`` is one)."""

    @property
    def closed(self) -> bool: ...

    def send(self, data: bytes) -> None:
        """Queue one encoded message; never blocks."""

    def close_soon(self) -> None:
        """Close after what is queued has been written."""


class Seat(Protocol):
    """A bot taking part in a match, as the runner sees it."""

    @property
    def peer(self) -> Outbox: ...

    def match_ended(self, match_id: str) -> None:
        """The match is over: the bot's slot is free."""


class Timings(Protocol):
    """Where a runner reports the few durations it measures (``metrics.Metrics`` is one).

    Called once per store write and, for relaying, on a sample of moves only:
    nothing here may cost the per-move path."""

    def relayed(self, seconds: float) -> None:
        """A sampled action took ``seconds`` from reaching the runner to the next
        messages handed to the connections."""

    def events_written(self, seconds: float) -> None:
        """A batch of events was appended to the store in ``seconds``."""

    def result_stored(self, seconds: float) -> None:
        """A result was committed ``seconds`` after the runner first tried (retries included)."""


__all__ = ["Clock", "Outbox", "Seat", "TimerHandle", "Timings"]
