"""The RoShamBo competition bots (Billings, 1999-2000) for Ringside's ``rps``, through OpenSpiel.

OpenSpiel wraps the 43 entrants (``iocainebot``, ``greenberg``, ``rockbot``...)
as bots of its ``repeated_game`` of ``matrix_rps``. Each request's ``rps``
observation lists every finished throw of the round, so the bot rebuilds
that repeated game's state from it and asks the competition bot for the
next throw. The wrapper insists on seeing every throw in turn (it records the
last one at each step), so a bot that joins late, after a reconnection or a
re-sent request, is first stepped through the throws it missed.

The competition code draws with the C library's ``random()``, one generator
for the whole process: each step reseeds it from the strategy's ``rng``
(under a lock, as a networked bot plays matches in threads), so a match
replays the same way.
"""

from __future__ import annotations

import ctypes
import random
import threading
from collections.abc import Callable
from typing import Any

from ringside.bots.base import JSON, StrategyError, StrategyFailed, register_strategy
from ringside.bots.spiel_support import load_game, pyspiel_module
from ringside.games.rps import THROWS
from ringside.protocol.messages import Request
from ringside.text import quoted

BOT_NAMES = (
    "actr_lag2_decay", "adddriftbot2", "addshiftbot3", "antiflatbot", "antirotnbot", "biopic",
    "boom", "copybot", "debruijn81", "driftbot", "flatbot3", "foxtrotbot", "freqbot2", "granite",
    "greenberg", "halbot", "inocencio", "iocainebot", "marble", "markov5", "markovbails",
    "mixed_strategy", "mod1bot", "multibot", "peterbot", "phasenbott", "pibot", "piedra",
    "predbot", "r226bot", "randbot", "robertot", "rockbot", "rotatebot", "russrocker4", "shofar",
    "sunCrazybot", "sunNervebot", "sweetrock", "switchalot", "switchbot", "textbot", "zq_move",
)  # fmt: skip
"""``pyspiel.roshambo_bot_names()``, spelt out so the registry needs no pyspiel to list them
(a test keeps both equal)."""
DEFAULT_BOT = "greenberg"
"""The winner of the second competition (2000); ``iocainebot`` won the first."""

_random_lock = threading.Lock()


def _libc_srandom() -> Callable[[int], None] | None:
    try:
        srandom: Callable[[int], None] = ctypes.CDLL(None).srandom
    except (OSError, AttributeError):  # no C library to reach: throws are then not replayable
        return None
    return srandom


_srandom = _libc_srandom()


class Roshambo:
    """One competition bot, kept for a round and stepped through each of its throws."""

    def __init__(self, bot_name: str) -> None:
        self.pyspiel = pyspiel_module()
        self.bot_name = bot_name
        self._bot: Any = None
        self._key: tuple[int, int] | None = None
        self._seen: list[tuple[int, int]] = []
        """The finished throws of the last request, in order."""
        self._stepped = 0
        """States the bot has been stepped at: those after 0, 1, ... finished throws."""

    def choose(self, request: Request, rng: random.Random) -> JSON:
        seat, throws, pairs = _read(request.observation)
        game = load_game(f"repeated_game(stage_game=matrix_rps(),num_repetitions={throws})")
        if (
            self._bot is None
            or self._key != (seat, throws)
            or len(pairs) < self._stepped  # a new round, or this request again
            or pairs[: len(self._seen)] != self._seen
        ):
            self._bot = self.pyspiel.make_roshambo_bot(seat, self.bot_name, throws)
            self._key = (seat, throws)
            self._seen, self._stepped = [], 0
        state = game.new_initial_state()
        with _random_lock:
            try:
                for done, pair in enumerate(pairs):
                    if done >= self._stepped:
                        self._step(state, rng)  # a throw it missed: its answer is moot
                    state.apply_actions(list(pair))
                action = self._step(state, rng)
            except Exception as exc:  # pyspiel raises a bare RuntimeError (SpielError)
                self._bot = None
                raise StrategyFailed(f"the RoShamBo bot {self.bot_name} failed: {exc}") from exc
        self._seen, self._stepped = pairs, len(pairs) + 1
        return THROWS[action]

    def _step(self, state: Any, rng: random.Random) -> int:
        seed = rng.getrandbits(32)
        if _srandom is not None:
            _srandom(seed)
        return int(self._bot.step(state))


def _read(obs: Any) -> tuple[int, int, list[tuple[int, int]]]:
    """(seat, throws in the round, finished throws as action pairs) from an rps observation."""
    try:
        seat, throws, history = obs["you"], obs["throws"], obs["history"]
        pairs = [(THROWS.index(a), THROWS.index(b)) for a, b in history]
    except (TypeError, KeyError, ValueError) as exc:
        raise StrategyFailed(f"the RoShamBo bots play rps only ({exc})") from exc
    if seat not in (0, 1) or not isinstance(throws, int) or len(pairs) >= throws:
        raise StrategyFailed("the rps observation is not one of a throw to make")
    return seat, throws, pairs


def make_roshambo(game: str, bot: str = DEFAULT_BOT) -> Roshambo:
    if bot not in BOT_NAMES:
        raise StrategyError(f"no RoShamBo bot {quoted(bot, 30)}; they are {', '.join(BOT_NAMES)}")
    return Roshambo(bot)


def _named(bot: str) -> Callable[[str], Roshambo]:
    def make(game: str) -> Roshambo:
        return make_roshambo(game, bot)

    return make


register_strategy(
    "roshambo",
    make_roshambo,
    f"a RoShamBo competition bot via OpenSpiel (bot=NAME, default {DEFAULT_BOT})",
    games=("rps",),
    params=("bot",),
)
for _name in BOT_NAMES:
    register_strategy(
        f"roshambo-{_name}",
        _named(_name),
        f"the RoShamBo competition bot {_name}, via OpenSpiel",
        games=("rps",),
    )
