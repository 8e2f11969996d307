"""One spectator's session joined to the server: the lobby stream and the matches it watches.

The protocol side (commands, limits, what is already watched) is the
sans-I/O ``SpectatorSession``; this is the part that needs the server: the
lobby subscription and the snapshots and live events of matches. Every
transport (the WebSocket at ``/ws/watch``, the memory transport of tests)
drives a spectator through this one class.
"""

from __future__ import annotations

from ringside.server.lobby import LobbyHub
from ringside.server.matches import Matches
from ringside.server.ports import Clock, Outbox
from ringside.server.spectator import STRIKES, SpectatorSession, WatchRequested


class SpectatorLink:
    def __init__(
        self,
        lobby: LobbyHub,
        matches: Matches,
        peer: Outbox,
        clock: Clock,
        *,
        strikes: int = STRIKES,
    ) -> None:
        self.lobby = lobby
        self.matches = matches
        self.peer = peer
        self.clock = clock
        self.session = SpectatorSession(now=clock.time(), strikes=strikes)
        lobby.add_spectator(peer)

    @property
    def watching(self) -> set[str]:
        return set(self.session.watched)

    async def watch(self, match_id: str) -> None:
        """A watch that came with the connection (the ``?match=`` of the URL)."""
        self.session.watch(match_id, self.clock.time())
        await self._carry_out()

    async def receive(self, data: bytes | str) -> None:
        """One command from the spectator, carried out before the next is read."""
        session = self.session
        if len(session.watched) >= session.max_watched:
            self._forget_ended()
        session.receive_message(data, self.clock.time())
        await self._carry_out()

    def closed(self) -> None:
        """The spectator is gone: unsubscribe it from the lobby and from every match."""
        self.lobby.remove_spectator(self.peer)
        for match_id in self.session.connection_lost():
            self.matches.unwatch(match_id, self.peer)

    async def _carry_out(self) -> None:
        session, peer, matches = self.session, self.peer, self.matches
        for event in session.events_received():
            self._flush()
            if isinstance(event, WatchRequested):
                known = await matches.watch(event.match, peer)
                if not matches.live(event.match):
                    if known:  # a stored match: its snapshot is all there is, and it is sent
                        session.finished(event.match)
                    else:
                        session.forget(event.match)
            else:
                matches.unwatch(event.match, peer)
        self._flush()

    def _flush(self) -> None:
        session, peer = self.session, self.peer
        for data in session.data_to_send():
            peer.send(data)
        if session.close_expected():
            peer.close_soon()

    def _forget_ended(self) -> None:
        """Free the places of watched matches that have ended since."""
        for match_id in list(self.session.watched):
            if not self.matches.live(match_id):
                self.session.forget(match_id)
                self.matches.unwatch(match_id, self.peer)


__all__ = ["SpectatorLink"]
