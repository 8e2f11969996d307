"""A connected peer (bot or spectator) as seen by everything above the transport.

Sending never blocks the caller: each peer has a bounded outbox drained by one
writer task, so the referee's outputs are carried out synchronously and in
order, and one slow peer cannot stall a match or a fan-out. A peer whose
outbox overflows is closed: it was not reading.
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

    def __init__(
        self,
        kind: str,
        address: str,
        write: Callable[[bytes], Awaitable[None]],
        close: Callable[[], Awaitable[object]],
        limit: int = OUTBOX_LIMIT,
    ) -> None:
        self.kind = kind
        self.address = address
        self._write = write
        self._close = close
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue(limit)
        self._task: asyncio.Task[None] | None = None
        self.closed = False

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._drain())

    def send(self, data: bytes) -> None:
        """Queue one encoded message; a peer too far behind is dropped."""
        if self.closed:
            return
        try:
            self._queue.put_nowait(data)
        except asyncio.QueueFull:
            log.warning("%s %s is not reading; closing it", self.kind, self.address)
            self.close_soon()

    def close_soon(self) -> None:
        """Close after what is already queued has been written."""
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(None)
        if self._queue.full():
            # No room for the sentinel: nothing more can be written anyway.
            asyncio.get_running_loop().create_task(self._close_quietly())

    async def flushed(self) -> None:
        """Wait until the writer has finished (after ``close_soon``)."""
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def _close_quietly(self) -> None:
        with contextlib.suppress(Exception):
            await self._close()

    async def _drain(self) -> None:
        try:
            while True:
                data = await self._queue.get()
                if data is None:
                    break
                await self._write(data)
        except (ConnectionError, RuntimeError, OSError) as exc:
            log.debug("%s %s: write failed: %s", self.kind, self.address, exc)
        finally:
            self.closed = True
            await self._close_quietly()
