"""Othello rules on hand-checked positions, including forced passes."""

from __future__ import annotations

import pytest

from ringside.games.base import IllegalAction
from ringside.games.othello import GAME, INDEX, OthelloState


def board_from(picture: list[str]) -> tuple[int | None, ...]:
    """Rows 1-8 from the top; B is black (seat 0), W white (seat 1), . empty."""
    return tuple({"B": 0, "W": 1, ".": None}[ch] for row in picture for ch in row)


def picture(state: OthelloState) -> list[str]:
    return ["".join("." if c is None else "BW"[c] for c in row) for row in GAME.rows(state)]


def position(rows: list[str], to_move: int = 0) -> OthelloState:
    return OthelloState(board_from(rows), to_move, (), None, (), False, 0)


def test_start_and_first_moves() -> None:
    state = GAME.start(2, seed=0)
    assert picture(state)[3:5] == ["...WB...", "...BW..."]
    assert INDEX["d4"] == 3 * 8 + 3
    assert sorted(GAME.legal_actions(state, 0)) == ["c4", "d3", "e6", "f5"]
    assert GAME.legal_actions(state, 1) == []
    assert GAME.to_act(state) == (0,)
    obs = GAME.observation(state, 0)
    assert obs["counts"] == [2, 2]
    assert obs["colour"] == "black"
    assert obs["to_move"] == 0
    assert obs["moves"] == []
    assert obs["board"][3] == [None, None, None, 1, 0, None, None, None]


def test_first_move_flips() -> None:
    state = GAME.apply(GAME.start(2, seed=0), {0: "d3"})
    assert picture(state)[2:5] == ["...B....", "...BB...", "...BW..."]
    view = GAME.view(state)
    assert view["last"] == "d3"
    assert view["flipped"] == ["d4"]
    assert view["counts"] == [4, 1]
    assert view["to_move"] == 1
    assert view["passed"] is False
    assert view["winner"] is None
    assert sorted(GAME.legal_actions(state, 1)) == ["c3", "c5", "e3"]


def test_flips_in_several_directions() -> None:
    state = position(
        [
            "........",
            "........",
            "..B.B...",
            "...WW...",
            "..BW.WB.",
            "........",
            "........",
            "........",
        ]
    )
    after = GAME.apply(state, {0: "e5"})
    assert sorted(GAME.view(after)["flipped"]) == ["d4", "d5", "e4", "f5"]


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        ("d4", "^square d4 is occupied$"),
        ("a1", "^a1 flips no disc$"),
        ("d6", "^d6 flips no disc$"),
        ("i1", "a square"),
        ("a9", "a square"),
        ("D3", "a square"),
        ("d03", "a square"),
        (" d3", "a square"),
        ("pass", "a square"),
        (19, "a square"),
        (None, "a square"),
        (["d3"], "a square"),
        ({"square": "d3"}, "a square"),
    ],
)
def test_bad_actions(action: object, reason: str) -> None:
    with pytest.raises(IllegalAction, match=reason):
        GAME.apply(GAME.start(2, seed=0), {0: action})


def test_forced_pass_then_end_when_neither_can_move() -> None:
    state = position(
        [
            "BW......",
            "........",
            "BW......",
            "........",
            "........",
            "........",
            "........",
            "........",
        ]
    )
    assert sorted(GAME.legal_actions(state, 0)) == ["c1", "c3"]
    after = GAME.apply(state, {0: "c1"})
    # White's only disc on b3 cannot outflank anything: white passes, black moves again.
    assert after.moves == ("c1", "pass")
    assert GAME.to_act(after) == (0,)
    assert GAME.legal_actions(after, 1) == []
    assert GAME.view(after)["passed"] is True
    assert GAME.observation(after, 1)["moves"] == ["c1", "pass"]
    end = GAME.apply(after, {0: "c3"})
    assert GAME.is_over(end)
    assert end.moves == ("c1", "pass", "c3")
    assert GAME.to_act(end) == ()
    assert GAME.legal_actions(end, 0) == []
    assert GAME.view(end)["counts"] == [6, 0]
    assert GAME.view(end)["winner"] == 0
    assert GAME.scores(end) == [1.0, 0.0]


def test_white_can_win() -> None:
    state = position(["WBB.....", *["........"] * 7], to_move=1)
    end = GAME.apply(state, {1: "d1"})
    assert GAME.is_over(end)
    assert GAME.scores(end) == [0.0, 1.0]
    assert GAME.view(end)["winner"] == 1


def test_shortest_wipeout_game() -> None:
    state = GAME.start(2, seed=0)
    for move in ["e6", "f4", "e3", "f6", "g5", "d6", "e7", "f5", "c5"]:
        state = GAME.apply(state, {state.to_move: move})
    assert GAME.is_over(state)
    assert GAME.counts(state) == [13, 0]
    assert GAME.scores(state) == [1.0, 0.0]


def test_equal_count_draws() -> None:
    state = position(["BW......", *["........"] * 6, "....WWW."])
    end = GAME.apply(state, {0: "c1"})
    assert GAME.is_over(end)
    assert GAME.counts(end) == [3, 3]
    assert GAME.scores(end) == [0.5, 0.5]
    assert GAME.view(end)["winner"] is None
    assert GAME.view(end)["to_move"] is None


def test_full_board_game_ends() -> None:
    state = position(["B" * 8] * 4 + ["W" * 8] * 3 + ["WWWWWWW."])
    end = GAME.apply(state, {0: "h8"})
    assert GAME.is_over(end)
    assert GAME.counts(end) == [39, 25]
