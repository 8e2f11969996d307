"""Properties of the adapter found by random play: it ends, replays, hides, never mutates."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("pyspiel")

from ringside.games.registry import get_game
from ringside.games.spiel.game import SpielGame, SpielState

QUICK = [
    "kuhn_poker", "leduc_poker", "liars_dice", "phantom_ttt", "tic_tac_toe", "backgammon",
    "goofspiel", "matrix_rps", "hex", "breakthrough", "pig", "oshi_zumo", "blotto",
    "first_sealed_auction", "euchre", "yacht", "tiny_hanabi", "catch", "crazy_eights",
]  # fmt: skip
"""Cheap games covering chance, simultaneity, hidden information, 1 to 5 players."""
HIDDEN = ["kuhn_poker", "leduc_poker", "phantom_ttt", "liars_dice"]
PROPERTY = settings(max_examples=25, deadline=None)
MAX_APPLIES = 3000


def spiel(name: str) -> SpielGame:
    game = get_game(f"spiel.{name}")
    assert isinstance(game, SpielGame)
    return game


def playout(
    game: SpielGame, seed: int, rng: random.Random, players: int | None = None
) -> tuple[list[SpielState], list[dict[int, Any]]]:
    count = players or (2 if 2 in game.players else game.players.start)
    states = [game.start(count, seed, {})]
    actions: list[dict[int, Any]] = []
    for _ in range(MAX_APPLIES):
        state = states[-1]
        if game.is_over(state):
            break
        chosen = {s: rng.choice(game.legal_actions(state, s)) for s in game.to_act(state)}
        actions.append(chosen)
        states.append(game.apply(state, chosen))
    return states, actions


@PROPERTY
@given(st.sampled_from(QUICK), st.integers(0, 2**63 - 1), st.integers(0, 2**32))
def test_random_play_ends_and_replays_from_the_seed(name: str, seed: int, play: int) -> None:
    game = spiel(name)
    states, actions = playout(game, seed, random.Random(play))
    assert game.is_over(states[-1]) and game.to_act(states[-1]) == ()
    scores = game.scores(states[-1])
    assert all(0.0 <= s <= 1.0 for s in scores)
    again = game.start(states[0].spiel.num_players(), seed, {})
    for chosen in actions:
        again = game.apply(again, chosen)
    assert again.spiel.history() == states[-1].spiel.history()
    assert game.scores(again) == scores
    assert game.revealed_view(again) == game.revealed_view(states[-1])


@PROPERTY
@given(st.sampled_from(QUICK), st.integers(0, 2**63 - 1), st.integers(0, 2**32))
def test_apply_never_changes_its_input(name: str, seed: int, play: int) -> None:
    game = spiel(name)
    states, actions = playout(game, seed, random.Random(play))
    for state, chosen in zip(states, actions, strict=False):
        before = (str(state.spiel), list(state.spiel.history()), game.view(state))
        game.apply(state, chosen)
        assert (str(state.spiel), list(state.spiel.history()), game.view(state)) == before


@PROPERTY
@given(st.sampled_from(HIDDEN), st.integers(0, 2**63 - 1), st.integers(0, 2**32))
def test_a_public_view_never_shows_private_information(name: str, seed: int, play: int) -> None:
    game = spiel(name)
    states, _ = playout(game, seed, random.Random(play))
    for state in states[:-1]:
        view = game.view(state)
        assert view["public"] is True
        assert set(view) == {"game", "public", "text", "history", "to_act"}
        assert all(s["action"] is None and s["name"] is None for s in view["history"])
        whole = str(state.spiel)
        text = view["text"]
        assert text is None or (text != whole and "Private" not in text), text
        for seat in range(state.spiel.num_players()):
            assert "history" not in game.observation(state, seat)  # it lists the deal
    assert game.view(states[-1])["public"] is False


@PROPERTY
@given(st.integers(0, 2**63 - 1), st.integers(0, 2**63 - 1))
def test_kuhn_public_views_do_not_depend_on_the_cards(seed_a: int, seed_b: int) -> None:
    """The same bets over two different deals look the same to watchers."""
    game = spiel("kuhn_poker")
    a, b = game.start(2, seed_a, {}), game.start(2, seed_b, {})
    for action in (1, 0):  # bet, fold: the round ends before any showdown
        assert game.view(a) == game.view(b)
        (seat,) = game.to_act(a)
        a, b = game.apply(a, {seat: action}), game.apply(b, {seat: action})
    assert game.is_over(a)


def test_same_seed_same_chance_in_every_game_with_chance() -> None:
    for name in ("backgammon", "pig", "leduc_poker", "yacht", "euchre"):
        game = spiel(name)
        first, _ = playout(game, 99, random.Random(1))
        second, _ = playout(game, 99, random.Random(1))
        assert first[-1].spiel.history() == second[-1].spiel.history(), name
