"""Rebuild an interrupted match from its recorded events.

The referee is deterministic: the same config (seed included), the same
answers at the same times give the same match. So a match the server lost
in a restart is rebuilt by playing its recorded history into a fresh
``Match``: every bot says ``ready`` and ``ok`` at once, and each recorded
move is answered after the time it took. The rebuilt match stands where the
recording stops, with every bot online and the referee's clock at ``now``:
the bot to move gets a fresh request when it reconnects, its clock as the
recording left it. (A round's result is published once every bot said
``ok``, so a recorded ``round_result`` means the next round was prepared.)

A match whose history cannot be replayed exactly is not rebuilt: a verdict
was given (its cause, a timeout or a dropped bot, is not in the log; an
adjudication's is: the moves' info), a
recorded move is refused, or the replay publishes something else than the
recording. ``NotRebuildable`` says why, for the reason recorded with the
aborted match.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ringside.games.base import Game
from ringside.protocol.messages import Action, Move, Ok, Ready
from ringside.referee.config import MatchConfig
from ringside.referee.match import Match, Publish

MAX_SETTLE_STEPS = 64
"""Ready and ok exchanges between two recorded events; more means the replay went astray."""


class NotRebuildable(Exception):
    """Why a match cannot be rebuilt from its events, for the bot authors and the operator."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def rebuild(
    match_id: str,
    config: MatchConfig,
    events: Sequence[Mapping[str, Any]],
    now: float,
    game: Game | None = None,
    sealed: Sequence[Mapping[str, Any]] = (),
) -> Match:
    """A match standing where ``events`` stop, on a clock that reads ``now``.

    ``sealed``: the real actions of the moves ``events`` shows hidden (a game with
    hidden information records only their public part in the log)."""
    _check_replayable(events)
    actions = {(int(e["round"]), int(e["ply"])): e for e in sealed}
    # The first pass finds how long the recorded play took; the second replays it to end at ``now``.
    length = _replay(Match(match_id, config, game), events, 0.0, actions)
    match = Match(match_id, config, game)
    _replay(match, events, now - length, actions)
    match.armed.clear()  # no timer of the replay was ever set: the caller arms what is due
    return match


def _check_replayable(events: Sequence[Mapping[str, Any]]) -> None:
    for event in events:
        kind = event.get("type")
        if kind == "match_result":
            raise NotRebuildable("the match is over")
        if kind == "forfeit":
            verdicts = [event.get("verdict")]
        elif kind == "round_result":
            verdicts = event.get("verdicts") or []
        else:
            continue
        if not all(isinstance(v, Mapping) and v.get("code") == "adjudicated" for v in verdicts):
            raise NotRebuildable("a verdict was given, and its cause is not in the record")


def _replay(
    match: Match,
    events: Sequence[Mapping[str, Any]],
    start: float,
    sealed: Mapping[tuple[int, int], Mapping[str, Any]],
) -> float:
    """Play ``events`` into ``match`` from time ``start``; the time the last one happened."""
    driver = _Driver(match, start, sealed)
    for event in events:
        kind = event.get("type")
        if kind == "round_started":
            driver.settle(int(event["round"]))
        elif kind == "move":
            driver.settle(int(event["round"]))
            driver.move(event)
        elif kind == "round_result":
            driver.end_round(int(event["round"]))
    driver.check_all_moves_published()
    return driver.now


class _Driver:
    """Answers for the bots during a replay, and checks that the referee repeats the record."""

    def __init__(
        self, match: Match, start: float, sealed: Mapping[tuple[int, int], Mapping[str, Any]]
    ) -> None:
        self.match = match
        self.now = start
        self.sealed = sealed
        self.issued: dict[int, float] = {}
        """When each open request was issued, by request id."""
        self.expected: list[Mapping[str, Any]] = []
        self.published: list[Move] = []
        self._take(match.start(start))

    def settle(self, round_number: int) -> None:
        """Answer ``ready`` and ``ok`` until round ``round_number`` is being played."""
        match = self.match
        for _ in range(MAX_SETTLE_STEPS):
            if match.phase == "playing" and match.round == round_number:
                return
            if match.phase == "finished" or match.round > round_number:
                break
            answered = False
            for player, pending in sorted(match.pending.items()):
                if pending.kind == "ready":
                    self._take(match.receive(player, Ready(match.id, pending.id), self.now))
                    answered = True
                elif pending.kind == "ok":
                    self._take(match.receive(player, Ok(match.id, pending.id), self.now))
                    answered = True
            if not answered:
                break
        raise NotRebuildable(f"the replay did not reach round {round_number} as recorded")

    def end_round(self, round_number: int) -> None:
        """The record says round ``round_number`` ended: every bot said ``ok``."""
        match = self.match
        if match.phase != "ending" or match.round != round_number:
            raise NotRebuildable(f"round {round_number} did not end where recorded")
        for player, pending in sorted(match.pending.items()):
            self._take(match.receive(player, Ok(match.id, pending.id), self.now))
        if match.finished:
            raise NotRebuildable("the match is over")

    def move(self, event: Mapping[str, Any]) -> None:
        match = self.match
        player = match.player_at(int(event["seat"]))
        pending = match.pending.get(player)
        if pending is None or pending.kind != "action":
            raise NotRebuildable(f"move {event.get('ply')} was not asked for in the replay")
        at = self.issued.get(pending.id, self.now) + float(event["elapsed"])
        self.now = max(self.now, at)
        self.expected.append(event)
        key = (int(event["round"]), int(event["ply"]))
        real = self.sealed.get(key, event)
        action = Action(match.id, pending.id, real["action"], real.get("info"))
        self._take(match.receive(player, action, at))
        given = [v for v in match.round_verdicts if v.code != "adjudicated"]
        if given or match.phase == "finished":
            raise NotRebuildable(f"move {event.get('ply')} is not accepted in the replay")

    def check_all_moves_published(self) -> None:
        if len(self.published) != len(self.expected):
            raise NotRebuildable("the replay published other moves than the record")

    def _take(self, outputs: Sequence[object]) -> None:
        """Note the moves the referee published and when its new requests went out."""
        for output in outputs:
            if type(output) is Publish and type(output.event) is Move:
                move = output.event
                index = len(self.published)
                recorded = self.expected[index] if index < len(self.expected) else None
                if recorded is None or (recorded["seat"], recorded["ply"]) != (move.seat, move.ply):
                    raise NotRebuildable(f"the replay made move {move.ply} out of turn")
                if recorded["action"] != move.action:
                    raise NotRebuildable(f"move {move.ply} came out differently in the replay")
                self.published.append(move)
        for pending in self.match.pending.values():
            if pending.kind == "action" and pending.id not in self.issued:
                self.issued[pending.id] = self.now


__all__ = ["NotRebuildable", "rebuild"]
