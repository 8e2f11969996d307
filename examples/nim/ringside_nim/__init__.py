"""Nim: two players take objects from heaps; whoever takes the last one wins.

A whole game for Ringside outside Ringside: its rules, its ``GameType`` and,
next to this file, the ``board.js`` the web page draws it with. The package's
pyproject.toml offers ``GAME`` as a ``ringside.games`` entry point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import msgspec

from ringside.games.base import JSON, BaseGame, GameType, IllegalAction, InvalidOptions

MAX_HEAPS, MAX_HEAP = 8, 20


class NimOptions(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    heaps: tuple[int, ...] = (3, 4, 5)


@dataclass(frozen=True, slots=True)
class NimState:
    heaps: tuple[int, ...]
    to_move: int
    last: tuple[int, int, int] | None  # (seat, heap, taken)


TYPE = GameType(
    name="nim",
    title="Nim",
    rules=(
        "Two players take turns removing objects from heaps (3, 4 and 5; option heaps, up to "
        f"{MAX_HEAPS} heaps of 1-{MAX_HEAP}). A move is a list of two numbers, heap and count: "
        "take count >= 1 objects from heap (numbered from 0). Whoever takes the last object wins."
    ),
    seats=("First", "Second"),
    options=NimOptions,
    package=__name__,
    board="board.js",
)


class Nim(BaseGame[NimState, NimOptions]):
    game_type = TYPE

    def check_options(self, options: NimOptions) -> None:
        heaps = options.heaps
        if not 1 <= len(heaps) <= MAX_HEAPS or not all(1 <= h <= MAX_HEAP for h in heaps):
            raise InvalidOptions(f"nim: heaps must be 1 to {MAX_HEAPS} sizes from 1 to {MAX_HEAP}")

    def new_state(self, players: int, seed: int, options: NimOptions) -> NimState:
        return NimState(tuple(options.heaps), 0, None)

    def to_act(self, state: NimState) -> Sequence[int]:
        return () if self.is_over(state) else (state.to_move,)

    def legal_actions(self, state: NimState, seat: int) -> list[JSON]:
        if seat not in self.to_act(state):
            return []
        return [[h, n] for h, size in enumerate(state.heaps) for n in range(1, size + 1)]

    def play(self, state: NimState, actions: dict[int, JSON]) -> NimState:
        ((seat, action),) = actions.items()
        if not (
            isinstance(action, list)
            and len(action) == 2
            and all(type(x) is int for x in action)  # not True, not 1.0
        ):
            raise IllegalAction(f"a move is [heap, count], got {action!r:.40}")
        heap, count = action
        if not 0 <= heap < len(state.heaps):
            raise IllegalAction(f"there is no heap {heap} (heaps 0 to {len(state.heaps) - 1})")
        if not 1 <= count <= state.heaps[heap]:
            raise IllegalAction(f"heap {heap} has {state.heaps[heap]}; take 1 to that many")
        heaps = list(state.heaps)
        heaps[heap] -= count
        return NimState(tuple(heaps), 1 - seat, (seat, heap, count))

    def is_over(self, state: NimState) -> bool:
        return not any(state.heaps)

    def winner(self, state: NimState) -> int | None:
        return state.last[0] if self.is_over(state) and state.last else None

    def scores(self, state: NimState) -> list[float]:
        return [1.0 if seat == self.winner(state) else 0.0 for seat in (0, 1)]

    def observation(self, state: NimState, seat: int) -> JSON:
        return {"heaps": list(state.heaps), "you": seat, "to_move": state.to_move}

    def describe(self, state: NimState) -> dict[str, JSON]:
        return {
            "heaps": list(state.heaps),
            "last": None if state.last is None else list(state.last),
            "winner": self.winner(state),
        }


GAME = Nim()
