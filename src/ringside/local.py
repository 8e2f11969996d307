"""Run a match in one process, on simulated time, through the real referee.

Bots are plain objects that answer each server message, saying how long they
"thought". Time only moves from one scheduled happening to the next, so a
match of instant bots takes no wall-clock time, a slow bot can be simulated
exactly, and the referee sees the same inputs a networked match would give it.
``ringside play`` measures its bots' real thinking time and passes it in.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

from ringside.protocol.messages import (
    Action,
    BotMessage,
    MatchEvent,
    MatchResult,
    Ok,
    Prepare,
    Ready,
    Request,
    RoundEnd,
    SealedMove,
    ServerMessage,
)
from ringside.referee.match import ArmTimer, CancelTimer, Match, Output, Publish, Send


@dataclass(frozen=True, slots=True)
class Reply:
    """A bot's answer and the seconds it took to produce it."""

    message: BotMessage
    after: float = 0.0


class LocalBot(Protocol):
    def on_message(self, message: ServerMessage) -> Reply | None: ...


class Chooser(Protocol):
    def __call__(self, request: Request) -> tuple[Any, float]: ...


class PolitePlayer:
    """Answers prepare with ready and round_end with ok; moves come from ``choose``."""

    def __init__(self, choose: Chooser) -> None:
        self.choose = choose

    def on_message(self, message: ServerMessage) -> Reply | None:
        if isinstance(message, Prepare):
            return Reply(Ready(message.match, message.id))
        if isinstance(message, RoundEnd):
            return Reply(Ok(message.match, message.id))
        if isinstance(message, Request):
            action, thought = self.choose(message)
            return Reply(Action(message.match, message.id, action), thought)
        return None


@dataclass(order=True)
class _Happening:
    at: float
    order: int
    run: Callable[[float], list[Output]] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)


class Simulation:
    """Drives one Match: delivers messages, replies and timers in time order."""

    def __init__(
        self,
        match: Match,
        bots: Sequence[LocalBot],
        on_event: Callable[[MatchEvent], None] | None = None,
        start_at: float = 0.0,
    ) -> None:
        if len(bots) != match.players:
            raise ValueError(f"{match.players} bots are needed, {len(bots)} were given")
        self.match = match
        self.bots = list(bots)
        self.on_event = on_event
        self.now = start_at
        self.events: list[MatchEvent] = []
        self.sealed: list[SealedMove] = []
        """The real actions of moves ``events`` shows hidden (a game with hidden information)."""
        self.sent: list[tuple[int, ServerMessage]] = []
        self.connected = [True] * len(bots)
        self._queue: list[_Happening] = []
        self._order = itertools.count()
        self._timers: dict[int, _Happening] = {}

    def at(self, when: float, run: Callable[[float], list[Output]]) -> None:
        """Schedule an input to the referee (tests use it for disconnects and the like)."""
        heapq.heappush(self._queue, _Happening(when, next(self._order), run))

    def disconnect(self, player: int, when: float, back_at: float | None = None) -> None:
        def drop(now: float) -> list[Output]:
            self.connected[player] = False
            return self.match.disconnected(player, now)

        def back(now: float) -> list[Output]:
            self.connected[player] = True
            return self.match.reconnected(player, now)

        self.at(when, drop)
        if back_at is not None:
            self.at(back_at, back)

    def run(self, max_steps: int = 1_000_000) -> MatchResult:
        self._carry_out(self.match.start(self.now))
        for _ in range(max_steps):
            if self.match.finished or not self._queue:
                break
            happening = heapq.heappop(self._queue)
            if happening.cancelled:
                continue
            self.now = max(self.now, happening.at)
            self._carry_out(happening.run(self.now))
        if not self.match.finished:
            self._carry_out(
                self.match.abort(f"the simulation stopped after {max_steps} steps", self.now)
            )
        assert self.match.result is not None
        return self.match.result

    def _carry_out(self, outputs: list[Output]) -> None:
        for output in outputs:
            if isinstance(output, Send):
                self._deliver(output.player, output.message)
            elif isinstance(output, Publish):
                event = output.event
                if isinstance(event, SealedMove):
                    self.sealed.append(event)
                    continue
                self.events.append(event)
                if self.on_event is not None:
                    self.on_event(event)
            elif isinstance(output, ArmTimer):
                self._cancel_timer(output.player)
                player = output.player
                happening = _Happening(
                    output.at, next(self._order), partial(self.match.timer, player)
                )
                self._timers[player] = happening
                heapq.heappush(self._queue, happening)
            elif isinstance(output, CancelTimer):
                self._cancel_timer(output.player)

    def _cancel_timer(self, player: int) -> None:
        old = self._timers.pop(player, None)
        if old is not None:
            old.cancelled = True

    def _deliver(self, player: int, message: ServerMessage) -> None:
        if not self.connected[player]:
            return
        self.sent.append((player, message))
        reply = self.bots[player].on_message(message)
        if reply is None:
            return
        answer = reply.message

        def arrive(now: float) -> list[Output]:
            if not self.connected[player]:
                return []
            return self.match.receive(player, answer, now)

        self.at(self.now + max(0.0, reply.after), arrive)
