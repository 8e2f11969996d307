"""Go rules on hand-checked positions: captures, suicide, ko and superko, scoring, notation."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

import pytest

from ringside.games.base import IllegalAction, InvalidOptions
from ringside.games.go import (
    GAME,
    GoState,
    area,
    handicap_points,
    max_handicap,
    vertex_names,
    zobrist,
)


def play(moves: Iterable[str], **options: Any) -> GoState:
    state = GAME.start(2, seed=1, options=options)
    for move in moves:
        state = GAME.apply(state, {state.to_move: move})
    return state


def stone(state: GoState, vertex: str) -> int | None:
    column = "ABCDEFGHJKLMNOPQRST".index(vertex[0])
    row = int(vertex[1:])
    return GAME.observation(state, 0)["board"][state.size - row][column]  # type: ignore[no-any-return]


def test_start() -> None:
    state = GAME.start(2, seed=0)
    assert GAME.to_act(state) == (0,)
    legal = GAME.legal_actions(state, 0)
    assert len(legal) == 81 + 2 and legal[-2:] == ["pass", "resign"]
    assert GAME.legal_actions(state, 1) == []
    observation = GAME.observation(state, 1)
    assert observation["size"] == 9 and observation["komi"] == 7.5
    assert observation["colour"] == "white" and observation["to_move"] == 0
    assert GAME.view(state)["result"] is None


def test_vertex_letters_skip_i_and_rows_count_from_the_bottom() -> None:
    names = vertex_names(9)
    assert names[:9] == ("A9", "B9", "C9", "D9", "E9", "F9", "G9", "H9", "J9")
    assert names[-1] == "J1"
    assert vertex_names(19)[18] == "T19"
    state = play(["D4"])
    assert GAME.rows(state)[9 - 4][3] == 0
    assert stone(state, "D4") == 0


@pytest.mark.parametrize("action", ["d4", "I5", "A10", "PASS", "Resign", "", "D 4", 4, None])
def test_other_spellings_are_refused(action: Any) -> None:
    with pytest.raises(IllegalAction, match="vertex like"):
        play([action])


def test_a_surrounded_stone_is_captured() -> None:
    state = play(["A2", "A1", "B1"])
    assert stone(state, "A1") is None
    assert state.captures == (1, 0)
    assert GAME.view(state)["captured"] == ["A1"]


def test_a_group_is_captured_whole() -> None:
    # White A1-B1 (a two-stone group) loses its last liberty at C1.
    state = play(["A2", "A1", "B2", "B1", "C1"])
    assert stone(state, "A1") is None and stone(state, "B1") is None
    assert state.captures == (2, 0)


def test_suicide_is_illegal_but_capturing_is_not() -> None:
    state = play(["A2", "pass", "B1"])
    assert "A1" not in GAME.legal_actions(state, 1)
    with pytest.raises(IllegalAction, match="suicide"):
        GAME.apply(state, {1: "A1"})
    with pytest.raises(IllegalAction, match="occupied"):
        GAME.apply(state, {1: "B1"})
    # With A3 and C1 white, black's A2 and B1 are in atari: white A1 captures them both.
    state = play(["A2", "A3", "B1", "C1", "pass", "B2", "pass", "A1"])
    assert stone(state, "A2") is None and stone(state, "B1") is None
    assert stone(state, "A1") == 1 and state.captures == (0, 2)


KO = ["B3", "C3", "A2", "B2", "B1", "D2", "pass", "C1", "C2"]
"""Black takes the ko at C2 (capturing B2):

    3  . X O .        . X O .
    2  X O . O   ->   X . X O
    1  . X O .        . X O .
       A B C D
"""


def test_ko_cannot_be_retaken_at_once() -> None:
    state = play(KO)
    assert stone(state, "B2") is None and state.captures == (1, 0)
    assert "B2" not in GAME.legal_actions(state, 1)
    with pytest.raises(IllegalAction, match="superko"):
        GAME.apply(state, {1: "B2"})


def test_ko_can_be_retaken_after_a_threat_elsewhere() -> None:
    state = play([*KO, "J9", "J1", "B2"])
    assert stone(state, "C2") is None and stone(state, "B2") == 1


def test_positional_superko_refuses_any_earlier_position_whoever_was_to_move() -> None:
    """No simple ko here: the position is planted in the history, as a long cycle would."""
    state = play(["A2"])
    keys = zobrist(9)
    names = vertex_names(9)
    a2, c3 = names.index("A2"), names.index("C3")
    seen = keys[a2][0] ^ keys[c3][1]
    planted = dataclasses.replace(state, history=state.history | {seen}, cache={})
    assert "C3" in GAME.legal_actions(state, 1)
    assert "C3" not in GAME.legal_actions(planted, 1)
    with pytest.raises(IllegalAction, match="superko"):
        GAME.apply(planted, {1: "C3"})


def test_two_passes_end_the_game_one_does_not() -> None:
    assert not GAME.is_over(play(["pass"]))
    assert not GAME.is_over(play(["pass", "E5", "pass"]))
    state = play(["E5", "pass", "pass"])
    assert GAME.is_over(state) and GAME.to_act(state) == ()
    # One black stone owns the whole empty board: 81 points against 7.5.
    assert GAME.view(state)["score"] == [81.0, 7.5]
    assert GAME.view(state)["result"] == "B+73.5"


def wall(komi: float) -> GoState:
    """Black wall on column E, white wall on F: black has A-E (45), white F-J (36)."""
    moves = []
    for row in range(1, 10):
        moves += [f"E{row}", f"F{row}"]
    return play([*moves, "pass", "pass"], komi=komi)


def test_area_scoring_of_a_finished_board() -> None:
    state = wall(7.5)
    assert area(state.board, 9) == (45, 36)
    assert GAME.score(state) == (45.0, 43.5)
    assert GAME.result(state) == "B+1.5"
    assert GAME.scores(state) == [1.0, 0.0]
    assert GAME.view(state)["winner"] == 0


def test_an_even_score_is_a_tie() -> None:
    state = wall(9)
    assert GAME.result(state) == "0"
    assert GAME.scores(state) == [0.5, 0.5]


def test_empty_points_touching_both_colours_score_for_nobody() -> None:
    state = play(["A1", "C1", "pass", "pass"], komi=0)
    # B1 and everything else touch both colours: only the two stones count.
    assert area(state.board, 9) == (1, 1)
    assert GAME.result(state) == "0"


def test_resignation_ends_the_game() -> None:
    state = play(["E5", "resign"])
    assert GAME.is_over(state)
    assert GAME.result(state) == "B+R"
    assert GAME.scores(state) == [1.0, 0.0]
    assert GAME.view(state)["last"] == "resign"


def test_larger_boards() -> None:
    state = play(["Q16", "D4", "T19"], size=19)
    assert stone(state, "T19") == 0 and stone(state, "D4") == 1
    assert len(GAME.legal_actions(state, 1)) == 361 - 3 + 2


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"size": 8}, "size must be"),
        ({"size": 20}, "size must be"),
        ({"komi": 7.3}, "komi must be"),
        ({"komi": 500}, "komi must be"),
        ({"komi": float("nan")}, "komi must be"),
        ({"handicap": 1}, "handicap must be"),
        ({"handicap": 5, "size": 10}, "handicap must be"),
        ({"handicap": 10}, "handicap must be"),
        ({"max_moves": -1}, "max_moves must be"),
        ({"handicaps": 2}, "unknown field"),
    ],
)
def test_bad_options_are_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidOptions, match=message):
        GAME.start(2, seed=0, options=options)


def test_handicap_stones_are_placed_and_white_starts() -> None:
    state = play([], handicap=4)
    assert GAME.to_act(state) == (1,)
    assert [stone(state, v) for v in ("C3", "G7", "C7", "G3")] == [0, 0, 0, 0]
    observation = GAME.observation(state, 1)
    assert observation["handicap"] == ["C3", "G7", "C7", "G3"] and observation["moves"] == []
    state = play(["E5", "pass", "pass"], handicap=2, komi=0.5)
    assert GAME.is_over(state) and stone(state, "E5") == 1  # white moved first
    assert GAME.view(state)["score"] == [2.0, 1 + 0.5]
    assert GAME.view(state)["handicap"] == ["C3", "G7"]


def test_max_moves_ends_the_game_by_area() -> None:
    state = play(["E5", "D5", "E4"], max_moves=3)
    assert GAME.is_over(state) and GAME.to_act(state) == ()
    view = GAME.view(state)
    assert view["score"] == [2.0, 1 + 7.5] and view["result"] == "W+6.5"
    assert not GAME.is_over(play(["E5", "D5"], max_moves=3))


@pytest.mark.parametrize("size", range(9, 20))
def test_handicap_points_are_gnu_gos(size: int) -> None:
    """GNU Go is GTP's reference: its ``fixed_handicap`` places the same stones."""
    import shutil
    import subprocess

    gnugo = shutil.which("gnugo") or shutil.which("gnugo", path="/usr/games")
    if gnugo is None:
        pytest.skip("gnugo is not installed (scripts/system-deps.sh installs it)")
    counts = range(2, max_handicap(size) + 1)
    script = "".join(f"boardsize {size}\nclear_board\nfixed_handicap {n}\n" for n in counts)
    out = subprocess.run(
        [gnugo, "--mode", "gtp"],
        input=script + "quit\n",
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout
    answers = [a for a in out.split("\n\n") if a.strip()][2::3]
    assert [set(a.lstrip("= ").split()) for a in answers] == [
        set(handicap_points(size, n)) for n in counts
    ]
