"""The CFR bot for small OpenSpiel poker games (``spiel.kuhn_poker``, ``spiel.leduc_poker``).

Hidden cards rule out rebuilding the state, but these games are small enough
to solve outright: the bot runs OpenSpiel's C++ CFR+ once per game (Leduc:
936 information states, about 1.5 s for the default 100 iterations, within a
few thousandths of a chip of equilibrium) and then plays the average policy
at the observation's ``information_state``, drawing with the strategy's
``rng`` so a match replays the same way.

The policy is solved when the strategy is built, for the game's default
options, so ``ringside bot`` pays the cost before it connects; a match whose
options make another game (``players=3``) is solved at its first request.
Policies are kept per game for the life of the process: every match of a
networked bot shares one.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from typing import Any

from ringside.bots.base import JSON, StrategyError, StrategyFailed, register_strategy
from ringside.bots.spiel_support import (
    PREFIX,
    family_member,
    legal_of,
    load_game,
    pyspiel_module,
    spiel_observation,
)
from ringside.games.base import GameType
from ringside.protocol.messages import Request
from ringside.text import quoted

CFR_GAMES = frozenset({"kuhn_poker", "leduc_poker"})
"""Short names of the games small enough to solve in a few seconds."""
ITERATIONS = 100
MAX_ITERATIONS = 100_000
MAX_SECONDS = 5.0
"""Solving stops after this long whatever ``iterations`` says, so options that make a
game bigger cannot stall a bot; the policy is then less exact, never missing."""

Table = dict[str, list[tuple[int, float]]]
"""Information state -> (action, probability) pairs: OpenSpiel's ``policy_table()``."""


@dataclass(frozen=True, slots=True)
class Solved:
    table: Table
    iterations: int
    seconds: float


_solved: dict[tuple[str, int], Solved] = {}
_solving = threading.Lock()


def game_key(game: Any) -> str:
    """One key per game whatever way its string was spelt (``kuhn_poker()`` is
    ``kuhn_poker(players=2)``): the short name and every parameter, defaults included."""
    params = sorted(game.get_parameters().items())
    return f"{game.get_type().short_name}{params}"


def solve(game: Any, iterations: int, max_seconds: float = MAX_SECONDS) -> Solved:
    """The CFR+ average policy of ``game`` after ``iterations`` (cached per game)."""
    key = (game_key(game), iterations)
    with _solving:  # two matches starting at once solve once
        found = _solved.get(key)
        if found is not None:
            return found
        pyspiel = pyspiel_module()
        started = time.perf_counter()
        solver = pyspiel.CFRPlusSolver(game)
        done = 0
        while done < iterations:
            solver.evaluate_and_update_policy()
            done += 1
            if time.perf_counter() - started > max_seconds:
                break
        table: Table = dict(solver.tabular_average_policy().policy_table())
        found = _solved[key] = Solved(table, done, time.perf_counter() - started)
        return found


@dataclass(frozen=True, slots=True)
class ChoiceInfo:
    """What the last ``choose`` did, for tests and logs."""

    action: int
    probabilities: dict[int, float]
    known: bool
    """Whether the policy had the information state (if not, the bot played uniformly)."""


class SpielCFR:
    """Plays a precomputed CFR+ average policy by information state."""

    def __init__(self, iterations: int = ITERATIONS, warm: Any = None) -> None:
        self.iterations = iterations
        self.last: ChoiceInfo | None = None
        self.solved: Solved | None = None
        if warm is not None:
            self.solved = solve(warm, iterations)

    def choose(self, request: Request, rng: random.Random) -> JSON:
        legal = legal_of(request)
        obs = spiel_observation(request, "information_state")
        game = load_game(obs["game_string"])
        if game.get_type().short_name not in CFR_GAMES:
            raise StrategyFailed(f"the CFR bot does not solve {quoted(obs['game_string'], 60)}")
        self.solved = solve(game, self.iterations)
        found = self.solved.table.get(obs["information_state"])
        probs = {int(a): float(p) for a, p in found or () if int(a) in legal}
        weights = [max(0.0, probs.get(a, 0.0)) for a in legal]
        if sum(weights) <= 0:
            weights = [1.0] * len(legal)
        action = rng.choices(legal, weights)[0]
        self.last = ChoiceInfo(action, probs, found is not None)
        return action


def _small_imperfect(game_type: GameType) -> bool:
    return (
        game_type.name.removeprefix(PREFIX) in CFR_GAMES
        and game_type.information == "imperfect"
        and not game_type.simultaneous
    )


def plays_cfr(game: str) -> bool:
    return family_member(game, _small_imperfect) and game.removeprefix(PREFIX) in CFR_GAMES


def make_cfr(game: str, iterations: int = ITERATIONS) -> SpielCFR:
    if (
        isinstance(iterations, bool)
        or not isinstance(iterations, int)
        or not 1 <= iterations <= MAX_ITERATIONS
    ):
        raise StrategyError(
            f"iterations must be an integer from 1 to {MAX_ITERATIONS}, got {quoted(iterations)}"
        )
    pyspiel_module()  # a missing extra is said here, before anything is solved
    return SpielCFR(iterations, load_game(game.removeprefix(PREFIX)))


register_strategy(
    "cfr",
    make_cfr,
    "an equilibrium policy computed with OpenSpiel's CFR+ when the bot starts "
    "(spiel.kuhn_poker, spiel.leduc_poker; iterations=N)",
    params=("iterations",),
    applies=plays_cfr,
)
