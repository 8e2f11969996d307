"""The CFR bot for small OpenSpiel poker games."""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest

from ringside.bots import StrategyError, StrategyFailed, get_strategy, strategies_for
from ringside.bots.spiel_cfr import SpielCFR, game_key, make_cfr, solve
from ringside.protocol.messages import Request
from ringside.testing.wire import ServerProcess, get_json, post_match

pyspiel = pytest.importorskip("pyspiel")

MakeRequest = Callable[..., Request]  # the ``make_spiel_request`` fixture of conftest.py


def after(game: str, actions: list[int]) -> Any:
    state = pyspiel.load_game(game).new_initial_state()
    for action in actions:
        state.apply_action(action)
    return state


def cfr(game: str, **params: Any) -> SpielCFR:
    bot = get_strategy("cfr", game, **params)
    assert isinstance(bot, SpielCFR)
    return bot


def test_kuhn_plays_the_equilibrium(make_spiel_request: MakeRequest) -> None:
    """Facing a bet, the king always calls and the jack always folds."""
    bot = cfr("spiel.kuhn_poker")
    for card, call in ((2, True), (0, False)):
        state = after("kuhn_poker", [1 if card != 1 else 0, card, 1])  # P1 bets
        assert state.current_player() == 1
        action = bot.choose(make_spiel_request(state), random.Random(0))
        assert bot.last is not None and bot.last.known
        assert action == (1 if call else 0)
        assert bot.last.probabilities[action] > 0.95


def test_choices_follow_the_policy_and_the_seed(make_spiel_request: MakeRequest) -> None:
    """The jack opening mixes (it bluffs); the draws come from the rng alone."""
    bot = cfr("spiel.kuhn_poker")
    request = make_spiel_request(after("kuhn_poker", [0, 1]))  # P1 holds the jack
    draws = [bot.choose(request, random.Random(seed)) for seed in range(200)]
    assert draws == [bot.choose(request, random.Random(seed)) for seed in range(200)]
    assert bot.last is not None
    bet = bot.last.probabilities[1]
    assert 0.0 <= bet <= 1 / 3 + 0.05  # the jack bluffs at most a third of the time
    assert abs(draws.count(1) / 200 - bet) < 0.1


def test_a_policy_is_solved_once_per_game() -> None:
    game = pyspiel.load_game("kuhn_poker")
    same = pyspiel.load_game("kuhn_poker(players=2)")
    assert game_key(game) == game_key(same)
    assert solve(game, 50) is solve(same, 50)
    assert game_key(game) != game_key(pyspiel.load_game("kuhn_poker(players=3)"))


def test_another_player_count_is_solved_at_the_first_request(
    make_spiel_request: MakeRequest,
) -> None:
    bot = cfr("spiel.kuhn_poker", iterations=20)
    state = after("kuhn_poker(players=3)", [0, 1, 2])
    assert bot.choose(make_spiel_request(state), random.Random(0)) in (0, 1)
    assert bot.last is not None and bot.last.known
    assert bot.solved is not None and bot.solved.iterations == 20


def test_an_unknown_information_state_is_played_uniformly(
    make_spiel_request: MakeRequest,
) -> None:
    request = make_spiel_request(after("kuhn_poker", [0, 1]))
    assert isinstance(request.observation, dict)
    request.observation["information_state"] = "never seen"
    bot = cfr("spiel.kuhn_poker")
    assert bot.choose(request, random.Random(0)) in (0, 1)
    assert bot.last is not None and not bot.last.known


def test_a_game_it_does_not_solve_is_refused(make_spiel_request: MakeRequest) -> None:
    bot = cfr("spiel.kuhn_poker")
    state = after("liars_dice", [0, 1])
    with pytest.raises(StrategyFailed, match="does not solve"):
        bot.choose(make_spiel_request(state), random.Random(0))


def test_where_cfr_plays() -> None:
    assert "cfr" in strategies_for("spiel.kuhn_poker")
    assert "cfr" in strategies_for("spiel.leduc_poker")
    assert "cfr" not in strategies_for("spiel.liars_dice")  # too big to solve at start
    assert "cfr" not in strategies_for("spiel.hex")
    assert "cfr" not in strategies_for("rps")


@pytest.mark.parametrize("iterations", [0, -1, 1.5, True, 10**6])
def test_bad_iterations(iterations: Any) -> None:
    with pytest.raises(StrategyError, match="iterations must be"):
        make_cfr("spiel.kuhn_poker", iterations=iterations)


def test_without_the_extra_the_bot_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from ringside.bots import spiel_support

    monkeypatch.setitem(sys.modules, "pyspiel", None)
    monkeypatch.setattr(spiel_support, "have_pyspiel", lambda: False)
    with pytest.raises(StrategyError, match=r"pip install 'ringside\[openspiel\]'"):
        get_strategy("cfr", "spiel.kuhn_poker")


def test_cfr_beats_random_at_leduc_over_200_hands() -> None:
    """One match of 200 hands through the real referee, dealt in duplicate (each deal
    twice, seats swapped) so that the cards' luck cancels out: without it, 200 hands
    of Leduc are too few to be sure (1 seed in 8 lost); with it, 8 seeds in 8 won."""
    from ringside.bots.player import strategy_player
    from ringside.local import LocalBot, Simulation
    from ringside.referee import Match, MatchConfig

    players: list[LocalBot] = [
        strategy_player(get_strategy("cfr", "spiel.leduc_poker"), 1)[0],
        strategy_player(get_strategy("random", "spiel.leduc_poker"), 2)[0],
    ]
    config = MatchConfig(
        game="spiel.leduc_poker",
        bots=["cfr", "random"],
        rounds=200,
        seed=0,
        options={"duplicate": True},
    )
    result = Simulation(Match("leduc", config), players).run()
    assert result.verdict is None and len(result.rounds) == 200
    assert result.winner == "cfr", result.scores


async def test_ringside_bot_plays_kuhn_with_cfr_on_a_real_server(
    open_server: ServerProcess, http: aiohttp.ClientSession
) -> None:
    """``ringside bot --strategy cfr`` as a child process, over a loopback WebSocket."""
    logs = open_server.data_dir
    processes = []
    for name, strategy in (("cfr-kuhn", "cfr"), ("random-kuhn", "random")):
        argv = [sys.executable, "-m", "ringside", "bot", "--name", name, "--seed", "1"]
        argv += ["--game", "spiel.kuhn_poker", "--strategy", strategy]
        with open(logs / f"{name}.log", "ab") as log:
            processes.append(
                subprocess.Popen([*argv, "--server", open_server.ws_bot], stdout=log, stderr=log)
            )
    try:
        async with asyncio.timeout(60):
            while {"cfr-kuhn", "random-kuhn"} - {
                b["name"] for b in (await get_json(http, f"{open_server.http}/api/bots"))["bots"]
            }:
                await asyncio.sleep(0.1)
            body = {"game": "spiel.kuhn_poker", "bots": ["cfr-kuhn", "random-kuhn"], "rounds": 20}
            status, created = await post_match(http, open_server, body)
            assert status == 201, created
            while True:
                match = await get_json(http, f"{open_server.http}/api/matches/{created['id']}")
                if match["status"] != "running":
                    break
                await asyncio.sleep(0.2)
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)
    assert match["status"] == "finished", match
    assert len(match["round_results"]) == 20
    assert not any(r["verdicts"] for r in match["round_results"]), match["round_results"]
