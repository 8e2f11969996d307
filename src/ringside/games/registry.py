"""The catalogue of games, by registry name."""

from __future__ import annotations

import importlib

from ringside.games.base import Game

BUILTIN_MODULES = (
    "tictactoe",
    "connect4",
    "othello",
    "gomoku",
    "baskin31",
    "rps",
    "counting",
    "go",
)
OPTIONAL_MODULES = ("chess",)
"""Games that need an extra (``pip install 'ringside[engines]'``); left out when it is missing."""

_games: dict[str, Game] = {}
_builtins_loaded = False


class UnknownGame(LookupError):
    def __init__(self, name: str) -> None:
        known = ", ".join(sorted(catalogue_names()))
        super().__init__(f"unknown game {name!r:.60}; known games: {known}")
        self.name = name


def register(game: Game) -> Game:
    """Add a game to the catalogue (plugins call this)."""
    _games[game.name] = game
    return game


def _load_builtins() -> None:
    """Load the built-in games once; a plugin may have registered its own before."""
    global _builtins_loaded
    if _builtins_loaded:
        return
    _builtins_loaded = True
    for module in BUILTIN_MODULES:
        builtin = importlib.import_module(f"ringside.games.{module}").GAME
        _games.setdefault(builtin.name, builtin)  # a plugin's game of the same name wins
    for module in OPTIONAL_MODULES:
        try:
            loaded = importlib.import_module(f"ringside.games.{module}")
        except ImportError as exc:
            if (exc.name or "").startswith("ringside"):
                raise  # a bug of ours, not a missing extra
            continue
        _games.setdefault(loaded.GAME.name, loaded.GAME)


def get_game(name: str) -> Game:
    _load_builtins()
    try:
        return _games[name]
    except (KeyError, TypeError):
        raise UnknownGame(str(name)) from None


def catalogue_names() -> list[str]:
    _load_builtins()
    return list(_games)


def catalogue() -> list[Game]:
    _load_builtins()
    return list(_games.values())
