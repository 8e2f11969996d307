"""The RoShamBo competition bots playing Ringside's rps."""

from __future__ import annotations

import random
from typing import Any

import pytest

from ringside.bots import StrategyError, StrategyFailed, get_strategy, strategies_for
from ringside.bots.roshambo import BOT_NAMES, Roshambo
from ringside.protocol.messages import ClockReading, Request

pyspiel = pytest.importorskip("pyspiel")


def rps_request(history: list[list[str]], seat: int = 0, throws: int = 20) -> Request:
    """An rps request as the game builds it (see ringside.games.rps.observation)."""
    observation = {
        "you": seat,
        "history": history,
        "wins": [0, 0],
        "throws": throws,
        "throws_left": throws - len(history),
    }
    return Request(
        "m1", 1, 1, seat, observation, ["rock", "paper", "scissors"], ClockReading(10, 10)
    )


def bot(name: str) -> Roshambo:
    strategy = get_strategy(name, "rps")
    assert isinstance(strategy, Roshambo)
    return strategy


def test_the_names_are_openspiel_s() -> None:
    assert tuple(pyspiel.roshambo_bot_names()) == BOT_NAMES
    names = strategies_for("rps")
    assert "roshambo" in names
    assert all(f"roshambo-{name}" in names for name in BOT_NAMES)
    assert "roshambo" not in strategies_for("tictactoe")


def test_rockbot_and_copybot_play_as_written() -> None:
    rock, copy = bot("roshambo-rockbot"), bot("roshambo-copybot")
    history: list[list[str]] = []
    rng = random.Random(0)
    for _ in range(10):
        mine = rock.choose(rps_request(history, seat=0), rng)
        theirs = copy.choose(rps_request(history, seat=1), rng)
        assert mine == "rock"
        if history:
            assert theirs == "paper"  # copybot beats the opponent's last throw
        history.append([mine, theirs])


def test_the_seed_decides_the_random_throws() -> None:
    def throws(seed: int) -> list[Any]:
        strategy, rng = bot("roshambo-randbot"), random.Random(seed)
        history: list[list[str]] = []
        for _ in range(15):
            history.append([strategy.choose(rps_request(history), rng), "rock"])
        return [mine for mine, _ in history]

    assert throws(1) == throws(1)
    assert throws(1) != throws(2)


def test_a_late_start_a_repeat_and_a_new_round_are_caught_up() -> None:
    strategy, rng = bot("roshambo-iocainebot"), random.Random(0)
    history = [["rock", "paper"]] * 7
    strategy.choose(rps_request(history), rng)  # joins at throw 8
    strategy.choose(rps_request(history), rng)  # the same request again
    strategy.choose(rps_request([]), rng)  # a new round
    strategy.choose(rps_request([["paper", "rock"]], seat=1, throws=5), rng)


def test_iocainebot_beats_a_rock_player() -> None:
    """The 1999 winner through the real referee: 100 throws against constant rock."""
    from ringside.bots.player import strategy_player
    from ringside.local import LocalBot, Simulation
    from ringside.referee import Match, MatchConfig

    class Rock:
        def choose(self, request: Request, rng: random.Random) -> Any:
            return "rock"

    players: list[LocalBot] = [
        strategy_player(get_strategy("roshambo-iocainebot", "rps"), 1)[0],
        strategy_player(Rock(), 2)[0],
    ]
    config = MatchConfig(game="rps", bots=["iocaine", "rock"], seed=3, options={"throws": 100})
    sim = Simulation(Match("r", config), players)
    result = sim.run()
    assert result.winner == "iocaine" and result.verdict is None


def test_bad_names_and_observations() -> None:
    with pytest.raises(StrategyError, match="no RoShamBo bot"):
        get_strategy("roshambo", "rps", bot="nobody")
    with pytest.raises(StrategyFailed, match="rps only"):
        bot("roshambo").choose(
            Request("m", 1, 1, 0, {"board": []}, ["rock"], ClockReading(1, 1)), random.Random(0)
        )
