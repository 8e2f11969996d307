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


__all__ = ["Clock", "Outbox", "Seat", "TimerHandle"]
