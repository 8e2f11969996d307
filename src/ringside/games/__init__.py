"""Games: pure rules modules behind one interface, and their registry."""

from ringside.games.base import JSON, BaseGame, Game, IllegalAction, InvalidOptions
from ringside.games.registry import UnknownGame, catalogue, get_game, register

__all__ = [
    "JSON",
    "BaseGame",
    "Game",
    "IllegalAction",
    "InvalidOptions",
    "UnknownGame",
    "catalogue",
    "get_game",
    "register",
]
