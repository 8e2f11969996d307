"""The running matches of this process: started here, found here, stopped here.

The one registry of running matches. A match is created with its bots
reserved atomically (every check passes before any bot is taken), recorded
before any bot hears of it, and forgotten when the runner says on the bus
that it ended.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

import msgspec

from ringside.protocol.codec import encode
from ringside.protocol.messages import Error, MatchSnapshot
from ringside.referee.config import MatchConfig
from ringside.referee.match import Match, MatchConfigError, UnknownGameError
from ringside.referee.restore import NotRebuildable, rebuild
from ringside.server.bus import EventBus, MatchEnded
from ringside.server.errors import BotUnavailable, GameNotFound, InvalidRequest, ShuttingDown
from ringside.server.ports import Clock, Outbox, Seat, Timings
from ringside.server.reconnects import Reconnects
from ringside.server.runner import MatchRunner
from ringside.server.session import BotSession, Roster
from ringside.store.journal import ResultJournal
from ringside.store.records import MatchRecord
from ringside.store.repository import Store
from ringside.text import quoted

log = logging.getLogger("ringside.server")

SNAPSHOT_CACHE_BYTES = 64 * 1024 * 1024
"""Encoded snapshots of ended matches kept for spectators, at most (the newest first kept)."""


class MatchHandle(Protocol):
    """A match just started, here or on another node of a cluster."""

    @property
    def id(self) -> str: ...

    @property
    def tournament_id(self) -> str | None: ...

    @property
    def finished(self) -> bool: ...

    def abort(self, reason: str) -> None: ...


class Placement(Protocol):
    """Where a cluster starts matches and watches those of other nodes (``cluster.ClusterNode``)."""

    async def place(self, match: Match, tournament_id: str | None) -> MatchHandle: ...

    async def watch(self, match_id: str, peer: Outbox) -> bool: ...

    def unwatch(self, match_id: str, peer: Outbox) -> None: ...

    def watching(self, match_id: str) -> bool: ...


class Matches:
    def __init__(
        self,
        store: Store,
        bus: EventBus,
        roster: Roster,
        reconnects: Reconnects[MatchRunner],
        *,
        record: bool = True,
        clock: Clock | None = None,
        journal: ResultJournal | None = None,
    ) -> None:
        self.store = store
        self.bus = bus
        self.roster = roster
        self.reconnects = reconnects
        self.record = record
        """False: nothing of the matches is stored (the bench's switch)."""
        self.clock = clock
        self.journal = journal
        """Where a result waits when the database does not take it (see ``MatchRunner``)."""
        self.runners: dict[str, MatchRunner] = {}
        self.resumed: set[str] = set()
        """Matches rebuilt after a restart whose tournament (if any) has not claimed them yet."""
        self.closing = False
        self.runner_type: type[MatchRunner] = MatchRunner
        """The bench switch puts an instrumented subclass here."""
        self.placement: Placement | None = None
        """In a cluster: where matches are placed, and matches of other nodes watched."""
        self.timings: Timings | None = None
        """Handed to every runner: store write times and sampled relay times (the metrics)."""
        self.moves_ended = 0
        """Moves played in this process by the matches no longer in ``runners``."""
        self.snapshots: OrderedDict[str, bytes] = OrderedDict()
        """Ended matches' snapshots, encoded once and sent to every spectator (least recent
        first; ``SNAPSHOT_CACHE_BYTES`` in all)."""
        self._snapshot_bytes = 0
        bus.subscribe(MatchEnded, self._ended)

    def get(self, match_id: str) -> MatchRunner | None:
        return self.runners.get(match_id)

    async def create(self, config: MatchConfig, tournament_id: str | None = None) -> MatchHandle:
        """Check, reserve the bots and start a match; a ``Refused`` error says what is wrong.

        In a cluster the ``placement`` reserves the bots wherever they are connected
        and starts the match on the node holding most of them (maybe another one)."""
        if self.closing:
            raise ShuttingDown()
        match_id = secrets.token_hex(6)
        if config.seed is None:  # each match deals its own cards, recorded for its replay
            config = msgspec.structs.replace(config, seed=secrets.randbits(63))
        try:
            match = Match(match_id, config)
        except UnknownGameError as exc:
            raise GameNotFound(exc.code, str(exc)) from None
        except MatchConfigError as exc:
            raise InvalidRequest(exc.code, str(exc)) from None
        if self.placement is not None:
            return await self.placement.place(match, tournament_id)
        sessions = [self._available(name, config.game) for name in config.bots]
        return await self.start(match, list(sessions), tournament_id)

    async def start(
        self,
        match: Match,
        seats: list[Seat | None],
        tournament_id: str | None = None,
        recorded: Callable[[MatchRunner], None] | None = None,
    ) -> MatchRunner:
        """Record ``match`` and begin it with its bots reserved already (None: a bot that left).

        ``recorded`` runs once the match is stored, before it begins (a cluster tells
        the other nodes' bots to join it there)."""
        match_id = match.id
        sessions = [s for s in seats if isinstance(s, BotSession)]
        for session in sessions:
            session.reserved += 1
        runner = self._runner(match, seats)
        self.runners[match_id] = runner
        try:
            await runner.start_recording(tournament_id)
        except BaseException:
            for session in sessions:
                session.reserved = max(0, session.reserved - 1)
            self.runners.pop(match_id, None)
            raise
        for session in sessions:
            session.match_started(runner)
        if recorded is not None:
            recorded(runner)
        for player, seat in enumerate(seats):
            # A bot that left while the match was being recorded: its grace starts now.
            if seat is None or (isinstance(seat, BotSession) and seat.state != "ready"):
                if seat is not None:
                    seat.matches.pop(match_id, None)
                    self.reconnects.detach(seat.name, seat.token, [runner])
                else:
                    self.reconnects.detach(runner.names[player], None, [runner], any_token=True)
                runner.disconnected(player)
        runner.begin()
        return runner

    def resume(self, record: MatchRecord) -> MatchRunner:
        """Rebuild a match a restart interrupted, from its stored configuration and events.

        Its bots have their reconnect grace from now to come back (a guest with
        any token: the old one was never stored); one that does not gets the
        ``disconnected`` verdict. ``NotRebuildable`` says why a match cannot be.
        """
        if record.config is None:
            raise NotRebuildable("it was stored before matches kept their configuration")
        try:
            config = msgspec.convert(record.config, MatchConfig)
            clock = self.clock if self.clock is not None else asyncio.get_running_loop()
            match = rebuild(record.id, config, record.events, clock.time(), sealed=record.sealed)
        except (msgspec.ValidationError, MatchConfigError) as exc:
            raise NotRebuildable(f"its configuration is no longer valid: {exc}") from None
        runner = self._runner(match, [None] * len(config.bots))
        self.runners[record.id] = runner
        for name in config.bots:
            self.reconnects.detach(name, None, [runner], any_token=True)
        runner.resume([msgspec.json.encode(e) for e in record.events], record.tournament_id)
        if record.tournament_id is not None:
            self.resumed.add(record.id)
        log.info(
            "match %s resumed after a restart: %d events replayed", record.id, len(record.events)
        )
        return runner

    def _runner(self, match: Match, seats: list[Seat | None]) -> MatchRunner:
        """A runner wired to the store, the journal, the bus and the clock (the same for a
        new match and a rebuilt one)."""
        return self.runner_type(
            match,
            seats,
            store=self.store if self.record else None,
            bus=self.bus,
            clock=self.clock,
            journal=self.journal if self.record else None,
            timings=self.timings,
        )

    def _available(self, name: str, game: str) -> BotSession:
        session = self.roster.ready(name)
        if session is None:
            raise BotUnavailable("bot_offline", f"bot {name!r} is not connected")
        if not session.plays(game):
            raise BotUnavailable("bot_wrong_game", f"bot {name!r} does not play {game}")
        if session.free_slots() <= 0:
            raise BotUnavailable(
                "bot_busy",
                f"bot {name!r} is already playing {len(session.matches)} match(es), its limit",
            )
        return session

    def moves_relayed(self) -> int:
        """Moves played in this process so far, read at scrape time: the runners count
        theirs per store write, and an ended runner's count is kept here."""
        return self.moves_ended + sum(r.moves for r in self.runners.values())

    def _ended(self, event: MatchEnded) -> None:
        runner = self.runners.pop(event.match_id, None)
        if runner is not None:
            self.moves_ended += runner.moves
        self.reconnects.forget(event.match_id, event.bots)

    # --- spectators --------------------------------------------------------------------

    async def watch(self, match_id: str, peer: Outbox) -> bool:
        """Send a match's events so far, then (while it runs) every new one; False: no such match."""
        runner = self.runners.get(match_id)
        if runner is not None:
            runner.watch(peer)
            return True
        if self.placement is not None and await self.placement.watch(match_id, peer):
            return True
        snapshot = self.snapshots.get(match_id)
        if snapshot is not None:
            self.snapshots.move_to_end(match_id)
            peer.send(snapshot)
            return True
        record = await self.store.get_match(match_id)
        if record is None:
            text = f"no match {quoted(match_id, 40)}"
            peer.send(encode(Error("unknown_match", text, match_id)))
            return False
        snapshot = encode(MatchSnapshot(match_id, list(record.events)))
        if record.status in ("finished", "aborted"):
            self._keep_snapshot(match_id, snapshot)
        peer.send(snapshot)
        return True

    def _keep_snapshot(self, match_id: str, snapshot: bytes) -> None:
        if len(snapshot) > SNAPSHOT_CACHE_BYTES // 4 or match_id in self.snapshots:
            return
        self.snapshots[match_id] = snapshot
        self._snapshot_bytes += len(snapshot)
        while self._snapshot_bytes > SNAPSHOT_CACHE_BYTES:
            _, dropped = self.snapshots.popitem(last=False)
            self._snapshot_bytes -= len(dropped)

    def unwatch(self, match_id: str, peer: Outbox) -> None:
        runner = self.runners.get(match_id)
        if runner is not None:
            runner.unwatch(peer)
        elif self.placement is not None:
            self.placement.unwatch(match_id, peer)

    def live(self, match_id: str) -> bool:
        """Whether the match is running (here, or on another node and watched from here)."""
        if match_id in self.runners:
            return True
        return self.placement is not None and self.placement.watching(match_id)

    # --- shutdown ---------------------------------------------------------------------

    async def abort_all(self, reason: str, timeout: float = 10.0) -> None:
        """Abort every running match (recorded as aborted) and wait for their last writes."""
        self.closing = True
        runners = list(self.runners.values())
        for runner in runners:
            runner.abort(reason)
        if runners:
            await asyncio.wait([r.done for r in runners], timeout=timeout)


__all__ = ["MatchHandle", "Matches", "Placement"]
