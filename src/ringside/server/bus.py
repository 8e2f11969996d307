"""The server's event bus: who did what, told to whoever cares.

The runner, the sessions and the tournaments publish; the lobby, the
spectators, the tournaments and the ladder subscribe. Publishers do not know
their subscribers, so no service calls another to tell it news, and the
imports run one way.

Every event is a frozen msgspec struct with a tag and no object references
(ids and names, not runners or sessions), so that a bus between processes
(Redis pub/sub) can carry the same events as bytes: ``encode_event`` and
``decode_event`` are that bus's wire format. The in-process ``LocalBus``
hands the objects over as they are.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol, TypeVar

import msgspec

from ringside.protocol.messages import (
    BotJoined,
    BotLeft,
    BotStatus,
    MatchListed,
    MatchResult,
    TournamentUpdate,
)

log = logging.getLogger("ringside.server")


class MatchEnded(msgspec.Struct, frozen=True, tag="match_ended"):
    """A match is over and its bots are free (its result is stored, or could not be)."""

    match_id: str
    bots: list[str]
    tournament_id: str | None
    stored: bool
    """False when the final write failed: the result was not kept."""


class ResultStored(msgspec.Struct, frozen=True, tag="result_stored"):
    """A match's result is committed, with its rating change; readers of the store see it."""

    match_id: str
    tournament_id: str | None
    result: MatchResult


class MatchLost(msgspec.Struct, frozen=True, tag="match_lost"):
    """A match was ended by another node because its own stopped renewing its lease.

    ``result`` is what was recorded (``aborted``, reason ``node_lost``); the
    bots and watchers of the match, wherever they are connected, are told it."""

    match_id: str
    result: MatchResult


Event = (
    BotJoined
    | BotLeft
    | BotStatus
    | MatchListed
    | TournamentUpdate
    | MatchEnded
    | ResultStored
    | MatchLost
)
"""Everything the bus carries."""

E = TypeVar("E", bound=Event)
Handler = Callable[[E], None]
Unsubscribe = Callable[[], None]


class EventBus(Protocol):
    """What publishers and subscribers need; an implementation decides how far events go."""

    def publish(self, event: Event) -> None:
        """Deliver ``event`` to every subscriber of its type, in subscription order."""

    def subscribe(self, kind: type[E], handler: Handler[E]) -> Unsubscribe:
        """Call ``handler`` with every event of type ``kind`` from now on."""


class LocalBus:
    """One process's bus: handlers run at once, synchronously, in the publisher's call.

    Synchronous delivery keeps every subscriber's view in the publisher's
    order (a spectator sees a bot join before it sees it play). A handler
    must not block: one with slow work to do wakes a task of its own. A
    handler that raises is logged and the others still run.
    """

    __slots__ = ("_handlers",)

    def __init__(self) -> None:
        self._handlers: dict[type, list[Callable[[Event], None]]] = {}

    def publish(self, event: Event) -> None:
        handlers = self._handlers.get(type(event))
        if not handlers:
            return
        for handler in tuple(handlers):
            try:
                handler(event)
            except Exception:
                log.exception("bus: a handler of %s failed", type(event).__name__)

    def subscribe(self, kind: type[E], handler: Handler[E]) -> Unsubscribe:
        handlers = self._handlers.setdefault(kind, [])
        entry: Callable[[Event], None] = handler  # type: ignore[assignment]
        handlers.append(entry)

        def unsubscribe() -> None:
            if entry in handlers:
                handlers.remove(entry)

        return unsubscribe


class SharedBus(LocalBus):
    """A node's bus in a cluster: delivered here as by ``LocalBus``, and sent to the others.

    ``forward`` (set by the cluster while Redis is reachable) takes every
    event published here, encoded; events from other nodes come in through
    ``deliver``, during which ``origin`` names the node that published it
    (None for this node's own), for the few subscribers that act only on
    their own node's news (presence writes, re-attaching a returning bot).
    """

    __slots__ = ("forward", "origin")

    def __init__(self) -> None:
        super().__init__()
        self.forward: Callable[[bytes], None] | None = None
        self.origin: str | None = None

    def publish(self, event: Event) -> None:
        super().publish(event)
        forward = self.forward
        if forward is not None:
            forward(encode_event(event))

    def deliver(self, origin: str, data: bytes) -> None:
        """An event another node published: delivered here only."""
        try:
            event = decode_event(data)
        except msgspec.DecodeError:
            log.exception("bus: an event from node %s cannot be read", origin)
            return
        self.origin = origin
        try:
            super().publish(event)
        finally:
            self.origin = None


_decoder = msgspec.json.Decoder(Event)


def encode_event(event: Event) -> bytes:
    """The bytes a bus between processes carries."""
    return msgspec.json.encode(event)


def decode_event(data: bytes) -> Event:
    return _decoder.decode(data)


__all__ = [
    "Event",
    "EventBus",
    "LocalBus",
    "MatchEnded",
    "MatchLost",
    "ResultStored",
    "SharedBus",
    "Unsubscribe",
    "decode_event",
    "encode_event",
]
