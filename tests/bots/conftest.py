"""Helpers for bot tests: requests built the way the server builds them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
import pytest

from ringside.games.base import Game
from ringside.protocol.messages import ClockReading, Request

MakeRequest = Callable[..., Request]


def wire_request(game: Game, state: Any, move_time: float = 10.0) -> Request:
    """The request a bot would receive for ``state``, after a trip through JSON.

    The round trip proves the strategies need nothing but what crosses the wire.
    """
    (seat,) = game.to_act(state)
    legal = game.legal_actions(state, seat)
    request = Request(
        "m1",
        1,
        1,
        seat,
        game.observation(state, seat),
        None if legal is None else list(legal),
        ClockReading(remaining=move_time, move_time=move_time),
    )
    return msgspec.json.decode(msgspec.json.encode(request), type=Request)


@pytest.fixture
def make_request() -> MakeRequest:
    return wire_request


def spiel_request(state: Any, move_time: float = 10.0) -> Request:
    """The request the spiel adapter sends for a pyspiel ``state``, as the contract has it.

    Built from OpenSpiel directly, so the bots' tests do not depend on the adapter.
    """
    game = state.get_game()
    game_type = game.get_type()
    seat = state.current_player()
    legal = list(state.legal_actions(seat))
    observation: dict[str, Any] = {
        "game": f"spiel.{game_type.short_name}",
        "game_string": str(game),
        "seat": seat,
        "observation": (
            state.observation_string(seat) if game_type.provides_observation_string else None
        ),
        "information_state": (
            state.information_state_string(seat)
            if game_type.provides_information_state_string
            else None
        ),
        "legal_names": [state.action_to_string(seat, a) for a in legal],
    }
    if game_type.information.name == "PERFECT_INFORMATION":
        observation["history"] = list(state.history())
    request = Request(
        "m1", 1, 1, seat, observation, legal, ClockReading(remaining=move_time, move_time=move_time)
    )
    return msgspec.json.decode(msgspec.json.encode(request), type=Request)


@pytest.fixture
def make_spiel_request() -> MakeRequest:
    return spiel_request
