"""PGN headers: one Site, TimeControl as the PGN standard (9.6.1) writes it, engine names."""

from __future__ import annotations

import io
from typing import Any

import msgspec
import pytest

from ringside.export import export, pgn_time_control
from ringside.local import PolitePlayer, Simulation
from ringside.protocol.messages import ByoYomi, Fischer, MatchEvent, PerMove, Request
from ringside.referee import Match, MatchConfig

pytest.importorskip("chess", reason="PGN export needs python-chess")
import chess.pgn

FOOLS_MATE = ["f2f3", "e7e5", "g2g4", "d8h4"]


def fools_mate(
    time_control: Any = None, engines: list[str | None] | None = None, rounds: int = 1
) -> list[dict[str, Any]]:
    def choose(request: Request) -> tuple[Any, float]:
        return FOOLS_MATE[len(request.observation["moves"])], 0.1

    config = MatchConfig(
        game="chess",
        bots=["sf", "gnuchess"],
        rounds=rounds,
        time_control=time_control or PerMove(5.0),
    )
    match = Match("m1", config)
    match.engines = engines or []
    events: list[MatchEvent] = []
    Simulation(match, [PolitePlayer(choose), PolitePlayer(choose)], events.append).run()
    return [msgspec.to_builtins(e) for e in events]


def games(text: str) -> list[chess.pgn.Game]:
    stream, found = io.StringIO(text), []
    while (game := chess.pgn.read_game(stream)) is not None:
        assert not game.errors, game.errors
        found.append(game)
    return found


@pytest.mark.parametrize(
    ("time_control", "tag"),
    [
        (Fischer(60.0, 1.0), "60+1"),
        (Fischer(300.0, 0.0), "300+0"),
        (PerMove(10.0), "1/10"),  # moves/seconds with a period of one move, repeated
        (PerMove(0.5), "?"),  # the standard has whole seconds only
        (Fischer(2.0, 0.05), "?"),
        (ByoYomi(60.0, 3, 10.0), "?"),
    ],
)
def test_time_control_tag_follows_the_standard(time_control: Any, tag: str) -> None:
    assert pgn_time_control(time_control) == tag


def test_a_clock_the_tag_cannot_say_is_in_the_first_comment() -> None:
    (game,) = games(export("pgn", fools_mate(PerMove(0.5))))
    assert game.headers["TimeControl"] == "?"
    assert game.comment == "time control 0.5 s per move"
    (whole,) = games(export("pgn", fools_mate(PerMove(5.0))))
    assert whole.headers["TimeControl"] == "1/5" and whole.comment == ""


def test_site_is_the_same_whoever_exports() -> None:
    (game,) = games(export("pgn", fools_mate()))
    assert game.headers["Site"] == "Ringside"


def test_engine_names_follow_the_colours() -> None:
    events = fools_mate(engines=["Stockfish 17", None], rounds=2)
    first, second = games(export("pgn", events))
    assert (first.headers["White"], first.headers["Black"]) == ("sf", "gnuchess")
    assert first.headers["WhiteEngine"] == "Stockfish 17"
    assert "BlackEngine" not in first.headers
    assert second.headers["BlackEngine"] == "Stockfish 17"
    assert "WhiteEngine" not in second.headers


def test_no_engine_tags_when_no_bot_named_its_engine() -> None:
    events = fools_mate()
    assert "engines" not in events[0], "the stored event stays as it was"
    (game,) = games(export("pgn", events))
    assert "WhiteEngine" not in game.headers and "BlackEngine" not in game.headers
