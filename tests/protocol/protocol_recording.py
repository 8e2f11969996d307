"""Real matches on simulated time, recorded as the lines bots and server exchange.

Shared by the transcript, schema and codec tests (and by ``test_transcript.py``
run as a script). The bots are deterministic, so every run gives the same lines.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ringside.local import PolitePlayer, Reply, Simulation
from ringside.protocol.messages import (
    BotMessage,
    Fischer,
    MatchEvent,
    MatchResult,
    Request,
    ServerMessage,
    TimeControl,
)
from ringside.referee.config import MatchConfig
from ringside.referee.match import Match, Output

Direction = Literal["to_server", "to_bot"]


@dataclass(frozen=True, slots=True)
class Line:
    direction: Direction
    bot: str
    message: BotMessage | ServerMessage


@dataclass
class Recording:
    lines: list[Line] = field(default_factory=list)
    events: list[MatchEvent] = field(default_factory=list)
    result: MatchResult | None = None


class _RecordingMatch(Match):
    """A Match that notes every bot message at the instant it arrives."""

    recording: Recording

    def receive(self, player: int, message: BotMessage, now: float) -> list[Output]:
        self.recording.lines.append(Line("to_server", self.config.bots[player], message))
        return super().receive(player, message, now)


class _RecordingBot:
    """Notes every server message as it is delivered, then lets ``inner`` answer."""

    def __init__(self, name: str, inner: PolitePlayer, recording: Recording) -> None:
        self.name = name
        self.inner = inner
        self.recording = recording

    def on_message(self, message: ServerMessage) -> Reply | None:
        self.recording.lines.append(Line("to_bot", self.name, message))
        return self.inner.on_message(message)


Choose = Callable[[Request], tuple[Any, float]]


def play(
    bots: Sequence[tuple[str, Choose]],
    game: str = "tictactoe",
    rounds: int = 2,
    time_control: TimeControl | None = None,
    match_id: str = "m1",
    **config: Any,
) -> Recording:
    """Play one match through the real referee and record everything that crossed the wire."""
    recording = Recording()
    match_config = MatchConfig(
        game=game,
        bots=[name for name, _ in bots],
        rounds=rounds,
        time_control=time_control or Fischer(base=30.0, increment=0.5),
        **config,
    )
    match = _RecordingMatch(match_id, match_config)
    match.recording = recording
    players = [_RecordingBot(name, PolitePlayer(choose), recording) for name, choose in bots]
    simulation = Simulation(match, list(players), on_event=recording.events.append)
    recording.result = simulation.run()
    return recording


# --- two deterministic tic-tac-toe players -----------------------------------------

CORNERS = (0, 2, 6, 8)


def alice(request: Request) -> tuple[Any, float]:
    """Centre first, then corners, then the lowest free cell; thinks 0.75 s."""
    legal = request.legal_actions or []
    for cell in (4, *CORNERS):
        if cell in legal:
            return cell, 0.75
    return min(legal), 0.75


def bob(request: Request) -> tuple[Any, float]:
    """The lowest free cell; thinks 1.5 s."""
    return min(request.legal_actions or []), 1.5


def tictactoe_match() -> Recording:
    """The match shown in docs/protocol.md: two rounds, alice against bob, Fischer 30 s + 0.5 s."""
    return play([("alice", alice), ("bob", bob)])
