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
    """One seat's clock for one round under a time control.

    The control's figures are copied into plain attributes once, so the
    per-move methods do arithmetic only (they run for every move relayed).
    """

    __slots__ = (
        "control",
        "increment",
        "kind",
        "main",
        "period",
        "periods",
        "shown",
        "shown_budget",
        "started_at",
    )

    def __init__(self, control: TimeControl) -> None:
        self.control = control
        self.kind = type_of(control)
        self.increment = control.increment if isinstance(control, Fischer) else 0.0
        self.period = control.period if isinstance(control, ByoYomi) else 0.0
        self.periods = control.periods if isinstance(control, ByoYomi) else 0
        self.main = control.seconds if isinstance(control, PerMove) else control.base
        self.started_at: float | None = None
        self.shown = 0.0
        """``main`` as shown to bots and spectators (ms), while the clock is stopped."""
        self.shown_budget = 0.0
        """``move_budget()`` as shown, while the clock is stopped."""
        self._update_shown()

    def _update_shown(self) -> None:
        # Rounding is slow next to the rest of a move: done when main time changes only.
        self.shown = round(self.main, 3)
        self.shown_budget = round(self.main + self.periods * self.period, 3)

    @property
    def running(self) -> bool:
        return self.started_at is not None

    def move_budget(self) -> float:
        """Seconds the coming move may take before the bot flags."""
        return self.main + self.periods * self.period  # only byo-yomi has periods

    def start(self, now: float) -> float:
        """Start the move at ``now``; returns its ``deadline()``."""
        self.started_at = now
        return now + self.main + self.periods * self.period

    def deadline(self) -> float:
        """The instant the running move flags (before any margin)."""
        assert self.started_at is not None, "clock is not running"
        return self.started_at + self.main + self.periods * self.period

    def stop(self, now: float, margin: float = 0.0) -> bool:
        """End the running move; False when it overran its budget plus ``margin``.

        Overruns inside the margin are forgiven: the clock just reads zero.
        """
        return self.stop_move(now, margin) >= 0.0

    def stop_move(self, now: float, margin: float = 0.0) -> float:
        """``stop``, returning the move's thinking time, or -1.0 when it overran."""
        started = self.started_at
        assert started is not None, "clock is not running"
        elapsed = now - started if now > started else 0.0
        self.started_at = None
        budget = self.main + self.periods * self.period
        if elapsed > budget + margin:
            self.main = 0.0
            self.periods = 0
            self._update_shown()
            return -1.0
        charged = elapsed if elapsed < budget else budget
        kind = self.kind
        if kind == "per_move":
            return elapsed
        if kind == "fischer":
            left = self.main - charged
            self.main = (left if left > 0.0 else 0.0) + self.increment
        elif charged <= self.main:
            self.main -= charged
        else:
            over = charged - self.main
            self.main = 0.0
            # A move finished inside a period keeps that period; each full period overrun is lost.
            lost = max(0, math.ceil(over / self.period) - 1) if self.period > 0 else 0
            self.periods = max(0, self.periods - lost)
        self._update_shown()
        return elapsed

    def flag(self) -> None:
        """Record a timeout found by a timer rather than by a late answer."""
        self.started_at = None
        self.main = 0.0
        self.periods = 0
        self._update_shown()

    def remaining(self, now: float) -> float:
        """Main time left, counting the running move."""
        started = self.started_at
        if started is None:
            return self.main
        left = self.main - (now - started)
        return left if left > 0.0 else 0.0

    def figure(self, now: float) -> float:
        """``remaining(now)`` as shown (ms)."""
        if self.started_at is None:
            return self.shown
        return round(self.remaining(now), 3)

    def reading(self, now: float, seats: list[float]) -> ClockReading:
        """What the bot is told; ``seats`` are every seat's figures as shown (rounded)."""
        started = self.started_at
        if started is None or now <= started:
            left, move_time = self.shown, self.shown_budget
        else:
            elapsed = now - started
            left = round(max(0.0, self.main - elapsed), 3)
            move_time = round(max(0.0, self.main + self.periods * self.period - elapsed), 3)
        return ClockReading(left, move_time, self.increment, self.periods, self.period, seats)
