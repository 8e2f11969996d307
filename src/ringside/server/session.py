"""One bot's session: its protocol connection joined to the server's services.

The protocol itself (hello checks, framing errors, what is answered before
``welcome``) is the sans-I/O ``BotConnection``; this module does what needs
the server: it checks the token against the store, admits the bot to the
``Roster``, routes match messages to the runners and turns unreadable
messages into verdicts. Transports feed it one message at a time (a
WebSocket frame or a TCP line) and call ``closed`` when the connection ends;
both therefore look the same to everything above them. The ``Roster`` holds
the bots connected to this process and tells the bus when one joins, leaves
or changes status.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Literal, Protocol

from ringside.games.registry import catalogue_names
from ringside.protocol.codec import encode
from ringside.protocol.messages import BotInfo, BotJoined, BotLeft, BotStatus, Error
from ringside.server.bus import EventBus
from ringside.server.connection import (
    BadMessage,
    BotConnection,
    HelloReceived,
    MessageReceived,
)
from ringside.server.connection import Event as ConnectionEvent
from ringside.server.credentials import check_hello
from ringside.server.hello_limit import FailedHellos
from ringside.server.peer import Peer
from ringside.server.ports import Clock
from ringside.server.reconnects import Reconnects
from ringside.server.relay import MatchEntry
from ringside.server.runner import MatchRunner
from ringside.server.settings import Settings
from ringside.store.errors import DatabaseUnavailable
from ringside.store.repository import Store
from ringside.text import quoted

log = logging.getLogger("ringside.server")

SessionState = Literal["greeting", "authenticating", "ready", "closed"]


class BotSession:
    """One bot's conversation with the server, whichever transport carries it."""

    # Slots: every message goes through a session, and a server holds thousands.
    __slots__ = (
        "_clock",
        "connection",
        "host",
        "matches",
        "peer",
        "reserved",
        "roster",
        "transport",
    )

    def __init__(
        self, roster: Roster, peer: Peer, transport: str, header_token: str | None = None
    ) -> None:
        self.roster = roster
        self.peer = peer
        self.transport = transport
        self._clock = roster.clock
        self.connection = BotConnection(
            roster.known_games,
            now=self._clock.time(),
            header_token=header_token,
            max_message_bytes=roster.settings.max_message_bytes,
            error_burst=roster.settings.limits.error_burst,
            error_rate=roster.settings.limits.error_rate,
        )
        self.host = peer.address
        """Where the connection comes from, as the failed-hello limit counts it."""
        self.matches: dict[str, MatchEntry] = {}
        """The matches the bot plays: run here (``MatchRunner``) or by another node."""
        self.reserved = 0

    # --- what the lobby shows -------------------------------------------------------

    @property
    def state(self) -> SessionState:
        """``closed`` as soon as the connection is closing: nothing more is read."""
        state = self.connection.state
        return "closed" if state == "closing" else state

    @property
    def name(self) -> str:
        return self.connection.name

    @property
    def token(self) -> str | None:
        return self.connection.token

    @property
    def games(self) -> list[str] | None:
        return self.connection.games

    @property
    def max_matches(self) -> int:
        return self.connection.max_matches

    @property
    def engine(self) -> str | None:
        """The program behind the bot, as its hello named it (a bridge's engine)."""
        return self.connection.engine

    @property
    def guest(self) -> bool:
        return self.connection.guest

    @property
    def last_seen(self) -> float:
        return self.connection.last_seen

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
        games = self.connection.games
        return games is None or game in games

    def free_slots(self) -> int:
        return self.connection.max_matches - len(self.matches) - self.reserved

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
        connection = self.connection
        connection.receive_message(data, self._clock.time())
        events = connection.events_received()
        if len(events) == 1 and type(events[0]) is MessageReceived:  # the hot path: a move
            message = events[0].message
            runner = self.matches.get(message.match)
            if runner is not None:
                runner.receive(runner.player_of(connection.name), message)
                return None
        return self._handle(events)

    def fail(self, code: str, text: str) -> None:
        """A fatal error from the transport (a line too long) or the server (shutting down)."""
        self.connection.fail(code, text)
        self._flush()

    def ping(self) -> None:
        """The transport's keep-alive: ping, or close a bot silent for too long."""
        self.connection.heartbeat(self._clock.time(), self.roster.settings.heartbeat)
        if self.connection.close_expected():
            log.info("bot %s timed out (no traffic)", self.name or self.peer.address)
        self._flush()

    def closed(self) -> None:
        """The connection is gone; matches start their reconnect grace."""
        connection = self.connection
        if connection.state == "closed":
            return
        connection.connection_lost()
        if not connection.welcomed:
            return
        self.roster.leave(self)
        runners = [r for r in self.matches.values() if not r.finished]
        log.info("bot %s left (%d match(es) running)", self.name, len(runners))
        self.matches.clear()
        # The grace of a match another node runs is kept there (it hears of the drop).
        here = [r for r in runners if isinstance(r, MatchRunner)]
        if here:
            self.roster.reconnects.detach(self.name, self.token, here)
        for runner in runners:
            runner.disconnected(runner.player_of(self.name))

    # --- matches ------------------------------------------------------------------

    def match_started(self, runner: MatchEntry) -> None:
        self.reserved = max(0, self.reserved - 1)
        self.matches[runner.id] = runner
        self.roster.status_changed(self)

    def match_ended(self, match_id: str) -> None:
        if self.matches.pop(match_id, None) is not None and self.state == "ready":
            self.roster.status_changed(self)

    # --- internals ------------------------------------------------------------------

    def _handle(self, events: Sequence[ConnectionEvent]) -> Coroutine[Any, Any, None] | None:
        """Every event but the plain move; the connection's own replies go out first."""
        pending = None
        for event in events:
            self._flush()
            if isinstance(event, MessageReceived):
                message = event.message
                runner = self.matches.get(message.match)
                if runner is None:
                    text = f"you are not playing match {quoted(message.match)}"
                    self.peer.send(encode(Error("unexpected_message", text, message.match)))
                else:
                    runner.receive(runner.player_of(self.name), message)
            elif isinstance(event, BadMessage):
                for runner in list(self.matches.values()):
                    player = runner.player_of(self.name)
                    if runner.owes_answer(player):
                        runner.protocol_error(player, event.error.message)
            else:
                pending = self._admit(event)
        self._flush()
        return pending

    def _flush(self) -> None:
        connection, peer = self.connection, self.peer
        for data in connection.data_to_send():
            peer.send(data)
        if connection.close_expected() and not peer.closed:
            peer.close_soon()

    async def _admit(self, hello: HelloReceived) -> None:
        """Check the token and the name; welcome the bot or refuse it."""
        guest, refusal = await self._check(hello)
        connection = self.connection
        claims = self.roster.claims
        if refusal is None and claims is not None:
            info = BotInfo(hello.name, hello.games, "idle", [], hello.max_matches, guest)
            holder = await claims.claim(info)
            if holder is not None:
                text = f"a bot named {hello.name!r} is already connected (to node {holder})"
                refusal = ("name_taken", text)
        if refusal is not None:
            connection.refuse(*refusal)
            self._flush()
            return
        roster = self.roster
        returning = roster.reconnects.waiting(hello.name)
        if not connection.accept(guest=guest):
            return  # the connection dropped while we looked the bot up
        events = connection.events_received()  # messages held during the check
        self._flush()  # the welcome first
        name = hello.name
        roster.join(self)
        if returning:
            for runner in roster.reconnects.reattach(name):
                self.matches[runner.id] = runner
                if not runner.reconnected(runner.player_of(name), self):
                    self.matches.pop(runner.id, None)
            if self.matches:
                roster.status_changed(self)
        log.info("bot %s joined over %s%s", name, self.transport, " as a guest" * guest)
        if events:
            self._handle(events)

    async def _check(self, hello: HelloReceived) -> tuple[bool, tuple[str, str] | None]:
        """Whether the bot comes as a guest, and why it is refused (code, text) or None."""
        try:
            return await self._check_stored(hello)
        except DatabaseUnavailable as exc:  # the bot did nothing wrong: it may come back
            log.warning("hello from %s refused: %s", hello.name, exc)
            text = (
                f"the server cannot check bots now ({exc.reason}); try again in {exc.retry_after} s"
            )
            return False, ("database_unavailable", text)

    async def _check_stored(self, hello: HelloReceived) -> tuple[bool, tuple[str, str] | None]:
        roster, name, token = self.roster, hello.name, hello.token
        guest, refusal = await check_hello(  # token, limits, look-alikes: ``credentials``
            roster.store,
            roster.failed_hellos,
            self._clock.time,
            self.host,
            name,
            token,
            open_server=roster.settings.open,
            # Read after the checks' awaits, never across one: bots come and go meanwhile.
            connected=lambda: [n for n, b in roster.bots.items() if b.state != "closed"],
        )
        if refusal is not None:
            return guest, refusal
        existing = roster.bots.get(name)
        if existing is not None and existing.state != "closed":
            return guest, ("name_taken", f"a bot named {name!r} is already connected")
        if guest and not roster.reconnects.token_fits(name, token):
            text = f"bot {name!r} is in a match; reconnect with the same token"
            return guest, ("name_taken", text)
        return guest, None


class NameClaims(Protocol):
    """Bot names held for a whole cluster (``cluster.ClusterNode``)."""

    async def claim(self, info: BotInfo) -> str | None:
        """Hold ``info.name`` for this node; the node that holds it already, if another does."""
        ...


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
        self.known_games = frozenset(catalogue_names())
        """The games a ``hello`` may name."""
        self.claims: NameClaims | None = None
        """In a cluster: where a bot's name is claimed for the whole cluster."""
        self.elsewhere: Callable[[str], BotInfo | None] | None = None
        """In a cluster: a bot connected to another node, as its node said."""
        self.elsewhere_all: Callable[[], list[BotInfo]] | None = None
        """In a cluster: every bot connected to another node."""

    def connect(self, peer: Peer, transport: str, header_token: str | None = None) -> BotSession:
        """A new connection's session; it joins the roster once its hello is accepted.

        ``header_token``: from the WebSocket's Authorization header, used when hello has none."""
        return BotSession(self, peer, transport, header_token)

    def ready(self, name: str) -> BotSession | None:
        """The session of bot ``name`` when it is connected and admitted."""
        session = self.bots.get(name)
        return session if session is not None and session.state == "ready" else None

    def others(self) -> list[BotInfo]:
        """The bots connected to the other nodes of a cluster (none on a single server)."""
        return self.elsewhere_all() if self.elsewhere_all is not None else []

    def info(self, name: str) -> BotInfo | None:
        """Bot ``name`` if it is connected, here or (in a cluster) to another node."""
        session = self.ready(name)
        if session is not None:
            return session.info()
        return self.elsewhere(name) if self.elsewhere is not None else None

    def playable(self, name: str, game: str) -> bool:
        """Whether bot ``name`` is connected somewhere and plays ``game``."""
        session = self.ready(name)
        if session is not None:
            return session.plays(game)
        info = self.elsewhere(name) if self.elsewhere is not None else None
        return info is not None and (info.games is None or game in info.games)

    def has_room(self, name: str) -> bool:
        """Whether bot ``name`` may take one more match now (as far as this node knows)."""
        session = self.bots.get(name)
        if session is not None:
            return session.free_slots() > 0
        info = self.elsewhere(name) if self.elsewhere is not None else None
        return info is not None and len(info.matches) < info.max_matches

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
