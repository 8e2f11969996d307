"""The asyncio adapter around one referee ``Match``.

It moves the referee's outputs to where they belong: messages to the bots'
sessions, timers to the event loop, events to spectators and to the store.
The referee is called synchronously and its outputs are carried out without
awaiting, so inputs from several bots can never interleave half-way. Store
writes go through one queue per match: events are written per round, and the
result with the last events in one transaction.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import msgspec

from ringside.protocol.codec import encode
from ringside.protocol.messages import (
    BotMessage,
    MatchInfo,
    MatchResult,
    MatchStarted,
    RoundResult,
    RoundStarted,
)
from ringside.referee.match import ArmTimer, CancelTimer, Match, Output, Publish, Send
from ringside.server.lobby import fan_out
from ringside.server.peer import Peer

if TYPE_CHECKING:
    from ringside.server.app import Server
    from ringside.server.session import BotSession

log = logging.getLogger("ringside.server")


class MatchRunner:
    def __init__(self, server: Server, match: Match, sessions: list[BotSession]) -> None:
        self.server = server
        self.match = match
        self.id = match.id
        self.sessions: list[BotSession | None] = list(sessions)
        self.names = list(match.config.bots)
        self.watchers: set[Peer] = set()
        self.log: list[bytes] = []
        self.status = "pending"
        self._unsaved: list[dict[str, Any]] = []
        self._timers: dict[int, asyncio.TimerHandle] = {}
        self._writes: asyncio.Queue[tuple[str, Any] | None] = asyncio.Queue()
        self._loop = asyncio.get_running_loop()
        self.done = self._loop.create_future()
        self._writer: asyncio.Task[None] | None = None
        self._result: MatchResult | None = None
        self._closed = False
        self._after_commit: list[tuple[Peer, bytes]] = []

    # --- lifecycle ----------------------------------------------------------------

    async def start_recording(self) -> None:
        """Store the match before any bot hears of it, so nothing played is unrecorded."""
        c = self.match.config
        await self.server.store.create_match(
            self.id,
            c.game,
            list(c.bots),
            c.rounds,
            msgspec.to_builtins(c.time_control),
            dict(c.options),
        )
        self._writer = self._loop.create_task(self._write_loop())
        self._writes.put_nowait(("status", "running"))
        self.status = "running"

    def begin(self) -> None:
        self.server.lobby.match_listed(self)
        self._carry_out(self.match.start(self._loop.time()))

    @property
    def finished(self) -> bool:
        return self.match.finished

    def info(self) -> MatchInfo:
        return MatchInfo(
            self.id,
            self.match.config.game,
            self.names,
            "finished" if self.match.finished else self.status,
            self.match.round,
            self.match.config.rounds,
        )

    def player_of(self, name: str) -> int:
        return self.names.index(name)

    def owes_answer(self, player: int) -> bool:
        return player in self.match.pending

    # --- inputs from sessions ----------------------------------------------------

    def receive(self, player: int, message: BotMessage) -> None:
        self._carry_out(self.match.receive(player, message, self._loop.time()))

    def protocol_error(self, player: int, detail: str) -> None:
        self._carry_out(self.match.protocol_error(player, detail, self._loop.time()))

    def disconnected(self, player: int) -> None:
        self.sessions[player] = None
        self._carry_out(self.match.disconnected(player, self._loop.time()))

    def reconnected(self, player: int, session: BotSession) -> bool:
        """Attach a new session; False when the grace period had already run out."""
        self.sessions[player] = session
        self._carry_out(self.match.reconnected(player, self._loop.time()))
        if player in self.match.gone or self.match.finished:
            self.sessions[player] = None
            return False
        return True

    def abort(self, reason: str) -> None:
        self._carry_out(self.match.abort(reason, self._loop.time()))

    def _timer(self, player: int) -> None:
        self._timers.pop(player, None)
        self._carry_out(self.match.timer(player, self._loop.time()))

    # --- outputs -----------------------------------------------------------------

    def _carry_out(self, outputs: list[Output]) -> None:
        for output in outputs:
            if isinstance(output, Send):
                session = self.sessions[output.player]
                if session is None:
                    continue
                data = encode(output.message)
                if isinstance(output.message, MatchResult):
                    self._after_commit.append((session.peer, data))
                else:
                    session.peer.send(data)
            elif isinstance(output, Publish):
                self._publish(output.event)
            elif isinstance(output, ArmTimer):
                self._cancel_timer(output.player)
                self._timers[output.player] = self._loop.call_at(
                    output.at, self._timer, output.player
                )
            elif isinstance(output, CancelTimer):
                self._cancel_timer(output.player)
        if self._result is not None and not self._closed:
            self._closed = True
            self._finished(self._result)

    def _publish(self, event: Any) -> None:
        data = encode(event)
        self.log.append(data)
        self._unsaved.append(msgspec.to_builtins(event))
        if isinstance(event, MatchResult):
            # The result is announced once it is committed, so whoever hears it can read it.
            self._result = event
            self._after_commit.extend((peer, data) for peer in self.watchers)
            return
        fan_out(data, self.watchers)
        if isinstance(event, RoundStarted):
            self.server.lobby.match_listed(self)  # the lobby shows the round number
        if isinstance(event, RoundResult | MatchStarted):
            self._writes.put_nowait(("events", self._take_unsaved()))

    def _take_unsaved(self) -> list[dict[str, Any]]:
        events, self._unsaved = self._unsaved, []
        return events

    def _finished(self, result: MatchResult) -> None:
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        self._writes.put_nowait(("finish", (result, self._take_unsaved())))
        self._writes.put_nowait(None)

    def _announce(self) -> None:
        """After the commit: deliver the result and free the bots."""
        for peer, data in self._after_commit:
            peer.send(data)
        self._after_commit.clear()
        for player, session in enumerate(self.sessions):
            if session is not None:
                session.match_ended(self)
            self.sessions[player] = None
        self.server.lobby.match_listed(self)
        self.server.match_ended(self)

    def _cancel_timer(self, player: int) -> None:
        handle = self._timers.pop(player, None)
        if handle is not None:
            handle.cancel()

    # --- storage -------------------------------------------------------------------

    async def _write_loop(self) -> None:
        """Write in order; a failed write is logged and the match goes on."""
        try:
            while (item := await self._writes.get()) is not None:
                try:
                    await self._write(*item)
                except Exception:
                    log.exception("match %s: recording %s failed", self.id, item[0])
        finally:
            if self._closed:
                self._announce()
            if not self.done.done():
                self.done.set_result(None)

    async def _write(self, kind: str, payload: Any) -> None:
        store = self.server.store
        if kind == "status":
            await store.set_match_status(self.id, payload)
        elif kind == "events":
            await store.append_events(self.id, payload)
        else:
            result, events = payload
            rounds = [
                {
                    "round": r.round,
                    "seats": r.players,
                    "scores": r.scores,
                    "verdict": msgspec.to_builtins(r.verdicts[0]) if r.verdicts else None,
                }
                for r in result.rounds
            ]
            await store.finish_match(
                self.id, result.status, msgspec.to_builtins(result), rounds, events
            )
            await self.server.on_match_stored(self, result)
