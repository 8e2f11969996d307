"""What a built-in bot is, and the registry that finds one by name.

A strategy sees exactly what a networked bot sees: the ``request`` message
(observation, legal actions, clock) and a random generator it owns. It never
gets the referee's game state, so the same strategy object can run in
``ringside play`` on simulated time and, unchanged, behind the client SDK on
a real socket.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from ringside.protocol.messages import Request
from ringside.text import quoted

JSON = Any

BUILTIN_MODULES = ("random_bot", "alphabeta", "spiel_mcts", "spiel_cfr", "roshambo")
"""Modules of ``ringside.bots`` that register strategies when imported."""


class Strategy(Protocol):
    """A bot's brain: pick one action for one request."""

    def choose(self, request: Request, rng: random.Random) -> JSON:
        """Return the action to send; ``rng`` is the only source of chance allowed.

        Taking the generator as an argument (rather than seeding a global one)
        lets the caller make a whole match reproducible from one seed.
        """
        ...


class StrategyError(ValueError):
    """A strategy asked for with parameters it cannot take; the message says why."""


class UnknownStrategy(LookupError):
    """No strategy of that name plays that game."""

    def __init__(self, name: str, game: str) -> None:
        known = ", ".join(strategies_for(game)) or "none"
        super().__init__(f"no bot {quoted(name, 60)} for {game}; built-in bots for {game}: {known}")
        self.name = name
        self.game = game


class StrategyFailed(RuntimeError):
    """A strategy met a request it cannot answer (e.g. no legal actions listed)."""


@dataclass(frozen=True, slots=True)
class StrategySpec:
    """A registered strategy: how to build it and where it applies."""

    name: str
    factory: Callable[..., Strategy]
    """Called as ``factory(game_name, **params)``."""
    summary: str
    games: frozenset[str] | None = None
    """Games it plays; None means any game (it needs no rules knowledge)."""
    params: tuple[str, ...] = ()
    """Keyword parameters the factory accepts, so callers can offer only those."""
    applies: Callable[[str], bool] | None = None
    """Decides by game name instead of ``games``, for families whose members are only
    known at run time (every ``spiel.*`` game with perfect information)."""

    def plays(self, game: str) -> bool:
        if self.applies is not None:
            return self.applies(game)
        return self.games is None or game in self.games


_specs: dict[str, StrategySpec] = {}
_loaded = False


def register_strategy(
    name: str,
    factory: Callable[..., Strategy],
    summary: str,
    games: Iterable[str] | None = None,
    params: Iterable[str] = (),
    applies: Callable[[str], bool] | None = None,
) -> StrategySpec:
    """Add a strategy to the registry (the built-in modules call this on import)."""
    spec = StrategySpec(
        name,
        factory,
        summary,
        None if games is None else frozenset(games),
        tuple(params),
        applies,
    )
    _specs[name] = spec
    return spec


def _load_builtins() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for module in BUILTIN_MODULES:
        importlib.import_module(f"ringside.bots.{module}")


def strategy_spec(name: str, game: str) -> StrategySpec:
    """The registered strategy ``name`` if it plays ``game``, else UnknownStrategy."""
    _load_builtins()
    spec = _specs.get(name)
    if spec is None or not spec.plays(game):
        raise UnknownStrategy(name, game)
    return spec


def get_strategy(name: str, game: str, **params: Any) -> Strategy:
    """Build strategy ``name`` for ``game``; unknown parameters raise StrategyError."""
    spec = strategy_spec(name, game)
    unknown = sorted(set(params) - set(spec.params))
    if unknown:
        takes = ", ".join(spec.params) or "no parameters"
        raise StrategyError(f"bot {name} does not take {', '.join(unknown)} (it takes {takes})")
    return spec.factory(game, **params)


def strategies_for(game: str) -> list[str]:
    """Names of the strategies that play ``game``, sorted."""
    _load_builtins()
    return sorted(name for name, spec in _specs.items() if spec.plays(game))


def all_strategies() -> list[StrategySpec]:
    _load_builtins()
    return list(_specs.values())
