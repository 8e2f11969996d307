"""Which OpenSpiel games Ringside offers, and why the others cannot be played here."""

from __future__ import annotations

import functools
from typing import Any

import pyspiel

from ringside.games.base import Game
from ringside.games.spiel.game import SpielGame, readable

BROKEN: dict[str, str] = {
    "crossword": "it has no legal actions to list: OpenSpiel says"
    ' "LegalActions unimplemented for non-chance node. This game uses action structs only."',
}
"""Games that load but cannot play a round through the adapter, with what was observed
(a test checks each reason still holds)."""

SAMPLED = (
    "its chance events are sampled by the game's own generator (SAMPLED_STOCHASTIC),"
    " not listed with their probabilities, so a round cannot replay from Ringside's seed"
)


def why_not(name: str, game: Any) -> str | None:
    """Why a loaded game cannot be offered, or None."""
    kind = game.get_type()
    if kind.dynamics == pyspiel.GameType.Dynamics.MEAN_FIELD:
        return "a mean-field game: it models a population, not seats of players"
    if kind.chance_mode == pyspiel.GameType.ChanceMode.SAMPLED_STOCHASTIC:
        return SAMPLED
    return BROKEN.get(name)


@functools.cache
def family() -> tuple[list[Game], dict[str, str]]:
    """Every registered OpenSpiel game: the playable ones, and {name: why not} for the rest."""
    games: list[Game] = []
    unavailable: dict[str, str] = {}
    for name in sorted(pyspiel.registered_names()):
        try:
            game = pyspiel.load_game(name)
        except Exception as exc:  # SpielError, and C++ exceptions pybind11 maps (IndexError)
            unavailable[f"spiel.{name}"] = (
                f"it does not load with its default parameters ({readable(exc)})"
            )
            continue
        reason = why_not(name, game)
        if reason is not None:
            unavailable[f"spiel.{name}"] = reason
            continue
        games.append(SpielGame(name, game))
    return games, unavailable
