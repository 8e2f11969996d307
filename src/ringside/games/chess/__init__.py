"""Chess, with the rules of python-chess (``pip install 'ringside[engines]'``).

Seat 0 plays white and seat 1 black in every round; the referee rotates the
seats each round, so a two-round match plays each position with both
colours. An action is a move in UCI notation, exactly as engines write it:
``"e2e4"``, ``"e7e8q"`` (promotion, lower case), castling as the king's move
``"e1g1"``. Only that one spelling of each move is accepted, so the move log
has one form per move and a bot learns at once when it sends something else.

The game ends on checkmate, stalemate, insufficient material, threefold
repetition (the position occurs a third time) or the fifty-move rule (a
hundred plies without a capture or a pawn move). The two draws a player may
claim over the board are applied automatically, as cutechess-cli and lichess
adjudicate them: an engine never claims, and a game must not go on forever.

Options:

- ``fen``: the start position (default: the standard one).
- ``openings``: a list of openings, each a string of UCI moves separated by
  spaces and played from ``fen`` before the bots move (``""`` is the start
  position itself), or a position of its own: a FEN (an EPD suite's line), or a
  FEN then ``moves`` and UCI moves (a PGN game from a set-up position). Rounds 1
  and 2 play the first opening, rounds 3 and 4 the next one, and so on
  (cycling), so with seats rotating every opening is played once with each
  colour. ``ringside.games.chess.openings`` reads EPD and PGN suites into this list.
- ``variant``: ``"standard"`` or ``"chess960"`` (Fischer random: castling is
  written as the king taking its own rook, ``"e1h1"``, as UCI engines with
  ``UCI_Chess960`` write it; the start positions come from ``fen`` or ``openings``,
  X-FEN or Shredder-FEN, else the standard array).

The observation carries the FEN, the start position, every move since it (the
opening's first) and how many of them were the opening's, which is what an
engine needs for ``position fen ... moves ...``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import chess
import msgspec

from ringside.games.base import JSON, BaseGame, GameType, IllegalAction, InvalidOptions
from ringside.text import quoted

COLOURS = ("white", "black")


class ChessOptions(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    fen: str | None = None
    openings: list[str] = []
    variant: Literal["standard", "chess960"] = "standard"


@dataclass(frozen=True, slots=True)
class ChessState:
    start_fen: str
    opening: tuple[str, ...]
    """The opening's moves, played from ``start_fen`` before the bots' first move."""
    moves: tuple[str, ...]
    """Every move since ``start_fen``, the opening's included, in UCI notation."""
    fen: str
    san: str | None
    """The last move in standard algebraic notation, for people watching."""
    result: str | None
    """``"1-0"``, ``"0-1"`` or ``"1/2-1/2"`` once over."""
    termination: str | None
    """Why it is over: ``checkmate``, ``stalemate``, ``insufficient_material``,
    ``threefold_repetition``, ``fifty_moves`` (python-chess's names)."""
    seed: int
    board: chess.Board = field(compare=False, repr=False)
    """The position with enough history for repetitions; never mutated once in a state."""
    legal: tuple[str, ...] = field(compare=False, repr=False)


def opening_index(round_number: int, count: int) -> int:
    """Rounds 1-2 play the first opening, 3-4 the next, and so on (cycling).

    With the seats rotating every round, each opening is played once with each colour.
    """
    return ((max(1, round_number) - 1) // 2) % count


def opening_board(board: chess.Board, text: str) -> tuple[chess.Board, str]:
    """Where an opening starts (``board``, or the FEN it begins with) and its moves."""
    if "/" not in text:
        return board, text
    fen, _, moves = text.partition(" moves ")
    if fen.rstrip().endswith(" moves"):  # a FEN and "moves" with none after it
        fen = fen.rstrip()[: -len(" moves")]
    return start_board(fen.strip(), board.chess960), moves


def parse_opening(board: chess.Board, text: str) -> list[chess.Move]:
    """The moves of one opening, checked against ``board`` (which is left unchanged);
    an opening with a FEN of its own is checked from that position."""
    board, text = opening_board(board, text)
    board = board.copy()
    moves = []
    for token in text.split():
        try:
            move = chess.Move.from_uci(token)
        except ValueError:
            raise InvalidOptions(
                f"chess: opening {quoted(text, 60)}: {token!r} is no UCI move"
            ) from None
        if move not in board.legal_moves:
            raise InvalidOptions(f"chess: opening {quoted(text, 60)}: {token} is illegal there")
        board.push(move)
        moves.append(move)
    if _outcome(board)[0] is not None:
        raise InvalidOptions(f"chess: opening {quoted(text, 60)} leaves a finished game")
    return moves


def start_board(fen: str | None, chess960: bool = False) -> chess.Board:
    if fen is None:
        return chess.Board(chess960=chess960)
    try:
        board = chess.Board(fen, chess960=chess960)
    except ValueError as exc:
        raise InvalidOptions(f"chess: bad fen {quoted(fen, 100)}: {exc}") from None
    if not board.is_valid():
        raise InvalidOptions(
            f"chess: fen {quoted(fen, 100)} is not a legal position ({board.status()!r})"
        )
    return board


def _outcome(board: chess.Board) -> tuple[str | None, str | None]:
    """(result, termination) of ``board``, or (None, None) while the game goes on.

    python-chess's ``outcome`` covers mate, stalemate, insufficient material
    and the automatic 75-move and fivefold rules; threefold and fifty are
    checked here on the position reached (``claim_draw=True`` would also end
    the game one move early when a repetition is merely available).
    """
    outcome = board.outcome()
    if outcome is not None:
        return outcome.result(), outcome.termination.name.lower()
    if board.is_fifty_moves():
        return "1/2-1/2", "fifty_moves"
    if board.is_repetition(3):
        return "1/2-1/2", "threefold_repetition"
    return None, None


def _state(
    start_fen: str,
    opening: tuple[str, ...],
    moves: tuple[str, ...],
    board: chess.Board,
    san: str | None,
    seed: int,
) -> ChessState:
    result, termination = _outcome(board)
    legal = () if result else tuple(move.uci() for move in board.legal_moves)
    return ChessState(
        start_fen, opening, moves, board.fen(), san, result, termination, seed, board, legal
    )


TYPE = GameType(
    name="chess",
    title="Chess",
    rules=(
        "Standard chess. Seat 0 plays white. A move is a UCI string like e2e4, e7e8q or e1g1 "
        "(castling). Checkmate wins; stalemate, insufficient material, threefold repetition and "
        "the fifty-move rule draw (both applied automatically). Options: fen (start position), "
        "openings (UCI move strings or FENs, as from an EPD/PGN suite; each is played with both "
        "colours in rounds 1-2, 3-4...) and variant (standard or chess960)."
    ),
    seats=("White", "Black"),
    options=ChessOptions,
    package=__name__,
    board="board.js",
)


class Chess(BaseGame[ChessState, ChessOptions]):
    game_type = TYPE

    def check_options(self, options: ChessOptions) -> None:
        board = start_board(options.fen, options.variant == "chess960")
        if _outcome(board)[0] is not None:
            raise InvalidOptions("chess: the start position is a finished game")
        for opening in options.openings:
            start, _ = opening_board(board, opening)
            if _outcome(start)[0] is not None:
                raise InvalidOptions(f"chess: opening {quoted(opening, 60)} is a finished game")
            parse_opening(board, opening)

    def new_state(self, players: int, seed: int, options: ChessOptions) -> ChessState:
        return self.new_round_state(players, seed, options, 1)

    def new_round_state(
        self, players: int, seed: int, options: ChessOptions, round_number: int
    ) -> ChessState:
        board = start_board(options.fen, options.variant == "chess960")
        opening: tuple[str, ...] = ()
        if options.openings:
            text = options.openings[opening_index(round_number, len(options.openings))]
            moves = parse_opening(board, text)
            board = opening_board(board, text)[0].copy()
            start_fen = board.fen()
            for move in moves:
                board.push(move)
            opening = tuple(move.uci() for move in moves)
        else:
            start_fen = board.fen()
        return _state(start_fen, opening, opening, board, None, seed)

    def to_act(self, state: ChessState) -> Sequence[int]:
        return () if state.result else (self._turn(state),)

    def legal_actions(self, state: ChessState, seat: int) -> list[str]:
        if state.result or seat != self._turn(state):
            return []
        return list(state.legal)

    def play(self, state: ChessState, actions: dict[int, JSON]) -> ChessState:
        _, action = next(iter(actions.items()))
        if not isinstance(action, str) or action not in state.legal:
            raise IllegalAction(self._refusal(state, action))
        move = chess.Move.from_uci(action)
        old = state.board
        san = old.san(move)
        # Positions before the last capture or pawn move can never repeat: keep only the rest.
        board = old.copy(stack=old.halfmove_clock or False)
        board.push(move)
        return _state(
            state.start_fen, state.opening, (*state.moves, action), board, san, state.seed
        )

    def _refusal(self, state: ChessState, action: JSON) -> str:
        if not isinstance(action, str):
            return f'a move must be a UCI string like "e2e4", got {quoted(action, 40)}'
        try:
            move = chess.Move.from_uci(action)
        except ValueError:
            return f'{quoted(action, 20)} is no UCI move (like "e2e4", "e7e8q", castling "e1g1")'
        if state.board.chess960 and action not in state.legal:
            return (
                f"{action} is not a legal move in {state.fen} (Chess960: castle as king takes rook)"
            )
        if state.board.is_castling(move) and move.uci() not in state.legal:
            return f"{action} is not castling in standard chess (castle with the king's move)"
        return f"{action} is not a legal move in {state.fen}"

    def _turn(self, state: ChessState) -> int:
        return 0 if state.board.turn == chess.WHITE else 1

    def is_over(self, state: ChessState) -> bool:
        return state.result is not None

    def scores(self, state: ChessState) -> list[float]:
        return {"1-0": [1.0, 0.0], "0-1": [0.0, 1.0]}.get(state.result or "", [0.5, 0.5])

    def observation(self, state: ChessState, seat: int) -> JSON:
        """Everything (chess hides nothing), in the forms engines use: FEN and UCI moves;
        ``variant`` only in Chess960 (an engine is told ``UCI_Chess960``)."""
        seen: dict[str, JSON] = {
            "fen": state.fen,
            "start_fen": state.start_fen,
            "moves": list(state.moves),
            "opening_plies": len(state.opening),
            "you": seat,
            "colour": COLOURS[seat],
            "to_move": None if state.result else self._turn(state),
            "check": state.board.is_check(),
        }
        if state.board.chess960:
            seen["variant"] = "chess960"
        return seen

    def describe(self, state: ChessState) -> dict[str, JSON]:
        """The position and the last move; the start and opening let an export rebuild the game."""
        return {
            "fen": state.fen,
            "start_fen": state.start_fen,
            "opening": list(state.opening),
            "ply": len(state.moves),
            "last": state.moves[-1] if len(state.moves) > len(state.opening) else None,
            "san": state.san,
            "check": state.board.is_check(),
            "to_move": None if state.result else self._turn(state),
            "result": state.result,
            "termination": state.termination,
            **({"variant": "chess960"} if state.board.chess960 else {}),
        }


GAME = Chess()
