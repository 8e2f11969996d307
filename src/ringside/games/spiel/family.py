"""Which OpenSpiel games Ringside offers, and why the others cannot be played here."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Iterator
from typing import Any

import pyspiel

from ringside.games.base import Game
from ringside.games.spiel.game import SpielGame, readable

BROKEN: dict[str, str] = {
    "morpion_solitaire": "playing a cloned state crashes the process (a segmentation fault"
    " in OpenSpiel 2.0.2), and Ringside clones every state it plays",
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


@contextlib.contextmanager
def quiet_openspiel() -> Iterator[None]:
    """Silence what OpenSpiel's C++ writes to file descriptor 2 while the catalogue loads:
    a line per game that needs parameters, and quoridor's warning, on every command's
    stderr otherwise. The reasons are kept in ``unavailable``."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real descriptor 2 (an embedding host): leave it
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@functools.cache
def family() -> tuple[list[Game], dict[str, str]]:
    """Every registered OpenSpiel game: the playable ones, and {name: why not} for the rest."""
    with quiet_openspiel():
        return _family()


def _family() -> tuple[list[Game], dict[str, str]]:
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
