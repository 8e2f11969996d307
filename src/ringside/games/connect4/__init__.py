"""Connect Four: drop discs into a 7x6 upright grid; four in a row wins.

Coordinates, shared by observations and views so a bot author learns one
convention: rows are numbered 0-5 from the top, columns 0-6 from the left,
and a cell is ``[row, col]``. Boards are lists of rows, top row first, each
cell the seat that owns the disc (0 moves first) or ``null`` when empty. The
action is the column to drop a disc into, an integer 0-6.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ringside.games.base import JSON, BaseGame, GameType, IllegalAction, NoOptions, require_int

ROWS = 6
COLS = 7
CONNECT = 4
DIRECTIONS = ((0, 1), (1, 0), (1, 1), (1, -1))  # horizontal, vertical, both diagonals

Cell = tuple[int, int]


@dataclass(frozen=True, slots=True)
class ConnectFourState:
    board: tuple[int | None, ...]  # row-major, row 0 at the top
    to_move: int
    moves: tuple[int, ...]  # columns, in order of play
    last: Cell | None
    winner: int | None
    line: tuple[Cell, ...]  # the winning cells, empty while nobody has won
    seed: int


def winning_cells(board: Sequence[int | None], row: int, col: int) -> tuple[Cell, ...]:
    """Cells of every run of CONNECT or more through (row, col), sorted; () when none.

    Only the newest disc can complete a line, so checking runs through it is
    enough and keeps a move O(1) instead of rescanning the board.
    """
    seat = board[row * COLS + col]
    found: set[Cell] = set()
    for dr, dc in DIRECTIONS:
        run = [(row, col)]
        for sign in (1, -1):
            r, c = row + sign * dr, col + sign * dc
            while 0 <= r < ROWS and 0 <= c < COLS and board[r * COLS + c] == seat:
                run.append((r, c))
                r, c = r + sign * dr, c + sign * dc
        if len(run) >= CONNECT:
            found.update(run)
    return tuple(sorted(found))


TYPE = GameType(
    name="connect4",
    title="Connect Four",
    rules=(
        "Two players drop discs into columns 0-6 of a 7-wide, 6-high grid; a disc falls to the "
        "lowest empty cell. Four in a row horizontally, vertically or diagonally wins; a full "
        "grid is a draw."
    ),
    seats=("Red", "Yellow"),
    package=__name__,
    board="board.js",
)


class ConnectFour(BaseGame[ConnectFourState, NoOptions]):
    game_type = TYPE

    def new_state(self, players: int, seed: int, options: NoOptions) -> ConnectFourState:
        return ConnectFourState((None,) * (ROWS * COLS), 0, (), None, None, (), seed)

    def to_act(self, state: ConnectFourState) -> Sequence[int]:
        return () if self.is_over(state) else (state.to_move,)

    def legal_actions(self, state: ConnectFourState, seat: int) -> list[int]:
        if self.is_over(state) or seat != state.to_move:
            return []
        return [col for col in range(COLS) if state.board[col] is None]

    def play(self, state: ConnectFourState, actions: dict[int, JSON]) -> ConnectFourState:
        seat, action = next(iter(actions.items()))
        col = require_int(action, "column", 0, COLS - 1)
        row = next((r for r in reversed(range(ROWS)) if state.board[r * COLS + col] is None), None)
        if row is None:
            raise IllegalAction(f"column {col} is full")
        board = list(state.board)
        board[row * COLS + col] = seat
        line = winning_cells(board, row, col)
        return ConnectFourState(
            board=tuple(board),
            to_move=1 - seat,
            moves=(*state.moves, col),
            last=(row, col),
            winner=seat if line else None,
            line=line,
            seed=state.seed,
        )

    def is_over(self, state: ConnectFourState) -> bool:
        return state.winner is not None or len(state.moves) == ROWS * COLS

    def scores(self, state: ConnectFourState) -> list[float]:
        if state.winner is None:
            return [0.5, 0.5]
        return [1.0 if seat == state.winner else 0.0 for seat in (0, 1)]

    def rows(self, state: ConnectFourState) -> list[list[int | None]]:
        return [list(state.board[r * COLS : (r + 1) * COLS]) for r in range(ROWS)]

    def observation(self, state: ConnectFourState, seat: int) -> JSON:
        """The whole board: Connect Four has no hidden information."""
        return {
            "board": self.rows(state),
            "you": seat,
            "to_move": None if self.is_over(state) else state.to_move,
            "moves": list(state.moves),
        }

    def describe(self, state: ConnectFourState) -> dict[str, JSON]:
        """Board, last disc and winning line, so a page can highlight them without rules."""
        return {
            "board": self.rows(state),
            "last": list(state.last) if state.last else None,
            "winner": state.winner,
            "to_move": None if self.is_over(state) else state.to_move,
            "line": [list(cell) for cell in state.line] if state.line else None,
        }


GAME = ConnectFour()
