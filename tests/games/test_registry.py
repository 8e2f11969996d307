"""The catalogue: built-in games, and games that plugins register."""

from __future__ import annotations

import importlib

import pytest

from ringside.games import registry
from ringside.games.counting import Counting


class PluginGame(Counting):
    """A game a plugin registers, before anything asked for the catalogue."""

    name = "plugin-count"


BUILTIN_NAMES = {
    importlib.import_module(f"ringside.games.{module}").GAME.name
    for module in registry.BUILTIN_MODULES
}


@pytest.fixture(autouse=True)
def fresh_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    """A catalogue as at start-up: nothing registered, the built-ins not loaded yet."""
    monkeypatch.setattr(registry, "_games", {})
    monkeypatch.setattr(registry, "_builtins_loaded", False)


def test_a_plugin_registered_first_does_not_hide_the_builtin_games() -> None:
    plugin = registry.register(PluginGame())
    assert BUILTIN_NAMES | {"plugin-count"} <= set(registry.catalogue_names())
    assert registry.get_game("plugin-count") is plugin
    assert registry.get_game("connect4").name == "connect4"


def test_a_plugin_game_replaces_the_builtin_of_its_name() -> None:
    class Replacement(Counting):
        pass

    replacement = registry.register(Replacement())
    assert registry.get_game("counting") is replacement
    assert registry.get_game("othello").name == "othello"
