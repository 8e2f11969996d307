"""Built-in bots: strategies that see only what a networked bot sees.

``get_strategy(name, game, **params)`` builds one; ``strategies_for(game)``
lists the names that play a game.
"""

from ringside.bots.base import (
    Strategy,
    StrategyError,
    StrategyFailed,
    StrategySpec,
    UnknownStrategy,
    all_strategies,
    get_strategy,
    register_strategy,
    strategies_for,
    strategy_spec,
)

__all__ = [
    "Strategy",
    "StrategyError",
    "StrategyFailed",
    "StrategySpec",
    "UnknownStrategy",
    "all_strategies",
    "get_strategy",
    "register_strategy",
    "strategies_for",
    "strategy_spec",
]
