"""Adjudication: ending a round early from the scores the bots report, as cutechess-cli and
fastchess do for engine matches (``-resign``, ``-draw``, ``-maxmoves``).

Long, decided or dead-drawn games cost engine matches most of their time; the
engines already say what they think of the position (an action's ``info``), so
the referee can stop the round when both agree it is over. The rules here are
pure: the referee feeds every move's info in and asks for a decision.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

import msgspec

from ringside.protocol.messages import Info, MoveInfo

_Count = Annotated[int, msgspec.Meta(ge=1)]
_Score = Annotated[float, msgspec.Meta(ge=0)]


class ResignRule(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """cutechess's ``-resign movecount=3 score=600 twosided=false``: a seat whose own
    score stays at or below ``-score`` for ``movecount`` consecutive moves loses."""

    movecount: _Count = 3
    score: _Score = 600.0
    """Centipawns in chess (the game's own units elsewhere); a mate is beyond any score."""
    twosided: bool = False
    """Both must agree: the opponent's own score stays at or above ``+score`` as long."""


class DrawRule(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """cutechess's ``-draw movenumber=40 movecount=8 score=10``: from full move
    ``movenumber`` on, both seats' scores within ``±score`` for ``movecount``
    consecutive moves each is a draw."""

    movenumber: Annotated[int, msgspec.Meta(ge=0)] = 0
    movecount: _Count = 8
    score: _Score = 10.0


class Adjudication(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """When the referee ends a round before the game does; every rule is optional."""

    resign: ResignRule | None = None
    draw: DrawRule | None = None
    max_plies: Annotated[int, msgspec.Meta(ge=1)] | None = None
    """Moves (plies) the bots may play in a round; at that ply the round ends with the
    game's own score of the position, or a draw where the game has none."""


@dataclass(frozen=True, slots=True)
class Decision:
    """An adjudicated end: the seats' scores, the seat that lost (None: a draw), and why."""

    scores: list[float]
    loser: int | None
    reason: str


def reported(info: Info | None) -> float | None:
    """A move's score from the mover's side; a mate is infinite, None when none is given."""
    if not isinstance(info, MoveInfo):
        return None
    if info.mate is not None:
        return math.inf if info.mate > 0 else -math.inf
    if info.score is None or not math.isfinite(info.score):
        return None
    return info.score


class Adjudicator:
    """One round's counters for the resign and draw rules (two seats)."""

    __slots__ = ("draw_run", "losing", "rules", "unit", "winning")

    def __init__(self, rules: Adjudication, unit: str = "") -> None:
        self.rules = rules
        self.unit = unit
        """Appended to the figures in the reason: " cp" in chess."""
        self.losing = [0, 0]
        """Consecutive own moves of each seat scored at or below -resign.score."""
        self.winning = [0, 0]
        """Consecutive own moves of each seat scored at or above +resign.score."""
        self.draw_run = 0
        """Consecutive moves (of both seats) scored within ±draw.score."""

    def note(self, seat: int, info: Info | None) -> None:
        """Count a move by ``seat``; a move without a score breaks every run it is in."""
        if seat not in (0, 1):
            return
        score = reported(info)
        resign, draw = self.rules.resign, self.rules.draw
        if resign is not None:
            losing = score is not None and score <= -resign.score
            winning = score is not None and score >= resign.score
            self.losing[seat] = self.losing[seat] + 1 if losing else 0
            self.winning[seat] = self.winning[seat] + 1 if winning else 0
        if draw is not None:
            within = score is not None and abs(score) <= draw.score
            self.draw_run = self.draw_run + 1 if within else 0

    def decide(self, ply: int, name: Callable[[int], str]) -> Decision | None:
        """The resign or draw decision after ``ply`` moves of the round, if any is due.

        ``name`` names a seat in the reason (e.g. ``"alice (white)"``)."""
        resign, draw = self.rules.resign, self.rules.draw
        if resign is not None:
            for seat in (0, 1):
                if self.losing[seat] < resign.movecount:
                    continue
                other = 1 - seat
                if resign.twosided and self.winning[other] < resign.movecount:
                    continue
                figure = f"{resign.score:g}{self.unit}"
                moves = _moves(resign.movecount)
                reason = f"resign adjudication: {name(seat)} scored ≤ -{figure} for {moves}"
                if resign.twosided:
                    reason += f" and {name(other)} ≥ +{figure} (two-sided)"
                scores = [0.0, 0.0]
                scores[other] = 1.0
                return Decision(scores, seat, reason)
        if draw is not None and self.draw_run >= 2 * draw.movecount and ply // 2 >= draw.movenumber:
            figure = f"{draw.score:g}{self.unit}"
            reason = (
                f"draw adjudication: both scored within ±{figure} for {_moves(draw.movecount)}"
                f" each, after move {ply // 2}"
            )
            return Decision([0.5, 0.5], None, reason)
        return None


def _moves(count: int) -> str:
    return f"{count} move" if count == 1 else f"{count} moves"


def at_cap(max_plies: int, scores: list[float] | None, players: int, shown: str) -> Decision:
    """The round stopped at ``max_plies``: the game's score of the position (``scores``,
    described by ``shown``) or, when the game cannot score it, a draw."""
    head = f"max_plies adjudication: {max_plies} plies played"
    if scores is None:
        return Decision(
            [0.5] * players, None, f"{head}; a draw (the game has no score before its end)"
        )
    low = min(scores)
    losers = [seat for seat, score in enumerate(scores) if score == low]
    loser = losers[0] if len(losers) == 1 and players == 2 else None
    return Decision(list(scores), loser, f"{head}; scored by the game as it stands: {shown}")


__all__ = [
    "Adjudication",
    "Adjudicator",
    "Decision",
    "DrawRule",
    "ResignRule",
    "at_cap",
    "reported",
]
