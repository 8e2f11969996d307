"""The asyncio adapter around one referee ``Match``.

It moves the referee's outputs to where they belong: messages to the bots'
sessions, timers to the event loop, events to spectators and to the store.
The referee is called synchronously and its outputs are carried out without
awaiting, so inputs from several bots can never interleave half-way. Store
writes go through one queue per match: events are written per round, and the
result with the last events in one transaction.

A result is announced only once it is durable: committed, or (when the
database fails or is slow) appended to the result journal. A journaled result
is retried with back-off until the database has it; only then is
``ResultStored`` published and the match let go of (``MatchEnded``), so
whoever counts results (tournaments) counts what the database holds.
"""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from typing import Any

import msgspec

from ringside.protocol.codec import encode, encode_bound
from ringside.protocol.messages import (
    Action,
    BotMessage,
    MatchInfo,
    MatchListed,
    MatchResult,
    MatchSnapshot,
    MatchStarted,
    Move,
    RoundResult,
    RoundStarted,
    SealedMove,
    type_of,
)
from ringside.referee.match import ArmTimer, CancelTimer, Match, Output, Publish, Send
from ringside.server.bus import EventBus, MatchEnded, ResultStored
from ringside.server.lobby import fan_out
from ringside.server.ports import Clock, Outbox, Seat, TimerHandle, Timings
from ringside.store.journal import JournalEntry, ResultJournal
from ringside.store.ports import ResultStore
from ringside.store.records import EncodedEvent, MatchClosed, MatchOutcome

log = logging.getLogger("ringside.server")

SAVE_MOVES_WITHIN = 1.0
"""Seconds within which a move is handed to the store: every event of a round would
otherwise wait for the round's end, and a restart would lose the round."""


def save_phase(match_id: str) -> float:
    """Where in each ``SAVE_MOVES_WITHIN`` of the clock a match hands its moves over.

    Each match saves on a grid of its own, so that matches started or
    resumed together (a tournament's round, a restart, the bench's
    thousand) do not all save in the same pass of the event loop: a
    thousand saves at once held the loop for 40-80 ms, once a second
    (figure 3 of the bench)."""
    return SAVE_MOVES_WITHIN * (zlib.crc32(match_id.encode()) % 1024) / 1024


def save_at(now: float, phase: float) -> float:
    """The first moment after ``now`` on the grid ``phase + k * SAVE_MOVES_WITHIN``."""
    return now + SAVE_MOVES_WITHIN - (now - phase) % SAVE_MOVES_WITHIN


_encode = encode_bound
_MOVE_TYPE = str(Move.__struct_config__.tag)
_SEALED_TYPE = str(SealedMove.__struct_config__.tag)

JOURNAL_AFTER = 2.0
"""Seconds the database has to commit a result before it goes to the journal meanwhile."""
RETRY_FIRST = 0.1
RETRY_MAX = 5.0
"""The final write is retried after RETRY_FIRST seconds, doubling up to RETRY_MAX."""

TIME_ONE_IN = 64
"""Of the messages a runner receives, the first action and then one in this many is timed
(when it is an action; else the next action is): the relay-latency histogram is a sample,
so that measuring costs the per-move path one decrement and one test, not two clock reads
and a histogram update. The first action makes sure a node of short matches has samples."""


class MatchRunner:
    # Slots: every move goes through a runner, and a server holds a thousand of them.
    __slots__ = (
        "_after_commit",
        "_announced",
        "_bus",
        "_clock",
        "_closed",
        "_countdown",
        "_deadlines",
        "_journal",
        "_kinds",
        "_loop",
        "_moves_saved",
        "_released",
        "_result",
        "_save_due",
        "_save_phase",
        "_saved",
        "_snapshot",
        "_store",
        "_stored",
        "_timers",
        "_timings",
        "_writer",
        "_writes",
        "done",
        "id",
        "log",
        "match",
        "names",
        "player_by_name",
        "sessions",
        "status",
        "tournament_id",
        "watchers",
    )

    remote = False
    """Run here (a ``relay.RemoteMatch`` stands for a match another node runs)."""

    def __init__(
        self,
        match: Match,
        seats: list[Seat | None],
        *,
        store: ResultStore | None,
        bus: EventBus,
        clock: Clock | None = None,
        journal: ResultJournal | None = None,
        timings: Timings | None = None,
    ) -> None:
        """``store`` None records nothing (the bench's switch); ``clock`` defaults to the loop.

        Without a ``journal``, a result the database does not take is retried
        and announced once committed. ``timings`` hears how long store writes
        take and, for a sample of actions, relaying (``TIME_ONE_IN``)."""
        self._store = store
        self._journal = journal
        self._bus = bus
        self.tournament_id: str | None = None
        self.match = match
        self.id = match.id
        self.sessions: list[Seat | None] = list(seats)
        self.names = list(match.config.bots)
        self.player_by_name = {name: player for player, name in enumerate(self.names)}
        self.watchers: set[Outbox] = set()
        self.log: list[bytes] = []
        self._snapshot: tuple[int, bytes] = (-1, b"")
        """The last snapshot sent and the length of ``log`` it holds: shared by every
        watcher until an event comes (a copy per ``watch`` is what an attacker multiplies)."""
        self.status = "pending"
        self._saved = 0
        """How many events of ``log`` were handed to the store; the rest are unsaved."""
        self._save_due: TimerHandle | None = None
        """The timer that hands unsaved moves to the store, while one is set."""
        self._save_phase = save_phase(self.id)
        self._kinds: dict[int, str] = {}
        """The type of each unsaved event but moves (most events by far), by index in ``log``.

        Nothing per move but the ``log`` entry: a server holding a thousand
        matches is bound by memory, and the collector tracks none of these."""
        self._timers: dict[int, tuple[TimerHandle, float]] = {}
        """Each player's timer handle and when it goes off."""
        self._deadlines: dict[int, float] = {}
        """When each player's timer is due; its handle may be set earlier (see ``_arm``)."""
        self._writes: asyncio.Queue[tuple[MatchResult | None, list[EncodedEvent]] | None] = (
            asyncio.Queue()
        )
        """Events to append, each batch with the result when it ends the match; None closes."""
        self._loop = asyncio.get_running_loop()
        self._clock: Clock = clock if clock is not None else self._loop
        self.done = self._loop.create_future()
        self._writer: asyncio.Task[None] | None = None
        self._result: MatchResult | None = None
        self._closed = False
        self._released = False
        self._stored = False
        """The result was committed."""
        self._announced = False
        """The result is durable (committed or journaled) and was sent."""
        self._after_commit: list[tuple[Outbox, bytes]] = []
        self._timings = timings
        self._countdown = 1
        """Messages to receive until the next timed one (see ``TIME_ONE_IN``)."""
        self._moves_saved = 0
        """Moves handed to the store so far, counted per write, never per move (see ``moves``)."""

    # --- lifecycle ----------------------------------------------------------------

    async def start_recording(self, tournament_id: str | None = None) -> None:
        """Store the match before any bot hears of it, so nothing played is unrecorded."""
        c = self.match.config
        self.tournament_id = tournament_id
        if self._store is not None:
            await self._store.create_match(
                self.id,
                c.game,
                list(c.bots),
                c.rounds,
                msgspec.to_builtins(c.time_control),
                dict(c.options),
                tournament_id=tournament_id,
                status="running",
                config=msgspec.to_builtins(c),
            )
        self._writer = self._loop.create_task(self._write_loop())
        self.status = "running"

    def resume(self, recorded: list[bytes], tournament_id: str | None) -> None:
        """Go on with a match rebuilt after a restart: ``recorded`` is its stored log.

        No bot is connected yet: each gets the referee's reconnect grace, as
        if it had just dropped, and the one it owes an answer is asked again
        when it comes back."""
        self.tournament_id = tournament_id
        self.log = list(recorded)
        self._saved = len(self.log)
        self._writer = self._loop.create_task(self._write_loop())
        self.status = "running"
        self._bus.publish(MatchListed(self.info()))
        for player in range(len(self.sessions)):
            self.disconnected(player)

    def begin(self) -> None:
        self._bus.publish(MatchListed(self.info()))
        self.match.engines = [getattr(s, "engine", None) for s in self.sessions]
        self._carry_out(self.match.start(self._clock.time()))

    @property
    def finished(self) -> bool:
        return self.match.finished

    def info(self) -> MatchInfo:
        result = self.match.result
        return MatchInfo(
            self.id,
            self.match.config.game,
            self.names,
            result.status if result is not None else self.status,
            self.match.round,
            self.match.config.rounds,
            self.tournament_id,
        )

    def player_of(self, name: str) -> int:
        return self.player_by_name[name]

    def owes_answer(self, player: int) -> bool:
        return player in self.match.pending

    # --- spectators ------------------------------------------------------------------

    def watch(self, peer: Outbox) -> None:
        """Send the events so far as one snapshot, then every new one in order."""
        size, snapshot = self._snapshot
        if size != len(self.log):
            head = encode(MatchSnapshot(self.id, []))[:-2]  # ...,"events":[  then ]}
            snapshot = head + b",".join(self.log) + b"]}"
            self._snapshot = (len(self.log), snapshot)
        peer.send(snapshot)
        if not self._closed:
            self.watchers.add(peer)

    def unwatch(self, peer: Outbox) -> None:
        self.watchers.discard(peer)

    # --- inputs from sessions ----------------------------------------------------

    def receive(self, player: int, message: BotMessage) -> None:
        self._countdown -= 1
        if self._countdown:
            self._carry_out(self.match.receive(player, message, self._clock.time()))
        else:
            self._receive_timed(player, message)

    def _receive_timed(self, player: int, message: BotMessage) -> None:
        """``receive``, the one message in ``TIME_ONE_IN`` whose relaying is timed.

        Only an action is timed (the figure is the cost of a move); any other
        message passes the turn to the next one."""
        timings = self._timings
        if timings is None or type(message) is not Action:
            self._countdown = TIME_ONE_IN if timings is None else 1
            self._carry_out(self.match.receive(player, message, self._clock.time()))
            return
        self._countdown = TIME_ONE_IN
        started = time.perf_counter()
        self._carry_out(self.match.receive(player, message, self._clock.time()))
        timings.relayed(time.perf_counter() - started)

    def protocol_error(self, player: int, detail: str) -> None:
        self._carry_out(self.match.protocol_error(player, detail, self._clock.time()))

    def disconnected(self, player: int) -> None:
        self.sessions[player] = None
        self._carry_out(self.match.disconnected(player, self._clock.time()))

    def reconnected(self, player: int, session: Seat) -> bool:
        """Attach a new session; False when the grace period had already run out."""
        self.sessions[player] = session
        self._carry_out(self.match.reconnected(player, self._clock.time()))
        if player in self.match.gone or self.match.finished:
            self.sessions[player] = None
            return False
        return True

    def abort(self, reason: str) -> None:
        self._carry_out(self.match.abort(reason, self._clock.time()))

    async def hand_over(self) -> None:
        """Stop without ending the match: everything played is stored and the row stays
        ``running``, for the next start of the server to rebuild (``Matches.resume``)."""
        if self._closed or self._writer is None:
            return
        self._stop(None)
        await asyncio.shield(self.done)

    def _timer(self, player: int) -> None:
        del self._timers[player]
        at = self._deadlines.get(player)
        if at is None:
            return  # cancelled since
        now = self._clock.time()
        if at > now:
            self._timers[player] = (self._clock.call_at(at, self._timer, player), at)
            return  # moved later since: wait again
        del self._deadlines[player]
        self._carry_out(self.match.timer(player, now))

    # --- outputs -----------------------------------------------------------------

    def _carry_out(self, outputs: list[Output]) -> None:
        """Messages to the bots first, then events and timers, each in the referee's order.

        A bot waits for its message, while spectators, the log and the timers
        do not: doing them after the write overlaps them with the bot's turn.
        Bots and spectators are different connections, so each still gets
        its messages in order.
        """
        deferred = False
        for output in outputs:
            if type(output) is not Send:
                deferred = True
                continue
            session = self.sessions[output.player]
            if session is None:
                continue
            message = output.message
            data = _encode(message)
            if type(message) is MatchResult:
                self._after_commit.append((session.peer, data))
            else:
                session.peer.send(data)
        if deferred:
            for output in outputs:
                if type(output) is Publish:
                    self._publish(output.event)
                elif type(output) is ArmTimer:
                    self._arm(output.player, output.at)
                elif type(output) is CancelTimer:
                    # A handle left set finds nothing to do when it goes off.
                    self._deadlines.pop(output.player, None)
        if self._result is not None and not self._closed:
            self._closed = True
            self._finished(self._result)

    def _publish(self, event: Any) -> None:
        data = _encode(event)
        kind = type(event)
        log = self.log
        if kind is Move:  # most events by far: show them, store them within SAVE_MOVES_WITHIN
            log.append(data)
            if self.watchers:
                fan_out(data, self.watchers)
            if self._save_due is None:
                clock = self._clock
                due = save_at(clock.time(), self._save_phase)
                self._save_due = clock.call_at(due, self._save_moves)
            return
        if kind is SealedMove:
            # For the store alone (rebuilding the match), after the move it belongs to; the
            # log is what watchers are shown, so it never enters it.
            sealed = EncodedEvent(_SEALED_TYPE, data)
            self._writes.put_nowait((None, [*self._take_unsaved(), sealed]))
            return
        self._kinds[len(log)] = type_of(event)
        log.append(data)
        if kind is MatchResult:
            # The result is announced once it is committed, so whoever hears it can read it.
            self._result = event
            self._after_commit.extend((peer, data) for peer in self.watchers)
            return
        if self.watchers:
            fan_out(data, self.watchers)
        if kind is RoundStarted:
            self._bus.publish(MatchListed(self.info()))  # the lobby shows the round number
        elif kind is RoundResult or kind is MatchStarted:
            self._writes.put_nowait((None, self._take_unsaved()))

    def _save_moves(self) -> None:
        """Hand the moves played since the last write to the store (a restart then loses
        at most the last ``SAVE_MOVES_WITHIN`` seconds of play, which the bots replay)."""
        self._save_due = None
        if not self._closed and self._saved < len(self.log):
            self._writes.put_nowait((None, self._take_unsaved()))

    def _take_unsaved(self) -> list[EncodedEvent]:
        log, kinds, start = self.log, self._kinds, self._saved
        self._saved = len(log)
        self._moves_saved += (
            len(log) - start - len(kinds)
        )  # every unsaved event but moves is in kinds
        events = [EncodedEvent(kinds.get(i, _MOVE_TYPE), log[i]) for i in range(start, len(log))]
        kinds.clear()
        return events

    def _arm(self, player: int, at: float) -> None:
        """Have ``_timer(player)`` run at ``at``.

        A handle already set to go off no later is kept: when it does, it
        waits again for the deadline that is due now. A match moving every few
        milliseconds then sets a timer once per clock budget, not once per move.
        """
        self._deadlines[player] = at
        timer = self._timers.get(player)
        if timer is not None:
            if timer[1] <= at:
                return
            timer[0].cancel()
        self._timers[player] = (self._clock.call_at(at, self._timer, player), at)

    def _finished(self, result: MatchResult) -> None:
        self._stop(result)

    def _stop(self, result: MatchResult | None) -> None:
        """Cancel every timer and close the store queue after the last events (and the
        result, when the match ended; without one, the row is left running)."""
        for handle, _ in self._timers.values():
            handle.cancel()
        self._timers.clear()
        self._deadlines.clear()
        if self._save_due is not None:
            self._save_due.cancel()
            self._save_due = None
        if result is not None or self._saved < len(self.log):
            self._writes.put_nowait((result, self._take_unsaved()))
        self._writes.put_nowait(None)

    @property
    def moves(self) -> int:
        """Moves played in this process (not those of a rebuilt match's record).

        Read when metrics are scraped: the moves handed to the store, counted
        once per write, plus the unsaved ones (every unsaved event that is not
        a move is in ``_kinds``), so the per-move path counts nothing."""
        return self._moves_saved + len(self.log) - self._saved - len(self._kinds)

    @property
    def writes_queued(self) -> int:
        """Batches of events (or the result) waiting for the store writer."""
        return self._writes.qsize()

    @property
    def storing(self) -> bool:
        """The result was announced from the journal and waits for the database."""
        return self._announced and not self._stored

    async def stop_storing(self) -> None:
        """Stop retrying the final write (shutdown): a journaled result is replayed next start."""
        writer = self._writer
        if writer is not None and not writer.done():
            writer.cancel()
            try:
                await writer
            except asyncio.CancelledError:
                if not writer.cancelled():  # our own caller was cancelled, not the writer
                    raise

    def _announce(self) -> None:
        """The result is durable: deliver it and free the bots."""
        self._announced = True
        for peer, data in self._after_commit:
            peer.send(data)
        self._after_commit.clear()
        self._free_seats()
        self._bus.publish(MatchListed(self.info()))
        if not self.done.done():
            self.done.set_result(None)

    def _free_seats(self) -> None:
        """The match is over for its bots and watchers: their slots are free of it."""
        for player, session in enumerate(self.sessions):
            if session is not None:
                session.match_ended(self.id)
            self.sessions[player] = None
        self.watchers.clear()

    def _release(self) -> None:
        """The match is over for the server: its record is final, or it never will be (once)."""
        if self._released:
            return
        self._released = True
        self._bus.publish(MatchEnded(self.id, self.names, self.tournament_id, self._stored))

    # --- storage -------------------------------------------------------------------

    async def _write_loop(self) -> None:
        """Write in order; a failed write of events is logged and the match goes on.

        Whatever queued up during a write goes into the next one together:
        under load a match then costs fewer transactions (a short match's last
        round and its result are one), and its events are never reordered.
        Events whose write failed are not dropped either: they go first into
        the next write, so the stored log has no gap as long as any later
        write succeeds. The final write is not given up (see ``_keep``).
        """
        carried: list[EncodedEvent] = []
        writes = self._writes
        try:
            while True:
                queued = [await writes.get()]
                while not writes.empty():
                    queued.append(writes.get_nowait())
                batches = [item for item in queued if item is not None]
                if batches:
                    events = list(carried)
                    for _, more in batches:
                        events += more
                    result = batches[-1][0]  # only the last batch can end the match
                    if result is not None:
                        await self._keep(events, result)
                        carried = []
                        if len(batches) < len(queued):
                            break  # the None closing the queue came in the same batch
                        continue  # the None closing the queue follows
                    try:
                        await self._write(events)
                        carried = []
                    except Exception:
                        log.exception("match %s: recording events failed", self.id)
                        carried = events
                if len(batches) < len(queued):
                    break  # the runner closed the queue
        finally:
            if self._closed and not self._announced:
                # Stopped (shutdown) before the result was durable: nobody hears it.
                self._release()
            if not self.done.done():
                self.done.set_result(None)

    async def _write(self, events: list[EncodedEvent]) -> None:
        """Append ``events``."""
        if self._store is not None:
            started = time.perf_counter()
            await self._store.append_events(self.id, events)
            if self._timings is not None:
                self._timings.events_written(time.perf_counter() - started)
            if self._journal is not None and not self._journal.drained:
                self._journal.database_back()

    async def _keep(self, events: list[EncodedEvent], result: MatchResult) -> None:
        """Finish the match with ``result`` and the last ``events``; announce it once durable.

        The database gets ``JOURNAL_AFTER`` seconds to commit. If it fails or
        is slower, the result goes to the journal (fsynced) and is announced
        from there, and the database is retried with back-off (``RETRY_FIRST``
        doubling to ``RETRY_MAX``; sooner when another write goes through)
        until the result is committed. Only then is it published as stored.

        A result the store refuses for good (``MatchClosed``: another node ended
        the match after this one's lease lapsed, ``MatchFenced``) is not retried
        and not stored: nobody is told it (whoever ended the match told its
        own), its journal entry is moved to the rejected ones, and the match is
        let go of as not stored.
        """
        store = self._store
        if store is None:
            self._stored = True  # the bench's switch to measure what recording costs
            self._announce()
            self._release()
            return
        started = time.perf_counter()
        outcome = MatchOutcome.of(result)
        journal = self._journal
        entry = None if journal is None else JournalEntry.of(self.tournament_id, result, events)
        delay = RETRY_FIRST
        failures = 0
        refused: MatchClosed | None = None
        attempt = self._loop.create_task(store.finish_match(outcome, events, rate=True))
        try:
            await self._pause(JOURNAL_AFTER, attempt)
            while not (attempt.done() and attempt.exception() is None):
                error = attempt.exception() if attempt.done() else None
                if isinstance(error, MatchClosed):
                    refused = error  # final: no retry can change it
                    break
                if entry is not None and not self._announced:
                    assert journal is not None
                    try:
                        await journal.append(entry)
                    except OSError:
                        log.exception("match %s: journaling the result failed", self.id)
                    else:
                        log.warning("match %s: result journaled, the database is retried", self.id)
                        self._announce()
                if not attempt.done():
                    await asyncio.wait([attempt])
                    continue
                failures += 1
                if failures == 1:
                    log.warning("match %s: storing the result failed: %r", self.id, error)
                back = () if journal is None else (journal.back(),)
                await self._pause(delay, *back)
                delay = min(delay * 2, RETRY_MAX)
                attempt = self._loop.create_task(store.finish_match(outcome, events, rate=True))
        finally:
            if not attempt.done():
                attempt.cancel()
            elif not attempt.cancelled():
                attempt.exception()  # retrieved: a failure was logged above
        if refused is not None:
            log.warning("match %s: late result refused: %s", self.id, refused)
            if journal is not None and entry is not None and journal.holds(self.id):
                try:
                    await journal.reject(entry, refused)
                except OSError:
                    log.exception("match %s: dropping the refused result failed", self.id)
            if not self._announced:  # free the bots and watchers, without the result
                self._after_commit.clear()
                self._free_seats()
                listed = msgspec.structs.replace(self.info(), status=refused.status)
                self._bus.publish(MatchListed(listed))
            self._release()  # not stored
            if not self.done.done():
                self.done.set_result(None)
            return
        self._stored = True
        if self._timings is not None:
            self._timings.result_stored(time.perf_counter() - started)
        if failures:
            log.info("match %s: result stored after %d failed attempt(s)", self.id, failures)
        self._bus.publish(ResultStored(self.id, self.tournament_id, result))
        if journal is not None:
            await journal.settle(self.id)
            if not journal.drained:
                journal.database_back()
        if not self._announced:
            self._announce()
        self._release()

    async def _pause(self, seconds: float, *until: asyncio.Future[Any]) -> None:
        """Wait ``seconds`` on the runner's clock, or less if one of ``until`` is done first."""
        wake: asyncio.Future[None] = self._loop.create_future()
        handle = self._clock.call_at(self._clock.time() + seconds, _wake, wake)
        try:
            await asyncio.wait([wake, *until], return_when=asyncio.FIRST_COMPLETED)
        finally:
            handle.cancel()
            wake.cancel()


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
