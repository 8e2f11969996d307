"""One bot's connection: hello, authentication, then routing match messages.

Transports feed raw message bytes in (one WebSocket frame or one TCP line)
and call ``closed`` when the connection ends; both transports therefore look
the same to everything above them. The ``Roster`` holds the bots connected
to this process and tells the bus when one joins, leaves or changes status.
"""

from __future__ import annotations

import asyncio
import logging
import math
import unicodedata
from collections.abc import Coroutine
from typing import Any, Literal

from ringside.games.registry import catalogue_names
from ringside.protocol.codec import ProtocolError, encode, parse_bot_message
from ringside.protocol.messages import (
    PROTOCOL_VERSION,
    BotInfo,
    BotJoined,
    BotLeft,
    BotStatus,
    Error,
    Hello,
    Pong,
    Welcome,
)
from ringside.server.bus import EventBus
from ringside.server.hello_limit import FailedHellos
from ringside.server.peer import Peer
from ringside.server.ports import Clock
from ringside.server.reconnects import Reconnects
from ringside.server.runner import MatchRunner
from ringside.server.settings import Settings
from ringside.store.repository import Store

log = logging.getLogger("ringside.server")

MAX_NAME = 64
MAX_MATCHES = 64
MAX_ERRORS_BEFORE_HELLO = 5


class BotSession:
    """One bot's conversation with the server, whichever transport carries it."""

    # Slots: every message goes through a session, and a server holds thousands.
    __slots__ = (
        "_clock",
        "errors",
        "games",
        "guest",
        "header_token",
        "host",
        "last_seen",
        "matches",
        "max_matches",
        "message_limit",
        "name",
        "peer",
        "reserved",
        "roster",
        "state",
        "token",
        "transport",
    )

    def __init__(self, roster: Roster, peer: Peer, transport: str) -> None:
        self.roster = roster
        self.peer = peer
        self.transport = transport
        self.state: Literal["greeting", "authenticating", "ready", "closed"] = "greeting"
        self.name = ""
        self.guest = False
        self.token: str | None = None
        self.header_token: str | None = None
        """A token from the WebSocket's Authorization header, used when hello has none."""
        self.host = peer.address
        """Where the connection comes from, as the failed-hello limit counts it."""
        self.games: list[str] | None = None
        self.max_matches = 1
        self.matches: dict[str, MatchRunner] = {}
        self.reserved = 0
        self.errors = 0
        self.message_limit = roster.settings.max_message_bytes
        self._clock = roster.clock
        self.last_seen = self._clock.time()

    # --- what the lobby shows -------------------------------------------------------

    def info(self) -> BotInfo:
        return BotInfo(
            self.name,
            self.games,
            "playing" if self.matches else "idle",
            sorted(self.matches),
            self.max_matches,
            self.guest,
            self.transport,
        )

    def plays(self, game: str) -> bool:
        return self.games is None or game in self.games

    def free_slots(self) -> int:
        return self.max_matches - len(self.matches) - self.reserved

    # --- input from the transport ---------------------------------------------------

    async def on_data(self, data: bytes | str) -> None:
        pending = self.feed(data)
        if pending is not None:
            await pending

    def feed(self, data: bytes | str) -> Coroutine[Any, Any, None] | None:
        """Handle one message at once; a ``hello`` returns the coroutine that finishes it.

        The caller awaits that coroutine before it feeds the next message, so
        messages are handled in order; every other message needs no await.
        """
        self.last_seen = self._clock.time()
        if self.state == "closed":
            return None
        message = parse_bot_message(data, self.message_limit)
        if isinstance(message, ProtocolError):
            self._bad_message(message)
        elif isinstance(message, Hello):
            return self._hello(message)
        elif self.state != "ready":
            self.send_error("unexpected_message", "say hello first", fatal=False)
        elif isinstance(message, Pong):
            return None
        else:
            runner = self.matches.get(message.match)
            if runner is None:
                text = f"you are not playing match {message.match!r:.40}"
                self.send_error("unexpected_message", text, match=message.match)
            else:
                runner.receive(runner.player_of(self.name), message)
        return None

    def closed(self) -> None:
        """The connection is gone; matches start their reconnect grace."""
        if self.state == "closed":
            return
        was_ready = self.state == "ready"
        self.state = "closed"
        if not was_ready:
            return
        self.roster.leave(self)
        runners = [r for r in self.matches.values() if not r.finished]
        self.matches.clear()
        if runners:
            self.roster.reconnects.detach(self.name, self.token, runners)
        for runner in runners:
            runner.disconnected(runner.player_of(self.name))

    # --- output -------------------------------------------------------------------

    def send_error(
        self, code: str, message: str, *, match: str | None = None, fatal: bool = False
    ) -> None:
        self.peer.send(encode(Error(code, message, match, fatal)))
        if fatal:
            self.state = "closed" if self.state != "ready" else self.state
            self.peer.close_soon()

    # --- matches ------------------------------------------------------------------

    def match_started(self, runner: MatchRunner) -> None:
        self.reserved = max(0, self.reserved - 1)
        self.matches[runner.id] = runner
        self.roster.status_changed(self)

    def match_ended(self, match_id: str) -> None:
        if self.matches.pop(match_id, None) is not None and self.state == "ready":
            self.roster.status_changed(self)

    # --- internals ------------------------------------------------------------------

    def _bad_message(self, error: ProtocolError) -> None:
        self.send_error(error.code, error.message, fatal=error.code == "too_large")
        if self.state != "ready":
            self.errors += 1
            if self.errors >= MAX_ERRORS_BEFORE_HELLO:
                self.send_error("protocol_error", "too many bad messages before hello", fatal=True)
            return
        for runner in list(self.matches.values()):
            player = runner.player_of(self.name)
            if runner.owes_answer(player):
                runner.protocol_error(player, error.message)

    async def _hello(self, hello: Hello) -> None:
        if self.state != "greeting":
            self.send_error("unexpected_message", "hello was already received")
            return
        refusal = self._check_hello(hello)
        if refusal is not None:
            self.send_error(refusal[0], refusal[1], fatal=True)
            return
        self.state = "authenticating"
        name = hello.name.strip()
        token = hello.token or self.header_token
        roster = self.roster
        record = await roster.store.get_bot(name)
        if record is not None and not record.guest:
            if token is None:
                self.send_error("bad_token", f"missing token for bot {name!r}", fatal=True)
                return
            checks, started = roster.failed_hellos, self._clock.time()
            wait = checks.start_check(self.host, started)
            if wait > 0.0:
                self.send_error(
                    "too_many_attempts",
                    f"too many wrong tokens from {self.host}; try again in {math.ceil(wait)} s",
                    fatal=True,
                )
                return
            if not await roster.store.verify_bot(name, token):
                self.send_error("bad_token", f"wrong token for bot {name!r}", fatal=True)
                return
            checks.passed(self.host, started)
        elif not roster.settings.open:
            self.send_error(
                "unknown_bot",
                f"bot {name!r} is not registered: an operator runs `ringside bots add {name}`"
                " (or the server runs with --open to accept guests)",
                fatal=True,
            )
            return
        else:
            self.guest = True
        if self.peer.closed:
            return  # the connection dropped while we looked the bot up
        existing = roster.bots.get(name)
        if existing is not None and existing.state != "closed":
            self.send_error("name_taken", f"a bot named {name!r} is already connected", fatal=True)
            return
        returning = roster.reconnects.waiting(name)
        if returning and self.guest and not roster.reconnects.token_fits(name, token):
            self.send_error(
                "name_taken",
                f"bot {name!r} is in a match; reconnect with the same token",
                fatal=True,
            )
            return
        self.name = name
        self.token = token
        self.games = sorted(set(hello.games)) if hello.games is not None else None
        self.max_matches = hello.max_matches
        self.state = "ready"
        self.peer.send(encode(Welcome(name, name, PROTOCOL_VERSION, self.guest)))
        roster.join(self)
        if returning:
            for runner in roster.reconnects.reattach(name):
                self.matches[runner.id] = runner
                if not runner.reconnected(runner.player_of(name), self):
                    self.matches.pop(runner.id, None)
            if self.matches:
                roster.status_changed(self)
        log.info("bot %s joined over %s%s", name, self.transport, " as a guest" * self.guest)

    def _check_hello(self, hello: Hello) -> tuple[str, str] | None:
        if hello.protocol != PROTOCOL_VERSION:
            return "unsupported_protocol", f"this server speaks protocol {PROTOCOL_VERSION}"
        name = hello.name.strip()
        if not 1 <= len(name) <= MAX_NAME:
            return "invalid_field", f"name must be 1 to {MAX_NAME} characters"
        if any(unicodedata.category(ch).startswith("C") for ch in name):
            return "invalid_field", "name must not contain control characters"
        if not 1 <= hello.max_matches <= MAX_MATCHES:
            return "invalid_field", f"max_matches must be from 1 to {MAX_MATCHES}"
        if hello.games is not None:
            known = set(catalogue_names())
            unknown = [g for g in hello.games if g not in known]
            if unknown:
                return "unknown_game", (
                    f"unknown game {unknown[0]!r:.40}; known: {', '.join(sorted(known))}"
                )
        return None


class Roster:
    """The bots connected to this process, by name, and what a session needs to admit one."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        bus: EventBus,
        reconnects: Reconnects[MatchRunner],
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.bus = bus
        self.reconnects = reconnects
        self.clock: Clock = clock if clock is not None else asyncio.get_running_loop()
        self.failed_hellos = FailedHellos()
        self.bots: dict[str, BotSession] = {}

    def connect(self, peer: Peer, transport: str) -> BotSession:
        """A new connection's session; it joins the roster once its hello is accepted."""
        return BotSession(self, peer, transport)

    def ready(self, name: str) -> BotSession | None:
        """The session of bot ``name`` when it is connected and admitted."""
        session = self.bots.get(name)
        return session if session is not None and session.state == "ready" else None

    def join(self, session: BotSession) -> None:
        self.bots[session.name] = session
        self.bus.publish(BotJoined(session.info()))

    def leave(self, session: BotSession) -> None:
        if self.bots.get(session.name) is session:
            del self.bots[session.name]
            self.bus.publish(BotLeft(session.name))

    def status_changed(self, session: BotSession) -> None:
        if self.bots.get(session.name) is session:
            self.bus.publish(BotStatus(session.info()))
