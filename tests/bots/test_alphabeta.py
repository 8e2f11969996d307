"""The alpha-beta bot: tactics, exactness against brute force, clock handling, strength."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from typing import Any

import pytest

from ringside.bots import get_strategy
from ringside.bots.alphabeta import WIN, AlphaBeta
from ringside.bots.evaluation import KNOWLEDGE
from ringside.bots.player import strategy_player
from ringside.games import connect4, othello, tictactoe
from ringside.local import LocalBot, Simulation
from ringside.protocol.messages import Request
from ringside.referee import Match, MatchConfig

MakeRequest = Callable[..., Request]  # the ``make_request`` fixture of conftest.py


def alphabeta(game: str, **params: Any) -> AlphaBeta:
    bot = get_strategy("alphabeta", game, **params)
    assert isinstance(bot, AlphaBeta)
    return bot


def connect4_after(columns: list[int]) -> connect4.ConnectFourState:
    state = connect4.GAME.start(2, seed=0)
    for col in columns:
        state = connect4.GAME.apply(state, {state.to_move: col})
    return state


def frozen() -> float:
    return 0.0


# --- rebuilding states from observations ---------------------------------------------


@pytest.mark.parametrize("name", sorted(KNOWLEDGE))
def test_state_from_observation_has_the_same_legal_moves(name: str) -> None:
    """The rebuilt state must behave like the referee's for everything the search asks."""
    from ringside.games import get_game

    game = get_game(name)
    rebuild = KNOWLEDGE[name].from_observation
    rng = random.Random(5)
    for _ in range(20):
        state = game.start(2, 0, {})
        while not game.is_over(state):
            (seat,) = game.to_act(state)
            copy = rebuild(game.observation(state, seat))
            assert game.to_act(copy) == (seat,)
            assert game.legal_actions(copy, seat) == game.legal_actions(state, seat)
            assert game.view(copy)["board"] == game.view(state)["board"]
            action = rng.choice(list(game.legal_actions(state, seat) or ()))
            after, copied_after = (
                game.apply(state, {seat: action}),
                game.apply(copy, {seat: action}),
            )
            assert game.is_over(after) == game.is_over(copied_after)
            assert game.to_act(after) == game.to_act(copied_after)
            state = after


# --- connect four ---------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1, 2, 4, None])
def test_connect4_takes_an_immediate_win(make_request: MakeRequest, depth: int | None) -> None:
    state = connect4_after([0, 0, 1, 1, 2, 2])  # X has 0-1-2 on the bottom row
    for seed in range(5):
        assert (
            alphabeta("connect4", depth=depth).choose(
                make_request(connect4.GAME, state), random.Random(seed)
            )
            == 3
        )


@pytest.mark.parametrize("depth", [2, 3, None])
def test_connect4_blocks_an_immediate_loss(make_request: MakeRequest, depth: int | None) -> None:
    state = connect4_after([0, 6, 1, 6, 2])  # O to move; X threatens column 3
    for seed in range(5):
        bot = alphabeta("connect4", depth=depth)
        assert bot.choose(make_request(connect4.GAME, state), random.Random(seed)) == 3


def test_connect4_sees_a_double_threat(make_request: MakeRequest) -> None:
    """X to move on ..XX... with both ends open: dropping next to them makes two threats."""
    state = connect4_after([2, 2, 3, 3])  # X on 2 and 3, O stacked on top
    bot = alphabeta("connect4", depth=4)
    move = bot.choose(make_request(connect4.GAME, state), random.Random(0))
    assert move in (1, 4)
    assert bot.last is not None and bot.last.value >= WIN - 10  # a forced win, found


def test_alphabeta_beats_random_at_connect4() -> None:
    """Ten games through the real referee, alternating who starts."""
    wins = 0
    for game_no in range(10):
        ab = alphabeta("connect4", depth=4)
        players: list[LocalBot] = [
            strategy_player(ab, 1000 + game_no)[0],
            strategy_player(get_strategy("random", "connect4"), 2000 + game_no)[0],
        ]
        bots = ["alphabeta", "random"]
        if game_no % 2:
            players.reverse()
            bots.reverse()
        config = MatchConfig(game="connect4", bots=bots, seed=game_no)
        result = Simulation(Match(f"m{game_no}", config), players).run()
        assert result.verdict is None
        wins += result.winner == "alphabeta"
    assert wins >= 9


# --- othello --------------------------------------------------------------------------


def othello_board(rows: list[str]) -> tuple[int | None, ...]:
    return tuple({"X": 0, "O": 1, ".": None}[c] for row in rows for c in row)


CORNER_POSITION = othello_board(
    [
        "........",
        "........",
        "........",
        "...OX...",
        "...XO...",
        "X.O.....",
        "OX......",
        "........",
    ]
)
"""Black (X) to move can take a8; if it does not, white takes a8 itself (through b7)."""


@pytest.mark.parametrize("depth", [1, 2, 3, None])
def test_othello_takes_a_corner(make_request: MakeRequest, depth: int | None) -> None:
    state = othello.OthelloState(CORNER_POSITION, 0, (), None, (), False, 0)
    request = make_request(othello.GAME, state)
    assert "a8" in request.legal_actions and len(request.legal_actions) > 3  # type: ignore[operator,arg-type]
    for seed in range(3):
        assert alphabeta("othello", depth=depth).choose(request, random.Random(seed)) == "a8"


def exact_result(game: Any, state: Any, seat: int) -> int:
    """Plain minimax to the end, no pruning: +1 win, 0 draw, -1 loss for ``seat``."""
    if game.is_over(state):
        mine, theirs = (float(x) for x in game.scores(state))
        if seat:
            mine, theirs = theirs, mine
        return (mine > theirs) - (mine < theirs)
    (mover,) = game.to_act(state)
    results = [
        exact_result(game, game.apply(state, {mover: a}), seat)
        for a in game.legal_actions(state, mover) or ()
    ]
    return max(results) if mover == seat else min(results)


def test_othello_endgames_match_brute_force(make_request: MakeRequest) -> None:
    """Positions with few empty squares, searched to the end: passes included, no pruning bug."""
    rng = random.Random(3)
    checked = 0
    while checked < 12:
        state = othello.GAME.start(2, 0)
        while not state.over and state.board.count(None) > 7:
            (seat,) = othello.GAME.to_act(state)
            state = othello.GAME.apply(
                state, {seat: rng.choice(othello.GAME.legal_actions(state, seat))}
            )
        if state.over:
            continue
        (seat,) = othello.GAME.to_act(state)
        bot = alphabeta("othello", depth=12)
        move = bot.choose(make_request(othello.GAME, state), random.Random(0))
        assert bot.last is not None
        best = exact_result(othello.GAME, state, seat)
        found = (bot.last.value > 0) - (bot.last.value < 0)
        if len(othello.GAME.legal_actions(state, seat)) > 1:
            assert found == best
        after = othello.GAME.apply(state, {seat: move})
        assert exact_result(othello.GAME, after, seat) == best
        checked += 1


# --- tic-tac-toe ------------------------------------------------------------------------


def test_tictactoe_is_perfect(make_request: MakeRequest) -> None:
    state = tictactoe.GAME.start(2, 0)
    bot = alphabeta("tictactoe")
    bot.choose(make_request(tictactoe.GAME, state), random.Random(0))
    assert bot.last is not None and bot.last.value == 0 and bot.last.depth == 9
    for seed, bots in itertools.product(
        range(4), (["alphabeta", "random"], ["random", "alphabeta"])
    ):
        players: list[LocalBot] = [
            strategy_player(get_strategy(name, "tictactoe"), seed * 10 + i)[0]
            for i, name in enumerate(bots)
        ]
        config = MatchConfig(game="tictactoe", bots=bots, seed=seed)
        result = Simulation(Match("t", config), players).run()
        assert result.scores[bots.index("alphabeta")] >= 0.5


# --- time ---------------------------------------------------------------------------------


class TickingClock:
    """A fake time source that moves ``tick`` seconds each time it is read."""

    def __init__(self, tick: float) -> None:
        self.tick = tick
        self.now = 0.0

    def __call__(self) -> float:
        self.now += self.tick
        return self.now


def test_without_time_pressure_the_full_depth_is_searched(make_request: MakeRequest) -> None:
    bot = alphabeta("connect4", depth=5, clock=frozen)
    bot.choose(make_request(connect4.GAME, connect4_after([3])), random.Random(0))
    assert bot.last is not None
    assert (bot.last.depth, bot.last.stopped_by_clock) == (5, False)


def test_deepening_stops_when_a_third_of_the_move_time_is_used(make_request: MakeRequest) -> None:
    """A clock that jumps a second per reading: 3 s of move time allow depth 1 only."""
    bot = alphabeta("connect4", depth=6, clock=TickingClock(1.0))
    move = bot.choose(
        make_request(connect4.GAME, connect4_after([3]), move_time=3.0), random.Random(0)
    )
    assert bot.last is not None
    assert (bot.last.depth, bot.last.stopped_by_clock) == (1, True)
    assert move in range(7)


def test_a_search_cut_short_keeps_the_last_finished_depth(make_request: MakeRequest) -> None:
    state = connect4_after([3, 3, 2])
    request = make_request(connect4.GAME, state, move_time=3.0)  # budget: 1 s = 1000 ticks
    clock = TickingClock(0.001)
    bot = alphabeta("connect4", depth=8, clock=clock)
    move = bot.choose(request, random.Random(4))
    info = bot.last
    assert info is not None and info.stopped_by_clock
    assert 2 <= info.depth < 8
    assert info.elapsed <= 1.0 + 0.005  # stopped at the budget, not at the end of a depth
    reference = alphabeta("connect4", depth=info.depth, clock=frozen)
    assert reference.choose(request, random.Random(4)) == move
