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
