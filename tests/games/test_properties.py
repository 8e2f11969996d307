"""Properties every game in the catalogue must have, checked by random play.

The referee trusts these without knowing any rules: play ends, scores fit,
everything it forwards is JSON, anything a bot may send that is not listed as
legal is refused with a reason (never a crash), and a round is reproducible
from its seed and actions, which is what makes stored replays possible.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ringside.games.base import JSON, Game, IllegalAction
from ringside.games.registry import catalogue, get_game

NAMES = [game.name for game in catalogue() if "." not in game.name]
"""A family of adapted games (spiel.*) has its own properties tests (tests/games/spiel)."""
MAX_APPLIES = 2000  # generous: the longest default game here is gomoku on 19x19, 361 moves

PROPERTY = settings(max_examples=50, deadline=None)

# Options worth varying per game; a game not listed is played with its defaults.
OPTIONS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "counting": st.fixed_dictionaries({}, optional={"plies": st.integers(1, 200)}),
    "gomoku": st.fixed_dictionaries(
        {}, optional={"size": st.integers(9, 19), "exactly_five": st.booleans()}
    ),
    "baskin31": st.fixed_dictionaries({}, optional={"target": st.integers(5, 100)}),
    "rps": st.fixed_dictionaries({}, optional={"throws": st.integers(1, 40)}),
}

SCALARS: st.SearchStrategy[JSON] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.integers(-3, 400),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=6),
    st.from_regex(r"[a-zA-Z][0-9]{1,2}", fullmatch=True),
    st.sampled_from(["pass", "rock ", "Paper", "lizard", "", "0", "h8"]),
)
JUNK: st.SearchStrategy[JSON] = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.text(max_size=4), SCALARS, max_size=2),
)


def near_misses(action: JSON) -> list[JSON]:
    """Values a careless bot might send instead of ``action``."""
    misses: list[JSON] = [[action], {"action": action}, str(action)]
    if isinstance(action, int) and not isinstance(action, bool):
        misses += [float(action), action + 1000, -action - 1, bool(action % 2)]
    if isinstance(action, str):
        misses += [action.upper(), f" {action}", f"{action}0", action[:1]]
    return misses


def encode(value: JSON) -> bytes:
    return msgspec.json.encode(value)


class Round:
    """A random round: its setup, every state, and the actions between them."""

    def __init__(self, data: st.DataObject, name: str) -> None:
        self.game: Game = get_game(name)
        self.players: int = data.draw(st.sampled_from(list(self.game.players)), label="players")
        self.seed: int = data.draw(st.integers(0, 2**63 - 1), label="seed")
        self.options: dict[str, Any] = data.draw(OPTIONS.get(name, st.just({})), label="options")
        rng = random.Random(data.draw(st.integers(0, 2**32), label="play seed"))
        self.states = [self.game.start(self.players, self.seed, self.options)]
        self.actions: list[dict[int, JSON]] = []
        while not self.game.is_over(self.state):
            assert len(self.actions) < MAX_APPLIES, f"{name} did not end"
            actions = {seat: rng.choice(self.legal(seat)) for seat in self.game.to_act(self.state)}
            self.actions.append(actions)
            self.states.append(self.game.apply(self.state, actions))

    @property
    def state(self) -> Any:
        return self.states[-1]

    def legal(self, seat: int, state: Any = None) -> Sequence[JSON]:
        legal = self.game.legal_actions(self.state if state is None else state, seat)
        assert legal is not None, "builtin games list their legal actions"
        return legal


@pytest.mark.parametrize("name", NAMES)
def test_catalogue_entry(name: str) -> None:
    game = get_game(name)
    assert game.name == name
    assert game.title and game.rules
    assert len(game.players) >= 1
    assert msgspec.json.decode(encode(game.options_schema()))
    facts = game.game_type
    assert (facts.name, facts.title, facts.players) == (name, game.title, game.players)
    assert game.options_schema() == msgspec.json.schema(facts.options)
    board = facts.board_file()
    assert board is not None and board.name == "board.js", "every built-in game draws its board"
    assert board.parent.name == name, "a game's files live in its own folder"


@pytest.mark.parametrize("name", NAMES)
@PROPERTY
@given(data=st.data())
def test_random_play_ends_with_valid_scores(name: str, data: st.DataObject) -> None:
    rnd = Round(data, name)
    game, seats = rnd.game, range(rnd.players)
    for state in rnd.states[:-1]:
        to_act = game.to_act(state)
        assert game.view(state)["to_act"] == list(to_act), "the view says whose turn it is"
        assert to_act, "a running game must ask someone"
        assert len(to_act) == 1 or game.simultaneous
        for seat in seats:
            legal = game.legal_actions(state, seat)
            assert bool(legal) == (seat in to_act), "legal actions only for seats to act"
    end = rnd.state
    assert game.is_over(end)
    assert list(game.to_act(end)) == []
    assert game.view(end)["to_act"] == []
    assert all(list(game.legal_actions(end, seat) or []) == [] for seat in seats)
    scores = game.scores(end)
    assert len(scores) == rnd.players
    assert all(isinstance(s, float) and 0.0 <= s <= 1.0 for s in scores)


@pytest.mark.parametrize("name", NAMES)
@PROPERTY
@given(data=st.data())
def test_views_and_observations_are_json(name: str, data: st.DataObject) -> None:
    rnd = Round(data, name)
    for state in rnd.states:
        values = [rnd.game.view(state)]
        for seat in range(rnd.players):
            values.append(rnd.game.observation(state, seat))
            values.append(list(rnd.game.legal_actions(state, seat) or []))
        for value in values:
            assert msgspec.json.decode(encode(value)) == value
            assert encode(msgspec.json.decode(encode(value))) == encode(value)


@pytest.mark.parametrize("name", NAMES)
@PROPERTY
@given(data=st.data())
def test_actions_not_listed_are_refused(name: str, data: st.DataObject) -> None:
    rnd = Round(data, name)
    game = rnd.game
    state = rnd.states[data.draw(st.integers(0, len(rnd.states) - 1), label="ply")]
    if game.is_over(state):
        seat = data.draw(st.sampled_from(range(rnd.players)), label="seat after the end")
        with pytest.raises(IllegalAction) as info:
            game.apply(state, {seat: data.draw(JUNK)})
        assert info.value.reason
        return
    to_act = list(game.to_act(state))
    seat = data.draw(st.sampled_from(to_act), label="seat")
    legal = rnd.legal(seat, state)
    listed = {encode(a) for a in legal}
    if data.draw(st.booleans(), label="near miss"):
        misses = near_misses(data.draw(st.sampled_from(list(legal)), label="legal action"))
        bad = data.draw(st.sampled_from(misses), label="bad action")
    else:
        bad = data.draw(JUNK, label="bad action")
    if encode(bad) in listed:
        return
    actions = {s: rnd.legal(s, state)[0] for s in to_act}
    actions[seat] = bad
    with pytest.raises(IllegalAction) as info:
        game.apply(state, actions)
    assert isinstance(info.value.reason, str) and info.value.reason.strip()
    if game.simultaneous:
        assert info.value.seat == seat, "a simultaneous game must name the offender"
    waiting = [s for s in range(rnd.players) if s not in to_act]
    if waiting:
        with pytest.raises(IllegalAction, match="not your turn"):
            game.apply(state, {**actions, waiting[0]: legal[0]})


@pytest.mark.parametrize("name", NAMES)
@PROPERTY
@given(data=st.data())
def test_same_seed_and_actions_reproduce_the_round(name: str, data: st.DataObject) -> None:
    rnd = Round(data, name)
    game = rnd.game
    state = game.start(rnd.players, rnd.seed, dict(rnd.options))
    assert state == rnd.states[0]
    for actions, expected in zip(rnd.actions, rnd.states[1:], strict=True):
        state = game.apply(state, actions)
        assert state == expected
        assert game.view(state) == game.view(expected)
        seats = range(rnd.players)
        assert [game.observation(state, s) for s in seats] == [
            game.observation(expected, s) for s in seats
        ]
    assert game.scores(state) == game.scores(rnd.state)
