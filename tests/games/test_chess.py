"""Chess rules on known positions, and the openings option through the real referee."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

pytest.importorskip(
    "chess", reason="python-chess is not installed (pip install 'ringside[engines]')"
)

from ringside.bots import get_strategy
from ringside.bots.player import derive_seed, strategy_player
from ringside.games.base import IllegalAction, InvalidOptions
from ringside.games.chess import GAME, ChessState, opening_index
from ringside.local import LocalBot, Simulation
from ringside.protocol.messages import MatchEvent, RoundStarted
from ringside.referee import Match, MatchConfig

START = "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1"


def play(moves: Iterable[str], **options: Any) -> ChessState:
    state = GAME.start(2, seed=1, options=options)
    for move in moves:
        (seat,) = GAME.to_act(state)
        state = GAME.apply(state, {seat: move})
    return state


def test_start() -> None:
    state = GAME.start(2, seed=0)
    assert GAME.to_act(state) == (0,)
    assert len(GAME.legal_actions(state, 0)) == 20
    assert "e2e4" in GAME.legal_actions(state, 0)
    assert GAME.legal_actions(state, 1) == []
    assert GAME.observation(state, 1) == {
        "fen": START,
        "start_fen": START,
        "moves": [],
        "opening_plies": 0,
        "you": 1,
        "colour": "black",
        "to_move": 0,
        "check": False,
    }
    assert GAME.view(state)["result"] is None


def test_scholars_mate_wins_for_white() -> None:
    state = play(["e2e4", "e7e5", "f1c4", "b8c6", "d1h5", "g8f6", "h5f7"])
    assert GAME.is_over(state)
    assert GAME.scores(state) == [1.0, 0.0]
    view = GAME.view(state)
    assert (view["result"], view["termination"], view["san"]) == ("1-0", "checkmate", "Qxf7#")
    assert view["last"] == "h5f7" and view["check"] is True
    assert GAME.to_act(state) == ()
    assert GAME.legal_actions(state, 1) == []


def test_fools_mate_wins_for_black() -> None:
    state = play(["f2f3", "e7e5", "g2g4", "d8h4"])
    assert GAME.scores(state) == [0.0, 1.0]
    assert GAME.view(state)["result"] == "0-1"


def test_stalemate_is_a_draw() -> None:
    state = play(["f2f7"], fen="7k/8/6K1/8/8/8/5Q2/8 w - - 0 1")
    assert GAME.view(state)["termination"] == "stalemate"
    assert GAME.scores(state) == [0.5, 0.5]


def test_insufficient_material_is_a_draw() -> None:
    state = play(["a1b2"], fen="k7/8/8/8/8/8/1q6/K7 w - - 0 1")
    assert GAME.view(state)["termination"] == "insufficient_material"
    assert GAME.scores(state) == [0.5, 0.5]


def test_threefold_repetition_ends_the_game_on_the_third_occurrence() -> None:
    knights = ["g1f3", "g8f6", "f3g1", "f6g8"] * 2
    assert not GAME.is_over(play(knights[:-1]))
    state = play(knights)
    assert GAME.view(state)["termination"] == "threefold_repetition"
    assert GAME.scores(state) == [0.5, 0.5]


def test_fifty_moves_without_capture_or_pawn_move_draw() -> None:
    fen = "k7/8/8/8/8/8/8/KR6 w - - 99 80"
    state = play(["b1b2"], fen=fen)
    assert GAME.view(state)["termination"] == "fifty_moves"
    capture_resets = play(["b1b8"], fen="kn6/8/8/8/8/8/8/KR6 w - - 99 80")
    assert not GAME.is_over(capture_resets)


def test_mate_on_the_hundredth_ply_beats_the_fifty_move_rule() -> None:
    state = play(["b1a1"], fen="k7/2K5/8/8/8/8/8/1R6 w - - 99 80")
    assert GAME.view(state)["termination"] == "checkmate"


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        ("e2e5", "not a legal move"),
        ("E2E4", "no UCI move"),
        ("e2e4 ", "no UCI move"),
        ("0000", "not a legal move"),
        (1, "UCI string"),
        (["e2e4"], "UCI string"),
    ],
)
def test_bad_moves_are_refused_with_a_reason(action: Any, reason: str) -> None:
    with pytest.raises(IllegalAction, match=reason):
        play([action])


def test_castling_and_promotion_have_one_spelling() -> None:
    castle = "r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1"
    assert "e1g1" in GAME.legal_actions(GAME.start(2, 0, {"fen": castle}), 0)
    with pytest.raises(IllegalAction, match="king's move"):
        play(["e1h1"], fen=castle)
    assert GAME.view(play(["e1c1"], fen=castle))["san"] == "O-O-O"
    promote = "8/P6k/8/8/8/8/8/K7 w - - 0 1"
    with pytest.raises(IllegalAction, match="no UCI move"):
        play(["a7a8Q"], fen=promote)
    assert GAME.view(play(["a7a8n"], fen=promote))["san"] == "a8=N"


def test_start_position_and_opening_appear_in_observation_and_view() -> None:
    fen = "4k3/8/8/8/8/8/4P3/4K3 b - - 0 1"
    state = GAME.start(2, seed=1, options={"fen": fen, "openings": ["e8d7 e2e4"]})
    assert GAME.to_act(state) == (1,), "black is still to move after the opening's two plies"
    observation = GAME.observation(state, 1)
    assert observation["start_fen"] == fen
    assert observation["moves"] == ["e8d7", "e2e4"]
    assert observation["opening_plies"] == 2
    assert GAME.view(state)["opening"] == ["e8d7", "e2e4"]
    assert GAME.view(state)["last"] is None
    after = GAME.apply(state, {1: "d7e6"})
    assert GAME.observation(after, 0)["moves"] == ["e8d7", "e2e4", "d7e6"]
    assert GAME.view(after)["last"] == "d7e6"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"fen": "not a fen"}, "bad fen"),
        ({"fen": "8/8/8/8/8/8/8/8 w - - 0 1"}, "not a legal position"),
        ({"fen": "7k/5Q2/6K1/8/8/8/8/8 b - - 0 1"}, "finished game"),
        ({"openings": ["e2e4 e2e4"]}, "illegal"),
        ({"openings": ["e2e4", "castle"]}, "no UCI move"),
        ({"openings": ["f2f3 e7e5 g2g4 d8h4"]}, "finished game"),
        ({"opening": ["e2e4"]}, "unknown field"),
    ],
)
def test_bad_options_are_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidOptions, match=message):
        GAME.start(2, seed=0, options=options)


def test_opening_index_pairs_rounds() -> None:
    picks = [opening_index(r, 3) for r in range(1, 9)]
    assert picks == [0, 0, 1, 1, 2, 2, 0, 0]


def test_each_opening_is_played_with_both_colours_through_the_referee() -> None:
    openings = ["e2e4", "d2d4", "c2c4"]
    config = MatchConfig(
        game="chess",
        bots=["a", "b"],
        seed=7,  # any seed: the opening follows the round number
        rounds=6,
        options={"openings": openings, "fen": None},
        forfeit="round",
    )
    events: list[MatchEvent] = []
    bots: list[LocalBot] = [
        strategy_player(get_strategy("random", "chess"), derive_seed(5, f"bot:{i}"))[0]
        for i in range(2)
    ]
    Simulation(Match("m", config), bots, events.append).run()
    starts = [e for e in events if isinstance(e, RoundStarted)]
    played = {(e.view["opening"][0], e.bots[0]) for e in starts}
    assert played == {(o, bot) for o in openings for bot in ("a", "b")}
