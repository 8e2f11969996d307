"""Seat a strategy at an in-process match: the glue between a Strategy and ``ringside.local``.

The simulated-time runner asks each player how long it thought; here that
is the strategy's real thinking time, measured around ``choose``, so a slow
strategy loses on time in ``ringside play`` exactly as it would on a server.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable
from typing import Any

from ringside.bots.base import Strategy
from ringside.local import PolitePlayer
from ringside.protocol.messages import Request


def derive_seed(seed: int, label: str) -> int:
    """A 63-bit seed for ``label`` from a master seed, stable across runs and platforms.

    Hashing (rather than ``seed + i``) keeps the streams of different bots
    unrelated, and unlike ``hash()`` it does not change with PYTHONHASHSEED.
    """
    digest = hashlib.sha256(f"{seed}:{label}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


class TimedChooser:
    """Calls the strategy and reports the seconds it took as the simulated delay."""

    def __init__(
        self,
        strategy: Strategy,
        rng: random.Random,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.strategy = strategy
        self.rng = rng
        self.clock = clock
        self.moves = 0
        self.thinking = 0.0
        """Total seconds spent in ``choose``, for reports."""

    def __call__(self, request: Request) -> tuple[Any, float]:
        started = self.clock()
        action = self.strategy.choose(request, self.rng)
        took = max(0.0, self.clock() - started)
        self.moves += 1
        self.thinking += took
        return action, took


def strategy_player(strategy: Strategy, seed: int) -> tuple[PolitePlayer, TimedChooser]:
    """A local bot that plays ``strategy`` with its own generator seeded by ``seed``."""
    chooser = TimedChooser(strategy, random.Random(seed))
    return PolitePlayer(chooser), chooser
