"""Baskin-Robbins 31: players count up in turn; whoever has to say 31 loses.

Each turn a seat calls the next 1, 2 or 3 numbers; the action is how many
(an int 1-3), not the numbers themselves, so a bot cannot get the count
wrong, only the strategy. Seats play in order 0, 1, ..., n-1, 0, ...
The last number (option ``target``, 31 by default) may be called but not
passed, so the game always ends and exactly one seat loses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import msgspec

from ringside.games.base import JSON, BaseGame, GameType, IllegalAction, InvalidOptions
from ringside.text import quoted

MAX_CALL = 3
MIN_TARGET, MAX_TARGET = 5, 100


class Baskin31Options(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    target: int = 31


@dataclass(frozen=True, slots=True)
class Baskin31State:
    players: int
    target: int
    count: int  # the last number called, 0 before the first call
    to_move: int
    history: tuple[tuple[int, tuple[int, ...]], ...]  # (seat, numbers called)
    seed: int


def numbers_left(left: int) -> str:
    return "only 1 number is left" if left == 1 else f"only {left} numbers are left"


TYPE = GameType(
    name="baskin31",
    title="Baskin-Robbins 31",
    rules=(
        "2 to 8 players count up from 1 in turn; each turn a player calls the next 1, 2 or 3 "
        "numbers (the action is how many). Whoever calls 31 (option target, 5-100) loses; "
        "everyone else wins."
    ),
    players=range(2, 9),
    options=Baskin31Options,
    package=__name__,
    board="board.js",
)


class Baskin31(BaseGame[Baskin31State, Baskin31Options]):
    game_type = TYPE

    def check_options(self, options: Baskin31Options) -> None:
        if not MIN_TARGET <= options.target <= MAX_TARGET:
            raise InvalidOptions(f"baskin31: target must be from {MIN_TARGET} to {MAX_TARGET}")

    def new_state(self, players: int, seed: int, options: Baskin31Options) -> Baskin31State:
        return Baskin31State(players, options.target, 0, 0, (), seed)

    def to_act(self, state: Baskin31State) -> Sequence[int]:
        return () if self.is_over(state) else (state.to_move,)

    def legal_actions(self, state: Baskin31State, seat: int) -> list[int]:
        if self.is_over(state) or seat != state.to_move:
            return []
        return list(range(1, min(MAX_CALL, state.target - state.count) + 1))

    def play(self, state: Baskin31State, actions: dict[int, JSON]) -> Baskin31State:
        seat, action = next(iter(actions.items()))
        if isinstance(action, bool) or not isinstance(action, int) or not 1 <= action <= MAX_CALL:
            raise IllegalAction(
                f"the action is how many numbers to call, an integer from 1 to {MAX_CALL}; "
                f"got {quoted(action, 40)}"
            )
        how_many = action
        left = state.target - state.count
        if how_many > left:
            raise IllegalAction(
                f"{numbers_left(left)} ({state.count + 1} to {state.target}); "
                f"call from 1 to {left} of them"
            )
        called = tuple(range(state.count + 1, state.count + how_many + 1))
        return Baskin31State(
            players=state.players,
            target=state.target,
            count=called[-1],
            to_move=(seat + 1) % state.players,
            history=(*state.history, (seat, called)),
            seed=state.seed,
        )

    def is_over(self, state: Baskin31State) -> bool:
        return state.count >= state.target

    def loser(self, state: Baskin31State) -> int | None:
        return state.history[-1][0] if self.is_over(state) else None

    def scores(self, state: Baskin31State) -> list[float]:
        loser = self.loser(state)
        return [0.0 if seat == loser else 1.0 for seat in range(state.players)]

    def observation(self, state: Baskin31State, seat: int) -> JSON:
        """Everything is public; the history lets a bot model the other players."""
        return {
            "count": state.count,
            "target": state.target,
            "players": state.players,
            "you": seat,
            "to_move": None if self.is_over(state) else state.to_move,
            "history": [[s, list(numbers)] for s, numbers in state.history],
        }

    def describe(self, state: Baskin31State) -> dict[str, JSON]:
        last = state.history[-1] if state.history else None
        return {
            "count": state.count,
            "target": state.target,
            "players": state.players,
            "to_move": None if self.is_over(state) else state.to_move,
            "last": None if last is None else [last[0], list(last[1])],
            "loser": self.loser(state),
        }


GAME = Baskin31()
