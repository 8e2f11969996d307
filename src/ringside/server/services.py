"""The services of one server, as ``app.build_server`` wired them.

A plain holder: the HTTP routes and the transports find what they need on
it, and ``shutdown`` stops them in order.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from ringside.protocol.codec import encode
from ringside.protocol.messages import Error
from ringside.server.bus import EventBus, ResultStored
from ringside.server.ladder import Ladder
from ringside.server.lobby import LobbyHub
from ringside.server.matches import Matches
from ringside.server.peer import Peer
from ringside.server.ports import Clock
from ringside.server.session import Roster
from ringside.server.settings import Settings
from ringside.server.tournaments import TournamentManager
from ringside.store.journal import JournalEntry, ResultJournal, replay
from ringside.store.repository import Store

log = logging.getLogger("ringside.server")


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
    journal: ResultJournal
    """Results announced but not yet in the database; ``journal.drained`` is a readiness check."""

    async def replay_journal(self) -> int:
        """Commit the results a previous run left in the journal (start-up, before any abort).

        A database error propagates: the server should not start on a
        database that cannot take what it already announced.
        """
        entries = self.journal.load()
        if not entries:
            return 0
        committed = await replay(self.journal, self.store.matches, self._replayed)
        log.warning(
            "stored %d result(s) kept in %s by a previous run", committed, self.journal.path
        )
        return committed

    def _replayed(self, entry: JournalEntry) -> None:
        self.bus.publish(ResultStored(entry.match_id, entry.tournament_id, entry.result))

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
        # Results still waiting for the database stay in the journal for the next start.
        for runner in list(self.matches.runners.values()):
            await runner.stop_storing()
        self.journal.close()
        goodbye = encode(Error("server_shutdown", reason, None, True))
        peers: list[Peer] = [s.peer for s in self.roster.bots.values()]
        peers += [p for p in self.lobby.spectators if isinstance(p, Peer)]
        for peer in peers:
            peer.send(goodbye)
            peer.close_soon()
        if peers:
            await asyncio.wait([asyncio.ensure_future(p.flushed()) for p in peers], timeout=5)


__all__ = ["Server"]
