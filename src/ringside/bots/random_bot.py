"""The random bot: a uniform pick among the legal actions the server listed.

It knows no rules at all, so it plays every game, including plugin games
added after it was written; it is the baseline other bots must beat.
"""

from __future__ import annotations

import random

from ringside.bots.base import JSON, StrategyFailed, register_strategy
from ringside.protocol.messages import Request


class RandomStrategy:
    """Uniform over ``request.legal_actions``."""

    def choose(self, request: Request, rng: random.Random) -> JSON:
        legal = request.legal_actions
        if legal is None:
            raise StrategyFailed(
                "the random bot needs legal_actions, and this game does not list them"
            )
        if not legal:
            raise StrategyFailed("the request lists no legal action to choose from")
        return rng.choice(legal)


def make_random(game: str) -> RandomStrategy:
    return RandomStrategy()


register_strategy("random", make_random, "uniform over the legal actions (any game)")
