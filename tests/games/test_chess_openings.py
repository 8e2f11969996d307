"""Opening suites (EPD, PGN, Chess960) and the chess game's openings with positions of their own."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("chess", reason="chess needs python-chess")
import chess

from ringside.cli.common import UsageError, parse_openings
from ringside.games.base import IllegalAction, InvalidOptions
from ringside.games.chess import GAME
from ringside.games.chess.openings import OpeningError, read_epd, read_pgn, suite

EPD = """\
rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - id "e4";
# a comment
r1bqkbnr/pppp1ppp/2n5/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R w KQkq - bm Bb5; id "Nc6"
"""

PGN = """\
[Event "a"]

1. d4 d5 2. c4 e6 3. Nc3 *

[Event "b"]
[FEN "4k3/8/8/8/8/8/4P3/4K3 w - - 0 1"]
[SetUp "1"]

1. e4 Kd7 2. e5 *
"""


def test_epd_lines_become_fens() -> None:
    first, second = read_epd(EPD)
    assert first == "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1"
    assert second.startswith("r1bqkbnr/pppp1ppp/2n5/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R w KQkq -")


def test_pgn_games_become_moves_from_their_start() -> None:
    assert read_pgn(PGN) == [
        "d2d4 d7d5 c2c4 e7e6 b1c3",
        "4k3/8/8/8/8/8/4P3/4K3 w - - 0 1 moves e2e4 e8d7 e4e5",
    ]
    assert read_pgn(PGN, plies=2) == [
        "d2d4 d7d5",
        "4k3/8/8/8/8/8/4P3/4K3 w - - 0 1 moves e2e4 e8d7",
    ]


def test_bad_suites_say_where() -> None:
    with pytest.raises(OpeningError, match="EPD line 2"):
        read_epd("4k3/8/8/8/8/8/8/4K3 w - -\nnot a position at all\n")
    with pytest.raises(OpeningError, match="holds no opening"):
        suite("", "pgn")
    with pytest.raises(OpeningError, match="start must be from 1 to 2"):
        suite(EPD, "epd", start=3)


def test_random_order_follows_the_seed() -> None:
    positions = suite("", "chess960", order="random", seed=7)
    assert len(positions) == 960 == len(set(positions))
    assert positions == suite("", "chess960", order="random", seed=7)
    assert positions != suite("", "chess960", order="random", seed=8)
    assert suite("", "chess960", count=3) == suite("", "chess960")[:3]
    assert suite(EPD, "epd", start=2) == read_epd(EPD)[1:]


def test_an_opening_with_its_own_position_starts_there() -> None:
    fen = "4k3/8/8/8/8/8/4P3/4K3 w - - 0 1"
    options = {"openings": [f"{fen} moves e2e4 e8d7", fen]}
    state = GAME.start(2, 0, options, 1)
    assert state.start_fen == fen
    assert state.opening == ("e2e4", "e8d7")
    assert GAME.observation(state, 0)["moves"] == ["e2e4", "e8d7"]
    assert GAME.observation(state, 0)["opening_plies"] == 2
    third = GAME.start(2, 0, options, 3)
    assert (third.start_fen, third.opening) == (fen, ())
    assert GAME.to_act(third) == (0,)


@pytest.mark.parametrize(
    ("opening", "message"),
    [
        ("4k3/8/8/8/8/8/4P3/4K3 w - - 0 1 moves e2e5", "illegal"),
        ("8/8/8/8/8/8/8/8 w - - 0 1", "not a legal position"),
        ("7k/5Q2/6K1/8/8/8/8/8 b - - 0 1", "finished game"),
    ],
)
def test_bad_opening_positions_are_refused(opening: str, message: str) -> None:
    with pytest.raises(InvalidOptions, match=message):
        GAME.start(2, 0, {"openings": [opening]})


def test_chess960_castles_as_king_takes_rook() -> None:
    fen = "5k1r/pppppppp/8/8/8/8/PPPPPPPP/5K1R w Hh - 0 1"
    options = {"variant": "chess960", "openings": [fen]}
    state = GAME.start(2, 0, options, 1)
    assert GAME.observation(state, 0)["variant"] == "chess960"
    assert "f1h1" in GAME.legal_actions(state, 0)  # king f1 takes its rook h1: O-O
    state = GAME.play(state, {0: "f1h1"})
    assert state.san == "O-O"
    assert state.board.piece_at(chess.G1) == chess.Piece(chess.KING, chess.WHITE)
    assert state.board.piece_at(chess.F1) == chess.Piece(chess.ROOK, chess.WHITE)
    with pytest.raises(IllegalAction, match="Chess960"):
        GAME.play(state, {1: "f8e6"})


def test_the_cli_reads_a_suite_file(tmp_path: Path) -> None:
    book = tmp_path / "book.epd"
    book.write_text(EPD, encoding="utf-8")
    options = parse_openings(f"file={book} order=random seed=3", 1, 0)
    assert options == {"openings": suite(EPD, "epd", order="random", seed=3)[:1]}
    assert parse_openings("format=chess960", 2, 0)["variant"] == "chess960"
    with pytest.raises(UsageError, match="cannot read the openings file"):
        parse_openings(f"file={tmp_path / 'none.epd'}", 1, 0)
    with pytest.raises(UsageError, match="bad --openings setting"):
        parse_openings(f"file={book} depth=3", 1, 0)


def test_pgn_of_a_chess960_game_replays(tmp_path: Path) -> None:
    import io

    import chess.pgn
    import msgspec

    from ringside.export import export
    from ringside.local import PolitePlayer, Simulation
    from ringside.protocol.messages import Request
    from ringside.referee import Match, MatchConfig
    from ringside.referee.adjudication import Adjudication

    fen = "5k1r/pppppppp/8/8/8/8/PPPPPPPP/5K1R w Hh - 0 1"

    def castle_first(request: Request) -> tuple[object, float]:
        legal = request.legal_actions or []
        for move in ("f1h1", "f8h8"):
            if move in legal:
                return move, 0.01
        return sorted(legal)[0], 0.01

    config = MatchConfig(
        game="chess",
        bots=["a", "b"],
        options={"variant": "chess960", "openings": [fen]},
        adjudication=Adjudication(max_plies=4),
    )
    events: list[object] = []
    Simulation(Match("c960", config), [PolitePlayer(castle_first)] * 2, events.append).run()
    text = export("pgn", [msgspec.to_builtins(e) for e in events])
    game = chess.pgn.read_game(io.StringIO(text))
    assert game is not None and not game.errors
    assert game.headers["Variant"] == "Chess960"
    assert game.headers["FEN"].startswith("5k1r/pppppppp/8/8/8/8/PPPPPPPP/5K1R w")
    sans = []
    board = game.board()
    for move in game.mainline_moves():
        sans.append(board.san(move))
        board.push(move)
    assert sans[:2] == ["O-O", "O-O"]
