"""A spectator's commands (``watch``, ``unwatch``) as a state machine without I/O.

A :class:`SpectatorSession` reads what a spectator sends, answers what is
wrong with it, and tells the server which matches to start or stop sending
(:class:`WatchRequested`, :class:`UnwatchRequested`). It also bounds what one
spectator can make the server do: a ``watch`` costs a snapshot of every event
of the match so far (megabytes for a long one), so a match already watched is
not snapshotted again, a spectator follows at most ``max_watched`` matches, and
commands are rate limited (a token bucket, the time passed in). A finished
match's snapshot is sent once per connection too (a second ``watch`` of it is
ignored unless an ``unwatch`` came between), and a spectator that goes on sending past its rate limit for
``strikes`` commands is told so (fatal) and closed: every answer costs bytes
queued for a peer that is probably not reading them.
"""

from __future__ import annotations

from collections.abc import Sequence, Set

import msgspec

from ringside.protocol.codec import ProtocolError, encode, parse_spectator_command
from ringside.protocol.messages import Error, Message, Watch

__all__ = [
    "COMMAND_BURST",
    "COMMAND_RATE",
    "MAX_WATCHED",
    "SNAPSHOTS_REMEMBERED",
    "SPECTATOR_MESSAGE_BYTES",
    "STRIKES",
    "SpectatorEvent",
    "SpectatorSession",
    "UnwatchRequested",
    "WatchRequested",
]

MAX_WATCHED = 64
"""Matches one spectator may follow at once."""
COMMAND_BURST = 20
"""Commands a spectator may send at once (a page that opens ten matches)."""
COMMAND_RATE = 2.0
"""Commands per second a spectator may send for good, after a burst."""
SPECTATOR_MESSAGE_BYTES = 4096
"""Longest command: ``watch`` and ``unwatch`` carry a match id and nothing else."""
STRIKES = 20
"""Commands refused in a row by the rate limit after which the spectator is closed."""
SNAPSHOTS_REMEMBERED = 256
"""Finished matches whose snapshot a connection got, remembered so as not to send it again."""
"""Longest command: ``watch`` and ``unwatch`` carry a match id and nothing else."""


class WatchRequested(msgspec.Struct, frozen=True):
    """Send this match's snapshot, then its events. The match counts as watched
    from now on; if it turns out unknown or finished, the server calls ``forget``."""

    match: str


class UnwatchRequested(msgspec.Struct, frozen=True):
    """Stop sending this match's events."""

    match: str


SpectatorEvent = WatchRequested | UnwatchRequested


class SpectatorSession:
    """One spectator: commands in, events and encoded replies out."""

    # Slots: a server may have thousands watching.
    __slots__ = (
        "_events",
        "_outgoing",
        "_stamp",
        "_strikes",
        "_tokens",
        "burst",
        "closed",
        "max_message_bytes",
        "max_watched",
        "rate",
        "snapshotted",
        "strikes",
        "watched",
    )

    def __init__(
        self,
        *,
        now: float,
        max_watched: int = MAX_WATCHED,
        burst: int = COMMAND_BURST,
        rate: float = COMMAND_RATE,
        max_message_bytes: int = SPECTATOR_MESSAGE_BYTES,
        strikes: int = STRIKES,
    ) -> None:
        self.max_watched = max_watched
        self.burst = burst
        self.rate = rate
        self.max_message_bytes = max_message_bytes
        self.watched: set[str] = set()
        """Matches whose events this spectator gets (read it, change it with ``forget``)."""
        self.closed = False
        self.strikes = strikes
        self._strikes = 0
        self.snapshotted: dict[str, None] = {}
        """Finished matches whose snapshot this connection got, oldest first."""
        self._tokens = float(burst)
        self._stamp = now
        self._events: list[SpectatorEvent] = []
        self._outgoing: list[bytes] = []

    # --- input -----------------------------------------------------------------------

    def receive_message(self, data: bytes | str, now: float) -> None:
        """One text frame from the spectator."""
        if self.closed:
            return
        if not self._take_token(now):
            self._too_many_commands()
            return
        command = parse_spectator_command(data, self.max_message_bytes)
        if isinstance(command, ProtocolError):
            # Never fatal: a frame too long does not break WebSocket framing.
            self._error(command.code, command.message)
        elif isinstance(command, Watch):
            self._watch(command.match)
        elif command.match in self.watched:
            self.watched.discard(command.match)
            self._events.append(UnwatchRequested(command.match))
        else:
            # A finished match let go of: the page closed the view that held its snapshot
            # (the lobby's small board of a match that ended as it was listed), so the
            # next view to open it must get the snapshot again.
            self.snapshotted.pop(command.match, None)

    def watch(self, match: str, now: float) -> None:
        """A ``watch`` that did not come as a message (the ``?match=`` of the URL)."""
        if self.closed:
            return
        if not self._take_token(now):
            self._too_many_commands(match)
            return
        self._watch(match)

    def events_received(self) -> Sequence[SpectatorEvent]:
        """What the server has to do, in order; the empty tuple when nothing."""
        events = self._events
        if not events:
            return ()
        self._events = []
        return events

    # --- the server's side ---------------------------------------------------------

    def forget(self, match: str) -> None:
        """The match is no longer followed (unknown, finished, or it just ended):
        it frees its place, and a later ``watch`` of it is answered again."""
        self.watched.discard(match)

    def finished(self, match: str) -> None:
        """``match`` was finished: its snapshot is all there is, and it was sent. It frees
        its place; a later ``watch`` of it is ignored (the snapshot would be the same), until
        an ``unwatch`` of it says the spectator no longer holds it."""
        self.watched.discard(match)
        self.snapshotted[match] = None
        if len(self.snapshotted) > SNAPSHOTS_REMEMBERED:
            del self.snapshotted[next(iter(self.snapshotted))]

    def close_expected(self) -> bool:
        """A fatal error is queued: the transport writes it and closes."""
        return self.closed

    def send(self, message: Message | bytes) -> None:
        """Queue a message or bytes already encoded (a snapshot, a lobby event)."""
        if not self.closed:
            self._outgoing.append(message if isinstance(message, bytes) else encode(message))

    def data_to_send(self) -> Sequence[bytes]:
        """Encoded messages, one per text frame, in order; the empty tuple when none."""
        outgoing = self._outgoing
        if not outgoing:
            return ()
        self._outgoing = []
        return outgoing

    def connection_lost(self) -> Set[str]:
        """The spectator is gone: the matches it watched, to unsubscribe it from."""
        self.closed = True
        watched, self.watched = self.watched, set()
        self._events.clear()
        self._outgoing.clear()
        return watched

    # --- internals -------------------------------------------------------------------

    def _watch(self, match: str) -> None:
        if match in self.watched or match in self.snapshotted:
            return  # it has its snapshot and gets every event: a second one is waste
        if len(self.watched) >= self.max_watched:
            text = f"a spectator watches at most {self.max_watched} matches; unwatch one first"
            self._error("too_many_matches", text, match)
            return
        self.watched.add(match)
        self._events.append(WatchRequested(match))

    def _take_token(self, now: float) -> bool:
        """Token bucket: ``burst`` commands at once, refilled at ``rate`` a second."""
        elapsed = now - self._stamp
        self._stamp = now
        if elapsed > 0.0:
            self._tokens = min(float(self.burst), self._tokens + elapsed * self.rate)
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        self._strikes = 0  # strikes count commands refused in a row
        return True

    def _too_many_commands(self, match: str | None = None) -> None:
        text = f"too many commands; at most {self.rate:g} a second, {self.burst} at once"
        self._strikes += 1
        if self._strikes > self.strikes:
            self._outgoing.append(encode(Error("too_many_commands", text, None, True)))
            self.closed = True  # what is queued is still sent: the error comes last
            return
        self._error("too_many_commands", text, match)

    def _error(self, code: str, text: str, match: str | None = None) -> None:
        self._outgoing.append(encode(Error(code, text, match)))
