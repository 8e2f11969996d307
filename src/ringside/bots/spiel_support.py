"""What the OpenSpiel bots share: importing pyspiel late, knowing their games, reading requests.

``pyspiel`` is an extra (``pip install 'ringside[openspiel]'``), so nothing here
imports it at module level: the registry imports every built-in bot module,
and a missing extra must leave the other bots working. A strategy asked for
without it fails with a ``StrategyError`` that says what to install.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable
from typing import Any

from ringside.bots.base import StrategyError, StrategyFailed
from ringside.games.base import GameType
from ringside.games.registry import UnknownGame, get_game
from ringside.protocol.messages import Request
from ringside.text import quoted

PREFIX = "spiel."
MISSING_EXTRA = "the OpenSpiel bots need pyspiel: pip install 'ringside[openspiel]'"


def have_pyspiel() -> bool:
    return importlib.util.find_spec("pyspiel") is not None


def pyspiel_module() -> Any:
    """The ``pyspiel`` module, or a StrategyError naming the extra to install."""
    try:
        import pyspiel
    except ImportError as exc:
        raise StrategyError(MISSING_EXTRA) from exc
    return pyspiel


def family_member(game: str, test: Callable[[GameType], bool]) -> bool:
    """Whether ``game`` is a ``spiel.*`` game whose GameType passes ``test``.

    Without the extra every ``spiel.*`` name passes, so that asking for the bot
    reaches its factory, which says what to install, rather than "no such bot".
    """
    if not isinstance(game, str) or not game.startswith(PREFIX):
        return False
    if not have_pyspiel():
        return True
    try:
        game_type = get_game(game).game_type
    except UnknownGame:
        return False
    return test(game_type)


def fact(game_type: GameType, name: str) -> str | None:
    return dict(game_type.facts).get(name)


_games: dict[str, Any] = {}
_games_lock = threading.Lock()


def load_game(game_string: str) -> Any:
    """``pyspiel.load_game(game_string)``, cached: a match asks for the same game each move."""
    with _games_lock:
        found = _games.get(game_string)
        if found is None:
            pyspiel = pyspiel_module()
            try:
                found = pyspiel.load_game(game_string)
            except Exception as exc:  # pyspiel raises a bare RuntimeError (SpielError)
                raise StrategyFailed(
                    f"OpenSpiel cannot load the game {quoted(game_string, 80)}: {exc}"
                ) from exc
            _games[game_string] = found
        return found


def spiel_observation(request: Request, needs: str) -> dict[str, Any]:
    """The request's observation, checked to be a spiel one that has the field ``needs``."""
    obs = request.observation
    if not isinstance(obs, dict) or not isinstance(obs.get("game_string"), str):
        raise StrategyFailed("this bot plays OpenSpiel games (spiel.*) only")
    if obs.get(needs) is None:
        raise StrategyFailed(f"this bot needs {needs!r} in the observation, and it has none")
    return obs


def legal_of(request: Request) -> list[int]:
    legal = request.legal_actions
    if not legal:
        raise StrategyFailed("the request lists no legal action to choose from")
    if not all(isinstance(a, int) and not isinstance(a, bool) for a in legal):
        raise StrategyFailed("an OpenSpiel request lists its legal actions as integers")
    return list(legal)
