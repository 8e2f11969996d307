"""This node's leases: renewed while the server lives, and other nodes' lapsed rows ended.

Every ``LeaseTerms.renew_every`` seconds (on the server's clock, so a test
drives it by hand) the keeper renews the leases of all this node's live rows
in one transaction (``NodeLease.renew``), then ends the matches of nodes whose
lease lapsed (``MatchStore.abort_lapsed``) and runs the sweeps it was given
(tournaments take over lapsed tournaments). At start-up, ``recover`` does the
same sweep and hands back the matches a previous run of this very node left.
A failed round is logged and tried again at the next period: a database
away for less than the lease loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from ringside.server.ports import Clock, TimerHandle
from ringside.store.records import MatchRecord
from ringside.store.repository import Store

log = logging.getLogger("ringside.server")

Sweep = Callable[[], Awaitable[object]]
"""Work done after each renewal (a coroutine function taking nothing)."""


class LeaseKeeper:
    """Renews this node's leases and ends the rows of nodes that stopped renewing theirs."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self.node = store.lease.node
        self.sweeps: list[Sweep] = []
        """Run after each renewal, in order (the composition root adds them)."""
        self.lost: list[Callable[[list[str]], Awaitable[object]]] = []
        """Told the ids of the matches of lost nodes this node has just aborted."""
        self.renewals = 0
        """Rounds done (renewed and swept, or failed), for tests, logs and metrics."""
        self.failures = 0
        """Rounds that failed (the renewal or a sweep raised)."""
        self.renewed_at: float | None = None
        """When (server clock) the leases were last renewed, or the keeper started: rows are
        leased when made or claimed. None before ``start``. Its age is the metric that warns
        before other nodes take this node's matches for lost."""
        self._timer: TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopped = False

    async def recover(self) -> list[MatchRecord]:
        """Start-up: end other nodes' lapsed matches; return this node's interrupted ones.

        The matches returned are leased again to this node; the caller resumes
        them or aborts them (``MatchStore.abort``).
        """
        lapsed = await self.store.matches.abort_lapsed()
        if lapsed:
            log.warning(
                "aborted %d match(es) of stopped server node(s): %s", len(lapsed), ", ".join(lapsed)
            )
            for tell in self.lost:
                await tell(lapsed)
        return await self.store.matches.claim_interrupted()

    def start(self) -> None:
        """Renew every period from now on, until ``stop``."""
        self._stopped = False
        self.renewed_at = self.clock.time()
        self._schedule()

    async def stop(self) -> None:
        """No more renewals: this node's leases lapse for the other nodes after their term."""
        self._stopped = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        task = self._task
        if task is not None and not task.done():
            await asyncio.wait([task])

    async def settled(self) -> None:
        """Wait for the round under way, if any (a test moves the clock, then awaits this)."""
        task = self._task
        if task is not None and not task.done():
            await asyncio.wait([task])

    def _schedule(self) -> None:
        if not self._stopped:
            period = self.store.lease.terms.renew_every
            self._timer = self.clock.call_at(self.clock.time() + period, self._due)

    def _due(self) -> None:
        self._timer = None
        if not self._stopped:
            self._task = asyncio.get_running_loop().create_task(self._round())

    async def _round(self) -> None:
        """Renew, then sweep; whatever fails waits for the next period."""
        try:
            await self.store.lease.renew()
            self.renewed_at = self.clock.time()
            lapsed = await self.store.matches.abort_lapsed()
            if lapsed:
                log.warning(
                    "aborted %d match(es) of stopped server node(s): %s",
                    len(lapsed),
                    ", ".join(lapsed),
                )
                for tell in self.lost:
                    await tell(lapsed)
            for sweep in self.sweeps:
                await sweep()
        except Exception:
            self.failures += 1
            log.exception("node %s: renewing leases failed; trying again next period", self.node)
        finally:
            self.renewals += 1
            self._schedule()


__all__ = ["LeaseKeeper"]
