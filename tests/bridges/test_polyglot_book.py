"""``--book``: the chess bridges play a polyglot book's moves without asking the engine."""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import pytest
from bridge_helpers import HERE

from ringside.client import Answer, ClockReading, MoveInfo, Request

pytest.importorskip("chess", reason="books need python-chess")
import chess
import chess.polyglot

from ringside.bridges.book import Book
from ringside.bridges.uci import UciBridge
from ringside.bridges.xboard import XBoardBridge

FAKE_UCI = [sys.executable, str(HERE / "fake_uci.py")]
FAKE_XBOARD = [sys.executable, str(HERE / "fake_xboard.py")]


def write_book(path: Path, lines: dict[tuple[str, ...], list[tuple[str, int]]]) -> None:
    """A polyglot book: after each move sequence, its moves with their weights."""
    entries = []
    for played, choices in lines.items():
        board = chess.Board()
        for uci in played:
            board.push_uci(uci)
        key = chess.polyglot.zobrist_hash(board)
        for uci, weight in choices:
            move = chess.Move.from_uci(uci)
            raw = move.to_square | (move.from_square << 6)
            entries.append(struct.pack(">QHHI", key, raw, weight, 0))
    path.write_bytes(b"".join(sorted(entries)))


def request(moves: list[str], match: str = "m1") -> Request:
    clock = ClockReading(5.0, 5.0, seats=[5.0, 5.0])
    observation = {"moves": moves, "start_fen": chess.STARTING_FEN}
    return Request(match, 2, 1, len(moves) % 2, observation, None, clock)


@pytest.fixture
def book_file(tmp_path: Path) -> Path:
    path = tmp_path / "book.bin"
    write_book(
        path,
        {
            (): [("e2e4", 5), ("d2d4", 5), ("c2c4", 1)],
            ("e2e4",): [("c7c5", 1)],
        },
    )
    return path


def test_book_moves_follow_the_weights_and_the_seed(book_file: Path) -> None:
    book = Book(book_file)
    first = book.move(request([]))
    assert first is not None and first.action in {"e2e4", "d2d4", "c2c4"}
    assert first.info == MoveInfo(log="book (3 moves)")
    assert book.move(request([])) == first  # one game, one ply: the same draw
    drawn = {book.move(request([], match=f"m{i}")).action for i in range(40)}  # type: ignore[union-attr]
    assert drawn >= {"e2e4", "d2d4"}
    assert Book(book_file, selection="best").move(request([])) is not None
    reply = book.move(request(["e2e4"]))
    assert reply is not None and reply.action == "c7c5"
    assert book.move(request(["g1f3"])) is None  # out of book
    assert Book(book_file, depth=1).move(request(["e2e4"])) is None  # deeper than allowed
    with pytest.raises(ValueError, match="cannot read the book"):
        Book(book_file.parent / "none.bin")


async def test_the_bridges_play_from_the_book_then_ask_the_engine(book_file: Path) -> None:
    for bridge in (
        UciBridge(FAKE_UCI, name="fake", book=Book(book_file, selection="best")),
        XBoardBridge(FAKE_XBOARD, name="fake", book=Book(book_file, selection="best")),
    ):
        engine = await bridge.open_engine()
        try:
            await bridge.new_game(engine, None, request([]))
            booked = await bridge.think(engine, request([]), None)
            assert isinstance(booked, Answer) and booked.action in {"e2e4", "d2d4"}
            asked = await bridge.think(engine, request([booked.action, "a7a6"]), None)
            assert isinstance(asked, Answer) and asked.info is not None
            assert asked.info.log != "book (3 moves)" and asked.info.depth is not None
        finally:
            await bridge.close_engine()
