"""The MCTS bot for OpenSpiel games with perfect information."""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest

from ringside.bots import StrategyError, StrategyFailed, get_strategy, strategies_for
from ringside.bots.spiel_mcts import SpielMCTS, make_mcts
from ringside.protocol.messages import Request

pyspiel = pytest.importorskip("pyspiel")

MakeRequest = Callable[..., Request]  # the ``make_spiel_request`` fixture of conftest.py


def after(game: str, actions: list[int]) -> Any:
    state = pyspiel.load_game(game).new_initial_state()
    for action in actions:
        state.apply_action(action)
    return state


def test_takes_an_immediate_win(make_spiel_request: MakeRequest) -> None:
    state = after("tic_tac_toe", [0, 3, 1, 4])  # x on 0 and 1, o on 3 and 4: x takes 2
    for seed in range(5):
        bot = make_mcts("spiel.tic_tac_toe", simulations=300)
        assert bot.choose(make_spiel_request(state), random.Random(seed)) == 2


def test_the_same_seed_gives_the_same_move(make_spiel_request: MakeRequest) -> None:
    request = make_spiel_request(after("breakthrough", []))
    moves = {
        seed: [
            make_mcts("spiel.breakthrough", simulations=50).choose(request, random.Random(seed))
            for _ in range(2)
        ]
        for seed in range(4)
    }
    assert all(a == b for a, b in moves.values())
    assert len({a for a, _ in moves.values()}) > 1  # and the seed matters


def test_a_chance_history_is_replayed(make_spiel_request: MakeRequest) -> None:
    """Backgammon: the history holds the dice rolls, which the rebuilt state replays."""
    state = pyspiel.load_game("backgammon").new_initial_state()
    rng = random.Random(1)
    while state.is_chance_node() or len(state.history()) < 6:
        outcomes = [a for a, _ in state.chance_outcomes()] if state.is_chance_node() else None
        state.apply_action(rng.choice(outcomes or state.legal_actions()))
    request = make_spiel_request(state)
    move = make_mcts("spiel.backgammon", simulations=20).choose(request, random.Random(0))
    assert move in state.legal_actions()


def test_the_clock_stops_the_search(make_spiel_request: MakeRequest) -> None:
    bot = make_mcts("spiel.hex", simulations=10_000_000)
    request = make_spiel_request(after("hex", []), move_time=0.3)
    started = time.perf_counter()
    bot.choose(request, random.Random(0))
    assert time.perf_counter() - started < 1.0
    assert bot.last is not None and bot.last.timed
    assert bot.last.budget == pytest.approx(0.1)


def test_a_search_that_fits_its_time_is_not_timed(make_spiel_request: MakeRequest) -> None:
    bot = make_mcts("spiel.hex", simulations=100)
    bot.choose(make_spiel_request(after("hex", [])), random.Random(0))
    assert bot.last is not None and not bot.last.timed and bot.last.elapsed < 1.0


def test_an_observation_without_history_is_refused(make_spiel_request: MakeRequest) -> None:
    state = after("kuhn_poker", [0, 1])
    with pytest.raises(StrategyFailed, match="history"):
        make_mcts("spiel.kuhn_poker").choose(make_spiel_request(state), random.Random(0))


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"simulations": 0}, "simulations must be"),
        ({"simulations": True}, "simulations must be"),
        ({"rollouts": 1.5}, "rollouts must be"),
        ({"uct_c": -1}, "uct_c must be"),
        ({"time_fraction": 2}, "time_fraction must be"),
    ],
)
def test_bad_parameters(params: dict[str, Any], words: str) -> None:
    with pytest.raises(StrategyError, match=words):
        make_mcts("spiel.hex", **params)


def test_without_the_extra_the_bot_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from ringside.bots import spiel_support

    monkeypatch.setitem(sys.modules, "pyspiel", None)  # ``import pyspiel`` now fails
    monkeypatch.setattr(spiel_support, "have_pyspiel", lambda: False)
    assert "mcts" in strategies_for("spiel.hex")
    assert "mcts" not in strategies_for("tictactoe")
    with pytest.raises(StrategyError, match=r"pip install 'ringside\[openspiel\]'"):
        get_strategy("mcts", "spiel.hex")
    assert isinstance(get_strategy("random", "spiel.hex"), object)


def test_it_is_a_strategy() -> None:
    assert isinstance(make_mcts("spiel.hex"), SpielMCTS)


# --- through the real referee and the spiel adapter ---------------------------------------


def play(game: str, bots: list[str], strategies: list[Any], seed: int, rounds: int = 1) -> Any:
    from ringside.bots.player import strategy_player
    from ringside.local import LocalBot, Simulation
    from ringside.referee import Match, MatchConfig

    players: list[LocalBot] = [
        strategy_player(s, seed * 10 + i)[0] for i, s in enumerate(strategies)
    ]
    config = MatchConfig(game=game, bots=bots, rounds=rounds, seed=seed)
    return Simulation(Match(f"m{seed}", config), players).run()


def test_the_family_decides_where_mcts_plays() -> None:
    assert "mcts" in strategies_for("spiel.hex")
    assert "mcts" in strategies_for("spiel.backgammon")  # chance is in the history
    assert "mcts" not in strategies_for("spiel.kuhn_poker")  # hidden cards
    assert "mcts" not in strategies_for("spiel.goofspiel")  # simultaneous moves
    assert "mcts" not in strategies_for("spiel.no_such_game")
    assert "mcts" not in strategies_for("tictactoe")


def test_mcts_beats_random_at_breakthrough() -> None:
    """Ten games through the real referee, alternating who starts."""
    wins = 0
    for game_no in range(10):
        bots = ["mcts", "random"]
        strategies = [
            get_strategy("mcts", "spiel.breakthrough", simulations=200),
            get_strategy("random", "spiel.breakthrough"),
        ]
        if game_no % 2:
            bots.reverse()
            strategies.reverse()
        result = play("spiel.breakthrough", bots, strategies, game_no)
        assert result.verdict is None
        wins += result.winner == "mcts"
    assert wins >= 8
