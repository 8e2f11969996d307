"""Bench-only instruments, switched on by ``RINGSIDE_BENCH=1`` (see bench/README.md).

Kept out of the modules every server runs: the plain runner pays nothing for
them, and they are found in one place.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import ClassVar

import msgspec
from aiohttp import web

from ringside.protocol.messages import Action, BotMessage
from ringside.referee.match import Match
from ringside.server.bus import EventBus
from ringside.server.ports import Clock, Seat, Timings
from ringside.server.runner import MatchRunner
from ringside.server.settings import Settings
from ringside.store.journal import ResultJournal
from ringside.store.ports import ResultStore


def bench_switches(settings: Settings, environ: Mapping[str, str] = os.environ) -> Settings:
    """The bench-only switches, read once at start-up (see bench/README.md).

    ``RINGSIDE_BENCH=1`` measures relay latency and serves it at
    ``/api/bench/latency``; with it, ``RINGSIDE_BENCH_NO_RECORD=1`` skips the
    store writes of matches, to measure what recording costs.
    """
    if environ.get("RINGSIDE_BENCH") != "1":
        return settings
    return replace(settings, bench=True, record=environ.get("RINGSIDE_BENCH_NO_RECORD") != "1")


class CollectorPauses:
    """Pauses of the garbage collector, per generation, timed by ``gc.callbacks`` (bench only)."""

    def __init__(self) -> None:
        self.pauses: list[list[float]] = [[], [], []]
        self._started = 0.0

    def install(self) -> None:
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses[info["generation"]].append(time.perf_counter() - self._started)

    def summary(self) -> list[dict[str, float]]:
        return [{"count": len(p), "total": sum(p), "max": max(p, default=0.0)} for p in self.pauses]

    def clear(self) -> None:
        self.pauses = [[], [], []]


COLLECTOR_PAUSES = CollectorPauses()


async def bench_latency(request: web.Request) -> web.StreamResponse:
    """Relay latencies (seconds) and collector pauses so far; ``?clear=1`` starts afresh."""
    stats = BenchMatchRunner.stats
    body = msgspec.json.encode(
        {
            "count": len(stats.samples),
            "moves": stats.moves,
            "samples": stats.samples,
            "gc": COLLECTOR_PAUSES.summary(),
        }
    )
    if request.query.get("clear") == "1":
        stats.clear()
        COLLECTOR_PAUSES.clear()
    return web.Response(body=body, content_type="application/json")


class RelayStats:
    """What ``BenchMatchRunner`` measured since the last ``clear``; bench only.

    An instance rather than class attributes: assigning a class attribute on
    every move would invalidate the interpreter's attribute caches for the
    runner class, and the measuring would slow down what it measures.
    """

    __slots__ = ("moves", "samples")
    MAX_SAMPLES = 5_000_000

    def __init__(self) -> None:
        self.samples: list[float] = []
        """Relay latencies in seconds, in the order measured."""
        self.moves = 0
        """Actions answered, timed or not."""

    def clear(self) -> None:
        self.samples.clear()
        self.moves = 0


class BenchMatchRunner(MatchRunner):
    """A runner that measures relay latency; used only under the bench switch.

    Relay latency is the time from sending a ``request`` to having carried
    out the referee's answer to its ``action``: the bot's own thinking is
    inside it (instant bots think zero). A request is stamped when the message
    that led to it arrived, a little before it is written, so the figure errs
    on the long side. One request in ``SAMPLE_EVERY`` is timed: the first one
    a message leads to, when its id is a multiple of ``SAMPLE_EVERY`` (so the
    choice has nothing to do with how long it takes), which keeps the
    measuring from weighing on what it measures. The plain ``MatchRunner``
    pays nothing for this.
    """

    __slots__ = ("_asked",)

    stats: ClassVar[RelayStats] = RelayStats()
    """Read and cleared by ``/api/bench/latency``."""
    SAMPLE_EVERY: ClassVar[int] = 5
    """Odd, so that both players of a two-player match are sampled."""

    def __init__(
        self,
        match: Match,
        seats: list[Seat | None],
        *,
        store: ResultStore | None,
        bus: EventBus,
        clock: Clock | None = None,
        journal: ResultJournal | None = None,
        timings: Timings | None = None,
    ) -> None:
        super().__init__(
            match, seats, store=store, bus=bus, clock=clock, journal=journal, timings=timings
        )
        self._asked: dict[int, tuple[int, float]] = {}
        """Player -> (request id, when stamped) of the sampled request it owes."""

    def receive(self, player: int, message: BotMessage) -> None:
        match = self.match
        issued = match.next_id  # the id of the first request this message can lead to
        sampled = issued % self.SAMPLE_EVERY == 0
        arrived = time.perf_counter() if sampled else 0.0
        asked = self._asked.pop(player, None) if self._asked else None
        self._carry_out(match.receive(player, message, self._clock.time()))
        stats = self.stats
        if type(message) is Action:
            stats.moves += 1
        if asked is not None:
            if type(message) is Action and asked[0] == message.id:
                if len(stats.samples) < stats.MAX_SAMPLES:
                    stats.samples.append(time.perf_counter() - asked[1])
            elif player not in self._asked:
                self._asked[player] = asked  # not its answer: still awaited
        if sampled and match.next_id > issued:
            for waiting, pending in match.pending.items():
                if pending.id == issued and pending.kind == "action":
                    self._asked[waiting] = (issued, arrived)  # a request just went out
