"""The catalogue: built-in games, games that plugins register, games found as entry points."""

from __future__ import annotations

import dataclasses
import logging
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from ringside.games import registry
from ringside.games.counting import Counting

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


class PluginGame(Counting):
    """A game a plugin registers, before anything asked for the catalogue."""

    game_type = dataclasses.replace(Counting.game_type, name="plugin-count")


@pytest.fixture(autouse=True)
def fresh_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    """A catalogue as at start-up: nothing registered, nothing loaded yet."""
    monkeypatch.setattr(registry, "_games", {})
    monkeypatch.setattr(registry, "_loaded", False)


def install(site: Path, dist: str, entry_points: dict[str, str], modules: dict[str, str]) -> None:
    """A distribution as an installer leaves it: its modules and a .dist-info with entry points."""
    for module, source in modules.items():
        (site / f"{module}.py").write_text(source)
    info = site / f"{dist}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    lines = "".join(f"{name} = {value}\n" for name, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[{registry.GROUP}]\n{lines}")


def plugin_source(name: str) -> str:
    return (
        "import dataclasses\n"
        "from ringside.games.counting import Counting\n"
        "class Game(Counting):\n"
        f"    game_type = dataclasses.replace(Counting.game_type, name={name!r})\n"
        "GAME = Game()\n"
    )


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory on sys.path, as a plugin's install target would be."""
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for module in [m for m in sys.modules if m.startswith("plugin_")]:
        del sys.modules[module]


def test_the_builtin_games_are_the_entry_points_pyproject_declares() -> None:
    declared = tomllib.loads(PYPROJECT.read_text())["project"]["entry-points"][registry.GROUP]
    assert declared == registry.BUILTIN_GAMES
    assert set(registry.BUILTIN_GAMES) - registry.OPTIONAL_GAMES <= set(registry.catalogue_names())


def test_a_plugin_registered_first_does_not_hide_the_builtin_games() -> None:
    plugin = registry.register(PluginGame())
    assert {"tictactoe", "go", "plugin-count"} <= set(registry.catalogue_names())
    assert registry.get_game("plugin-count") is plugin
    assert registry.get_game("connect4").name == "connect4"


def test_a_registered_game_replaces_the_builtin_of_its_name() -> None:
    class Replacement(Counting):
        pass

    replacement = registry.register(Replacement())
    assert registry.get_game("counting") is replacement
    assert registry.get_game("othello").name == "othello"


def test_an_installed_plugin_is_found_by_its_entry_point(site: Path) -> None:
    install(
        site, "plugin-race", {"race": "plugin_race:GAME"}, {"plugin_race": plugin_source("race")}
    )
    game = registry.get_game("race")
    assert game is sys.modules["plugin_race"].GAME
    assert registry.catalogue_names()[-1] == "race", "plugins come after the built-ins"


def test_a_plugin_cannot_take_a_builtin_name(site: Path, caplog: pytest.LogCaptureFixture) -> None:
    install(
        site,
        "plugin-impostor",
        {"connect4": "plugin_impostor:GAME"},
        {"plugin_impostor": plugin_source("connect4")},
    )
    with caplog.at_level(logging.WARNING, logger=registry.__name__):
        assert registry.get_game("connect4") is sys.modules["ringside.games.connect4"].GAME
    assert "plugin_impostor" not in sys.modules, "a refused plugin is not even imported"
    assert "'connect4' from plugin-impostor is left out: the name is taken" in caplog.text


def test_a_broken_or_mislabelled_plugin_is_left_out_and_the_rest_load(
    site: Path, caplog: pytest.LogCaptureFixture
) -> None:
    install(
        site,
        "plugin-mixed",
        {
            "broken": "plugin_broken:GAME",
            "alias": "plugin_good:GAME",  # the game inside is called "good"
            "good": "plugin_good:GAME",
            "nothing": "plugin_good:NOT_A_GAME",
        },
        {
            "plugin_broken": "raise RuntimeError('no luck')\n",
            "plugin_good": plugin_source("good") + "NOT_A_GAME = 1\n",
        },
    )
    with caplog.at_level(logging.ERROR, logger=registry.__name__):
        names = registry.catalogue_names()
    assert "good" in names and not {"broken", "alias", "nothing"} & set(names)
    assert "tictactoe" in names
    assert "no luck" in caplog.text
    assert "the entry point is named 'alias' but the game 'good'" in caplog.text
    assert "has no GameType" in caplog.text


def test_ringsides_own_declarations_are_not_loaded_twice(
    site: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An installed Ringside declares its built-ins as entry points too: no clash with itself."""
    install(site, "ringside-copy", dict(registry.BUILTIN_GAMES), {})
    with caplog.at_level(logging.WARNING, logger=registry.__name__):
        assert registry.get_game("go") is sys.modules["ringside.games.go"].GAME
    assert caplog.text == ""


def test_game_names_are_checked() -> None:
    with pytest.raises(ValueError, match="a game name is"):
        dataclasses.replace(Counting.game_type, name="../etc")
