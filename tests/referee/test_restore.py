"""An interrupted match rebuilt from its events stands exactly where the record stops."""

from __future__ import annotations

import random
from typing import Any

import msgspec
import pytest

from ringside.local import PolitePlayer, Simulation
from ringside.protocol.codec import encode
from ringside.protocol.messages import Fischer, MatchEvent, Ok, Request
from ringside.referee.config import MatchConfig
from ringside.referee.match import Match, Publish, Send
from ringside.referee.restore import NotRebuildable, rebuild

NOW = 5000.0


def chooser(seed: int) -> PolitePlayer:
    rng = random.Random(seed)

    def choose(request: Request) -> tuple[Any, float]:
        assert request.legal_actions
        return rng.choice(request.legal_actions), round(rng.uniform(0.0, 0.4), 3)

    return PolitePlayer(choose)


def recorded(
    game: str, players: int = 2, rounds: int = 2
) -> tuple[MatchConfig, list[dict[str, Any]]]:
    """A whole match of random bots on simulated time, as its stored events."""
    bots = [f"bot{i}" for i in range(players)]
    config = MatchConfig(
        game=game, bots=bots, rounds=rounds, time_control=Fischer(30.0, 0.5), seed=7
    )
    events: list[MatchEvent] = []
    Simulation(Match("m1", config), [chooser(i) for i in range(players)], events.append).run()
    return config, [msgspec.json.decode(encode(e)) for e in events]


GAMES = [("tictactoe", 2), ("connect4", 2), ("rps", 2), ("baskin31", 3), ("othello", 2)]


@pytest.mark.parametrize(("game", "players"), GAMES)
def test_every_cut_of_the_record_is_rebuilt_where_it_stops(game: str, players: int) -> None:
    config, events = recorded(game, players)
    assert events[-1]["type"] == "match_result"
    for cut in range(1, len(events)):
        head, after = events[:cut], events[cut]
        if head[-1]["type"] == after["type"] == "move" and head[-1]["view"] == after["view"]:
            continue  # inside one simultaneous move: published, and so stored, together
        if after["type"] == "match_result":
            continue  # the last round's result and the match's come together
        match = rebuild("m1", config, head, NOW)
        assert match.phase != "finished"
        moves = [e for e in head if e["type"] == "move"]
        last = head[-1]
        if last["type"] == "move":
            assert match.round == last["round"]
            assert match.ply == last["ply"]
            assert match.game.view(match.state) == last["view"]
            shown = [round(c, 1) for c in match._clock_figures(NOW)]
            assert shown == pytest.approx([round(c, 1) for c in last["clocks"]], abs=0.11)
        assert sum(1 for e in head if e["type"] == "move") == len(moves)
        assert match.armed == {}


@pytest.mark.parametrize(("game", "players"), GAMES)
def test_a_rebuilt_match_ends_as_the_original(game: str, players: int) -> None:
    config, events = recorded(game, players)
    assert [e["type"] for e in events[-2:]] == ["round_result", "match_result"]
    match = rebuild("m1", config, events[:-2], NOW)  # the last move is the last event
    assert match.phase == "ending"
    outputs = []
    for player, pending in sorted(match.pending.items()):
        outputs += match.receive(player, Ok("m1", pending.id), NOW)
    published = [msgspec.json.decode(encode(o.event)) for o in outputs if type(o) is Publish]
    assert published == events[-2:]


def test_the_bot_to_move_is_asked_again_with_its_clock_as_recorded() -> None:
    config, events = recorded("connect4")
    cut = next(i for i, e in enumerate(events) if e["type"] == "move" and e["ply"] == 5) + 1
    match = rebuild("m1", config, events[:cut], NOW)
    ((player, pending),) = match.pending.items()
    assert pending.kind == "action"
    outputs = match.disconnected(player, NOW) + match.reconnected(player, NOW + 1.0)
    request = next(o.message for o in outputs if type(o) is Send and type(o.message) is Request)
    assert isinstance(request, Request)
    assert request.id == pending.id
    assert request.observation == match.game.observation(match.state, request.seat)


def test_a_match_with_a_verdict_is_not_rebuilt() -> None:
    config, events = recorded("tictactoe")
    forfeit = {"type": "forfeit", "match": "m1", "round": 1, "verdict": {}}
    with pytest.raises(NotRebuildable, match="verdict"):
        rebuild("m1", config, [*events[:3], forfeit], NOW)
    with pytest.raises(NotRebuildable, match="over"):
        rebuild("m1", config, events, NOW)


def test_a_record_that_the_rules_refuse_is_not_rebuilt() -> None:
    config, events = recorded("tictactoe")
    cut = next(i for i, e in enumerate(events) if e["type"] == "move" and e["ply"] == 2)
    tampered = dict(events[cut], action=events[cut - 1]["action"])  # the square just taken
    with pytest.raises(NotRebuildable, match="move 2"):
        rebuild("m1", config, [*events[:cut], tampered], NOW)


def test_a_record_with_a_bot_that_dropped_and_came_back_is_rebuilt() -> None:
    config, events = recorded("connect4")
    cut = next(i for i, e in enumerate(events) if e["type"] == "move" and e["ply"] == 5) + 1
    seat = {"match": "m1", "round": 1, "player": 1, "bot": "bot1", "seat": 1}
    dropped = {"type": "seat_dropped", **seat, "grace_seconds": 5.0, "clocks": [30.0, 29.0]}
    head = [*events[:cut], dropped, {"type": "seat_back", **seat}]
    match = rebuild("m1", config, head, NOW)
    assert match.ply == 5 and match.online == [True, True]
    assert match.game.view(match.state) == events[cut - 1]["view"]
