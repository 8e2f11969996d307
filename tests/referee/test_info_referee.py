"""The referee carries an action's ``info`` into its move; a bad one costs only the info,
and in a game with hidden information it is sealed with the real action."""

from __future__ import annotations

import json
from typing import Any

import msgspec
from test_hidden import GAME, SecretPicks
from test_match import Scripted, of_type, play

from ringside.local import PolitePlayer, Reply, Simulation
from ringside.protocol.codec import encode
from ringside.protocol.messages import (
    JSON,
    Action,
    Error,
    Move,
    MoveInfo,
    Ready,
    Request,
    SealedMove,
)
from ringside.referee.config import MatchConfig
from ringside.referee.match import Match, Publish, Send
from ringside.referee.restore import rebuild


def saying(info: Any, delay: float = 0.1) -> Scripted:
    """Plays the first legal action with ``info`` (a callable gets the request)."""

    def script(request: Request) -> Reply:
        said = info(request) if callable(info) else info
        action = (request.legal_actions or [None])[0]
        return Reply(Action(request.match, request.id, action, said), delay)

    return Scripted(script)


def quiet() -> PolitePlayer:
    return PolitePlayer(lambda request: ((request.legal_actions or [None])[0], 0.1))


def errors_to(simulation: Simulation, player: int) -> list[Error]:
    return [m for p, m in simulation.sent if p == player and isinstance(m, Error)]


def test_info_reaches_the_move_as_checked() -> None:
    figures = {"score": 34, "depth": 18, "time": 0.51, "pv": ["4", "0"]}
    result, sim = play([saying(figures), saying("centre first")])
    moves = of_type(sim, Move)
    assert result.verdict is None
    checked = MoveInfo(score=34.0, depth=18, time=0.51, pv=["4", "0"])
    assert [m.info for m in moves if m.seat == 0] == [checked] * 4
    assert [m.info for m in moves if m.seat == 1] == ["centre first"] * 3
    wire = json.loads(encode(moves[0]))
    assert wire["info"] == {"score": 34.0, "depth": 18, "time": 0.51, "pv": ["4", "0"]}
    assert errors_to(sim, 0) == errors_to(sim, 1) == []


def test_a_move_without_info_has_none_on_the_wire() -> None:
    _, sim = play([quiet(), saying(None)])
    for move in of_type(sim, Move):
        assert move.info is None
        assert "info" not in json.loads(encode(move))


def test_a_bad_info_costs_the_info_not_the_move() -> None:
    bad = {"score": "+0.34"}
    baseline, plain = play([quiet(), quiet()])
    result, sim = play([saying(bad), saying("x" * 5000)])
    assert result.verdict is None
    assert result.scores == baseline.scores
    assert [m.action for m in of_type(sim, Move)] == [m.action for m in of_type(plain, Move)]
    assert all(m.info is None for m in of_type(sim, Move))
    first, second = errors_to(sim, 0), errors_to(sim, 1)
    assert len(first) == len([m for m in of_type(sim, Move) if m.seat == 0])
    assert {(e.code, e.fatal, e.match) for e in first} == {("invalid_field", False, "m")}
    assert first[0].message == (
        "invalid_field: action.info.score: expected float | null, got str; "
        "the move is played without it"
    )
    assert {(e.code, e.fatal) for e in second} == {("too_large", False)}


def test_the_error_comes_before_the_next_request() -> None:
    config = MatchConfig(game="tictactoe", bots=["a", "b"])
    match = Match("m1", config)
    match.start(0.0)
    for player, pending in sorted(match.pending.items()):
        outputs = match.receive(player, Ready("m1", pending.id), 0.0)
    request = next(o.message for o in outputs if type(o) is Send)
    assert isinstance(request, Request)
    outputs = match.receive(0, Action("m1", request.id, 4, [1]), 0.2)
    kinds = [
        type(o.message if type(o) is Send else getattr(o, "event", o)).__name__ for o in outputs
    ]
    assert kinds[:3] == ["Error", "Move", "Request"]


def test_simultaneous_moves_keep_each_seats_info() -> None:
    _, sim = play(
        [saying(lambda r: f"a{r.id}"), saying(lambda r: {"log": f"b{r.id}"})],
        game="rps",
        options={"throws": 2},
    )
    moves = of_type(sim, Move)
    assert len(moves) == 4
    for move in moves:
        if move.seat == 0:
            assert isinstance(move.info, str) and move.info.startswith("a")
        else:
            assert isinstance(move.info, MoveInfo) and move.info.log.startswith("b")  # type: ignore[union-attr]


# --- hidden information ------------------------------------------------------------------


class OpenPicks(SecretPicks):
    """A hidden-information game whose actions are public: only the info is secret."""

    def public_action(self, before: Any, seat: int, action: JSON) -> JSON:
        return action


def hidden_match(game: SecretPicks, info: Any) -> Simulation:
    picks = iter([7, 3, 9, 1, 8, 2])

    def script(request: Request) -> Reply:
        return Reply(Action(request.match, request.id, next(picks), info), 0.1)

    config = MatchConfig(game="secret_picks", bots=["ann", "bob"], seed=1)
    simulation = Simulation(Match("m1", config, game), [Scripted(script), Scripted(script)])
    simulation.run()
    return simulation


def test_hidden_games_seal_the_info_with_the_action() -> None:
    info = {"score": 7, "log": "I picked 7"}
    sim = hidden_match(GAME, info)
    moves = of_type(sim, Move)
    assert all(m.info is None and m.action is None for m in moves)
    assert all("I picked" not in json.dumps(msgspec.to_builtins(m)) for m in moves)
    assert [s.info for s in sim.sealed] == [MoveInfo(score=7.0, log="I picked 7")] * 6


def test_a_public_action_with_info_is_sealed_all_the_same() -> None:
    sim = hidden_match(OpenPicks(), "thinking")
    moves = of_type(sim, Move)
    assert [m.action for m in moves] == [7, 3, 9, 1, 8, 2]
    assert all(m.info is None for m in moves)
    assert [(s.ply, s.action, s.info) for s in sim.sealed] == [
        (ply, pick, "thinking") for ply, pick in enumerate([7, 3, 9, 1, 8, 2], start=1)
    ]
    quiet_sim = hidden_match(OpenPicks(), None)
    assert quiet_sim.sealed == []  # nothing to hide: no sealed move


def test_outputs_of_a_hidden_move_with_info() -> None:
    config = MatchConfig(game="secret_picks", bots=["ann", "bob"], seed=1)
    match = Match("m1", config, GAME)
    match.start(0.0)
    for player, pending in sorted(match.pending.items()):
        outputs = match.receive(player, Ready("m1", pending.id), 0.0)
    request = next(o.message for o in outputs if type(o) is Send)
    outputs = match.receive(0, Action("m1", request.id, 5, "five"), 0.5)
    published = [o.event for o in outputs if type(o) is Publish]
    move = published[0]
    assert isinstance(move, Move)
    assert move == Move("m1", 1, 1, 0, "ann", None, 0.5, move.view, move.clocks)
    assert published[1] == SealedMove("m1", 1, 1, 0, 5, "five")


def test_a_match_with_sealed_info_is_rebuilt() -> None:
    sim = hidden_match(OpenPicks(), "thinking")
    events = [msgspec.json.decode(encode(e)) for e in sim.events]
    sealed = [msgspec.json.decode(encode(s)) for s in sim.sealed]
    cut = next(i for i, e in enumerate(events) if e["type"] == "move" and e["ply"] == 3) + 1
    match = rebuild("m1", sim.match.config, events[:cut], 50.0, OpenPicks(), sealed=sealed)
    assert match.state.picks == ((7, 9), (3,))


def test_a_match_with_info_is_rebuilt() -> None:
    _, sim = play([saying({"depth": 3}), saying("hmm")])
    events = [msgspec.json.decode(encode(e)) for e in sim.events]
    cut = next(i for i, e in enumerate(events) if e["type"] == "move" and e["ply"] == 4) + 1
    match = rebuild("m", sim.match.config, events[:cut], 50.0)
    assert match.ply == 4
