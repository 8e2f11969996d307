"""A hand-driven clock for code that takes ``now`` as an argument (store, runner)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FakeClock:
    """Returns the same aware UTC time until told to move, so stored times are exact."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float = 1.0) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now
