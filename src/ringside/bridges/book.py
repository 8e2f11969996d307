"""Polyglot opening books for the chess bridges (``--book``, as lichess-bot and cutechess).

While the position is in the book (and the game is no deeper than ``depth``
plies), the bridge plays a book move itself and the engine is not asked. A
book move is drawn by the entries' weights from a generator seeded by the game
and ply, so a match replays the same book moves; ``best`` takes the heaviest.
"""

from __future__ import annotations

import random
import zlib
from pathlib import Path
from typing import Any, Literal

import chess
import chess.polyglot

from ringside.client import Answer, MoveInfo, Request

Selection = Literal["weighted", "best"]


class Book:
    """One polyglot book, open for the bridge's lifetime."""

    def __init__(
        self, path: str | Path, *, depth: int | None = None, selection: Selection = "weighted"
    ) -> None:
        if depth is not None and depth < 1:
            raise ValueError("--book-depth must be 1 or more")
        if selection not in ("weighted", "best"):
            raise ValueError("--book-selection must be weighted or best")
        try:
            self.reader = chess.polyglot.open_reader(path)
        except OSError as exc:
            raise ValueError(f"cannot read the book {path}: {exc.strerror or exc}") from None
        self.depth = depth
        self.selection = selection

    def close(self) -> None:
        self.reader.close()

    def move(self, request: Request) -> Answer | None:
        """A book move for the request's position, or None (out of book, or too deep)."""
        observation: Any = request.observation if isinstance(request.observation, dict) else {}
        moves = [str(m) for m in observation.get("moves") or []]
        if self.depth is not None and len(moves) >= self.depth:
            return None
        chess960 = observation.get("variant") == "chess960"
        try:
            board = chess.Board(
                str(observation.get("start_fen") or chess.STARTING_FEN), chess960=chess960
            )
            for uci in moves:
                board.push_uci(uci)
        except ValueError:
            return None
        entries = list(self.reader.find_all(board))
        if not entries:
            return None
        if self.selection == "best":
            entry = max(entries, key=lambda e: e.weight)
        else:
            seed = zlib.crc32(f"{request.match}:{request.round}:{len(moves)}".encode())
            entry = self.reader.weighted_choice(board, random=random.Random(seed))
        return Answer(board.uci(entry.move), MoveInfo(log=f"book ({len(entries)} moves)"))
