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
    if _games:
        return
    for module in BUILTIN_MODULES:
        register(importlib.import_module(f"ringside.games.{module}").GAME)
    for module in OPTIONAL_MODULES:
        try:
            loaded = importlib.import_module(f"ringside.games.{module}")
        except ImportError as exc:
            if (exc.name or "").startswith("ringside"):
                raise  # a bug of ours, not a missing extra
            continue
        register(loaded.GAME)


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
