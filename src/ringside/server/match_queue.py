"""Matches a person asked for that wait for their bots: a request comes before the ladder.

``POST /api/matches`` with ``wait``: when a bot named is busy in another match
(the ladder's, most often), the request waits here instead of failing. While it
waits it holds its bots: the ladder pairs none of them (``held``), so the bot
that is free now stays free, and the busy one is taken by the request as soon
as its match ends (the bus says so: ``BotStatus``). Requests are served in the
order they came; one waits at most ``MAX_WAIT`` seconds on the server's clock,
and can be cancelled. A bot that leaves, or any other refusal, ends the request
with that error.

Requests live in this process only; the last ``KEEP`` ended ones are kept so a
page asking after one learns how it ended.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass, field
from typing import Literal

from ringside.protocol.messages import BotLeft, BotStatus
from ringside.referee.config import MatchConfig
from ringside.server.bus import EventBus
from ringside.server.errors import BotUnavailable, InvalidRequest, Refused
from ringside.server.matches import Matches, MatchHandle
from ringside.server.ports import Clock, TimerHandle
from ringside.server.session import Roster

log = logging.getLogger("ringside.server")

MAX_WAIT = 600.0
"""The longest a request may wait for its bots, in seconds."""
KEEP = 200
"""Ended requests remembered, for whoever asks how one ended."""

RequestStatus = Literal["waiting", "started", "expired", "cancelled", "failed"]


@dataclass(eq=False)
class MatchRequest:
    """One request: waiting for its bots, or how it ended."""

    id: str
    config: MatchConfig
    deadline: float
    status: RequestStatus = "waiting"
    match: MatchHandle | None = None
    """The match it started (``status == "started"``)."""
    error: Refused | None = None
    """Why it failed or expired."""
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    """Set at each change of ``status``: a page asking ``?wait=`` is answered then."""
    timer: TimerHandle | None = None
    starting: bool = False

    @property
    def waiting(self) -> bool:
        return self.status == "waiting"


class MatchQueue:
    def __init__(self, bus: EventBus, roster: Roster, matches: Matches, clock: Clock) -> None:
        self.roster = roster
        self.matches = matches
        self.clock = clock
        self.requests: dict[str, MatchRequest] = {}
        """Every request known, oldest first (the waiting ones and the last ended ones)."""
        self._tasks: set[asyncio.Task[None]] = set()
        bus.subscribe(BotStatus, self._bot_changed)
        bus.subscribe(BotLeft, self._bot_left)

    # --- what the API asks ------------------------------------------------------------

    async def submit(self, config: MatchConfig, wait: float) -> MatchHandle | MatchRequest:
        """Start the match now, or (a bot busy, ``wait`` > 0) a request waiting for it.

        Refusals other than a busy bot are raised as they are, waiting or not."""
        if not 0 <= wait <= MAX_WAIT:
            raise InvalidRequest("invalid_field", f"wait must be from 0 to {MAX_WAIT:g} seconds")
        if wait == 0 or not self.busy(config):
            try:
                return await self.matches.create(config)
            except BotUnavailable as exc:
                if wait == 0 or exc.code != "bot_busy":
                    raise
        request = MatchRequest(secrets.token_hex(6), config, self.clock.time() + wait)
        request.timer = self.clock.call_at(request.deadline, self._expire, request)
        self.requests[request.id] = request
        self._forget_old()
        log.info(
            "match request %s waits up to %g s for %s",
            request.id,
            wait,
            ", ".join(self.busy(config)),
        )
        self._try_waiting()  # a bot may have become free meanwhile
        return request

    def get(self, request_id: str) -> MatchRequest | None:
        return self.requests.get(request_id)

    def cancel(self, request_id: str) -> MatchRequest | None:
        """Stop waiting (a request already ended is left as it is)."""
        request = self.requests.get(request_id)
        if request is not None and request.waiting and not request.starting:
            self._end(request, "cancelled")
        return request

    def held(self) -> set[str]:
        """The bots the waiting requests hold: the ladder leaves them alone."""
        return {name for r in self.requests.values() if r.waiting for name in r.config.bots}

    def busy(self, config: MatchConfig) -> list[str]:
        """The bots of ``config`` playing as many matches as they may (in order, no repeats)."""
        busy: list[str] = []
        for name in dict.fromkeys(config.bots):
            session = self.roster.ready(name)
            if session is not None:
                if session.free_slots() <= 0:
                    busy.append(name)
                continue
            info = self.roster.info(name)  # another node's, in a cluster
            if info is not None and len(info.matches) >= info.max_matches:
                busy.append(name)
        return busy

    def playing(self, name: str) -> list[str]:
        """The matches bot ``name`` is playing now (what its request waits for)."""
        info = self.roster.info(name)
        return list(info.matches) if info is not None else []

    def seconds_left(self, request: MatchRequest) -> float:
        return max(0.0, request.deadline - self.clock.time()) if request.waiting else 0.0

    # --- the bus ----------------------------------------------------------------------

    def _bot_changed(self, event: BotStatus) -> None:
        if len(event.bot.matches) < event.bot.max_matches and event.bot.name in self.held():
            self._try_waiting()

    def _bot_left(self, event: BotLeft) -> None:
        if event.name in self.held():
            self._try_waiting(left=event.name)

    def _try_waiting(self, left: str | None = None) -> None:
        """Start every waiting request whose bots are all free, oldest first; each bot goes
        to the oldest request naming it."""
        claimed: set[str] = set()
        for request in list(self.requests.values()):
            if not request.waiting:
                continue
            names = set(request.config.bots)
            if left is not None and left in names and self.roster.info(left) is None:
                text = f"bot {left!r} left while the request waited for it"
                self._end(request, "failed", BotUnavailable("bot_offline", text))
                continue
            if request.starting or names & claimed:
                claimed |= names
                continue
            claimed |= names
            if not self.busy(request.config):
                self._spawn(request)

    def _spawn(self, request: MatchRequest) -> None:
        request.starting = True
        task = asyncio.get_running_loop().create_task(self._start(request), name="match-request")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _start(self, request: MatchRequest) -> None:
        try:
            handle = await self.matches.create(request.config)
        except BotUnavailable as exc:
            request.starting = False
            if exc.code == "bot_busy" and request.waiting:
                return  # taken again meanwhile: the next free moment
            self._end(request, "failed", exc)
        except Refused as exc:
            request.starting = False
            self._end(request, "failed", exc)
        except Exception:
            request.starting = False
            log.exception("match request %s: starting its match failed", request.id)
            self._end(request, "failed", Refused("internal_error", "starting the match failed"))
        else:
            request.starting = False
            request.match = handle
            self._end(request, "started")
            log.info("match request %s started match %s", request.id, handle.id)

    def _expire(self, request: MatchRequest) -> None:
        if not request.waiting or request.starting:
            return
        busy = self.busy(request.config) or list(request.config.bots)
        who = " and ".join(repr(b) for b in busy)
        text = f"{who} still playing when the wait ended"
        self._end(request, "expired", BotUnavailable("bot_busy", text))

    def _end(
        self, request: MatchRequest, status: RequestStatus, error: Refused | None = None
    ) -> None:
        request.status = status
        request.error = error
        if request.timer is not None:
            request.timer.cancel()
            request.timer = None
        request.changed.set()
        if status != "started":
            self._try_waiting()  # its bots are no longer held: a later request may start

    def _forget_old(self) -> None:
        ended = [r.id for r in self.requests.values() if not r.waiting]
        for request_id in ended[: max(0, len(ended) - KEEP)]:
            del self.requests[request_id]

    async def stop(self) -> None:
        """Cancel every waiting request (the server stops)."""
        for request in list(self.requests.values()):
            if request.waiting:
                self._end(request, "cancelled")
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


__all__ = ["MAX_WAIT", "MatchQueue", "MatchRequest", "RequestStatus"]
