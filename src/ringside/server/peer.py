"""A connected peer (bot or spectator) as seen by everything above the transport.

Sending never blocks the caller: each peer has a bounded outbox drained by one
writer task, so the referee's outputs are carried out synchronously and in
order, and one slow peer cannot stall a match or a fan-out. A peer whose
outbox overflows is closed: it was not reading.

The hot path skips the outbox: while it is empty and the transport takes
more, a message goes straight to the transport (``write_now``), which costs
no task switch. Only a peer whose transport is backed up (over its
high-water mark) queues, so the limits and their meaning are unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("ringside.server")

OUTBOX_LIMIT = 4096


class Peer:
    """One connection's outgoing side; the transport supplies ``write`` and ``close``."""

    __slots__ = (
        "_close",
        "_limit",
        "_queue",
        "_task",
        "_write",
        "_write_now",
        "address",
        "closed",
        "kind",
    )

    def __init__(
        self,
        kind: str,
        address: str,
        write: Callable[[bytes], Awaitable[None]],
        close: Callable[[], Awaitable[object]],
        limit: int = OUTBOX_LIMIT,
        write_now: Callable[[bytes], bool] | None = None,
    ) -> None:
        """``write_now`` writes at once and says True, or says False when the
        transport is backed up or closing (the message then waits in the outbox)."""
        self.kind = kind
        self.address = address
        self._write = write
        self._write_now = write_now
        self._close = close
        self._limit = limit
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
        try:
            queue.put_nowait(data)
        except asyncio.QueueFull:
            log.warning("%s %s is not reading; closing it", self.kind, self.address)
            self.close_soon()

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
                await self._write(data)
        except (ConnectionError, RuntimeError, OSError) as exc:
            log.debug("%s %s: write failed: %s", self.kind, self.address, exc)
        finally:
            self.closed = True
            await self._close_quietly()
