"""Connect Four rules on hand-checked positions."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from ringside.games.base import IllegalAction, InvalidOptions
from ringside.games.connect4 import GAME, ConnectFourState


def play(columns: Iterable[int]) -> ConnectFourState:
    state = GAME.start(2, seed=1)
    for col in columns:
        state = GAME.apply(state, {state.to_move: col})
    return state


def picture(state: ConnectFourState) -> list[str]:
    return ["".join("." if c is None else "XO"[c] for c in row) for row in GAME.rows(state)]


def test_start() -> None:
    state = GAME.start(2, seed=0)
    assert GAME.to_act(state) == (0,)
    assert GAME.legal_actions(state, 0) == [0, 1, 2, 3, 4, 5, 6]
    assert GAME.legal_actions(state, 1) == []
    assert GAME.observation(state, 1) == {
        "board": [[None] * 7 for _ in range(6)],
        "you": 1,
        "to_move": 0,
        "moves": [],
    }
    assert GAME.view(state) == {
        "board": [[None] * 7 for _ in range(6)],
        "last": None,
        "winner": None,
        "to_move": 0,
        "line": None,
        "to_act": [0],
    }


@pytest.mark.parametrize("players", [1, 3])
def test_two_players_only(players: int) -> None:
    with pytest.raises(InvalidOptions, match="2 players"):
        GAME.start(players, seed=0)


def test_no_options() -> None:
    with pytest.raises(InvalidOptions):
        GAME.start(2, seed=0, options={"rows": 7})


def test_gravity() -> None:
    state = play([3, 3, 4])
    assert picture(state)[-2:] == ["...O...", "...XX.."]
    assert GAME.view(state)["last"] == [5, 4]
    assert GAME.observation(state, 0)["moves"] == [3, 3, 4]
    assert GAME.to_act(state) == (1,)


def test_vertical_win() -> None:
    state = play([0, 1, 0, 1, 0, 1, 0])
    assert GAME.is_over(state)
    assert state.winner == 0
    assert GAME.scores(state) == [1.0, 0.0]
    view = GAME.view(state)
    assert view["line"] == [[2, 0], [3, 0], [4, 0], [5, 0]]
    assert view["to_move"] is None
    assert GAME.to_act(state) == ()
    assert GAME.legal_actions(state, 1) == []
    with pytest.raises(IllegalAction, match="over"):
        GAME.apply(state, {1: 2})


def test_horizontal_win_by_second_player() -> None:
    state = play([6, 0, 6, 1, 5, 2, 5, 3])
    assert state.winner == 1
    assert GAME.scores(state) == [0.0, 1.0]
    assert GAME.view(state)["line"] == [[5, 0], [5, 1], [5, 2], [5, 3]]


def test_rising_diagonal_win() -> None:
    state = play([0, 1, 1, 2, 2, 3, 2, 3, 3, 6, 3])
    assert picture(state) == [
        ".......",
        ".......",
        "...X...",
        "..XX...",
        ".XXO...",
        "XOOO..O",
    ]
    assert state.winner == 0
    assert GAME.view(state)["line"] == [[2, 3], [3, 2], [4, 1], [5, 0]]


def test_falling_diagonal_win() -> None:
    state = play([6, 5, 5, 4, 4, 3, 4, 3, 3, 0, 3])
    assert state.winner == 0
    assert GAME.view(state)["line"] == [[2, 3], [3, 4], [4, 5], [5, 6]]


def test_line_of_five_is_reported_whole() -> None:
    # X fills row 5 columns 0,1,3,4 then drops the disc in the gap.
    state = play([0, 0, 1, 1, 3, 3, 4, 4, 2])
    assert state.winner == 0
    assert GAME.view(state)["line"] == [[5, 0], [5, 1], [5, 2], [5, 3], [5, 4]]


def test_column_full() -> None:
    state = play([2] * 6)
    assert picture(state)[0] == "..O...."
    assert GAME.legal_actions(state, 0) == [0, 1, 3, 4, 5, 6]
    with pytest.raises(IllegalAction, match=r"^column 2 is full$"):
        GAME.apply(state, {0: 2})


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        (7, "column 7 is out of range"),
        (-1, "column -1 is out of range"),
        ("3", "must be an integer"),
        (3.0, "must be an integer"),
        (True, "must be an integer"),
        (None, "must be an integer"),
        ([3], "must be an integer"),
    ],
)
def test_bad_actions(action: object, reason: str) -> None:
    with pytest.raises(IllegalAction, match=reason):
        GAME.apply(GAME.start(2, seed=0), {0: action})


def test_not_your_turn() -> None:
    with pytest.raises(IllegalAction, match="not your turn") as info:
        GAME.apply(GAME.start(2, seed=0), {1: 3})
    assert info.value.seat == 1


def test_full_board_draws() -> None:
    state = play(int(c) for c in "330254564223355224331121550404466660106011")
    assert picture(state) == [
        "OOXOXOX",
        "OXXXOXX",
        "OXOXOXO",
        "XOXOOOX",
        "XOOOXXO",
        "XXOXOXO",
    ]
    assert GAME.is_over(state)
    assert state.winner is None
    assert GAME.scores(state) == [0.5, 0.5]
    assert GAME.view(state)["line"] is None


def test_states_are_not_mutated() -> None:
    before = GAME.start(2, seed=0)
    after = GAME.apply(before, {0: 3})
    assert before == GAME.start(2, seed=0)
    assert after != before
