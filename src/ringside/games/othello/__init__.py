"""Othello (Reversi) on an 8x8 board.

Squares use standard Othello notation: a column letter ``a``-``h`` from the
left and a row number ``1``-``8`` from the top, so black's four opening moves
are ``d3``, ``c4``, ``f5`` and ``e6``. Boards are lists of rows, row 1 first,
each cell the seat owning the disc or ``null``; seat 0 plays black and moves
first, seat 1 plays white.

A seat with no legal move never gets asked: the turn passes automatically
and the history records ``"pass"``, so a bot is only ever asked when it has a
real choice and cannot stall the game with an invalid "pass" action.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ringside.games.base import JSON, BaseGame, GameType, IllegalAction, NoOptions
from ringside.text import quoted

SIZE = 8
COLUMNS = "abcdefgh"
SQUARES = tuple(f"{COLUMNS[i % SIZE]}{i // SIZE + 1}" for i in range(SIZE * SIZE))
INDEX = {name: i for i, name in enumerate(SQUARES)}
DIRECTIONS = ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1))
COLOURS = ("black", "white")
PASS = "pass"


@dataclass(frozen=True, slots=True)
class OthelloState:
    board: tuple[int | None, ...]  # row-major, index = row * 8 + col, row 0 is "1"
    to_move: int  # meaningless once over
    moves: tuple[str, ...]  # squares and "pass", in order
    last: int | None  # index of the last disc placed
    flipped: tuple[int, ...]  # indices flipped by that disc
    over: bool
    seed: int


def flips(board: Sequence[int | None], index: int, seat: int) -> list[int]:
    """Indices of the discs that ``seat`` would flip by playing on ``index``."""
    if board[index] is not None:
        return []
    row, col = divmod(index, SIZE)
    flipped: list[int] = []
    for dr, dc in DIRECTIONS:
        run: list[int] = []
        r, c = row + dr, col + dc
        while 0 <= r < SIZE and 0 <= c < SIZE:
            owner = board[r * SIZE + c]
            if owner is None:
                break
            if owner == seat:
                flipped.extend(run)
                break
            run.append(r * SIZE + c)
            r, c = r + dr, c + dc
    return flipped


def moves_for(board: Sequence[int | None], seat: int) -> list[int]:
    return [i for i in range(SIZE * SIZE) if flips(board, i, seat)]


def start_board() -> tuple[int | None, ...]:
    board: list[int | None] = [None] * (SIZE * SIZE)
    for name, seat in (("d4", 1), ("e5", 1), ("d5", 0), ("e4", 0)):
        board[INDEX[name]] = seat
    return tuple(board)


TYPE = GameType(
    name="othello",
    title="Othello",
    rules=(
        "Two players place discs on an 8x8 board; a disc must outflank a line of the opponent's "
        "discs, which are flipped. Black (seat 0) starts. A player with no legal move passes "
        "automatically; the game ends when neither can move and the most discs wins."
    ),
    seats=("Black", "White"),
    package=__name__,
    board="board.js",
)


class Othello(BaseGame[OthelloState, NoOptions]):
    game_type = TYPE

    def new_state(self, players: int, seed: int, options: NoOptions) -> OthelloState:
        return OthelloState(start_board(), 0, (), None, (), False, seed)

    def to_act(self, state: OthelloState) -> Sequence[int]:
        return () if state.over else (state.to_move,)

    def legal_actions(self, state: OthelloState, seat: int) -> list[str]:
        if state.over or seat != state.to_move:
            return []
        return [SQUARES[i] for i in moves_for(state.board, seat)]

    def play(self, state: OthelloState, actions: dict[int, JSON]) -> OthelloState:
        seat, action = next(iter(actions.items()))
        index = INDEX.get(action) if isinstance(action, str) else None
        if index is None:
            raise IllegalAction(
                f'a move must be a square "a1" to "h8" (column a-h, row 1-8), got {quoted(action, 40)}'
            )
        if state.board[index] is not None:
            raise IllegalAction(f"square {action} is occupied")
        flipped = flips(state.board, index, seat)
        if not flipped:
            raise IllegalAction(f"{action} flips no disc")
        board = list(state.board)
        for i in (index, *flipped):
            board[i] = seat
        moves = (*state.moves, action)
        other, to_move, over = 1 - seat, 1 - seat, False
        if not moves_for(board, other):
            if moves_for(board, seat):
                moves, to_move = (*moves, PASS), seat
            else:
                over = True
        return OthelloState(tuple(board), to_move, moves, index, tuple(flipped), over, state.seed)

    def is_over(self, state: OthelloState) -> bool:
        return state.over

    def counts(self, state: OthelloState) -> list[int]:
        return [state.board.count(0), state.board.count(1)]

    def winner(self, state: OthelloState) -> int | None:
        black, white = self.counts(state)
        if not state.over or black == white:
            return None
        return 0 if black > white else 1

    def scores(self, state: OthelloState) -> list[float]:
        winner = self.winner(state)
        if winner is None:
            return [0.5, 0.5]
        return [1.0 if seat == winner else 0.0 for seat in (0, 1)]

    def rows(self, state: OthelloState) -> list[list[int | None]]:
        return [list(state.board[r * SIZE : (r + 1) * SIZE]) for r in range(SIZE)]

    def observation(self, state: OthelloState, seat: int) -> JSON:
        """The whole board (no hidden information) plus disc counts, indexed by seat."""
        return {
            "board": self.rows(state),
            "you": seat,
            "colour": COLOURS[seat],
            "to_move": None if state.over else state.to_move,
            "moves": list(state.moves),
            "counts": self.counts(state),
        }

    def describe(self, state: OthelloState) -> dict[str, JSON]:
        """Board, last disc and the discs it flipped, so a page can animate the move."""
        return {
            "board": self.rows(state),
            "to_move": None if state.over else state.to_move,
            "last": None if state.last is None else SQUARES[state.last],
            "flipped": [SQUARES[i] for i in state.flipped],
            "passed": bool(state.moves) and state.moves[-1] == PASS,
            "counts": self.counts(state),
            "winner": self.winner(state),
        }


GAME = Othello()
