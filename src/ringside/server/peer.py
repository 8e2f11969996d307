"""A connected peer (bot or spectator) as seen by everything above the transport.

Sending never blocks the caller: each peer has a bounded outbox drained by one
writer task, so the referee's outputs are carried out synchronously and in
order, and one slow peer cannot stall a match or a fan-out. A peer whose
outbox overflows is closed: it was not reading.

The hot path skips the outbox: while it is empty and the transport takes
more, a message goes straight to the transport (``write_now``), which costs
no task switch. Only a peer whose transport is backed up (over its
high-water mark) queues, so the limits and their meaning are unchanged.

What waits for a peer is bounded in bytes too (``budget``): the outbox and
the socket's own buffer together. A peer past it is a slow consumer: what
waits is dropped, it is told why (``slow_consumer``, when the transport gives
that message) and the socket is dropped if it does not take even that
within the close grace, so nothing it did not read stays in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("ringside.server")

OUTBOX_LIMIT = 4096
NO_BUDGET = 1 << 62


class Peer:
    """One connection's outgoing side; the transport supplies ``write`` and ``close``."""

    __slots__ = (
        "_abort",
        "_budget",
        "_buffered",
        "_close",
        "_grace",
        "_limit",
        "_overflow",
        "_queue",
        "_queued",
        "_task",
        "_write",
        "_write_now",
        "address",
        "closed",
        "kind",
        "slow",
    )

    def __init__(
        self,
        kind: str,
        address: str,
        write: Callable[[bytes], Awaitable[None]],
        close: Callable[[], Awaitable[object]],
        limit: int = OUTBOX_LIMIT,
        write_now: Callable[[bytes], bool] | None = None,
        *,
        budget: int = NO_BUDGET,
        buffered: Callable[[], int] | None = None,
        overflow: bytes | None = None,
        abort: Callable[[], None] | None = None,
        grace: float = 2.0,
    ) -> None:
        """``write_now`` writes at once and says True, or says False when the
        transport is backed up or closing (the message then waits in the outbox).

        ``budget``: bytes that may wait (outbox plus ``buffered()``, the socket's
        buffer); ``overflow``: the message a slow consumer gets last; ``abort``
        drops the socket at once, ``grace`` seconds after a slow consumer's close."""
        self.kind = kind
        self.address = address
        self._write = write
        self._write_now = write_now
        self._close = close
        self._limit = limit
        self._budget = budget
        self._buffered = buffered
        self._overflow = overflow
        self._abort = abort
        self._grace = grace
        self._queued = 0
        """Bytes in the outbox."""
        self.slow = False
        """Closed for not reading (``slow_consumer``)."""
        self._queue: asyncio.Queue[bytes | None] | None = None
        self._task: asyncio.Task[None] | None = None
        self.closed = False

    def start(self) -> None:
        """Nothing to do yet: the outbox and its writer task are made when first needed,
        so an idle connection costs no task."""

    def send(self, data: bytes) -> None:
        """Queue one encoded message; a peer too far behind is dropped."""
        if self.closed:
            return
        queue = self._queue
        # Nothing waits ahead of this message, so writing it now keeps the order.
        nothing_waits = queue is None or queue.empty()
        if nothing_waits and self._write_now is not None and self._write_now(data):
            return
        if queue is None:
            queue = self._outbox()
        queued = self._queued
        cost = self._cost(data)
        if queued and self._over_budget(queued + cost):
            self._slow_consumer()
            return
        try:
            queue.put_nowait(data)
        except asyncio.QueueFull:
            self._slow_consumer()
            return
        self._queued = queued + cost

    def _cost(self, data: bytes) -> int:
        """What a queued message counts against the budget: its size, but at most an
        eighth of the budget. A message that long is a snapshot, bytes shared with every
        other watcher (and streamed to this one as it reads), not a copy of its own; a
        page that opens a few long matches at once is not a slow consumer."""
        return min(len(data), self._budget >> 3)

    def _over_budget(self, queued: int) -> bool:
        buffered = self._buffered
        return queued + (buffered() if buffered is not None else 0) > self._budget

    def _slow_consumer(self) -> None:
        """Drop what waits, queue the overflow message and close; the socket goes after
        the grace whether the peer took that message or not."""
        log.warning(
            "%s %s is not reading (%d bytes waiting); closing it",
            self.kind,
            self.address,
            self._queued,
        )
        self.slow = True
        queue = self._queue
        if queue is not None:
            while not queue.empty():
                queue.get_nowait()
        self._queued = 0
        if self._overflow is not None:
            queue = self._outbox()
            queue.put_nowait(self._overflow)
        self.close_soon()
        if self._abort is not None:
            asyncio.get_running_loop().call_later(self._grace, self._abort)

    def close_soon(self) -> None:
        """Close after what is already queued has been written."""
        if self.closed:
            return
        self.closed = True
        queue = self._outbox()
        with contextlib.suppress(asyncio.QueueFull):
            queue.put_nowait(None)
        if queue.full():
            # No room for the sentinel: nothing more can be written anyway.
            asyncio.get_running_loop().create_task(self._close_quietly())

    async def flushed(self) -> None:
        """Wait until the writer has finished (after ``close_soon``)."""
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    def _outbox(self) -> asyncio.Queue[bytes | None]:
        """The outbox, and the task that drains it, made on first use."""
        if self._queue is None:
            self._queue = asyncio.Queue(self._limit)
            self._task = asyncio.get_running_loop().create_task(self._drain(self._queue))
        return self._queue

    async def _close_quietly(self) -> None:
        with contextlib.suppress(Exception):
            await self._close()

    async def _drain(self, queue: asyncio.Queue[bytes | None]) -> None:
        try:
            while True:
                data = await queue.get()
                if data is None:
                    break
                self._queued = max(0, self._queued - self._cost(data))
                await self._write(data)
        except (ConnectionError, RuntimeError, OSError) as exc:
            log.debug("%s %s: write failed: %s", self.kind, self.address, exc)
        finally:
            self.closed = True
            await self._close_quietly()
