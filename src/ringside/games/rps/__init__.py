"""Rock-paper-scissors: a round of simultaneous throws between two seats.

Both seats are asked at once and the referee hands both actions to ``apply``
together, so neither bot can see the other's current throw: observations
only ever show throws that are complete. A round is ``throws`` throws (3 by
default); the seat that won more of them wins the round, drawn throws count
for nobody. Playing many throws against one opponent rewards bots that model
their opponent rather than ones that merely play at random.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import msgspec

from ringside.games.base import JSON, BaseGame, GameType, IllegalAction, InvalidOptions
from ringside.text import quoted

THROWS = ("rock", "paper", "scissors")
BEATS = {"rock": "scissors", "paper": "rock", "scissors": "paper"}
MAX_THROWS = 1001


class RpsOptions(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    throws: int = 3


@dataclass(frozen=True, slots=True)
class RpsState:
    throws: int  # throws in the round
    history: tuple[tuple[str, str], ...]  # (seat 0's throw, seat 1's throw) per finished throw
    wins: tuple[int, int]  # throws won by each seat so far
    seed: int


def throw_winner(a: str, b: str) -> int | None:
    """Seat (0 or 1) that wins a throw of ``a`` against ``b``, None on a draw."""
    if a == b:
        return None
    return 0 if BEATS[a] == b else 1


TYPE = GameType(
    name="rps",
    title="Rock-paper-scissors",
    rules='Both players throw "rock", "paper" or "scissors" at the same time; rock blunts '
    "scissors, scissors cut paper, paper wraps rock. A round is 3 throws (option throws, "
    "1-1001); whoever won more throws wins the round.",
    simultaneous=True,
    options=RpsOptions,
    package=__name__,
    board="board.js",
)


class RockPaperScissors(BaseGame[RpsState, RpsOptions]):
    game_type = TYPE

    def check_options(self, options: RpsOptions) -> None:
        if not 1 <= options.throws <= MAX_THROWS:
            raise InvalidOptions(f"rps: throws must be from 1 to {MAX_THROWS}")

    def new_state(self, players: int, seed: int, options: RpsOptions) -> RpsState:
        return RpsState(options.throws, (), (0, 0), seed)

    def to_act(self, state: RpsState) -> Sequence[int]:
        return () if self.is_over(state) else (0, 1)

    def legal_actions(self, state: RpsState, seat: int) -> list[str]:
        return list(THROWS) if seat in self.to_act(state) else []

    def play(self, state: RpsState, actions: dict[int, JSON]) -> RpsState:
        """Check both throws before using either, blaming the first bad seat by number."""
        for seat in (0, 1):
            action = actions[seat]
            if not isinstance(action, str) or action not in BEATS:
                raise IllegalAction(
                    f'a throw must be "rock", "paper" or "scissors", got {quoted(action, 40)}',
                    seat=seat,
                )
        pair: tuple[str, str] = (actions[0], actions[1])
        winner = throw_winner(*pair)
        wins = state.wins
        if winner is not None:
            wins = (wins[0] + 1, wins[1]) if winner == 0 else (wins[0], wins[1] + 1)
        return RpsState(state.throws, (*state.history, pair), wins, state.seed)

    def is_over(self, state: RpsState) -> bool:
        return len(state.history) >= state.throws

    def scores(self, state: RpsState) -> list[float]:
        a, b = state.wins
        if a == b:
            return [0.5, 0.5]
        return [1.0, 0.0] if a > b else [0.0, 1.0]

    def observation(self, state: RpsState, seat: int) -> JSON:
        """Finished throws only, indexed by seat; ``you`` says which column is yours."""
        return {
            "you": seat,
            "history": [list(pair) for pair in state.history],
            "wins": list(state.wins),
            "throws": state.throws,
            "throws_left": state.throws - len(state.history),
        }

    def describe(self, state: RpsState) -> dict[str, JSON]:
        """The last throw and the tally; no history, which at 1001 throws would make every
        move event grow with the round (a replay has the throws as its events)."""
        over = self.is_over(state)
        a, b = state.wins
        return {
            "last": list(state.history[-1]) if state.history else None,
            "wins": [a, b],
            "throws": state.throws,
            "throws_left": state.throws - len(state.history),
            "winner": None if not over or a == b else (0 if a > b else 1),
        }


GAME = RockPaperScissors()
