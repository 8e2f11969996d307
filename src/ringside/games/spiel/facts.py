"""What Ringside says about an OpenSpiel game before playing it: its GameType and options.

Everything here is read from OpenSpiel's own ``GameType`` and ``parameter_specification``,
so a game added to OpenSpiel needs no entry in Ringside.
"""

from __future__ import annotations

import keyword
from typing import Any

import msgspec
import pyspiel

from ringside.games.base import GameType

PACKAGE = "ringside.games.spiel"
PLAYERS = "players"
"""The parameter set from the match's number of bots, never an option."""
SEED_PARAMETERS = frozenset({"rng_seed", "seed"})
"""Parameters that seed a game's own generator: derived from the round's seed when left at
their default, so that a match replays from its seed."""
RINGSIDE_OPTIONS = ("duplicate", "tensor")

SEATS: dict[str, tuple[str, ...]] = {
    # OpenSpiel's chess family numbers Black 0 and White 1 (White moves first).
    **dict.fromkeys(
        ("chess", "antichess", "crazyhouse", "dark_chess", "kriegspiel", "rbc"),
        ("Black", "White"),
    ),
    **dict.fromkeys(
        ("go", "phantom_go", "breakthrough", "othello", "cursor_go"), ("Black", "White")
    ),
    "hex": ("x (top-bottom)", "o (left-right)"),
    "dark_hex": ("x (top-bottom)", "o (left-right)"),
    "dark_hex_ir": ("x (top-bottom)", "o (left-right)"),
    **dict.fromkeys(("tic_tac_toe", "phantom_ttt", "phantom_ttt_ir", "latent_ttt"), ("x", "o")),
    "backgammon": ("x", "o"),
}
"""Seat names where OpenSpiel's order is a known colour; other games say "Player n"."""


def short(value: Any) -> str:
    return str(value).rsplit(".", 1)[-1]


def facts_of(kind: Any) -> tuple[tuple[str, str], ...]:
    """OpenSpiel's classification of a game, as (name, value) pairs in its own words."""
    return (
        ("dynamics", short(kind.dynamics.name).lower()),
        ("utility", short(kind.utility.name).lower()),
        ("chance", short(kind.chance_mode.name).lower()),
        ("information", short(kind.information.name).lower()),
    )


FIXED_PLAYERS = frozenset({"pathfinding"})
"""Games with a ``players`` parameter whose count is really set by another one (the grid of
pathfinding places its agents), so they are played by their default count only."""


def player_range(game: Any) -> range:
    """The numbers of players the game can be loaded for: OpenSpiel's min..max when a
    ``players`` parameter chooses it, else the one count the game is loaded with."""
    kind = game.get_type()
    if PLAYERS in kind.parameter_specification and kind.short_name not in FIXED_PLAYERS:
        return range(kind.min_num_players, kind.max_num_players + 1)
    return range(game.num_players(), game.num_players() + 1)


def rules_of(kind: Any, players: range) -> str:
    """One or two sentences built from OpenSpiel's facts."""
    lo, hi = players.start, players.stop - 1
    count = (
        f"{lo} player" if lo == hi == 1 else f"{lo} players" if lo == hi else f"{lo}-{hi} players"
    )
    dynamics = {
        "SEQUENTIAL": "taking turns",
        "SIMULTANEOUS": "moving at the same time",
    }.get(short(kind.dynamics.name), short(kind.dynamics.name).lower())
    info = "perfect" if short(kind.information.name) == "PERFECT_INFORMATION" else "hidden"
    chance = "" if short(kind.chance_mode.name) == "DETERMINISTIC" else ", with chance"
    return (
        f"OpenSpiel's {kind.long_name}: {count}, {dynamics}, with {info} information{chance}. "
        "Actions are OpenSpiel's action numbers (or their names); see docs/openspiel.md."
    )


def option_field(name: str) -> str:
    """A Python name for a parameter (``50_move_rule`` is none); the JSON key stays ``name``."""
    if name.isidentifier() and not keyword.iskeyword(name) and not name.startswith("_"):
        return name
    return "p_" + "".join(c if c.isalnum() else "_" for c in name)


RINGSIDE_DEFAULTS: dict[str, dict[str, Any]] = {
    # OpenSpiel scores a bridge deal by double-dummy analysis right after the auction: one
    # step of 0.2-1.4 s in C++ that holds the GIL (a thread cannot take it off the event
    # loop), stalling every match of the server. Ringside has the cards played out instead;
    # the option turns the analysis back on.
    "bridge": {"use_double_dummy_result": False},
}
"""Parameters whose default Ringside changes, and why."""


def options_struct(short_name: str, kind: Any) -> type[msgspec.Struct]:
    """A frozen struct with one field per settable parameter, plus Ringside's own."""
    fields: list[tuple[str, Any, Any]] = []
    rename: dict[str, str] = {}
    ours = RINGSIDE_DEFAULTS.get(short_name, {})
    for name, default in sorted(kind.parameter_specification.items()):
        default = ours.get(name, default)
        if name == PLAYERS or isinstance(default, dict):
            continue  # the match sets players; a nested game is no option
        if name in RINGSIDE_OPTIONS:
            raise TypeError(f"{short_name}: parameter {name!r} clashes with Ringside's option")
        attribute = option_field(name)
        if attribute != name:
            rename[attribute] = name
        fields.append((attribute, type(default), default))
    fields += [("duplicate", bool, False), ("tensor", bool, False)]
    title = "".join(part.capitalize() for part in short_name.split("_")) or "Spiel"
    return msgspec.defstruct(
        f"Spiel{title}Options",
        fields,
        forbid_unknown_fields=True,
        frozen=True,
        rename=rename or None,
        module=PACKAGE,
    )


def game_type(short_name: str, game: Any) -> GameType:
    kind = game.get_type()
    players = player_range(game)
    seats = SEATS.get(short_name) or tuple(f"Player {i + 1}" for i in range(players.stop - 1))
    return GameType(
        name=f"spiel.{short_name}",
        title=kind.long_name,
        rules=rules_of(kind, players),
        players=players,
        simultaneous=kind.dynamics == pyspiel.GameType.Dynamics.SIMULTANEOUS,
        seats=seats,
        options=options_struct(short_name, kind),
        package=PACKAGE,
        board="board.js",
        information=(
            "perfect"
            if kind.information == pyspiel.GameType.Information.PERFECT_INFORMATION
            else "imperfect"
        ),
        chance=kind.chance_mode != pyspiel.GameType.ChanceMode.DETERMINISTIC,
        facts=facts_of(kind),
    )
