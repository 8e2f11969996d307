"""Tic-tac-toe on a 3x3 board; cells are numbered 0-8 row by row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ringside.games.base import JSON, BaseGame, GameType, IllegalAction, NoOptions, require_int

LINES = (
    (0, 1, 2), (3, 4, 5), (6, 7, 8),
    (0, 3, 6), (1, 4, 7), (2, 5, 8),
    (0, 4, 8), (2, 4, 6),
)  # fmt: skip
MARKS = ("X", "O")


@dataclass(frozen=True, slots=True)
class TicTacToeState:
    board: tuple[int | None, ...]  # seat that owns each cell
    to_move: int
    moves: tuple[int, ...]
    winner: int | None
    seed: int


def find_winner(board: Sequence[int | None]) -> int | None:
    for a, b, c in LINES:
        if board[a] is not None and board[a] == board[b] == board[c]:
            return board[a]
    return None


TYPE = GameType(
    name="tictactoe",
    title="Tic-tac-toe",
    rules="Two players mark cells 0-8 of a 3x3 grid in turn; three in a row wins.",
    seats=("X", "O"),
    package=__name__,
    board="board.js",
)


class TicTacToe(BaseGame[TicTacToeState, NoOptions]):
    game_type = TYPE

    def new_state(self, players: int, seed: int, options: NoOptions) -> TicTacToeState:
        return TicTacToeState((None,) * 9, 0, (), None, seed)

    def to_act(self, state: TicTacToeState) -> Sequence[int]:
        return () if self.is_over(state) else (state.to_move,)

    def legal_actions(self, state: TicTacToeState, seat: int) -> list[int]:
        if self.is_over(state) or seat != state.to_move:
            return []
        return [i for i, cell in enumerate(state.board) if cell is None]

    def play(self, state: TicTacToeState, actions: dict[int, JSON]) -> TicTacToeState:
        seat, action = next(iter(actions.items()))
        cell = require_int(action, "cell", 0, 8)
        if state.board[cell] is not None:
            raise IllegalAction(f"cell {cell} is taken by {MARKS[state.board[cell]]}")  # type: ignore[index]
        board = list(state.board)
        board[cell] = seat
        return TicTacToeState(
            tuple(board), 1 - seat, (*state.moves, cell), find_winner(board), state.seed
        )

    def is_over(self, state: TicTacToeState) -> bool:
        return state.winner is not None or all(c is not None for c in state.board)

    def scores(self, state: TicTacToeState) -> list[float]:
        if state.winner is None:
            return [0.5, 0.5]
        return [1.0 if seat == state.winner else 0.0 for seat in (0, 1)]

    def observation(self, state: TicTacToeState, seat: int) -> JSON:
        return {
            "board": list(state.board),
            "you": seat,
            "mark": MARKS[seat],
            "to_move": state.to_move,
            "moves": list(state.moves),
        }

    def describe(self, state: TicTacToeState) -> dict[str, JSON]:
        return {
            "board": ["" if c is None else MARKS[c] for c in state.board],
            "to_move": None if self.is_over(state) else state.to_move,
            "last": state.moves[-1] if state.moves else None,
            "winner": state.winner,
        }


GAME = TicTacToe()
