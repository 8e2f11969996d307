"""A counting race used by tests and benchmarks: seats call the next number.

It is the cheapest possible game, so relaying it measures the server, not the
rules. Whoever calls ``plies`` scores 1.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from ringside.games.base import JSON, BaseGame, GameType, IllegalAction, InvalidOptions
from ringside.text import quoted


class CountingOptions(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    plies: int = 20


class CountingState(msgspec.Struct, frozen=True, gc=False):
    count: int
    players: int
    plies: int


TYPE = GameType(
    name="counting",
    title="Counting",
    rules=(
        "Seats call 1, 2, 3... in turn; the action is the next number; "
        "whoever calls the last one wins."
    ),
    players=range(1, 9),
    options=CountingOptions,
    package=__name__,
    board="board.js",
)


class Counting(BaseGame[CountingState, CountingOptions]):
    game_type = TYPE

    def check_options(self, options: CountingOptions) -> None:
        if not 1 <= options.plies <= 1_000_000:
            raise InvalidOptions("counting: plies must be from 1 to 1000000")

    def new_state(self, players: int, seed: int, options: CountingOptions) -> CountingState:
        return CountingState(0, players, options.plies)

    # Written out rather than through is_over/to_act: this game exists to be cheap.

    def to_act(self, state: CountingState) -> Sequence[int]:
        return () if state.count >= state.plies else (state.count % state.players,)

    def legal_actions(self, state: CountingState, seat: int) -> list[int]:
        count = state.count
        if count >= state.plies or seat != count % state.players:
            return []
        return [count + 1]

    def play(self, state: CountingState, actions: dict[int, JSON]) -> CountingState:
        (action,) = actions.values()
        if type(action) is not int or action != state.count + 1:  # not 1.0 nor True
            raise IllegalAction(f"the next number is {state.count + 1}, not {quoted(action, 40)}")
        return CountingState(state.count + 1, state.players, state.plies)

    def is_over(self, state: CountingState) -> bool:
        return state.count >= state.plies

    def scores(self, state: CountingState) -> list[float]:
        last = (state.count - 1) % state.players
        return [1.0 if seat == last else 0.0 for seat in range(state.players)]

    def observation(self, state: CountingState, seat: int) -> JSON:
        return {"count": state.count, "plies": state.plies}

    def describe(self, state: CountingState) -> dict[str, JSON]:
        return {"count": state.count, "plies": state.plies}


GAME = Counting()
