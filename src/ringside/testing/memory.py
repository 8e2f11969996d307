"""An in-memory transport and a hand-driven clock: the whole server in one event loop.

Bots and spectators connect to the real services of ``app.build_server``
(real sessions, runners, referee and store) through ``Peer`` objects whose
writes land in a list instead of a socket. The server's timers run on a
``ManualClock``: a test moves time forward and the verdicts that are due
happen then, so tests of clocks, verdicts and reconnects wait on nothing but
the store's writes, and never on the wall clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from ringside.protocol.codec import encode
from ringside.protocol.messages import Message
from ringside.server.app import build_server
from ringside.server.peer import Peer
from ringside.server.services import Server
from ringside.server.session import BotSession
from ringside.server.settings import Settings
from ringside.server.watching import SpectatorLink
from ringside.store import open_store, sqlite_url


class _Timer:
    __slots__ = ("args", "callback", "cancelled", "when")

    def __init__(self, when: float, callback: Callable[..., object], args: tuple[object, ...]):
        self.when = when
        self.callback = callback
        self.args = args
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class ManualClock:
    """Monotonic time that moves only when told; timers run as it passes them."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self._timers: list[tuple[float, int, _Timer]] = []
        self._order = itertools.count()

    def time(self) -> float:
        return self.now

    def call_at(self, when: float, callback: Callable[..., object], *args: object) -> _Timer:
        timer = _Timer(when, callback, args)
        heapq.heappush(self._timers, (when, next(self._order), timer))
        return timer

    def advance(self, seconds: float) -> None:
        """Move time forward, running each timer due on the way at its own time, in order."""
        until = self.now + seconds
        while self._timers and self._timers[0][0] <= until:
            when, _, timer = heapq.heappop(self._timers)
            if timer.cancelled:
                continue
            self.now = max(self.now, when)
            timer.callback(*timer.args)
        self.now = until

    def pending(self) -> list[float]:
        """When the timers not yet run nor cancelled are due, soonest first."""
        return sorted(when for when, _, timer in self._timers if not timer.cancelled)


class _End:
    """One side of an in-memory connection: what the server wrote to it, in order."""

    def __init__(self, kind: str, address: str) -> None:
        self.inbox: deque[dict[str, Any]] = deque()
        self.received: list[dict[str, Any]] = []
        self.closed = asyncio.Event()
        self._arrived = asyncio.Event()
        self.peer = Peer(kind, address, self._write, self._close, write_now=self._deliver)

    def _deliver(self, data: bytes) -> bool:
        if self.closed.is_set():
            return False
        message = msgspec.json.decode(data)
        self.inbox.append(message)
        self.received.append(message)
        self._arrived.set()
        return True

    async def _write(self, data: bytes) -> None:
        self._deliver(data)

    async def _close(self) -> None:
        self.closed.set()
        self._arrived.set()

    async def next(self, *types: str) -> dict[str, Any]:
        """The next message the server sent (of one of ``types``, skipping others)."""
        while True:
            while self.inbox:
                message = self.inbox.popleft()
                if not types or message.get("type") in types:
                    return message
            if self.closed.is_set():
                raise ConnectionError(
                    f"closed while waiting for {' or '.join(types) or 'a message'}"
                )
            self._arrived.clear()
            await self._arrived.wait()

    def take(self, *types: str) -> list[dict[str, Any]]:
        """Every message already here (of ``types``, when given), without waiting."""
        taken = [m for m in self.inbox if not types or m.get("type") in types]
        self.inbox.clear()
        return taken


class MemoryBot(_End):
    """A bot connected to ``server`` through memory; it speaks the wire protocol's JSON."""

    def __init__(self, server: Server, transport: str = "memory") -> None:
        super().__init__("bot", f"memory:{id(self):x}")
        self.session: BotSession = server.roster.connect(self.peer, transport)

    async def send(self, message: Message | dict[str, Any] | bytes) -> None:
        """Give the server one message, as a transport gives it one frame or line."""
        if isinstance(message, bytes):
            data = message
        elif isinstance(message, dict):
            data = msgspec.json.encode(message)
        else:
            data = encode(message)
        pending = self.session.feed(data)
        if pending is not None:
            await pending
        if self.session.state == "closed" and not self.peer.closed:
            self.peer.close_soon()

    async def hello(self, name: str, **fields: Any) -> dict[str, Any]:
        """Say hello; the server's answer (``welcome`` or an error)."""
        await self.send({"type": "hello", "protocol": 1, "name": name, **fields})
        return await self.next("welcome", "error")

    async def answer(self, message: dict[str, Any]) -> bool:
        """Answer ``prepare``, ``request`` (first legal action) and ``round_end`` politely;
        False for any other message."""
        kind, match = message.get("type"), message.get("match")
        if kind == "prepare":
            await self.send({"type": "ready", "match": match, "id": message["id"]})
        elif kind == "round_end":
            await self.send({"type": "ok", "match": match, "id": message["id"]})
        elif kind == "request":
            action = message["legal_actions"][0]
            await self.send(
                {"type": "action", "match": match, "id": message["id"], "action": action}
            )
        else:
            return False
        return True

    async def play(self, until: str = "match_result") -> dict[str, Any]:
        """Answer politely until a message of type ``until`` comes, and return it."""
        while True:
            message = await self.next()
            if message.get("type") == until:
                return message
            await self.answer(message)

    def drop(self) -> None:
        """The connection is lost, as when a bot's process dies."""
        self.session.closed()
        self.closed.set()
        self._arrived.set()
        self.peer.close_soon()


class MemorySpectator(_End):
    """A spectator: the lobby stream from the start, and the matches it watches."""

    def __init__(self, server: Server) -> None:
        super().__init__("spectator", f"memory:{id(self):x}")
        self.link = SpectatorLink(server.lobby, server.matches, self.peer, server.clock)

    @property
    def watching(self) -> set[str]:
        return self.link.watching

    async def send(self, message: dict[str, Any] | bytes) -> None:
        """One command, as the WebSocket would give it."""
        await self.link.receive(
            message if isinstance(message, bytes) else msgspec.json.encode(message)
        )

    async def watch(self, match_id: str) -> None:
        await self.send({"type": "watch", "match": match_id})

    async def unwatch(self, match_id: str) -> None:
        await self.send({"type": "unwatch", "match": match_id})

    def leave(self) -> None:
        self.link.closed()
        self.peer.close_soon()


@dataclass
class InMemory:
    """A server's real services on a real SQLite store, reached through memory."""

    server: Server
    clock: ManualClock

    def bot(self) -> MemoryBot:
        return MemoryBot(self.server)

    def spectator(self) -> MemorySpectator:
        return MemorySpectator(self.server)

    async def bots(self, *names: str, **hello: Any) -> list[MemoryBot]:
        """Connected and welcomed bots."""
        bots = []
        for name in names:
            bot = self.bot()
            answer = await bot.hello(name, **hello)
            if answer["type"] != "welcome":
                raise AssertionError(f"{name} was refused: {answer}")
            bots.append(bot)
        return bots


@contextlib.asynccontextmanager
async def in_memory(data_dir: Path, settings: Settings | None = None) -> AsyncIterator[InMemory]:
    """A server on a store in ``data_dir`` (guests welcome unless ``settings`` say otherwise)."""
    clock = ManualClock()
    settings = settings or Settings(open=True, data_dir=data_dir)
    async with await open_store(sqlite_url(data_dir)) as store:
        server = build_server(settings, store, clock=clock)
        try:
            yield InMemory(server, clock)
        finally:
            await server.shutdown()


__all__ = ["InMemory", "ManualClock", "MemoryBot", "MemorySpectator", "in_memory"]
