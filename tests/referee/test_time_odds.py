"""Per-seat time controls (time odds): each bot keeps its own clock as the seats rotate."""

from __future__ import annotations

import io
from typing import Any

import msgspec
import pytest

from ringside.export import export
from ringside.local import PolitePlayer, Simulation
from ringside.protocol.messages import (
    Fischer,
    MatchStarted,
    PerMove,
    Prepare,
    Request,
    RoundResult,
    TimeControl,
)
from ringside.referee import Match, MatchConfig
from ringside.referee.match import MatchConfigError

FAST, SLOW = Fischer(10.0, 0.0), Fischer(1.0, 0.0)


def first_legal(request: Request) -> tuple[Any, float]:
    assert request.legal_actions
    return request.legal_actions[0], 0.3


def play(controls: list[TimeControl] | None, rounds: int = 2) -> Simulation:
    config = MatchConfig(
        game="connect4",
        bots=["rich", "poor"],
        rounds=rounds,
        time_control=PerMove(5.0),
        time_controls=controls,
        forfeit="round",
        time_margin=0.0,
    )
    sim = Simulation(Match("odds", config), [PolitePlayer(first_legal) for _ in range(2)])
    sim.run()
    return sim


def test_the_bot_with_less_time_flags_in_either_seat() -> None:
    sim = play([FAST, SLOW])
    results = [e for e in sim.events if isinstance(e, RoundResult)]
    assert len(results) == 2
    for result in results:
        (verdict,) = result.verdicts
        assert (verdict.code, verdict.bot) == ("timeout", "poor")
        assert "fischer clock" in verdict.message
    # Seats rotate (poor plays second, then first): its clock starts at 1 s in both rounds.
    first_requests: dict[tuple[int, int], float] = {}
    for player, message in sim.sent:
        if isinstance(message, Request):
            first_requests.setdefault((player, message.round), message.clock.remaining)
    assert first_requests == {(0, 1): 10.0, (1, 1): 1.0, (0, 2): 10.0, (1, 2): 1.0}


def test_prepare_and_match_started_say_the_clocks() -> None:
    sim = play([FAST, SLOW])
    started = next(e for e in sim.events if isinstance(e, MatchStarted))
    assert started.time_controls == [FAST, SLOW]
    prepares = [(p, m) for p, m in sim.sent if isinstance(m, Prepare)]
    assert len(prepares) == 4
    for player, prepare in prepares:
        assert prepare.time_control == (FAST, SLOW)[player]
        by_seat = [FAST, SLOW] if prepare.round == 1 else [SLOW, FAST]
        assert prepare.time_controls == by_seat


def test_equal_controls_are_no_odds() -> None:
    sim = play([FAST, FAST], rounds=1)
    started = next(e for e in sim.events if isinstance(e, MatchStarted))
    assert started.time_controls == []
    assert all(m.time_controls == [] for _, m in sim.sent if isinstance(m, Prepare))


def test_time_controls_round_trip_through_json() -> None:
    raw = {
        "game": "connect4",
        "bots": ["a", "b"],
        "time_controls": [
            {"type": "fischer", "base": 60, "increment": 1},
            {"type": "per_move", "seconds": 2},
        ],
    }
    config = msgspec.convert(raw, MatchConfig)
    assert config.control_of(1) == PerMove(2.0)
    assert config.uneven()


@pytest.mark.parametrize(
    ("controls", "message"),
    [
        ([FAST], "1 entries for 2 bots"),
        ([FAST, Fischer(-1.0, 0.0)], "base must be"),
    ],
)
def test_bad_time_controls_are_refused(controls: list[TimeControl], message: str) -> None:
    config = MatchConfig(game="connect4", bots=["a", "b"], time_controls=controls)
    with pytest.raises(MatchConfigError, match=message):
        Match("bad", config)


def test_pgn_names_each_sides_time_control() -> None:
    pytest.importorskip("chess", reason="PGN export needs python-chess")
    import chess.pgn

    def choose(request: Request) -> tuple[Any, float]:
        return ["f2f3", "e7e5", "g2g4", "d8h4"][len(request.observation["moves"])], 0.1

    config = MatchConfig(
        game="chess",
        bots=["sf", "gnuchess"],
        rounds=2,
        time_controls=[Fischer(60.0, 1.0), Fischer(0.5, 0.1)],
    )
    events: list[Any] = []
    Simulation(Match("m", config), [PolitePlayer(choose)] * 2, events.append).run()
    text = export("pgn", [msgspec.to_builtins(e) for e in events])
    stream = io.StringIO(text)
    first = chess.pgn.read_game(stream)
    second = chess.pgn.read_game(stream)
    assert first is not None and second is not None
    assert "TimeControl" not in first.headers
    assert (first.headers["White"], first.headers["WhiteTimeControl"]) == ("sf", "60+1")
    assert (first.headers["Black"], first.headers["BlackTimeControl"]) == ("gnuchess", "?")
    assert "black time control 0.5 s + 0.1 s per move" in first.comment
    assert (second.headers["White"], second.headers["WhiteTimeControl"]) == ("gnuchess", "?")
    assert second.headers["BlackTimeControl"] == "60+1"
