"""A game with hidden information: watchers and the log see only what is public while a
round runs, the round's result reveals it, and the sealed real actions rebuild the match."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from ringside.games.base import JSON, BaseGame, GameType, NoOptions, require_int
from ringside.local import PolitePlayer, Simulation
from ringside.protocol.codec import encode
from ringside.protocol.messages import Action, Move, Ready, Request, RoundResult, SealedMove
from ringside.referee.config import MatchConfig
from ringside.referee.match import Match, Publish, Send
from ringside.referee.restore import rebuild

PICKS = 3
"""Picks per seat in a round."""


@dataclass(frozen=True)
class Secret:
    picks: tuple[tuple[int, ...], tuple[int, ...]]
    to_move: int


class SecretPicks(BaseGame[Secret, NoOptions]):
    """Each seat in turn picks a number 0-9 the other never sees; the higher sum wins."""

    game_type = GameType(
        name="secret_picks",
        title="Secret picks",
        rules="Seats pick hidden numbers in turn; the higher total wins.",
        information="imperfect",
    )

    def new_state(self, players: int, seed: int, options: NoOptions) -> Secret:
        return Secret(((), ()), 0)

    def to_act(self, state: Secret) -> Sequence[int]:
        return () if self.is_over(state) else (state.to_move,)

    def legal_actions(self, state: Secret, seat: int) -> list[int]:
        return list(range(10)) if seat in self.to_act(state) else []

    def play(self, state: Secret, actions: dict[int, JSON]) -> Secret:
        seat, action = next(iter(actions.items()))
        pick = require_int(action, "pick", 0, 9)
        picks = list(state.picks)
        picks[seat] = (*picks[seat], pick)
        return Secret((picks[0], picks[1]), 1 - seat)

    def is_over(self, state: Secret) -> bool:
        return all(len(p) == PICKS for p in state.picks)

    def scores(self, state: Secret) -> list[float]:
        a, b = (sum(p) for p in state.picks)
        return [0.5, 0.5] if a == b else [float(a > b), float(b > a)]

    def observation(self, state: Secret, seat: int) -> JSON:
        return {"mine": list(state.picks[seat]), "theirs": len(state.picks[1 - seat])}

    def describe(self, state: Secret) -> dict[str, JSON]:
        return {"picked": [len(p) for p in state.picks]}

    def public_action(self, before: Secret, seat: int, action: JSON) -> JSON:
        return None

    def revealed_view(self, state: Secret) -> JSON:
        return {**self.view(state), "picks": [list(p) for p in state.picks]}


GAME = SecretPicks()
SECRETS = (7, 3, 9, 1, 8, 2)
"""What the bots pick, in turn: seat 0, seat 1, seat 0..."""


def play(rounds: int = 1) -> Simulation:
    turn = iter(SECRETS * rounds)

    def choose(request: Request) -> tuple[Any, float]:
        return next(turn), round(random.Random(request.id).uniform(0.0, 0.3), 3)

    config = MatchConfig(game="secret_picks", bots=["ann", "bob"], rounds=rounds, seed=1)
    simulation = Simulation(Match("m1", config, GAME), [PolitePlayer(choose), PolitePlayer(choose)])
    simulation.run()
    return simulation


def test_moves_and_views_hide_the_picks_until_the_round_ends() -> None:
    simulation = play()
    moves = [e for e in simulation.events if isinstance(e, Move)]
    assert len(moves) == len(SECRETS)
    assert all(m.action is None for m in moves)
    for move in moves:
        assert "picks" not in move.view
        text = json.dumps(msgspec.to_builtins(move))
        assert not any(f'"action": {s}' in text for s in SECRETS)
    (result,) = [e for e in simulation.events if isinstance(e, RoundResult)]
    assert result.view["picks"] == [[7, 9, 8], [3, 1, 2]]
    assert result.scores == [1.0, 0.0]


def test_the_real_actions_are_sealed_apart_in_order() -> None:
    simulation = play()
    sealed = simulation.sealed
    assert [(s.round, s.ply, s.seat, s.action) for s in sealed] == [
        (1, ply, (ply - 1) % 2, pick) for ply, pick in enumerate(SECRETS, start=1)
    ]


def test_a_bot_is_told_only_its_own_picks() -> None:
    simulation = play()
    for player, message in simulation.sent:
        if isinstance(message, Request):
            assert set(message.observation) == {"mine", "theirs"}
            assert message.seat == player  # one round: seats are players


def test_the_sealed_actions_rebuild_an_interrupted_round() -> None:
    simulation = play()
    events = [msgspec.json.decode(encode(e)) for e in simulation.events]
    sealed = [msgspec.json.decode(encode(s)) for s in simulation.sealed]
    cut = next(i for i, e in enumerate(events) if e["type"] == "move" and e["ply"] == 4) + 1
    config = simulation.match.config
    match = rebuild("m1", config, events[:cut], 100.0, GAME, sealed=sealed)
    assert match.state.picks == ((7, 9), (3, 1))
    ((player, pending),) = match.pending.items()
    assert (player, pending.kind) == (0, "action")


def test_the_runner_shows_no_one_a_sealed_move() -> None:
    """The referee hands the sealed move to its runner as an output like any other; the
    runner's duty is to store it and show it to no one (tests/server/test_hidden_store)."""
    config = MatchConfig(game="secret_picks", bots=["ann", "bob"], seed=1)
    match = Match("m1", config, GAME)
    outputs = match.start(0.0)
    for player, pending in sorted(match.pending.items()):
        outputs = match.receive(player, Ready("m1", pending.id), 0.0)
    request = next(o.message for o in outputs if type(o) is Send)
    assert isinstance(request, Request)
    outputs = match.receive(0, Action("m1", request.id, 5), 0.5)
    published = [o.event for o in outputs if type(o) is Publish]
    assert [type(e) for e in published] == [Move, SealedMove]
    move, seal = published
    assert isinstance(move, Move) and isinstance(seal, SealedMove)
    assert (move.action, seal.action, seal.ply) == (None, 5, 1)
