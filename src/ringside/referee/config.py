"""What a match is asked to be: game, bots, rounds, clock and rules of conduct."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from ringside.protocol.messages import PerMove, TimeControl
from ringside.referee.adjudication import Adjudication


class MatchConfig(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    game: str
    bots: list[str]
    """Bot names, one per player; seats rotate each round."""
    rounds: int = 1
    time_control: TimeControl = PerMove()
    time_controls: list[TimeControl] | None = None
    """One time control per bot (by index into ``bots``) for time odds, in place of
    ``time_control``; each bot keeps its own clock as the seats rotate (cutechess's
    per-engine ``tc=``)."""
    options: dict[str, Any] = {}
    """Options of the game (see the game's options schema)."""
    forfeit: Literal["match", "round"] = "match"
    """What a verdict costs the offender: the whole match, or only the round."""
    ready_timeout: float = 10.0
    ok_timeout: float = 5.0
    reconnect_grace: float = 5.0
    time_margin: float = 0.1
    """Overrun forgiven before a timeout, to absorb server and network jitter."""
    adjudication: Adjudication | None = None
    """When the referee ends a round early: resign and draw rules on the scores the bots
    report in their actions' ``info``, and ``max_plies`` (see the protocol's Verdicts)."""
    seed: int | None = None
    """Where the game's randomness (deals, dice) comes from: a match replays exactly from
    its seed. None: the server draws one for the match and records it (the referee alone
    reads None as 0)."""

    def control_of(self, player: int) -> TimeControl:
        """The time control of the bot ``bots[player]``."""
        controls = self.time_controls
        return controls[player] if controls else self.time_control

    def uneven(self) -> bool:
        """Whether the bots play under different time controls (time odds)."""
        controls = self.time_controls or []
        return any(tc != controls[0] for tc in controls)
