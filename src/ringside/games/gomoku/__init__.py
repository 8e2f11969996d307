"""Gomoku (five in a row) on a square board, 15x15 by default.

Squares are named like Othello's so one parser serves bot authors of both: a
column letter from ``a`` (left) and a row number from ``1`` (top), e.g.
``h8`` is the centre of the 15x15 board. Boards are lists of rows, row 1
first, each cell the seat owning the stone (0 moves first) or ``null``.
The notation is strict (lower case, no padding, no spaces) so that every
position has exactly one spelling in the move log.

With ``exactly_five`` a row of six or more (an overline) does not win, as in
the "standard gomoku" rule set; by default five or more wins (freestyle).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import msgspec

from ringside.games.base import JSON, BaseGame, GameType, IllegalAction, InvalidOptions
from ringside.text import quoted

MIN_SIZE, MAX_SIZE = 9, 19
LETTERS = "abcdefghijklmnopqrs"
FIVE = 5
DIRECTIONS = ((0, 1), (1, 0), (1, 1), (1, -1))


class GomokuOptions(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    size: int = 15
    exactly_five: bool = False


@dataclass(frozen=True, slots=True)
class GomokuState:
    size: int
    exactly_five: bool
    board: tuple[int | None, ...]  # row-major, index = row * size + col, row 0 is "1"
    to_move: int
    moves: tuple[str, ...]
    last: int | None
    winner: int | None
    line: tuple[int, ...]  # indices of the winning stones, empty while nobody has won
    seed: int


@cache
def square_names(size: int) -> tuple[str, ...]:
    return tuple(f"{LETTERS[i % size]}{i // size + 1}" for i in range(size * size))


@cache
def square_index(size: int) -> dict[str, int]:
    return {name: i for i, name in enumerate(square_names(size))}


def winning_line(
    board: Sequence[int | None], size: int, index: int, exactly_five: bool
) -> tuple[int, ...]:
    """Stones of every winning run through ``index`` (only the newest stone can win)."""
    seat = board[index]
    row, col = divmod(index, size)
    found: set[int] = set()
    for dr, dc in DIRECTIONS:
        run = [index]
        for sign in (1, -1):
            r, c = row + sign * dr, col + sign * dc
            while 0 <= r < size and 0 <= c < size and board[r * size + c] == seat:
                run.append(r * size + c)
                r, c = r + sign * dr, c + sign * dc
        if len(run) == FIVE or (len(run) > FIVE and not exactly_five):
            found.update(run)
    return tuple(sorted(found))


TYPE = GameType(
    name="gomoku",
    title="Gomoku",
    rules=(
        "Two players place stones in turn on an empty intersection of a 15x15 board (option "
        "size, 9-19); five in a row in any direction wins. With option exactly_five, six or "
        "more in a row does not count. A full board is a draw."
    ),
    seats=("Black", "White"),
    options=GomokuOptions,
    package=__name__,
    board="board.js",
)


class Gomoku(BaseGame[GomokuState, GomokuOptions]):
    game_type = TYPE

    def check_options(self, options: GomokuOptions) -> None:
        if not MIN_SIZE <= options.size <= MAX_SIZE:
            raise InvalidOptions(f"gomoku: size must be from {MIN_SIZE} to {MAX_SIZE}")

    def new_state(self, players: int, seed: int, options: GomokuOptions) -> GomokuState:
        size = options.size
        return GomokuState(
            size, options.exactly_five, (None,) * (size * size), 0, (), None, None, (), seed
        )

    def to_act(self, state: GomokuState) -> Sequence[int]:
        return () if self.is_over(state) else (state.to_move,)

    def legal_actions(self, state: GomokuState, seat: int) -> list[str]:
        if self.is_over(state) or seat != state.to_move:
            return []
        names = square_names(state.size)
        return [names[i] for i, cell in enumerate(state.board) if cell is None]

    def play(self, state: GomokuState, actions: dict[int, JSON]) -> GomokuState:
        seat, action = next(iter(actions.items()))
        size = state.size
        index = square_index(size).get(action) if isinstance(action, str) else None
        if index is None:
            raise IllegalAction(
                f'a move must be a square like "h8" (column a-{LETTERS[size - 1]}, '
                f"row 1-{size}), got {quoted(action, 40)}"
            )
        if state.board[index] is not None:
            raise IllegalAction(f"square {action} is occupied")
        board = list(state.board)
        board[index] = seat
        line = winning_line(board, size, index, state.exactly_five)
        return GomokuState(
            size=size,
            exactly_five=state.exactly_five,
            board=tuple(board),
            to_move=1 - seat,
            moves=(*state.moves, action),
            last=index,
            winner=seat if line else None,
            line=line,
            seed=state.seed,
        )

    def is_over(self, state: GomokuState) -> bool:
        return state.winner is not None or len(state.moves) == len(state.board)

    def scores(self, state: GomokuState) -> list[float]:
        if state.winner is None:
            return [0.5, 0.5]
        return [1.0 if seat == state.winner else 0.0 for seat in (0, 1)]

    def rows(self, state: GomokuState) -> list[list[int | None]]:
        n = state.size
        return [list(state.board[r * n : (r + 1) * n]) for r in range(n)]

    def observation(self, state: GomokuState, seat: int) -> JSON:
        """The whole board; ``size`` and ``exactly_five`` so a bot need not remember options."""
        return {
            "board": self.rows(state),
            "size": state.size,
            "exactly_five": state.exactly_five,
            "you": seat,
            "to_move": None if self.is_over(state) else state.to_move,
            "moves": list(state.moves),
        }

    def describe(self, state: GomokuState) -> dict[str, JSON]:
        """Board, last stone and winning line, so a page can highlight them without rules."""
        names = square_names(state.size)
        return {
            "board": self.rows(state),
            "size": state.size,
            "last": None if state.last is None else names[state.last],
            "winner": state.winner,
            "to_move": None if self.is_over(state) else state.to_move,
            "line": [names[i] for i in state.line] if state.line else None,
        }


GAME = Gomoku()
