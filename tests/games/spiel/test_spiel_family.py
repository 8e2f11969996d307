"""The family: which OpenSpiel games are offered, why the others are not, and the docs table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pyspiel = pytest.importorskip("pyspiel")

from ringside.games import registry  # noqa: E402
from ringside.games.spiel import family  # noqa: E402
from ringside.games.spiel import table as spiel_table  # noqa: E402
from ringside.games.spiel.family import BROKEN  # noqa: E402
from ringside.games.spiel.game import PUBLIC_OBSERVERS, public_observer  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]


def test_every_registered_game_is_offered_or_listed_with_a_reason() -> None:
    games, unavailable = family()
    offered = {g.game_type.name for g in games}
    names = {f"spiel.{n}" for n in pyspiel.registered_names()}
    assert offered | set(unavailable) == names and not offered & set(unavailable)
    assert all(why for why in unavailable.values())
    assert "spiel.mfg_garnet" in unavailable and "mean-field" in unavailable["spiel.mfg_garnet"]
    assert "Missing parameter game" in unavailable["spiel.misere"]
    assert {"spiel.kuhn_poker", "spiel.hex", "spiel.backgammon", "spiel.chess"} <= offered


def test_the_registry_offers_the_family_and_explains_the_rest() -> None:
    assert registry.BUILTIN_FAMILIES == {"spiel": "ringside.games.spiel:family"}
    assert registry.get_game("spiel.kuhn_poker").name == "spiel.kuhn_poker"
    with pytest.raises(registry.UnknownGame, match=r"cannot be played here: .*epsilon"):
        registry.get_game("spiel.add_noise")


def test_crossword_still_has_no_legal_actions() -> None:
    assert "crossword" in BROKEN
    state = pyspiel.load_game("crossword").new_initial_state()
    while state.is_chance_node():
        state.apply_action(state.chance_outcomes()[0][0])
    with pytest.raises(pyspiel.SpielError, match="LegalActions unimplemented"):
        state.legal_actions()


def test_morpion_solitaire_still_crashes_on_a_played_clone() -> None:
    assert "morpion_solitaire" in BROKEN
    code = (
        "import pyspiel, random\n"
        "g = pyspiel.load_game('morpion_solitaire')\n"
        "for seed in range(30):\n"
        "    r, s = random.Random(seed), g.new_initial_state()\n"
        "    while not s.is_terminal():\n"
        "        s = s.clone(); s.apply_action(r.choice(s.legal_actions()))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60, check=False)
    assert run.returncode != 0, "morpion_solitaire survives clones now: take it off BROKEN"


def test_games_with_a_players_parameter_load_for_each_end_of_their_range() -> None:
    for game in family()[0]:
        players = game.players
        if len(players) == 1:
            continue
        for count in (players.start, players.stop - 1):
            state = game.start(count, 0, {})
            assert state.spiel.num_players() == count, game.name


def test_public_observers_work_where_listed() -> None:
    for name in PUBLIC_OBSERVERS:
        assert public_observer(pyspiel.load_game(name)) is not None, name


def test_a_public_observer_elsewhere_still_crashes_openspiel() -> None:
    """Why PUBLIC_OBSERVERS is a list: OpenSpiel 2.0.2 segfaults for liars_dice."""
    code = (
        "import pyspiel\n"
        "g = pyspiel.load_game('liars_dice')\n"
        "t = pyspiel.IIGObservationType(perfect_recall=False, public_info=True,"
        " private_info=pyspiel.PrivateInfoType.NONE)\n"
        "o = pyspiel._Observation(g, g.make_observer(t, {}))\n"
        "o.string_from(g.new_initial_state(), 0)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60, check=False)
    assert run.returncode != 0, "liars_dice has a public observer now: list it in PUBLIC_OBSERVERS"


def test_docs_openspiel_md_is_current() -> None:
    path = ROOT / "docs" / "openspiel.md"
    text = path.read_text(encoding="utf-8")
    assert text == spiel_table.render(text), f"{path} is out of date: run `make schema`"
    for name in pyspiel.registered_names():
        assert f"| `spiel.{name}` |" in text
    assert "pip install 'ringside[openspiel]'" in text
