"""Rock-paper-scissors: simultaneous throws, blame for bad throws, round scoring."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from ringside.games.base import IllegalAction, InvalidOptions
from ringside.games.rps import GAME, RpsState, throw_winner


def play(pairs: Iterable[tuple[str, str]], throws: int = 3) -> RpsState:
    state = GAME.start(2, seed=0, options={"throws": throws})
    for a, b in pairs:
        state = GAME.apply(state, {0: a, 1: b})
    return state


def test_start() -> None:
    state = GAME.start(2, seed=0)
    assert GAME.simultaneous
    assert GAME.to_act(state) == (0, 1)
    assert GAME.legal_actions(state, 0) == ["rock", "paper", "scissors"]
    assert GAME.legal_actions(state, 1) == ["rock", "paper", "scissors"]
    assert GAME.legal_actions(state, 2) == []
    assert GAME.observation(state, 1) == {
        "you": 1,
        "history": [],
        "wins": [0, 0],
        "throws": 3,
        "throws_left": 3,
    }
    assert GAME.view(state) == {
        "last": None,
        "wins": [0, 0],
        "throws": 3,
        "throws_left": 3,
        "winner": None,
        "to_act": [0, 1],
    }


@pytest.mark.parametrize(
    ("a", "b", "winner"),
    [
        ("rock", "scissors", 0),
        ("scissors", "paper", 0),
        ("paper", "rock", 0),
        ("scissors", "rock", 1),
        ("paper", "scissors", 1),
        ("rock", "paper", 1),
        ("rock", "rock", None),
        ("paper", "paper", None),
    ],
)
def test_throw_winner(a: str, b: str, winner: int | None) -> None:
    assert throw_winner(a, b) == winner


def test_observation_shows_only_finished_throws() -> None:
    state = play([("rock", "scissors")])
    obs = GAME.observation(state, 0)
    assert obs["history"] == [["rock", "scissors"]]
    assert obs["wins"] == [1, 0]
    assert obs["throws_left"] == 2
    assert GAME.view(state)["last"] == ["rock", "scissors"]
    assert GAME.to_act(state) == (0, 1)


def test_one_win_each_and_a_draw_ties() -> None:
    end = play([("rock", "scissors"), ("paper", "scissors"), ("rock", "rock")])
    assert GAME.is_over(end)
    assert GAME.scores(end) == [0.5, 0.5]
    assert GAME.view(end)["winner"] is None
    assert GAME.to_act(end) == ()
    assert GAME.legal_actions(end, 0) == []
    with pytest.raises(IllegalAction, match="over"):
        GAME.apply(end, {0: "rock", 1: "rock"})


def test_more_throws_won_wins() -> None:
    end = play([("rock", "rock"), ("rock", "paper"), ("paper", "paper")])
    assert GAME.scores(end) == [0.0, 1.0]
    assert GAME.view(end)["winner"] == 1
    end = play([("paper", "rock"), ("rock", "paper"), ("scissors", "paper")])
    assert GAME.scores(end) == [1.0, 0.0]
    assert GAME.view(end)["wins"] == [2, 1]


def test_single_throw_round() -> None:
    end = play([("scissors", "paper")], throws=1)
    assert GAME.is_over(end)
    assert GAME.scores(end) == [1.0, 0.0]


@pytest.mark.parametrize("options", [{"throws": 0}, {"throws": 1002}, {"rounds": 3}])
def test_bad_options(options: dict[str, object]) -> None:
    with pytest.raises(InvalidOptions):
        GAME.start(2, seed=0, options=options)


@pytest.mark.parametrize("bad", ["lizard", "Rock", "", None, 0, ["rock"], {"throw": "rock"}])
@pytest.mark.parametrize("seat", [0, 1])
def test_bad_throw_blames_its_seat(bad: object, seat: int) -> None:
    actions: dict[int, object] = {0: "rock", 1: "rock", seat: bad}
    with pytest.raises(
        IllegalAction, match='a throw must be "rock", "paper" or "scissors"'
    ) as info:
        GAME.apply(GAME.start(2, seed=0), actions)
    assert info.value.seat == seat


def test_both_bad_blames_seat_0() -> None:
    with pytest.raises(IllegalAction) as info:
        GAME.apply(GAME.start(2, seed=0), {0: "well", 1: "fire"})
    assert info.value.seat == 0


def test_missing_throw_is_refused() -> None:
    with pytest.raises(IllegalAction, match="waiting for seat 1") as info:
        GAME.apply(GAME.start(2, seed=0), {0: "rock"})
    assert info.value.seat == 1
