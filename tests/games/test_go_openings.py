"""Go openings: the ``openings`` option, SGF suites, and the SGF record of an opened round."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest

from ringside.cli.common import UsageError, parse_openings
from ringside.export import export
from ringside.games.base import InvalidOptions
from ringside.games.go import GAME
from ringside.games.go.openings import SgfError, read_sgf, suite, vertex
from ringside.local import PolitePlayer, Simulation
from ringside.protocol.messages import Request
from ringside.referee import Match, MatchConfig

COLLECTION = """\
(;GM[1]FF[4]SZ[9];B[ee];W[cc](;B[gg];W[cg])(;B[gc]))
(;GM[1]SZ[9]C[a comment with \\] inside];B[cc];W[];B[tt])
"""


def test_main_lines_of_a_collection() -> None:
    assert read_sgf(COLLECTION) == ["E5 C7 G3 C3", "C7 pass pass"]
    assert read_sgf(COLLECTION, plies=2) == ["E5 C7", "C7 pass"]
    assert vertex("aa", 19) == "A19" and vertex("sa", 19) == "T19"
    with pytest.raises(SgfError, match="not closed"):
        read_sgf("(;B[ee")
    with pytest.raises(SgfError, match="no point"):
        read_sgf("(;SZ[9];B[zz])")
    assert suite(COLLECTION, start=2) == ["C7 pass pass"]


def test_an_opening_is_played_before_the_bots_with_both_colours() -> None:
    options = {"size": 9, "openings": ["E5 C7 G3", "D4"]}
    first = GAME.start(2, 0, options, 1)
    assert GAME.observation(first, 0)["moves"] == ["E5", "C7", "G3"]
    assert GAME.to_act(first) == (1,)  # white's turn after three moves
    assert GAME.describe(first)["opening"] == ["E5", "C7", "G3"]
    assert GAME.start(2, 0, options, 2).opening == ("E5", "C7", "G3")
    assert GAME.start(2, 0, options, 3).opening == ("D4",)
    after = GAME.play(first, {1: "D4"})
    assert after.opening == ("E5", "C7", "G3")


@pytest.mark.parametrize(
    ("opening", "message"),
    [("E5 E5", "occupied|illegal|not"), ("pass pass", "ends the game"), ("Z9", "vertex")],
)
def test_bad_openings_are_refused(opening: str, message: str) -> None:
    with pytest.raises(InvalidOptions, match=message):
        GAME.start(2, 0, {"size": 9, "openings": [opening]})


def test_the_sgf_record_has_the_opening_first() -> None:
    def first_legal(request: Request) -> tuple[Any, float]:
        return "pass", 0.1

    config = MatchConfig(game="go", bots=["a", "b"], options={"size": 9, "openings": ["E5 C7"]})
    events: list[Any] = []
    Simulation(Match("g", config), [PolitePlayer(first_legal)] * 2, events.append).run()
    text = export("sgf", [msgspec.to_builtins(e) for e in events])
    assert ";B[ee]C[opening]\n;W[cc]C[opening]\n;B[]" in text


def test_the_cli_reads_an_sgf_suite(tmp_path: Path) -> None:
    games = tmp_path / "games.sgf"
    games.write_text(COLLECTION, encoding="utf-8")
    assert parse_openings(f"file={games} plies=1", 2, 0) == {"openings": ["E5", "C7"]}
    with pytest.raises(UsageError, match="holds no game"):
        (tmp_path / "empty.sgf").write_text("", encoding="utf-8")
        parse_openings(f"file={tmp_path / 'empty.sgf'}", 2, 0)
