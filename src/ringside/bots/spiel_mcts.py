"""The MCTS bot for OpenSpiel games with perfect information (``spiel.hex``, ``spiel.breakthrough``...).

A perfect-information spiel observation carries ``game_string`` and the
round's whole ``history`` (chance outcomes included), so the bot rebuilds the
referee's state with OpenSpiel itself and searches it with OpenSpiel's C++
``MCTSBot`` and random rollouts: it is some twenty times faster (hex) than
``open_spiel.python.algorithms.mcts``. Both generators the search needs are
seeded from the strategy's ``rng``, so a match replays the same way while the
simulation budget, not the clock, is what ends the searches.

Time: a search may take ``time_fraction`` (a third) of the clock's
``move_time``. OpenSpiel's search stops either after a number of simulations
or after a time, not at whichever comes first (given a time it ignores the
count), so the bot foresees: it times its searches (the first of a match
after a short probe) and runs ``simulations`` simulations when they should
take at most half the time allowed, and a search bounded by that time
otherwise. Only the latter depends on the machine's speed.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Any

from ringside.bots.base import JSON, StrategyError, StrategyFailed, register_strategy
from ringside.bots.spiel_support import (
    family_member,
    legal_of,
    load_game,
    pyspiel_module,
    spiel_observation,
)
from ringside.games.base import GameType
from ringside.protocol.messages import Request
from ringside.text import quoted

SIMULATIONS = 1000
MAX_SIMULATIONS = 10_000_000
MEMORY_MB = 256
"""The search tree's memory cap; OpenSpiel's MCTS stops growing it there."""
PROBE = 16
"""Simulations of the first search of a match, timed to foresee the others' length."""
SAFETY = 2.0
"""How much slower than foreseen a search may turn out and still fit its time."""


@dataclass(frozen=True, slots=True)
class SearchInfo:
    """What the last ``choose`` did, for tests, logs and tuning."""

    action: int
    elapsed: float
    budget: float
    """Seconds the search was allowed."""
    timed: bool
    """Whether the clock, not the simulation count, ended the search."""


class SpielMCTS:
    """UCT search with random rollouts over a state rebuilt from the observation's history."""

    def __init__(
        self,
        simulations: int = SIMULATIONS,
        rollouts: int = 1,
        uct_c: float = 2.0,
        time_fraction: float = 1 / 3,
        solve: bool = True,
    ) -> None:
        self.pyspiel = pyspiel_module()
        self.simulations = simulations
        self.rollouts = rollouts
        self.uct_c = uct_c
        self.time_fraction = time_fraction
        self.solve = solve
        self.last: SearchInfo | None = None
        self._per_simulation: float | None = None
        """Seconds one simulation took in this match's last search."""

    def choose(self, request: Request, rng: random.Random) -> JSON:
        legal = legal_of(request)
        if len(legal) == 1:
            return legal[0]
        obs = spiel_observation(request, "history")
        game = load_game(obs["game_string"])
        state = rebuild(game, obs["history"])
        if state.is_terminal() or state.current_player() != request.seat:
            raise StrategyFailed(
                f"the history leads to a state where seat {request.seat} is not to move"
            )
        budget = max(0.001, request.clock.move_time * self.time_fraction)
        started = time.perf_counter()
        if self._per_simulation is None:  # a short probe tells how fast this game searches
            self._search(game, state, rng, PROBE)
            self._per_simulation = (time.perf_counter() - started) / PROBE
        timed = self._per_simulation * self.simulations * SAFETY > budget
        searched = time.perf_counter()
        action = self._search(game, state, rng, self.simulations, budget if timed else -1.0)
        elapsed = time.perf_counter() - searched
        if not timed:
            self._per_simulation = elapsed / self.simulations
        if action not in legal:
            raise StrategyFailed(f"MCTS chose {action}, which the request does not list")
        self.last = SearchInfo(action, time.perf_counter() - started, budget, timed)
        return action

    def _search(
        self, game: Any, state: Any, rng: random.Random, simulations: int, seconds: float = -1.0
    ) -> int:
        """One search; with ``seconds`` > 0 OpenSpiel runs it that long, whatever ``simulations``."""
        evaluator = self.pyspiel.RandomRolloutEvaluator(self.rollouts, rng.getrandbits(31))
        bot = self.pyspiel.MCTSBot(
            game,
            evaluator,
            self.uct_c,
            simulations,
            MEMORY_MB,
            self.solve,
            rng.getrandbits(31),
            False,
            max_wall_clock_time=seconds,
        )
        return int(bot.step(state))


def rebuild(game: Any, history: Any) -> Any:
    """The state after ``history`` (a list of actions, chance outcomes included)."""
    if not isinstance(history, list):
        raise StrategyFailed("the observation's history must be a list of actions")
    state = game.new_initial_state()
    for action in history:
        try:
            state.apply_action(action)
        except Exception as exc:  # pyspiel raises a bare RuntimeError (SpielError)
            raise StrategyFailed(f"the history does not replay: {exc}") from exc
    return state


def _perfect_and_sequential(game_type: GameType) -> bool:
    return game_type.information == "perfect" and not game_type.simultaneous


def plays_mcts(game: str) -> bool:
    return family_member(game, _perfect_and_sequential)


def make_mcts(
    game: str,
    simulations: int = SIMULATIONS,
    rollouts: int = 1,
    uct_c: float = 2.0,
    time_fraction: float = 1 / 3,
) -> SpielMCTS:
    for name, value, top in (
        ("simulations", simulations, MAX_SIMULATIONS),
        ("rollouts", rollouts, 1000),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
            raise StrategyError(f"{name} must be an integer from 1 to {top}, got {quoted(value)}")
    if isinstance(uct_c, bool) or not isinstance(uct_c, int | float) or not uct_c > 0:
        raise StrategyError(f"uct_c must be a positive number, got {quoted(uct_c, 20)}")
    if not isinstance(time_fraction, int | float) or not 0 < time_fraction <= 1:
        raise StrategyError(f"time_fraction must be in (0, 1], got {quoted(time_fraction, 20)}")
    return SpielMCTS(simulations, rollouts, float(uct_c), float(time_fraction))


register_strategy(
    "mcts",
    make_mcts,
    "OpenSpiel's Monte Carlo tree search with random rollouts (spiel.* games with "
    "perfect information; simulations=N)",
    params=("simulations", "rollouts", "uct_c", "time_fraction"),
    applies=plays_mcts,
)
