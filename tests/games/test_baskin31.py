"""Baskin-Robbins 31 on hand-counted games."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from ringside.games.base import IllegalAction, InvalidOptions
from ringside.games.baskin31 import GAME, Baskin31State


def play(players: int, calls: Iterable[int], target: int = 31) -> Baskin31State:
    state = GAME.start(players, seed=0, options={"target": target})
    for how_many in calls:
        (seat,) = GAME.to_act(state)
        state = GAME.apply(state, {seat: how_many})
    return state


def test_start() -> None:
    state = GAME.start(3, seed=0)
    assert GAME.to_act(state) == (0,)
    assert GAME.legal_actions(state, 0) == [1, 2, 3]
    assert GAME.legal_actions(state, 1) == []
    assert GAME.observation(state, 2) == {
        "count": 0,
        "target": 31,
        "players": 3,
        "you": 2,
        "to_move": 0,
        "history": [],
    }
    assert GAME.view(state)["last"] is None


@pytest.mark.parametrize("players", [1, 9])
def test_player_count(players: int) -> None:
    with pytest.raises(InvalidOptions, match="2 to 8 players"):
        GAME.start(players, seed=0)


@pytest.mark.parametrize("options", [{"target": 4}, {"target": 101}, {"target": 31.5}, {"x": 1}])
def test_bad_options(options: dict[str, object]) -> None:
    with pytest.raises(InvalidOptions):
        GAME.start(2, seed=0, options=options)


def test_turns_rotate_and_history() -> None:
    state = play(3, [2, 3, 1, 1])
    assert state.count == 7
    assert GAME.to_act(state) == (1,)
    assert GAME.observation(state, 0)["history"] == [
        [0, [1, 2]],
        [1, [3, 4, 5]],
        [2, [6]],
        [0, [7]],
    ]
    assert GAME.view(state)["last"] == [0, [7]]


def test_three_players_loser() -> None:
    # Everyone calls three: seat 0 ends on 30, so seat 1 must call 31.
    state = play(3, [3] * 10)
    assert state.count == 30
    assert GAME.to_act(state) == (1,)
    assert GAME.legal_actions(state, 1) == [1]
    with pytest.raises(IllegalAction, match="only 1 number is left"):
        GAME.apply(state, {1: 2})
    end = GAME.apply(state, {1: 1})
    assert GAME.is_over(end)
    assert GAME.scores(end) == [1.0, 0.0, 1.0]
    assert GAME.view(end)["loser"] == 1
    assert GAME.view(end)["to_move"] is None
    assert GAME.observation(end, 0)["to_move"] is None
    assert GAME.legal_actions(end, 2) == []


def test_only_two_numbers_left() -> None:
    state = play(2, [3] * 9 + [2])
    assert state.count == 29
    assert GAME.legal_actions(state, 0) == [1, 2]
    with pytest.raises(IllegalAction, match=r"^only 2 numbers are left \(30 to 31\)"):
        GAME.apply(state, {0: 3})
    end = GAME.apply(state, {0: 2})
    assert GAME.observation(end, 1)["history"][-1] == [0, [30, 31]]
    assert GAME.scores(end) == [0.0, 1.0]


def test_two_player_winning_strategy() -> None:
    # Seat 0 calls to 2, then answers every call so the total of a pair is 4: 6, 10, ..., 30.
    state = play(2, [2, 1, 3, 3, 1, 2, 2, 3, 1, 2, 2, 3, 1, 1, 3])
    assert state.count == 30
    end = GAME.apply(state, {1: 1})
    assert GAME.scores(end) == [1.0, 0.0]


def test_smaller_target() -> None:
    end = play(4, [3, 1, 1], target=5)
    assert GAME.is_over(end)
    assert GAME.scores(end) == [1.0, 1.0, 0.0, 1.0]


@pytest.mark.parametrize("action", [0, 4, -1, "1", 1.0, True, None, [1]])
def test_bad_actions(action: object) -> None:
    with pytest.raises(IllegalAction, match="how many numbers to call, an integer from 1 to 3"):
        GAME.apply(GAME.start(2, seed=0), {0: action})
