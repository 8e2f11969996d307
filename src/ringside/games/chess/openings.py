"""Opening suites: the positions of an EPD or PGN file as chess ``openings`` entries.

cutechess-cli and fastchess take ``-openings file=… format=epd|pgn order=random
plies=N start=K``; this module does the reading, from text (the caller reads the
file), so a suite becomes the list a match or tournament sends as its ``openings``
option. An entry is what the chess game takes: UCI moves from the start position,
or a FEN, or a FEN followed by ``moves`` and UCI moves (a PGN game that starts
from a set-up position). Each entry is played twice, colours reversed.
"""

from __future__ import annotations

import io
import random
from typing import Literal

import chess
import chess.pgn

Order = Literal["sequential", "random"]
SuiteFormat = Literal["epd", "pgn", "chess960"]
FORMATS: tuple[SuiteFormat, ...] = ("epd", "pgn", "chess960")
ORDERS: tuple[Order, ...] = ("sequential", "random")
MAX_OPENINGS = 100_000
"""More positions than this are refused: a suite is read whole, and sent with the match."""


class OpeningError(ValueError):
    """A suite that cannot be read; the message says where and why."""


def entry(start: chess.Board, moves: list[chess.Move]) -> str:
    """An ``openings`` entry: the moves from ``start`` (a FEN first when it is not the
    standard start position)."""
    ucis = " ".join(move.uci() for move in moves)
    fen = start.fen()
    if fen == chess.STARTING_FEN and not start.chess960:
        return ucis
    return f"{fen} moves {ucis}" if ucis else fen


def read_epd(text: str, chess960: bool = False) -> list[str]:
    """One FEN per EPD line (its operations, such as ``id`` or ``bm``, dropped)."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith(("#", "%")):
            continue
        try:
            board = chess.Board(None, chess960=chess960)
            board.set_epd(line)
        except ValueError as exc:
            raise OpeningError(f"EPD line {number}: {exc}") from None
        if not board.is_valid():
            raise OpeningError(f"EPD line {number}: not a legal position ({board.status()!r})")
        found.append(entry(board, []))
        if len(found) > MAX_OPENINGS:
            raise OpeningError(f"more than {MAX_OPENINGS} openings")
    return found


def read_pgn(text: str, plies: int | None = None, chess960: bool = False) -> list[str]:
    """The main line of each PGN game (its first ``plies`` half-moves when given), from the
    game's own start position (its ``FEN`` tag) or the standard one."""
    stream = io.StringIO(text)
    found = []
    number = 0
    while True:
        try:
            game = chess.pgn.read_game(stream)
        except (ValueError, UnicodeError) as exc:  # pragma: no cover - read_game is lenient
            raise OpeningError(f"PGN game {number + 1}: {exc}") from None
        if game is None:
            break
        number += 1
        if game.errors:
            raise OpeningError(f"PGN game {number}: {game.errors[0]}")
        start = game.board()
        if chess960:
            start.chess960 = True
        moves = list(game.mainline_moves())
        if plies is not None:
            moves = moves[:plies]
        found.append(entry(start, moves))
        if len(found) > MAX_OPENINGS:
            raise OpeningError(f"more than {MAX_OPENINGS} openings")
    return found


def chess960_positions() -> list[str]:
    """The 960 start positions of Fischer random chess, in Scharnagl's numbering."""
    return [entry(chess.Board.from_chess960_pos(n), []) for n in range(960)]


def suite(
    text: str,
    fmt: SuiteFormat,
    *,
    order: Order = "sequential",
    seed: int = 0,
    plies: int | None = None,
    start: int = 1,
    count: int | None = None,
    chess960: bool = False,
) -> list[str]:
    """The openings of a suite, in play order: from the ``start``-th (1-based), shuffled by
    ``seed`` when random, at most ``count`` of them (the pairs a match or tournament plays).
    The ``chess960`` format needs no text: its suite is the 960 start positions."""
    if plies is not None and plies < 0:
        raise OpeningError("plies must be 0 or more")
    if fmt == "chess960":
        openings = chess960_positions()
    elif fmt == "epd":
        openings = read_epd(text, chess960)
    else:
        openings = read_pgn(text, plies, chess960)
    if not openings:
        raise OpeningError(f"the {fmt.upper()} suite holds no opening")
    if not 1 <= start <= len(openings):
        raise OpeningError(f"start must be from 1 to {len(openings)} (the suite's size)")
    openings = openings[start - 1 :]
    if order == "random":
        random.Random(seed).shuffle(openings)
    return openings if count is None else openings[: max(1, count)]
