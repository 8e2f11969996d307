"""What the alpha-beta bot knows about each game beyond its rules.

For every game it plays, three pieces of knowledge: how to rebuild a game
state from the observation a bot receives (so the search can reuse the
game's own ``legal_actions``/``apply``/``is_over``/``scores`` and the rules
are written once), a heuristic score of a position for a seat, and an order
in which to try moves (good moves first make alpha-beta prune more).

The rebuilt state only needs to be right for what the rules functions read;
fields that exist for spectators (last move, flipped discs) start empty.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ringside.bots.base import JSON, StrategyFailed
from ringside.games import connect4, othello, tictactoe
from ringside.text import quoted

# --- shared ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Knowledge:
    """Per-game inputs of the search (see the module docstring)."""

    from_observation: Callable[[JSON], Any]
    evaluate: Callable[[Any, int], float]
    """Heuristic value of a non-final state for ``seat``: positive is good for it."""
    order_key: Callable[[JSON], float]
    """Smaller keys are searched first."""
    default_depth: int
    """Plies searched by default: chosen so a move takes well under a second here."""


def _flat_board(observation: JSON, rows: int, cols: int) -> tuple[int | None, ...]:
    """The observation's list of rows as one row-major tuple, checked for shape and values."""
    try:
        grid = observation["board"]
        cells = tuple(cell for row in grid for cell in row)
        ok = len(grid) == rows and all(len(row) == cols for row in grid)
    except (KeyError, TypeError) as exc:
        raise StrategyFailed(f"observation has no usable board: {quoted(exc, 80)}") from None
    if not ok or any(cell not in (None, 0, 1) or cell is True or cell is False for cell in cells):
        raise StrategyFailed(f"observation board is not {rows}x{cols} of null, 0 and 1")
    return cells


def _to_move(observation: JSON) -> int:
    seat = observation.get("to_move") if isinstance(observation, dict) else None
    if seat not in (0, 1) or isinstance(seat, bool):
        raise StrategyFailed(
            f"observation says seat {quoted(seat, 20)} is to move; expected 0 or 1"
        )
    return int(seat)


def _moves(observation: JSON, discs: int) -> tuple[Any, ...]:
    """The move history, or a stand-in of the right length when the observation omits it.

    Games count plies from the history (Connect Four's full-board draw), so
    its length matters even when its content does not.
    """
    moves = observation.get("moves")
    if isinstance(moves, list) and len(moves) >= discs:
        return tuple(moves)
    return (None,) * discs


# --- connect four -------------------------------------------------------------------

C4_COLS, C4_ROWS = connect4.COLS, connect4.ROWS
C4_WINDOWS: tuple[tuple[int, int, int, int], ...] = tuple(
    tuple((r + k * dr) * C4_COLS + (c + k * dc) for k in range(4))  # type: ignore[misc]
    for r in range(C4_ROWS)
    for c in range(C4_COLS)
    for dr, dc in connect4.DIRECTIONS
    if 0 <= r + 3 * dr < C4_ROWS and 0 <= c + 3 * dc < C4_COLS
)
"""Every line of four cells on the board (69 of them), as board indices."""
C4_CENTRE = tuple(r * C4_COLS + C4_COLS // 2 for r in range(C4_ROWS))
C4_WINDOW_VALUE = (0.0, 1.0, 4.0, 16.0, 1000.0)
"""Worth of an open window by the discs one seat has in it (0-4; 4 only in final states)."""
C4_CODE = {None: 0, 0: 1, 1: 5}
"""Cells coded so the sum over a window, ``seat-0 discs + 5 * seat-1 discs``, is unique."""


def _window_score(code: int) -> float:
    """Worth for seat 0 of a window by its code: a window with discs of both seats is dead."""
    zeros, ones = code % 5, code // 5
    if zeros + ones > 4:
        return 0.0  # no window has that code
    if ones == 0:
        return C4_WINDOW_VALUE[zeros]
    return -C4_WINDOW_VALUE[ones] if zeros == 0 else 0.0


C4_WINDOW_SCORE = tuple(_window_score(code) for code in range(25))


def connect4_state(observation: JSON) -> connect4.ConnectFourState:
    board = _flat_board(observation, C4_ROWS, C4_COLS)
    discs = sum(cell is not None for cell in board)
    return connect4.ConnectFourState(
        board, _to_move(observation), _moves(observation, discs), None, None, (), 0
    )


def connect4_evaluate(state: connect4.ConnectFourState, seat: int) -> float:
    """Open windows of four (more discs in a window is worth far more) plus centre discs.

    A window holding discs of both seats can never become a line, so it counts
    for nobody; the centre column takes part in the most windows. The window
    sums go through a lookup table because this is where the search spends
    most of its time.
    """
    board = state.board
    code = [C4_CODE[cell] for cell in board]
    table = C4_WINDOW_SCORE
    score = sum(table[code[a] + code[b] + code[c] + code[d]] for a, b, c, d in C4_WINDOWS)
    for i in C4_CENTRE:
        if board[i] is not None:
            score += 3.0 if board[i] == 0 else -3.0
    return score if seat == 0 else -score


def connect4_order(action: JSON) -> float:
    return abs(int(action) - C4_COLS // 2)


# --- othello ------------------------------------------------------------------------

# fmt: off
OTHELLO_WEIGHTS = (
    100, -20, 10,  5,  5, 10, -20, 100,
    -20, -50, -2, -2, -2, -2, -50, -20,
     10,  -2,  1,  1,  1,  1,  -2,  10,
      5,  -2,  1,  0,  0,  1,  -2,   5,
      5,  -2,  1,  0,  0,  1,  -2,   5,
     10,  -2,  1,  1,  1,  1,  -2,  10,
    -20, -50, -2, -2, -2, -2, -50, -20,
    100, -20, 10,  5,  5, 10, -20, 100,
)
# fmt: on
"""Classic square values: corners can never be flipped, squares next to an empty
corner hand it to the opponent."""
OTHELLO_CORNERS = (0, 7, 56, 63)


def othello_state(observation: JSON) -> othello.OthelloState:
    board = _flat_board(observation, othello.SIZE, othello.SIZE)
    discs = sum(cell is not None for cell in board)
    moves = _moves(observation, max(0, discs - 4))
    return othello.OthelloState(board, _to_move(observation), moves, None, (), False, 0)


def othello_evaluate(state: othello.OthelloState, seat: int) -> float:
    """Square weights, plus mobility (having moves is what wins Othello), plus corners.

    Disc count is deliberately left out: greedily flipping discs early loses;
    the final count is scored by the game itself at the end of the search.
    """
    board = state.board
    other = 1 - seat
    positional = 0
    for i, owner in enumerate(board):
        if owner == seat:
            positional += OTHELLO_WEIGHTS[i]
        elif owner == other:
            positional -= OTHELLO_WEIGHTS[i]
    mine = len(othello.moves_for(board, seat))
    theirs = len(othello.moves_for(board, other))
    mobility = 100.0 * (mine - theirs) / (mine + theirs) if mine + theirs else 0.0
    corners = sum(1 if board[i] == seat else -1 for i in OTHELLO_CORNERS if board[i] is not None)
    return positional + 0.5 * mobility + 25.0 * corners


def othello_order(action: JSON) -> float:
    index = othello.INDEX.get(action) if isinstance(action, str) else None
    return 0.0 if index is None else -float(OTHELLO_WEIGHTS[index])


# --- tic-tac-toe --------------------------------------------------------------------

TTT_ORDER = (1, 2, 1, 2, 0, 2, 1, 2, 1)
"""Centre first, then corners, then edges."""


def tictactoe_state(observation: JSON) -> tictactoe.TicTacToeState:
    """Tic-tac-toe observations carry the board as one list of 9 cells, not rows."""
    grid = observation.get("board") if isinstance(observation, dict) else None
    rows = [grid[i : i + 3] for i in range(0, 9, 3)] if isinstance(grid, list) else grid
    board = _flat_board({"board": rows}, 3, 3)
    if isinstance(grid, list) and len(grid) != 9:
        raise StrategyFailed("observation board is not a list of 9 cells")
    discs = sum(cell is not None for cell in board)
    moves = tuple(int(m) for m in _moves(observation, discs) if isinstance(m, int))
    return tictactoe.TicTacToeState(
        board, _to_move(observation), moves, tictactoe.find_winner(board), 0
    )


def tictactoe_evaluate(state: tictactoe.TicTacToeState, seat: int) -> float:
    """Lines still open to one seat only; the full-depth search rarely needs it."""
    return float(_open_lines(state.board, seat, tictactoe.LINES))


def _open_lines(board: Sequence[int | None], seat: int, lines: Sequence[Sequence[int]]) -> int:
    score = 0
    for line in lines:
        owners = {board[i] for i in line} - {None}
        if owners == {seat}:
            score += 1
        elif owners == {1 - seat}:
            score -= 1
    return score


def tictactoe_order(action: JSON) -> float:
    return float(TTT_ORDER[action]) if isinstance(action, int) and 0 <= action < 9 else 9.0


KNOWLEDGE: dict[str, Knowledge] = {
    "connect4": Knowledge(connect4_state, connect4_evaluate, connect4_order, 6),
    "othello": Knowledge(othello_state, othello_evaluate, othello_order, 4),
    "tictactoe": Knowledge(tictactoe_state, tictactoe_evaluate, tictactoe_order, 9),
}
"""Games the alpha-beta bot plays, by registry name."""
