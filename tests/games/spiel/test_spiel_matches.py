"""Every OpenSpiel game Ringside offers plays whole matches through the real referee.

The matches run in this process on simulated time (``ringside.local``), the code path of
``ringside play``; one test runs that command itself. Random bots only play listed
actions, so any verdict here is a bug of the adapter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyspiel")

from ringside.bots import get_strategy
from ringside.bots.player import derive_seed, strategy_player
from ringside.games.registry import catalogue
from ringside.local import LocalBot, Simulation
from ringside.referee import Match, MatchConfig

SPIEL = sorted((g for g in catalogue() if g.name.startswith("spiel.")), key=lambda g: g.name)
CHEAP: dict[str, dict[str, Any]] = {
    # The double-dummy solver scores a deal in ~1.4 s; playing the cards out is instant.
    "spiel.bridge": {"use_double_dummy_result": False},
}
"""Options that keep a random match quick, and why."""


def players_for(game: Any) -> int:
    return 2 if 2 in game.players else game.players.start


@pytest.mark.parametrize("name", [g.name for g in SPIEL])
def test_each_game_plays_a_two_round_random_match(name: str) -> None:
    game = next(g for g in SPIEL if g.name == name)
    players = players_for(game)
    bots = [f"random-{i}" for i in range(players)]
    config = MatchConfig(
        game=name, bots=bots, rounds=2, seed=5, forfeit="round", options=CHEAP.get(name, {})
    )
    local: list[LocalBot] = [
        strategy_player(get_strategy("random", name), derive_seed(5, f"bot:{i}"))[0]
        for i in range(players)
    ]
    simulation = Simulation(Match("m", config), local)
    result = simulation.run()
    assert result.status == "finished", result.reason
    assert [rs.verdicts for rs in result.rounds] == [[]] * 2
    for rs in result.rounds:
        assert all(0.0 <= s <= 1.0 for s in rs.scores)
    if game.game_type.information == "imperfect":
        # every move of a hidden-information round is shown without its action
        moves = [e for e in simulation.events if type(e).__name__ == "Move"]
        assert all(getattr(m, "action", None) is None for m in moves)


def test_the_play_command_plays_kuhn_poker() -> None:
    """``ringside play`` itself, as a user runs it."""
    src = Path(__file__).resolve().parents[3] / "src"
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    out = subprocess.run(
        [sys.executable, "-m", "ringside", "play", "spiel.kuhn_poker", "--rounds", "4",
         "--seed", "3", "--option", "duplicate=true", "--json"],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["status"] == "finished" and result["game"] == "spiel.kuhn_poker"
    assert len(result["rounds"]) == 4
