"""The alpha-beta bot: negamax search with iterative deepening under the bot's clock.

The search rebuilds a game state from the observation and then uses the
game module's own ``legal_actions``, ``apply``, ``is_over`` and ``scores``,
so there is one copy of the rules and a bot can never disagree with the
referee about them. Per-game knowledge (evaluation, move order) lives in
``ringside.bots.evaluation``.

Time: the search deepens one ply at a time and stops starting new depths
once ``time_fraction`` (a third) of the clock's ``move_time`` is spent; a
depth already running is abandoned at that same limit, keeping the best
move of the last finished depth. Depth 1 always finishes, so the bot always
has a move that looked at least one ply ahead. The time source is injected
so tests can make time pass at will.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ringside.bots.base import JSON, StrategyError, StrategyFailed, register_strategy
from ringside.bots.evaluation import KNOWLEDGE, Knowledge
from ringside.games.base import Game
from ringside.games.registry import get_game
from ringside.protocol.messages import Request
from ringside.text import quoted

WIN = 1_000_000.0
"""Value of a won final position, far above any heuristic; a win in fewer plies scores higher."""
MAX_DEPTH = 64


class _OutOfTime(Exception):
    """Unwinds a search whose time is up."""


@dataclass(frozen=True, slots=True)
class SearchInfo:
    """What the last ``choose`` did, for tests, logs and tuning."""

    action: JSON
    value: float
    depth: int
    """Deepest search that finished."""
    nodes: int
    elapsed: float
    stopped_by_clock: bool


class AlphaBeta:
    """Negamax with alpha-beta pruning for two-player, turn-based, zero-sum games."""

    def __init__(
        self,
        game: Game,
        knowledge: Knowledge,
        depth: int | None = None,
        time_fraction: float = 1 / 3,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.game = game
        self.knowledge = knowledge
        self.depth = knowledge.default_depth if depth is None else depth
        self.time_fraction = time_fraction
        self.clock = clock
        self.last: SearchInfo | None = None
        self._nodes = 0
        self._deadline = math.inf

    def choose(self, request: Request, rng: random.Random) -> JSON:
        legal = request.legal_actions
        if not legal:
            raise StrategyFailed("the alpha-beta bot needs a non-empty list of legal actions")
        started = self.clock()
        if len(legal) == 1:
            self.last = SearchInfo(legal[0], 0.0, 0, 0, 0.0, False)
            return legal[0]
        state = self.knowledge.from_observation(request.observation)
        seat = self._mover(state)
        if seat != request.seat:
            raise StrategyFailed(
                f"the observation says seat {seat} is to move, the request is for seat "
                f"{request.seat}"
            )
        # Shuffle before the stable sort so equally promising moves are tried (and
        # therefore chosen) in a seeded random order: games against it vary.
        shuffled = list(legal)
        rng.shuffle(shuffled)
        order = sorted(shuffled, key=self.knowledge.order_key)
        budget = max(0.0, request.clock.move_time) * self.time_fraction
        self._nodes = 0
        best, value, reached, stopped = order[0], 0.0, 0, False
        for depth in range(1, self.depth + 1):
            self._deadline = math.inf if depth == 1 else started + budget
            try:
                best, value = self._root(state, seat, order, depth)
            except _OutOfTime:
                stopped = True
                break
            reached = depth
            order.remove(best)
            order.insert(0, best)  # the best move so far is searched first next time
            if abs(value) >= WIN - MAX_DEPTH:
                break  # a forced result: deeper search cannot change it
            if self.clock() - started >= budget:
                stopped = depth < self.depth
                break
        self.last = SearchInfo(best, value, reached, self._nodes, self.clock() - started, stopped)
        return best

    # --- search ---------------------------------------------------------------------------

    def _mover(self, state: Any) -> int:
        seats = self.game.to_act(state)
        if len(seats) != 1:
            raise StrategyFailed("the alpha-beta bot plays turn-based games only")
        return int(seats[0])

    def _root(self, state: Any, seat: int, order: Sequence[JSON], depth: int) -> tuple[JSON, float]:
        alpha, beta = -math.inf, math.inf
        best, best_value = order[0], -math.inf
        for action in order:
            value = self._child_value(state, seat, action, depth, alpha, beta, 1)
            if value > best_value:
                best, best_value = action, value
            alpha = max(alpha, value)
        return best, best_value

    def _child_value(
        self, state: Any, seat: int, action: JSON, depth: int, alpha: float, beta: float, ply: int
    ) -> float:
        """Value for ``seat`` of playing ``action``; handles a turn that passes back to it."""
        child = self.game.apply(state, {seat: action})
        if self.game.is_over(child):
            self._nodes += 1
            return self._final_value(child, seat, ply)
        mover = self._mover(child)
        if mover == seat:  # the opponent had to pass (Othello): same side moves again
            return self._negamax(child, mover, depth - 1, alpha, beta, ply)
        return -self._negamax(child, mover, depth - 1, -beta, -alpha, ply)

    def _negamax(
        self, state: Any, seat: int, depth: int, alpha: float, beta: float, ply: int
    ) -> float:
        """Value of ``state`` for ``seat``, the seat to move, searched ``depth`` plies."""
        self._nodes += 1
        if self.clock() >= self._deadline:
            raise _OutOfTime
        if depth <= 0:
            return self.knowledge.evaluate(state, seat)
        actions = sorted(self.game.legal_actions(state, seat) or (), key=self.knowledge.order_key)
        best = -math.inf
        for action in actions:
            value = self._child_value(state, seat, action, depth, alpha, beta, ply + 1)
            if value > best:
                best = value
                if value > alpha:
                    alpha = value
                    if alpha >= beta:
                        break
        return best

    def _final_value(self, state: Any, seat: int, ply: int) -> float:
        """Game result for ``seat``: wins sooner and losses later are preferred."""
        scores = self.game.scores(state)
        margin = float(scores[seat]) - max(float(s) for i, s in enumerate(scores) if i != seat)
        if margin == 0:
            return 0.0
        return math.copysign(WIN - ply, margin)


def make_alphabeta(
    game: str,
    depth: int | None = None,
    time_fraction: float = 1 / 3,
    clock: Callable[[], float] = time.perf_counter,
) -> AlphaBeta:
    knowledge = KNOWLEDGE[game]
    if depth is not None and (
        isinstance(depth, bool) or not isinstance(depth, int) or not 1 <= depth <= MAX_DEPTH
    ):
        raise StrategyError(
            f"depth must be an integer from 1 to {MAX_DEPTH}, got {quoted(depth, 20)}"
        )
    if not 0 < time_fraction <= 1:
        raise StrategyError(f"time_fraction must be in (0, 1], got {quoted(time_fraction, 20)}")
    return AlphaBeta(get_game(game), knowledge, depth, time_fraction, clock)


register_strategy(
    "alphabeta",
    make_alphabeta,
    "negamax with alpha-beta pruning and iterative deepening (depth=N)",
    games=KNOWLEDGE,
    params=("depth", "time_fraction", "clock"),
)
