"""Who is online and what is being played, as spectators see it.

The lobby knows no session and no runner: it keeps the lobby's picture from
the bus's events (``BotJoined``, ``BotLeft``, ``BotStatus``, ``MatchListed``,
``TournamentUpdate``) and passes each on to every spectator, encoded once,
the same bytes queued to all. Events from another node would draw the same
picture.
"""

from __future__ import annotations

from collections.abc import Iterable

from ringside.protocol.codec import encode
from ringside.protocol.messages import (
    BotInfo,
    BotJoined,
    BotLeft,
    BotStatus,
    Lobby,
    MatchInfo,
    MatchListed,
    TournamentUpdate,
)
from ringside.server.bus import EventBus
from ringside.server.ports import Outbox

LIVE = ("pending", "running")
"""Statuses of a match the lobby lists; any other (finished, aborted) takes it off."""


class LobbyHub:
    def __init__(self, bus: EventBus) -> None:
        self.bots: dict[str, BotInfo] = {}
        self.matches: dict[str, MatchInfo] = {}
        self.spectators: set[Outbox] = set()
        bus.subscribe(BotJoined, self._bot_joined)
        bus.subscribe(BotStatus, self._bot_status)
        bus.subscribe(BotLeft, self._bot_left)
        bus.subscribe(MatchListed, self._match_listed)
        bus.subscribe(TournamentUpdate, self._broadcast)

    # --- the picture ------------------------------------------------------------------

    def online(self, game: str | None = None) -> list[BotInfo]:
        infos: Iterable[BotInfo] = self.bots.values()
        if game is not None:
            infos = [i for i in infos if i.games is None or game in i.games]
        return sorted(infos, key=lambda i: i.name)

    def running(self) -> list[MatchInfo]:
        return list(self.matches.values())

    def snapshot(self) -> Lobby:
        return Lobby(self.online(), self.running())

    # --- spectators -------------------------------------------------------------------

    def add_spectator(self, peer: Outbox) -> None:
        """Subscribe ``peer`` to the lobby stream, starting with a snapshot."""
        self.spectators.add(peer)
        peer.send(encode(self.snapshot()))

    def remove_spectator(self, peer: Outbox) -> None:
        self.spectators.discard(peer)

    # --- events -------------------------------------------------------------------------

    def _bot_joined(self, event: BotJoined) -> None:
        self.bots[event.bot.name] = event.bot
        self._broadcast(event)

    def _bot_status(self, event: BotStatus) -> None:
        if event.bot.name in self.bots:
            self.bots[event.bot.name] = event.bot
            self._broadcast(event)

    def _bot_left(self, event: BotLeft) -> None:
        if self.bots.pop(event.name, None) is not None:
            self._broadcast(event)

    def _match_listed(self, event: MatchListed) -> None:
        info = event.match
        if info.status in LIVE:
            self.matches[info.id] = info
        else:
            self.matches.pop(info.id, None)
        self._broadcast(event)

    def _broadcast(
        self, event: BotJoined | BotLeft | BotStatus | MatchListed | TournamentUpdate
    ) -> None:
        fan_out(encode(event), self.spectators)


def fan_out(data: bytes, peers: Iterable[Outbox]) -> None:
    """Queue the same encoded bytes to every peer."""
    for peer in peers:
        peer.send(data)


__all__ = ["LobbyHub", "fan_out"]
