"""The catalogue of games, by registry name.

A game is a package (a folder: rules, game type, board module) that offers its
``Game`` as an entry point of the ``ringside.games`` group::

    [project.entry-points."ringside.games"]
    nim = "ringside_nim:GAME"

The built-in games are declared the same way in Ringside's own pyproject.toml,
and are also listed here (``BUILTIN_GAMES``), so a source checkout whose
installed metadata is stale (an editable install made before a game was
added) still finds every one of them.

Names are first come, first served, so the name a match was recorded under
keeps meaning the same rules: the built-ins come first, then the plugins in
the order Python finds their distributions (``sys.path`` order). A plugin
whose name is taken, or that fails to load, is left out and logged; the rest
of the catalogue is unaffected. ``register`` is the deliberate way in from
code: it adds a game, or replaces the game of that name.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable

from ringside.games.base import Game, GameType
from ringside.text import quoted

log = logging.getLogger(__name__)

GROUP = "ringside.games"
"""The entry-point group games are found in."""

BUILTIN_GAMES = {
    "tictactoe": "ringside.games.tictactoe:GAME",
    "connect4": "ringside.games.connect4:GAME",
    "othello": "ringside.games.othello:GAME",
    "gomoku": "ringside.games.gomoku:GAME",
    "baskin31": "ringside.games.baskin31:GAME",
    "rps": "ringside.games.rps:GAME",
    "counting": "ringside.games.counting:GAME",
    "go": "ringside.games.go:GAME",
    "chess": "ringside.games.chess:GAME",
}
"""The built-in games' entry points, as pyproject.toml declares them (a test keeps both equal)."""

OPTIONAL_GAMES = frozenset({"chess"})
"""Games that need an extra (``pip install 'ringside[engines]'``); left out when it is missing."""

BUILTIN_FAMILIES: dict[str, str] = {"spiel": "ringside.games.spiel:family"}
"""Families of games adapted from another library, by name prefix: each entry point
returns ``(games, unavailable)``, the games and {name: why it cannot be played}. A family
needs an extra (``pip install 'ringside[openspiel]'``) and is left out without it."""

_games: dict[str, Game] = {}
_unavailable: dict[str, str] = {}
_loaded = False


class UnknownGame(LookupError):
    def __init__(self, name: str) -> None:
        why = _unavailable.get(name) if isinstance(name, str) else None
        if why is not None:
            text = f"game {quoted(name, 60)} cannot be played here: {why}"
        else:
            known = sorted(catalogue_names())
            shown = ", ".join(known[:40]) + (
                f" and {len(known) - 40} more" if len(known) > 40 else ""
            )
            text = f"unknown game {quoted(name, 60)}; known games: {shown}"
        super().__init__(text)
        self.name = name


def register(game: Game) -> Game:
    """Add a game to the catalogue, replacing any of its name (plugins may call this)."""
    _games[game.name] = game
    return game


def _resolve(target: str) -> object:
    """The object an entry point's ``module:attribute`` value names."""
    module, _, attribute = target.partition(":")
    found: object = importlib.import_module(module)
    for part in attribute.split(".") if attribute else ():
        found = getattr(found, part)
    return found


def _check(game: object, name: str) -> Game:
    """``game`` if it describes itself as the game ``name``; TypeError otherwise."""
    game_type = getattr(game, "game_type", None)
    if not isinstance(game_type, GameType):
        raise TypeError(f"{quoted(game, 60)} has no GameType as its game_type")
    if game_type.name != name:
        raise TypeError(
            f"the entry point is named {quoted(name, 40)} but the game {quoted(game_type.name, 40)}"
        )
    return game  # type: ignore[return-value]


def _load_builtins() -> None:
    """Load the built-in games once; a game registered before keeps its place."""
    for name, target in BUILTIN_GAMES.items():
        try:
            game = _check(_resolve(target), name)
        except ImportError as exc:
            if name in OPTIONAL_GAMES and not (exc.name or "").startswith("ringside"):
                continue  # the extra is not installed
            raise  # a bug of ours
        _games.setdefault(name, game)


def _load_families() -> None:
    """Load each family whose extra is installed; its names never replace a game's."""
    for prefix, target in BUILTIN_FAMILIES.items():
        try:
            load = _resolve(target)
        except ImportError as exc:
            if not (exc.name or "").startswith("ringside"):
                continue  # the extra is not installed
            raise  # a bug of ours
        games, unavailable = load()  # type: ignore[operator]
        for game in games:
            name = game.game_type.name
            if not name.startswith(prefix + "."):
                raise TypeError(f"family {prefix!r} offers {name!r}, outside its prefix")
            _games.setdefault(name, _check(game, name))
        for name, why in unavailable.items():
            _unavailable.setdefault(name, why)


def _plugin_entry_points() -> Iterable[tuple[str, str, str]]:
    """(name, value, distribution) of each entry point in the group, Ringside's own skipped.

    importlib.metadata is imported here, not at the top: it reads installed
    packages from disk, the one part of the catalogue that is not sans-I/O.
    """
    from importlib.metadata import entry_points

    for ep in entry_points(group=GROUP):
        if BUILTIN_GAMES.get(ep.name) == ep.value:
            continue  # Ringside's own declaration of a built-in, loaded already
        dist = ep.dist.name if ep.dist is not None else "an unknown distribution"
        yield ep.name, ep.value, dist


def _load_plugins() -> None:
    for name, target, dist in _plugin_entry_points():
        if name in _games:
            log.warning("game %r from %s is left out: the name is taken", name, dist)
            continue
        try:
            _games[name] = _check(_resolve(target), name)
        except Exception:
            log.exception("game %r from %s is left out: it did not load", name, dist)


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    _load_builtins()
    _load_families()
    _load_plugins()


def get_game(name: str) -> Game:
    _load()
    try:
        return _games[name]
    except (KeyError, TypeError):
        raise UnknownGame(str(name)) from None


def catalogue_names() -> list[str]:
    _load()
    return list(_games)


def catalogue() -> list[Game]:
    _load()
    return list(_games.values())


def unavailable_games() -> dict[str, str]:
    """Games a family knows but cannot offer here, with the reason (listed, not hidden)."""
    _load()
    return dict(_unavailable)
