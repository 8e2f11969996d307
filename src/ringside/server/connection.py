"""The bot protocol on the server's side, as a state machine without I/O.

A :class:`BotConnection` takes the messages a bot sends (one WebSocket frame
or one TCP line each) and answers what the protocol alone can answer: errors
for unreadable messages, "say hello first", the checks of a ``hello`` that
need no database. What needs the server (is the token right, is the name
free, which match is this ``action`` for) comes out as events; the server
decides and calls :meth:`~BotConnection.accept`, :meth:`~BotConnection.refuse`
or :meth:`~BotConnection.send`. The transport moves bytes: it feeds
:meth:`~BotConnection.receive_message`, writes :meth:`~BotConnection.data_to_send`
and closes once :meth:`~BotConnection.close_expected`. Time is passed in.

States: ``greeting`` until a good ``hello``, ``authenticating`` while the
server checks it, ``ready`` after ``welcome``, ``closing`` once a fatal error
is queued (or the bot went silent), ``closed`` after ``connection_lost``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Literal

import msgspec

from ringside.names import name_problem
from ringside.protocol.codec import ProtocolError, encode, parse_bot_message
from ringside.protocol.messages import (
    MAX_MESSAGE_BYTES,
    PROTOCOL_VERSION,
    Action,
    Concede,
    Error,
    Hello,
    Message,
    Ok,
    Ping,
    Pong,
    Ready,
    Welcome,
)
from ringside.text import quoted

__all__ = [
    "ERROR_BURST",
    "ERROR_RATE",
    "MAX_ERRORS_BEFORE_HELLO",
    "MAX_HELD",
    "MAX_MATCHES",
    "MAX_NAME",
    "SILENT_PERIODS",
    "BadMessage",
    "BotConnection",
    "Event",
    "HelloReceived",
    "MessageReceived",
    "State",
]

MAX_NAME = 64
MAX_MATCHES = 64
MAX_ERRORS_BEFORE_HELLO = 5
MAX_HELD = 64
"""Messages kept while a ``hello`` is checked; one more is a fatal ``protocol_error``."""
SILENT_PERIODS = 3
ERROR_BURST = 50
"""Messages answered with an error (unreadable, unexpected) a bot may send at once..."""
ERROR_RATE = 5.0
"""...and for good, a second; past both, a fatal ``protocol_error``: each answer is work
and bytes queued for a peer that is probably not reading them."""
"""Keep-alive periods without a byte from the bot after which it is taken for dead."""

State = Literal["greeting", "authenticating", "ready", "closing", "closed"]


# --- events -----------------------------------------------------------------------
# Structs with gc=False: one is made per message on the hot path, and objects the
# garbage collector does not track do not make it run more often.


class HelloReceived(msgspec.Struct, frozen=True, gc=False):
    """A ``hello`` that passed every check the protocol can make; the server checks
    the token and the name, then calls ``accept`` or ``refuse``."""

    name: str
    """Trimmed of white space."""
    token: str | None
    """From the ``hello``, else from the WebSocket's Authorization header."""
    games: list[str] | None
    """Sorted, without repeats; None for every game."""
    max_matches: int
    hello: Hello


class MessageReceived(msgspec.Struct, frozen=True, gc=False):
    """A match message (``ready``, ``action``, ``ok``, ``concede``) after ``welcome``."""

    message: Ready | Action | Ok | Concede


class BadMessage(msgspec.Struct, frozen=True, gc=False):
    """An unreadable message after ``welcome``; the bot was told already.

    The server gives a ``protocol_error`` verdict in every match where the bot
    owes an answer."""

    error: ProtocolError


Event = HelloReceived | MessageReceived | BadMessage


class _Tagged(msgspec.Struct):
    type: str


_tag_decoder = msgspec.json.Decoder(_Tagged)
"""Reads only ``type``: which message a bad one meant to be (off the hot path)."""


class BotConnection:
    """One bot's side of the protocol: messages in, events and encoded replies out."""

    # Slots: every message goes through one, and a server holds thousands.
    __slots__ = (
        "_events",
        "_held",
        "_hello",
        "_outgoing",
        "_stamp",
        "_tokens",
        "engine",
        "error_burst",
        "error_rate",
        "errors",
        "games",
        "guest",
        "header_token",
        "known_games",
        "last_seen",
        "max_matches",
        "max_message_bytes",
        "name",
        "ping_id",
        "state",
        "token",
        "welcomed",
    )

    def __init__(
        self,
        known_games: Collection[str],
        *,
        now: float,
        header_token: str | None = None,
        max_message_bytes: int = MAX_MESSAGE_BYTES,
        error_burst: int = ERROR_BURST,
        error_rate: float = ERROR_RATE,
    ) -> None:
        """``known_games``: the games a ``hello`` may name (shared, not copied)."""
        self.error_burst = error_burst
        self.error_rate = error_rate
        self._tokens = float(error_burst)
        self._stamp = now
        self.known_games = known_games
        self.header_token = header_token
        """A token from the WebSocket's Authorization header, used when hello has none."""
        self.max_message_bytes = max_message_bytes
        self.state: State = "greeting"
        self.last_seen = now
        """When the bot last sent a message, on the caller's clock."""
        self.errors = 0
        """Unreadable messages before ``hello``."""
        self.welcomed = False
        """Set by ``accept`` and kept after closing: the server has a lobby entry
        and matches to clean up when the connection is lost."""
        self.name = ""
        self.token: str | None = None
        self.games: list[str] | None = None
        self.max_matches = 1
        self.guest = False
        self.engine: str | None = None
        """The program behind the bot, as its hello named it (trimmed, at most 100 characters)."""
        self.ping_id = 0
        self._events: list[Event] = []
        self._outgoing: list[bytes] = []
        self._hello: HelloReceived | None = None
        self._held: list[bytes | str] = []
        """Messages that came while the server checked the ``hello``, in order."""

    # --- input -----------------------------------------------------------------------

    def receive_message(self, data: bytes | str, now: float) -> None:
        """One message from the bot: a WebSocket frame or a TCP line (terminator or not)."""
        self.last_seen = now
        if self.state == "ready":
            message = parse_bot_message(data, self.max_message_bytes)
            kind = type(message)
            if kind is Action or kind is Ready or kind is Ok or kind is Concede:
                self._events.append(MessageReceived(message))  # type: ignore[arg-type]
            elif kind is not Pong and self._may_answer(now):
                self._unusual(message)  # type: ignore[arg-type]
        elif self.state == "greeting":
            if self._may_answer(now):
                self._greeting(data)
        elif self.state == "authenticating":
            if len(self._held) >= MAX_HELD:
                text = f"more than {MAX_HELD} messages before welcome; wait for it"
                self.fail("protocol_error", text)
            else:
                self._held.append(data)

    def events_received(self) -> Sequence[Event]:
        """What happened since the last call, in order; the caller may keep it.

        Nothing new gives the empty tuple, which costs no allocation."""
        events = self._events
        if not events:
            return ()
        self._events = []
        return events

    # --- the server's decisions --------------------------------------------------------

    def accept(self, *, guest: bool = False) -> bool:
        """The ``hello`` is good: send ``welcome``, then handle what came meanwhile.

        False, with nothing sent, when the connection closed while the server
        checked (the server then forgets the bot).
        """
        if self.state in ("closing", "closed"):
            return False
        hello = self._hello
        if self.state != "authenticating" or hello is None:
            raise RuntimeError(f"accept() in state {self.state!r}: no hello is being checked")
        self._hello = None
        self.name = hello.name
        self.token = hello.token
        self.games = hello.games
        self.max_matches = hello.max_matches
        self.engine = " ".join((hello.hello.engine or "").split())[:100] or None
        self.guest = guest
        self.state = "ready"
        self.welcomed = True
        self._outgoing.append(encode(Welcome(hello.name, hello.name, PROTOCOL_VERSION, guest)))
        held, self._held = self._held, []
        for data in held:
            if self.state != "ready":
                break
            self.receive_message(data, self.last_seen)
        return True

    def refuse(self, code: str, text: str) -> None:
        """The server refuses the ``hello`` (``bad_token``, ``name_taken``...): fatal error."""
        if self.state in ("closing", "closed"):
            return
        if self.state != "authenticating":
            raise RuntimeError(f"refuse() in state {self.state!r}: no hello is being checked")
        self._hello = None
        self.fail(code, text)

    # --- output ----------------------------------------------------------------------

    def send(self, message: Message | bytes) -> None:
        """Queue a message from the server (a ``prepare``, a ``request``, an encoded
        lobby event), after whatever the connection answered before. Dropped once a
        fatal error is queued: that error is the last thing the bot reads."""
        if self.state == "closing" or self.state == "closed":
            return
        self._outgoing.append(message if isinstance(message, bytes) else encode(message))

    def send_error(self, code: str, text: str, match: str | None = None) -> None:
        """Queue a non-fatal ``error`` (a verdict, a late answer, a match not played)."""
        self.send(Error(code, text, match))

    def fail(self, code: str, text: str) -> None:
        """Queue a fatal ``error`` and expect the close: a line too long for the framer,
        a server shutting down. Only the first fatal error is sent."""
        if self.state == "closing" or self.state == "closed":
            return
        self._outgoing.append(encode(Error(code, text, None, True)))
        self.state = "closing"
        self._held.clear()
        self._hello = None

    def data_to_send(self) -> Sequence[bytes]:
        """Encoded messages to write, in order, without framing: the transport adds
        a ``\\n`` or makes each one a text frame. The caller may keep it.

        Nothing to send gives the empty tuple: after most messages from a bot there
        is nothing, and a new list each time would wake the garbage collector."""
        outgoing = self._outgoing
        if not outgoing:
            return ()
        self._outgoing = []
        return outgoing

    def close_expected(self) -> bool:
        """The transport should write what is queued and close the connection."""
        return self.state == "closing" or self.state == "closed"

    def connection_lost(self) -> None:
        """The connection is gone; ``welcomed`` says whether the server has cleaning up to do."""
        self.state = "closed"
        self._held.clear()
        self._hello = None

    # --- liveness --------------------------------------------------------------------

    def is_silent(self, now: float, limit: float) -> bool:
        """Nothing came from the bot for more than ``limit`` seconds."""
        return now - self.last_seen > limit

    def ping(self) -> int:
        """Queue a ``ping`` with the next id, which the bot answers with ``pong``."""
        self.ping_id += 1
        self.send(Ping(self.ping_id))
        return self.ping_id

    def heartbeat(self, now: float, interval: float) -> None:
        """The transport's keep-alive timer fired (every ``interval`` seconds).

        A bot silent for :data:`SILENT_PERIODS` intervals is taken for dead: the
        connection expects the close (no error: nobody would read it). Any other
        gets a ``ping``, so that a quiet but living bot has something to answer.
        """
        if self.state == "closing" or self.state == "closed":
            return
        if self.is_silent(now, SILENT_PERIODS * interval):
            self.state = "closing"
            self._held.clear()
            return
        self.ping()

    # --- internals -------------------------------------------------------------------

    def _may_answer(self, now: float) -> bool:
        """Take one answered error from the bucket (``error_burst`` at once, refilled at
        ``error_rate`` a second); an empty bucket is a fatal ``protocol_error``.

        Only messages that may be answered with an error take from it: before
        ``welcome`` every message, after it the unreadable ones (a move never)."""
        elapsed = now - self._stamp
        self._stamp = now
        if elapsed > 0.0:
            self._tokens = min(float(self.error_burst), self._tokens + elapsed * self.error_rate)
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        text = (
            f"too many bad messages: at most {self.error_rate:g} a second, "
            f"{self.error_burst} at once"
        )
        self.fail("protocol_error", text)
        return False

    def _unusual(self, message: Hello | ProtocolError) -> None:
        """After ``welcome``: a second ``hello`` or an unreadable message."""
        if type(message) is Hello:
            self.send_error("unexpected_message", "hello was already received")
            return
        assert isinstance(message, ProtocolError)
        self._outgoing.append(encode(message.to_error()))
        if message.fatal:
            self.state = "closing"
        self._events.append(BadMessage(message))

    def _greeting(self, data: bytes | str) -> None:
        message = parse_bot_message(data, self.max_message_bytes)
        if isinstance(message, Hello):
            self._receive_hello(message)
        elif not isinstance(message, ProtocolError):
            self.send_error("unexpected_message", "say hello first")
        elif message.fatal:
            self.fail(message.code, message.message)
        elif message.code == "invalid_field" and _tag_of(data) == "hello":
            # A hello refused by the codec is refused like any other: fatal.
            self.fail(message.code, message.message)
        else:
            self.send_error(message.code, message.message)
            self.errors += 1
            if self.errors >= MAX_ERRORS_BEFORE_HELLO:
                self.fail("protocol_error", "too many bad messages before hello")

    def _receive_hello(self, hello: Hello) -> None:
        refusal = self._check(hello)
        if refusal is not None:
            self.fail(*refusal)
            return
        games = sorted(set(hello.games)) if hello.games is not None else None
        event = HelloReceived(
            hello.name.strip(),
            hello.token or self.header_token,
            games,
            hello.max_matches,
            hello,
        )
        self._hello = event
        self.state = "authenticating"
        self._events.append(event)

    def _check(self, hello: Hello) -> tuple[str, str] | None:
        """Why the protocol refuses ``hello`` (code, text), or None."""
        if hello.protocol != PROTOCOL_VERSION:
            return "unsupported_protocol", f"this server speaks protocol {PROTOCOL_VERSION}"
        problem = name_problem(hello.name)  # the policy of ``ringside bots add`` too
        if problem is not None:
            return "invalid_field", problem
        if not 1 <= hello.max_matches <= MAX_MATCHES:
            return "invalid_field", f"max_matches must be from 1 to {MAX_MATCHES}"
        if hello.games is not None:
            unknown = [g for g in hello.games if g not in self.known_games]
            if unknown:
                known = ", ".join(sorted(self.known_games))
                return "unknown_game", f"unknown game {quoted(unknown[0], 40)}; known: {known}"
        return None


def _tag_of(data: bytes | str) -> str | None:
    """The ``type`` a message names, if it is a JSON object with a string ``type``."""
    try:
        return _tag_decoder.decode(data).type
    except (msgspec.DecodeError, UnicodeError, RecursionError, ValueError):
        return None
