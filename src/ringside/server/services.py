"""The services of one server, as ``app.build_server`` wired them.

A plain holder: the HTTP routes and the transports find what they need on
it, and ``shutdown`` stops them in order.

Stopping takes no new match at once; with a drain, running matches may
finish for that long; the rest are handed on to the next start of this node:
their rows stay ``running``, owned by this node, their leases no longer
renewed, and bots are told ``server_shutdown``. That next start rebuilds them
from their stored events (``Server._resume_interrupted``) and their bots have
their reconnect grace to come back; a match that cannot be rebuilt is aborted
with the reason.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import msgspec

from ringside.protocol.codec import encode
from ringside.protocol.messages import Error, MatchInfo, MatchListed, MatchResult
from ringside.referee.restore import NotRebuildable
from ringside.server.bus import EventBus, MatchEnded, MatchLost, ResultStored
from ringside.server.cluster import ClusterNode
from ringside.server.ladder import Ladder
from ringside.server.leases import LeaseKeeper
from ringside.server.lobby import LobbyHub
from ringside.server.match_queue import MatchQueue
from ringside.server.matches import Matches
from ringside.server.metrics import Metrics
from ringside.server.peer import Peer
from ringside.server.ports import Clock
from ringside.server.runner import MatchRunner
from ringside.server.session import Roster
from ringside.server.settings import Settings
from ringside.server.tournaments import TournamentManager
from ringside.store.errors import DatabaseUnavailable
from ringside.store.journal import JournalEntry, ResultJournal, replay
from ringside.store.matches import RESTARTED
from ringside.store.records import MatchRecord
from ringside.store.repository import Store

log = logging.getLogger("ringside.server")

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
    leases: LeaseKeeper
    """This node's leases on its live rows, and the sweep of other nodes' lapsed ones."""
    journal: ResultJournal
    """Results announced but not yet in the database; ``journal.drained`` is a readiness check."""
    metrics: Metrics
    """This server's own Prometheus registry, served at ``GET /metrics``."""

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

    cluster: ClusterNode | None = None
    """This node's link to the others (``--redis-url``); None: a single process."""
    queue: MatchQueue | None = None
    """Matches a person asked for that wait for busy bots (``POST /api/matches`` with ``wait``)."""

    async def announce_lost(self, match_ids: list[str]) -> None:
        """Matches of lost nodes were just recorded aborted here: everyone is told.

        Their bots and watchers, on any node, get the recorded result
        (``MatchLost``); lobbies take them off; a tournament plays the game
        again (``MatchEnded`` without a stored result of the game)."""
        for match_id in match_ids:
            record = await self.store.get_match(match_id)
            if record is None or record.result is None:
                continue
            result = msgspec.convert(record.result, MatchResult)
            self.bus.publish(MatchLost(match_id, result))
            info = MatchInfo(
                match_id,
                record.game,
                record.bots,
                "aborted",
                len(result.rounds),
                record.rounds,
                record.tournament_id,
            )
            self.bus.publish(MatchListed(info))
            self.bus.publish(MatchEnded(match_id, record.bots, record.tournament_id, False))

    readiness: dict[str, ReadinessCheck] = field(default_factory=dict)
    """What ``GET /readyz`` checks, by name, in order: the database first; a service
    that must be ready too (the journal drained) adds its own check here."""

    def __post_init__(self) -> None:
        self.readiness = {
            "database": self._database_answers,
            "journal": self._journal_drained,
            **self.readiness,
        }

    async def _database_answers(self) -> None:
        await self.store.db.ping()

    async def _journal_drained(self) -> None:
        """Not ready while announced results wait in the journal for the database."""
        if not self.journal.drained:
            raise DatabaseUnavailable("announced results wait in the journal for the database")

    async def start(self) -> None:
        """End what stopped nodes left, take back this node's rows, join the cluster, resume
        tournaments, pair."""
        await self._resume_interrupted(await self.leases.recover())
        if self.cluster is not None:
            await self.cluster.start()
        self.leases.start()
        await self.tournaments.resume()
        if self.ladder is not None:
            self.ladder.start()

    async def _resume_interrupted(self, interrupted: list[MatchRecord]) -> None:
        """This node's matches a previous run left playing: rebuilt, or aborted with the reason."""
        resumed: list[str] = []
        for record in interrupted:
            try:
                self.matches.resume(record)
                resumed.append(record.id)
            except NotRebuildable as exc:
                reason = f"{RESTARTED}; it cannot be resumed: {exc.reason}"
                await self.store.matches.abort([record.id], reason)
                log.warning("match %s aborted: %s", record.id, reason)
        if resumed:
            log.info("resumed %d match(es) after a restart: %s", len(resumed), ", ".join(resumed))

    async def shutdown(
        self, reason: str = "the server is shutting down", drain: float = 0.0
    ) -> None:
        """Take no new match, let running ones finish for ``drain`` s, hand the rest on, tell everyone."""
        self.matches.closing = True  # create() refuses from now on (HTTP 503 shutting_down)
        if self.ladder is not None:
            await self.ladder.stop()
        if self.queue is not None:
            await self.queue.stop()
        await self.tournaments.stop()  # they resume at the next start, here or on another node
        if drain > 0:
            await self._drain(drain)
        await self.leases.stop()
        await self._hand_on()
        if self.cluster is not None:
            await self.cluster.stop()
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

    def _running(self) -> list[MatchRunner]:
        return [r for r in self.matches.runners.values() if not r.finished and not r.done.done()]

    async def _drain(self, seconds: float) -> None:
        """Wait until every running match has ended, or ``seconds`` on the server's clock."""
        pending = {r.done for r in self._running()}
        if not pending:
            return
        log.info("draining %d running match(es) for up to %g s", len(pending), seconds)
        deadline = asyncio.get_running_loop().create_future()

        def due() -> None:
            if not deadline.done():
                deadline.set_result(None)

        timer = self.clock.call_at(self.clock.time() + seconds, due)
        try:
            while pending and not deadline.done():
                await asyncio.wait(pending | {deadline}, return_when=asyncio.FIRST_COMPLETED)
                pending = {f for f in pending if not f.done()}
        finally:
            timer.cancel()

    async def _hand_on(self, timeout: float = 10.0) -> None:
        """Leave the running matches for the next start: nothing more reaches their referee.

        Bots are detached from them (a bot closing now is no disconnect), and
        their timers stopped (a bot told to go cannot lose on time), so no result
        is written and each row stays ``running`` under a lease left to lapse.
        The rounds they completed are still written before the store closes.
        """
        runners = self._running()
        if not runners:
            return
        ids = {r.id for r in runners}
        for session in self.roster.bots.values():
            for match_id in ids.intersection(session.matches):
                del session.matches[match_id]
        for runner in runners:
            self.matches.reconnects.forget(runner.id, runner.names)
        handed = asyncio.gather(*(r.hand_over() for r in runners))
        await asyncio.wait([handed], timeout=timeout)
        log.warning(
            "left %d running match(es) to the next start of node %s: %s",
            len(runners),
            self.leases.node,
            ", ".join(sorted(ids)),
        )


__all__ = ["ReadinessCheck", "Server"]
