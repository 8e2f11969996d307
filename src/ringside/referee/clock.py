"""Chess clocks as pure objects: the caller passes the time in.

A clock belongs to one seat for one round. ``start`` when a request goes
out, ``stop`` when the answer arrives; ``deadline`` says when the bot flags,
so the referee can ask its runner to arm a timer for that instant.
"""

from __future__ import annotations

import math

from ringside.protocol.messages import (
    ByoYomi,
    ClockReading,
    Fischer,
    PerMove,
    TimeControl,
    type_of,
)


class InvalidTimeControl(ValueError):
    """A time control with negative or absurd figures."""


MAX_SECONDS = 7 * 24 * 3600.0


def check_time_control(tc: TimeControl) -> None:
    """Refuse figures no match could use, with a message for the requester."""
    if isinstance(tc, PerMove):
        figures = {"seconds": tc.seconds}
    elif isinstance(tc, Fischer):
        figures = {"base": tc.base, "increment": tc.increment}
    else:
        figures = {"base": tc.base, "period": tc.period}
        if not 0 <= tc.periods <= 1000:
            raise InvalidTimeControl("byoyomi periods must be from 0 to 1000")
        if tc.periods > 0 and tc.period <= 0:
            raise InvalidTimeControl("byoyomi period must be positive when periods > 0")
    for name, value in figures.items():
        if not math.isfinite(value) or not 0 <= value <= MAX_SECONDS:
            raise InvalidTimeControl(
                f"{type_of(tc)}: {name} must be from 0 to {MAX_SECONDS:.0f} seconds"
            )
    budget = tc.seconds if isinstance(tc, PerMove) else tc.base
    if isinstance(tc, PerMove | Fischer) and budget <= 0:
        raise InvalidTimeControl(f"{type_of(tc)}: the time budget must be positive")


class Clock:
    """One seat's clock for one round under a time control."""

    def __init__(self, control: TimeControl) -> None:
        self.control = control
        self.periods = control.periods if isinstance(control, ByoYomi) else 0
        if isinstance(control, PerMove):
            self.main = control.seconds
        else:
            self.main = control.base
        self.started_at: float | None = None

    @property
    def running(self) -> bool:
        return self.started_at is not None

    def move_budget(self) -> float:
        """Seconds the coming move may take before the bot flags."""
        if isinstance(self.control, ByoYomi):
            return self.main + self.periods * self.control.period
        return self.main

    def start(self, now: float) -> None:
        self.started_at = now

    def deadline(self) -> float:
        """The instant the running move flags (before any margin)."""
        assert self.started_at is not None, "clock is not running"
        return self.started_at + self.move_budget()

    def stop(self, now: float, margin: float = 0.0) -> bool:
        """End the running move; False when it overran its budget plus ``margin``.

        Overruns inside the margin are forgiven: the clock just reads zero.
        """
        assert self.started_at is not None, "clock is not running"
        elapsed = max(0.0, now - self.started_at)
        self.started_at = None
        budget = self.move_budget()
        if elapsed > budget + margin:
            self.main = 0.0
            self.periods = 0
            return False
        elapsed = min(elapsed, budget)
        control = self.control
        if isinstance(control, PerMove):
            return True
        if isinstance(control, Fischer):
            self.main = max(0.0, self.main - elapsed) + control.increment
            return True
        if elapsed <= self.main:
            self.main -= elapsed
            return True
        over = elapsed - self.main
        self.main = 0.0
        # A move finished inside a period keeps that period; each full period overrun is lost.
        lost = max(0, math.ceil(over / control.period) - 1) if control.period > 0 else 0
        self.periods = max(0, self.periods - lost)
        return True

    def flag(self) -> None:
        """Record a timeout found by a timer rather than by a late answer."""
        self.started_at = None
        self.main = 0.0
        self.periods = 0

    def remaining(self, now: float) -> float:
        """Main time left, counting the running move."""
        if self.started_at is None:
            return self.main
        return max(0.0, self.main - (now - self.started_at))

    def _elapsed(self, now: float) -> float:
        return 0.0 if self.started_at is None else max(0.0, now - self.started_at)

    def reading(self, now: float, seats: list[float]) -> ClockReading:
        control = self.control
        return ClockReading(
            remaining=round(self.remaining(now), 3),
            move_time=round(max(0.0, self.move_budget() - self._elapsed(now)), 3),
            increment=control.increment if isinstance(control, Fischer) else 0.0,
            periods=self.periods,
            period=control.period if isinstance(control, ByoYomi) else 0.0,
            seats=[round(s, 3) for s in seats],
        )
