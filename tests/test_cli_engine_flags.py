"""cutechess-like flags of ``play`` and ``tournament``: adjudication, time odds, openings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ringside.cli.app import app
from ringside.cli.common import UsageError, parse_adjudication, parse_time_controls
from ringside.protocol.messages import Fischer, PerMove

runner = CliRunner()


def test_adjudication_flags_read_as_cutechess_writes_them() -> None:
    assert parse_adjudication(None, None, None) is None
    rules = parse_adjudication(
        "movecount=3 score=600 twosided=true", "movenumber=40,movecount=8,score=10", 100
    )
    assert rules == {
        "resign": {"movecount": 3, "score": 600.0, "twosided": True},
        "draw": {"movenumber": 40, "movecount": 8, "score": 10.0},
        "max_plies": 200,
    }
    with pytest.raises(UsageError, match="bad --resign setting 'moves=3'"):
        parse_adjudication("moves=3", None, None)
    with pytest.raises(UsageError, match="bad --draw"):
        parse_adjudication(None, "movecount=0", None)
    with pytest.raises(UsageError, match="--maxmoves must be 1 or more"):
        parse_adjudication(None, None, 0)


def test_time_odds_are_one_clock_per_bot() -> None:
    assert parse_time_controls("per_move:2", 2) == [PerMove(2.0), PerMove(2.0)]
    assert parse_time_controls("fischer:10+0.1,per_move:1", 2) == [
        Fischer(10.0, 0.1),
        PerMove(1.0),
    ]
    with pytest.raises(UsageError, match="3 clocks for 2 bots"):
        parse_time_controls("per_move:1,per_move:2,per_move:3", 2)


def test_play_caps_a_game_with_maxmoves() -> None:
    result = runner.invoke(app, ["play", "connect4", "--maxmoves", "2", "--seed", "3", "--json"])
    assert result.exit_code == 0, result.output
    parsed = json.loads(result.stdout)
    (round_score,) = parsed["rounds"]
    (verdict,) = round_score["verdicts"]
    assert verdict["code"] == "adjudicated"
    assert verdict["message"].startswith("max_plies adjudication: 4 plies")


def test_play_takes_an_opening_suite(tmp_path: Path) -> None:
    pytest.importorskip("chess", reason="chess needs python-chess")
    book = tmp_path / "book.pgn"
    book.write_text('[Event "x"]\n\n1. e4 e5 2. Nf3 *\n', encoding="utf-8")
    result = runner.invoke(
        app,
        ["play", "chess", "--rounds", "2", "--maxmoves", "1", "--seed", "1",
         "--openings", f"file={book} plies=2", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    bad = runner.invoke(app, ["play", "chess", "--openings", f"file={tmp_path / 'none.pgn'}"])
    assert bad.exit_code == 2
    assert "cannot read the openings file" in bad.output
