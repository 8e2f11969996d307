"""Gomoku rules on hand-checked positions, with and without the overline rule."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pytest

from ringside.games.base import IllegalAction, InvalidOptions
from ringside.games.gomoku import GAME, GomokuState


def play(moves: Iterable[str], options: Mapping[str, Any] | None = None) -> GomokuState:
    state = GAME.start(2, seed=0, options=options)
    for move in moves:
        state = GAME.apply(state, {state.to_move: move})
    return state


def alternate(black: list[str], white: list[str]) -> list[str]:
    """Interleave two lists of moves, black first; black may have one more."""
    moves = []
    for i, move in enumerate(black):
        moves.append(move)
        if i < len(white):
            moves.append(white[i])
    return moves


def test_start() -> None:
    state = GAME.start(2, seed=0)
    legal = GAME.legal_actions(state, 0)
    assert len(legal) == 225
    assert legal[:3] == ["a1", "b1", "c1"]
    assert legal[15] == "a2"
    assert legal[-1] == "o15"
    assert GAME.legal_actions(state, 1) == []
    obs = GAME.observation(state, 0)
    assert obs["size"] == 15
    assert obs["exactly_five"] is False
    assert len(obs["board"]) == 15
    assert all(len(row) == 15 for row in obs["board"])


def test_size_option() -> None:
    state = GAME.start(2, seed=0, options={"size": 9})
    assert GAME.legal_actions(state, 0)[-1] == "i9"
    with pytest.raises(IllegalAction, match="column a-i, row 1-9"):
        GAME.apply(state, {0: "j1"})


@pytest.mark.parametrize(
    "options",
    [{"size": 8}, {"size": 20}, {"size": "15"}, {"exactly_five": "yes"}, {"renju": True}],
)
def test_bad_options(options: dict[str, Any]) -> None:
    with pytest.raises(InvalidOptions):
        GAME.start(2, seed=0, options=options)


def test_notation() -> None:
    state = play(["h8", "a1", "c14"])
    rows = GAME.view(state)["board"]
    assert rows[7][7] == 0
    assert rows[0][0] == 1
    assert rows[13][2] == 0
    assert GAME.view(state)["last"] == "c14"
    assert GAME.observation(state, 1)["moves"] == ["h8", "a1", "c14"]


def test_horizontal_five_wins() -> None:
    state = play(alternate(["d8", "e8", "f8", "g8", "h8"], ["a1", "a2", "a3", "a4"]))
    assert GAME.is_over(state)
    assert state.winner == 0
    assert GAME.scores(state) == [1.0, 0.0]
    assert GAME.view(state)["line"] == ["d8", "e8", "f8", "g8", "h8"]
    assert GAME.view(state)["to_move"] is None
    assert GAME.legal_actions(state, 1) == []


def test_diagonal_five_wins_for_white() -> None:
    white = ["e5", "f6", "g7", "h8", "d4"]
    state = play(alternate(["a1", "a3", "a5", "a7", "a9"], white))
    assert state.winner == 1
    assert GAME.scores(state) == [0.0, 1.0]
    assert GAME.view(state)["line"] == ["d4", "e5", "f6", "g7", "h8"]


def test_anti_diagonal_five_wins() -> None:
    state = play(alternate(["o1", "n2", "m3", "l4", "k5"], ["a1", "a2", "a3", "a4"]))
    assert state.winner == 0
    assert GAME.view(state)["line"] == ["o1", "n2", "m3", "l4", "k5"]


def test_four_does_not_win() -> None:
    state = play(alternate(["h1", "h2", "h3", "h4"], ["a1", "a2", "a3"]))
    assert not GAME.is_over(state)
    assert GAME.view(state)["line"] is None


OVERLINE = alternate(
    ["a8", "b8", "c8", "e8", "f8", "g8", "d8"], ["a1", "c1", "e1", "g1", "i1", "k1"]
)


def test_overline_wins_in_freestyle() -> None:
    state = play(OVERLINE)
    assert state.winner == 0
    assert GAME.view(state)["line"] == ["a8", "b8", "c8", "d8", "e8", "f8", "g8"]


def test_overline_does_not_win_with_exactly_five() -> None:
    state = play(OVERLINE, {"exactly_five": True})
    assert not GAME.is_over(state)
    assert state.winner is None
    assert GAME.observation(state, 1)["exactly_five"] is True


def test_exactly_five_still_wins_with_five() -> None:
    moves = alternate(["a8", "b8", "c8", "d8", "e8"], ["a1", "c1", "e1", "g1"])
    assert play(moves, {"exactly_five": True}).winner == 0


def test_exactly_five_wins_on_a_five_beside_an_overline() -> None:
    # d8 joins a8-c8 and e8-f8 into six across, and d4-d7 into five down.
    black = ["a8", "b8", "c8", "e8", "f8", "d4", "d5", "d6", "d7", "d8"]
    white = ["a1", "c1", "e1", "g1", "i1", "k1", "m1", "o1", "a15"]
    state = play(alternate(black, white), {"exactly_five": True})
    assert state.winner == 0
    assert GAME.view(state)["line"] == ["d4", "d5", "d6", "d7", "d8"]


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        ("h8", "^square h8 is occupied$"),
        ("H8", "a square like"),
        ("h08", "a square like"),
        ("h 8", "a square like"),
        ("h8 ", "a square like"),
        ("p1", "a square like"),
        ("a16", "a square like"),
        ("a0", "a square like"),
        ("", "a square like"),
        (7, "a square like"),
        (None, "a square like"),
        (["h", 8], "a square like"),
    ],
)
def test_bad_actions(action: object, reason: str) -> None:
    state = play(["h8"])
    with pytest.raises(IllegalAction, match=reason):
        GAME.apply(state, {1: action})


def test_full_board_draws() -> None:
    # Pairs of columns alternate colour and every row shifts by one: no five anywhere.
    cells = [(r, c) for r in range(9) for c in range(9)]
    black = [f"{'abcdefghi'[c]}{r + 1}" for r, c in cells if ((c // 2) + r) % 2 == 0]
    white = [f"{'abcdefghi'[c]}{r + 1}" for r, c in cells if ((c // 2) + r) % 2 == 1]
    assert (len(black), len(white)) == (41, 40)
    state = play(alternate(black, white), {"size": 9})
    assert GAME.is_over(state)
    assert state.winner is None
    assert GAME.scores(state) == [0.5, 0.5]
    assert GAME.legal_actions(state, 0) == []
