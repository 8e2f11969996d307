"""The services of one server, as ``app.build_server`` wired them.

A plain holder: the HTTP routes and the transports find what they need on
it, and ``shutdown`` stops them in order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from ringside.protocol.codec import encode
from ringside.protocol.messages import Error
from ringside.server.bus import EventBus
from ringside.server.ladder import Ladder
from ringside.server.lobby import LobbyHub
from ringside.server.matches import Matches
from ringside.server.peer import Peer
from ringside.server.ports import Clock
from ringside.server.session import Roster
from ringside.server.settings import Settings
from ringside.server.tournaments import TournamentManager
from ringside.store.repository import Store

ReadinessCheck = Callable[[], Awaitable[None]]
"""Returns when its part is ready; raises (``DatabaseUnavailable``, a ``Refused``...) why not."""


@dataclass(eq=False)
class Server:
    settings: Settings
    store: Store
    bus: EventBus
    roster: Roster
    """The bots connected to this process."""
    lobby: LobbyHub
    """What spectators see: bots online, matches running, tournaments."""
    matches: Matches
    """The running matches."""
    tournaments: TournamentManager
    ladder: Ladder | None
    clock: Clock
    """Every timer of the server runs on it (the event loop, or a test's manual clock)."""
    readiness: dict[str, ReadinessCheck] = field(default_factory=dict)
    """What ``GET /readyz`` checks, by name, in order: the database first; a service
    that must be ready too (a journal drained) adds its own check here."""

    def __post_init__(self) -> None:
        self.readiness = {"database": self._database_answers, **self.readiness}

    async def _database_answers(self) -> None:
        await self.store.db.ping()

    async def start(self) -> None:
        """Resume what a previous run left (tournaments), start the ladder."""
        await self.tournaments.resume()
        if self.ladder is not None:
            self.ladder.start()

    async def shutdown(self, reason: str = "the server is shutting down") -> None:
        """Stop pairing, abort running matches (recorded as aborted), tell everyone."""
        if self.ladder is not None:
            await self.ladder.stop()
        await self.tournaments.stop()  # before the matches abort: they resume next start
        await self.matches.abort_all(reason)
        goodbye = encode(Error("server_shutdown", reason, None, True))
        peers: list[Peer] = [s.peer for s in self.roster.bots.values()]
        peers += [p for p in self.lobby.spectators if isinstance(p, Peer)]
        for peer in peers:
            peer.send(goodbye)
            peer.close_soon()
        if peers:
            await asyncio.wait([asyncio.ensure_future(p.flushed()) for p in peers], timeout=5)


__all__ = ["ReadinessCheck", "Server"]
