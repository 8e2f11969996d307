"""Who is online, what is being played, and who is watching.

The lobby holds the bot sessions by name and the spectators. Every change is
encoded once and the same bytes are queued to every subscriber.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ringside.protocol.codec import encode
from ringside.protocol.messages import (
    BotInfo,
    BotJoined,
    BotLeft,
    BotStatus,
    Lobby,
    MatchInfo,
    MatchListed,
    Message,
)
from ringside.server.peer import Peer

if TYPE_CHECKING:
    from ringside.server.runner import MatchRunner
    from ringside.server.session import BotSession


class Spectator:
    """A watcher: always subscribed to the lobby, and to the matches it asked for."""

    def __init__(self, peer: Peer) -> None:
        self.peer = peer
        self.matches: set[str] = set()


class LobbyHub:
    def __init__(self) -> None:
        self.bots: dict[str, BotSession] = {}
        self.matches: dict[str, MatchRunner] = {}
        self.spectators: set[Spectator] = set()

    # --- bots -------------------------------------------------------------------

    def join(self, session: BotSession) -> None:
        self.bots[session.name] = session
        self.broadcast(BotJoined(session.info()))

    def leave(self, session: BotSession) -> None:
        if self.bots.get(session.name) is session:
            del self.bots[session.name]
            self.broadcast(BotLeft(session.name))

    def status_changed(self, session: BotSession) -> None:
        if self.bots.get(session.name) is session:
            self.broadcast(BotStatus(session.info()))

    def online(self, game: str | None = None) -> list[BotInfo]:
        infos = [s.info() for s in self.bots.values()]
        if game is not None:
            infos = [i for i in infos if i.games is None or game in i.games]
        return sorted(infos, key=lambda i: i.name)

    # --- matches ------------------------------------------------------------------

    def match_listed(self, runner: MatchRunner) -> None:
        if runner.finished:
            self.matches.pop(runner.id, None)
        else:
            self.matches[runner.id] = runner
        self.broadcast(MatchListed(runner.info()))

    def running(self) -> list[MatchInfo]:
        return [r.info() for r in self.matches.values()]

    # --- spectators ------------------------------------------------------------

    def snapshot(self) -> Lobby:
        return Lobby(self.online(), self.running())

    def add_spectator(self, spectator: Spectator) -> None:
        self.spectators.add(spectator)
        spectator.peer.send(encode(self.snapshot()))

    def remove_spectator(self, spectator: Spectator) -> None:
        self.spectators.discard(spectator)
        for match_id in spectator.matches:
            runner = self.matches.get(match_id)
            if runner is not None:
                runner.watchers.discard(spectator.peer)

    def broadcast(self, event: Message) -> None:
        fan_out(encode(event), (s.peer for s in self.spectators))


def fan_out(data: bytes, peers: Iterable[Peer]) -> None:
    """Queue the same encoded bytes to every peer."""
    for peer in peers:
        peer.send(data)
