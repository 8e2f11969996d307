"""The random bot and the strategy registry."""

from __future__ import annotations

import random

import pytest

from ringside.bots import (
    StrategyError,
    StrategyFailed,
    UnknownStrategy,
    get_strategy,
    strategies_for,
)
from ringside.bots.player import derive_seed, strategy_player
from ringside.games import Game, catalogue
from ringside.local import LocalBot, Simulation
from ringside.protocol.messages import ClockReading, Request
from ringside.referee import Match, MatchConfig


def request(legal: list[object] | None) -> Request:
    return Request("m", 1, 1, 0, {}, legal, ClockReading(10.0, 10.0))


def test_random_picks_uniformly_among_the_legal_actions() -> None:
    bot = get_strategy("random", "rps")
    rng = random.Random(1)
    picks = [bot.choose(request(["rock", "paper", "scissors"]), rng) for _ in range(3000)]
    assert set(picks) == {"rock", "paper", "scissors"}
    assert all(800 < picks.count(t) < 1200 for t in ("rock", "paper", "scissors"))


def test_random_needs_legal_actions() -> None:
    bot = get_strategy("random", "rps")
    with pytest.raises(StrategyFailed, match="needs legal_actions"):
        bot.choose(request(None), random.Random(0))
    with pytest.raises(StrategyFailed, match="no legal action"):
        bot.choose(request([]), random.Random(0))


@pytest.mark.parametrize(
    "game", [g for g in catalogue() if "." not in g.name], ids=lambda g: g.name
)  # a family of adapted games (spiel.*) plays its own matches in tests/games/spiel
def test_random_bots_only_play_legal_actions(game: Game) -> None:
    """Whole matches of every game: any illegal action would end in a verdict."""
    name = game.name
    players = max(2, game.players.start)
    bots = [f"random-{i}" for i in range(players)]
    config = MatchConfig(game=name, bots=bots, rounds=4, seed=11, forfeit="round")
    local: list[LocalBot] = [
        strategy_player(get_strategy("random", name), derive_seed(11, f"bot:{i}"))[0]
        for i in range(players)
    ]
    result = Simulation(Match("m", config), local).run()
    assert result.status == "finished"
    assert [rs.verdicts for rs in result.rounds] == [[]] * 4
    assert sum(result.scores) > 0


def test_registry_lists_strategies_per_game() -> None:
    assert strategies_for("connect4") == ["alphabeta", "random"]
    assert strategies_for("othello") == ["alphabeta", "random"]
    assert strategies_for("tictactoe") == ["alphabeta", "random"]
    assert strategies_for("rps") == ["random"]
    assert strategies_for("a-plugin-game") == ["random"]


def test_registry_refuses_unknown_names_and_parameters() -> None:
    with pytest.raises(UnknownStrategy, match=r"no bot .alphabeta. for rps; .*: random"):
        get_strategy("alphabeta", "rps")
    with pytest.raises(UnknownStrategy, match="no bot 'minimax'"):
        get_strategy("minimax", "connect4")
    with pytest.raises(StrategyError, match="random does not take depth"):
        get_strategy("random", "connect4", depth=3)
    with pytest.raises(StrategyError, match="depth must be an integer"):
        get_strategy("alphabeta", "connect4", depth=0)
    with pytest.raises(StrategyError, match="depth must be an integer"):
        get_strategy("alphabeta", "connect4", depth="4")


def test_derived_seeds_are_stable_and_distinct() -> None:
    assert derive_seed(7, "bot:0") == derive_seed(7, "bot:0")
    seeds = {derive_seed(s, f"bot:{i}") for s in range(20) for i in range(4)}
    assert len(seeds) == 80
    assert all(0 <= s < 2**63 for s in seeds)
