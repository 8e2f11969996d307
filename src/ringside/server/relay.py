"""What crosses between nodes for one match: frames, and the stand-ins at each end.

A match runs on one node, its owner. A bot connected to another node plays
it through two stand-ins: on the owner, a ``RemoteSeat`` whose outbox sends
the referee's messages to the bot's node; on the bot's node, a
``RemoteMatch`` in the bot session's matches that forwards the bot's answers
to the owner. A spectator on a third node watches through a ``MatchFeed``
there, fed by a ``RemoteWatch`` outbox on the owner. The session, the
runner and the spectator code see the same interfaces as for local ones.

Frames are bytes sent to one node's inbox: a kind letter, fields separated by
``SEP`` and the payload (an encoded message) last, untouched. Every frame
between two nodes goes through one connection each way, so the frames of a
node pair arrive in the order they were sent: a ``join`` before the
``prepare`` it announces, a watch's snapshot before its next event.
"""

from __future__ import annotations

from typing import Protocol

import msgspec

from ringside.protocol.codec import encode
from ringside.protocol.messages import BotMessage, MatchSnapshot
from ringside.server.ports import Outbox, Seat

SEP = b"\x1f"
"""Between the fields of a frame (ASCII unit separator: never in an id, a name or JSON)."""

ACTION = b"A"
"""To the owner: a bot's message for a match (match, player, message)."""
PROTOCOL_ERROR = b"P"
"""To the owner: a bot sent what cannot be read while it owes an answer (match, player, detail)."""
DISCONNECTED = b"D"
"""To the owner: a bot's connection dropped (match, player)."""
TO_BOT = b"S"
"""To a bot's node: a message for the bot (name, match, message)."""
ENDED = b"E"
"""To a bot's node: the match is over for the bot, its slot is free (name, match)."""
JOIN = b"J"
"""To a bot's node: the bot plays this match, owned by the sender (name, match, player)."""
WATCH = b"W"
"""To the owner: send this match's snapshot and events to the sender (match)."""
UNWATCH = b"U"
"""To the owner: the sender has no watcher of the match left (match)."""
WATCHED = b"V"
"""To a watching node: the snapshot, then each event (match, event)."""
CREATE = b"C"
"""To the chosen owner: start this match (request id, tournament or empty, configuration)."""
CREATED = b"c"
"""To the requester: the answer to CREATE (request id, ``ok`` or an error kind, id or message)."""
ABORT = b"X"
"""To the owner: abort this match (match, reason)."""


def frame(kind: bytes, *fields: bytes) -> bytes:
    """One frame: the kind, then the fields; only the last may contain anything."""
    return kind + SEP + SEP.join(fields)


def fields_of(data: bytes, count: int) -> list[bytes]:
    """The ``count`` fields of a frame after its kind (the last one untouched)."""
    return data[2:].split(SEP, count - 1)


class Wire(Protocol):
    """Frames to another node's inbox, in order per node; never blocks."""

    def send(self, node: str, data: bytes) -> None: ...


class MatchEntry(Protocol):
    """A match as a bot's session sees it: a local ``MatchRunner`` or a ``RemoteMatch``."""

    @property
    def id(self) -> str: ...

    @property
    def finished(self) -> bool: ...

    @property
    def remote(self) -> bool:
        """True for a match another node runs (its grace is kept there, not here)."""
        ...

    def player_of(self, name: str) -> int: ...

    def owes_answer(self, player: int) -> bool: ...

    def receive(self, player: int, message: BotMessage) -> None: ...

    def protocol_error(self, player: int, detail: str) -> None: ...

    def disconnected(self, player: int) -> None: ...

    def reconnected(self, player: int, session: Seat) -> bool: ...


# --- on the owner --------------------------------------------------------------------


class RemoteOutbox:
    """The referee's messages to a bot connected to another node."""

    __slots__ = ("_node", "_prefix", "_wire")

    closed = False

    def __init__(self, wire: Wire, node: str, prefix: bytes) -> None:
        self._wire = wire
        self._node = node
        self._prefix = prefix

    def send(self, data: bytes) -> None:
        self._wire.send(self._node, self._prefix + data)

    def close_soon(self) -> None:
        """The bot's own node closes its connection; nothing to do from here."""


class RemoteSeat:
    """A seat of a match run here, taken by a bot connected to ``node``."""

    __slots__ = ("_wire", "name", "node", "peer")

    def __init__(self, wire: Wire, node: str, name: str, match_id: str) -> None:
        self._wire = wire
        self.node = node
        self.name = name
        self.peer = RemoteOutbox(wire, node, frame(TO_BOT, name.encode(), match_id.encode(), b""))

    def match_ended(self, match_id: str) -> None:
        self._wire.send(self.node, frame(ENDED, self.name.encode(), match_id.encode()))


class RemoteWatch:
    """Watchers of a match run here, on another node: one per node, whatever their number."""

    __slots__ = ("node", "peer")

    def __init__(self, wire: Wire, node: str, match_id: str) -> None:
        self.node = node
        self.peer = RemoteOutbox(wire, node, frame(WATCHED, match_id.encode(), b""))


# --- on the bot's node -----------------------------------------------------------------


class RemoteMatch:
    """A match another node runs, in the session of a bot connected here."""

    __slots__ = ("_prefix", "_wire", "finished", "id", "owner", "player")

    remote = True

    def __init__(self, wire: Wire, owner: str, match_id: str, player: int) -> None:
        self._wire = wire
        self.owner = owner
        self.id = match_id
        self.player = player
        self.finished = False
        self._prefix = match_id.encode() + SEP + str(player).encode() + SEP

    def player_of(self, name: str) -> int:
        return self.player

    def owes_answer(self, player: int) -> bool:
        """The owner knows; it decides what an unreadable message costs."""
        return True

    def receive(self, player: int, message: BotMessage) -> None:
        self._wire.send(self.owner, ACTION + SEP + self._prefix + encode(message))

    def protocol_error(self, player: int, detail: str) -> None:
        self._wire.send(self.owner, PROTOCOL_ERROR + SEP + self._prefix + detail.encode())

    def disconnected(self, player: int) -> None:
        self._wire.send(self.owner, DISCONNECTED + SEP + self._prefix)

    def reconnected(self, player: int, session: Seat) -> bool:
        """Never: a bot coming back is attached again by the owner (``JOIN``)."""
        return False


# --- on a watching node ---------------------------------------------------------------


class _Snapshot(msgspec.Struct):
    events: list[msgspec.Raw]


_read_snapshot = msgspec.json.Decoder(_Snapshot).decode
MATCH_RESULT_PREFIX = b'{"type":"match_result"'


class MatchFeed:
    """One match another node runs, watched from here: its events kept for late watchers.

    The owner sends the snapshot first, then every event in order; a
    watcher that arrives later gets the snapshot of everything received so
    far and then the live events, with nothing missing or doubled.
    """

    __slots__ = ("_waiting", "ended", "events", "match_id", "owner", "watchers")

    def __init__(self, match_id: str, owner: str) -> None:
        self.match_id = match_id
        self.owner = owner
        self.events: list[bytes] | None = None
        """Every event so far, once the snapshot has arrived."""
        self.watchers: set[Outbox] = set()
        self._waiting: set[Outbox] = set()
        self.ended = False

    def add(self, peer: Outbox) -> None:
        if self.events is None:
            self._waiting.add(peer)
            return
        peer.send(self.snapshot())
        if not self.ended:
            self.watchers.add(peer)

    def remove(self, peer: Outbox) -> None:
        self.watchers.discard(peer)
        self._waiting.discard(peer)

    @property
    def empty(self) -> bool:
        return not self.watchers and not self._waiting

    def snapshot(self) -> bytes:
        head = encode(MatchSnapshot(self.match_id, []))[:-2]  # ...,"events":[  then ]}
        return head + b",".join(self.events or []) + b"]}"

    def received(self, data: bytes) -> None:
        """The next thing the owner sent: the snapshot first, then single events."""
        if self.events is None:
            self.events = [bytes(e) for e in _read_snapshot(data).events]
            for peer in self._waiting:
                peer.send(data)
            self.watchers |= self._waiting
            self._waiting.clear()
            return
        self.events.append(data)
        for peer in self.watchers:
            peer.send(data)
        if data.startswith(MATCH_RESULT_PREFIX):
            self.end()

    def end(self, last: bytes | None = None) -> None:
        """The match is over (or lost with its node): tell the watchers ``last`` if given."""
        if last is not None:
            for peer in self.watchers | self._waiting:
                peer.send(last)
        self.ended = True
        self.watchers.clear()
        self._waiting.clear()


__all__ = [
    "ABORT",
    "ACTION",
    "CREATE",
    "CREATED",
    "DISCONNECTED",
    "ENDED",
    "JOIN",
    "PROTOCOL_ERROR",
    "SEP",
    "TO_BOT",
    "UNWATCH",
    "WATCH",
    "WATCHED",
    "MatchEntry",
    "MatchFeed",
    "RemoteMatch",
    "RemoteOutbox",
    "RemoteSeat",
    "RemoteWatch",
    "Wire",
    "fields_of",
    "frame",
]
