"""A steady stream of short matches: every pair of bots in a new match as soon as its last one
ended (figure 7 and ``bench.profile --tictactoe``).

The next match of a pair is requested without waiting for the previous
request's answer, so the load keeps every pair busy however long one
``POST /api/matches`` takes: the server, not the load, sets the rate. Figures
are read in windows of the running stream (matches finished, the server's CPU
time), after a warm-up, so the ramp of the first matches is in no window.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

from bench.common import Child, Server, cpu_seconds


@dataclass(frozen=True)
class Window:
    matches: int
    seconds: float
    cpu_seconds: float
    """The server's."""
    load_cpu_seconds: float = 0.0
    """The bots' process and this one's (the requests), together."""

    @property
    def rate(self) -> float:
        return self.matches / self.seconds

    @property
    def cpu_ms_per_match(self) -> float:
        return self.cpu_seconds * 1e3 / max(self.matches, 1)


class MatchStream:
    """``pairs`` pairs of bots named ``{prefix}{i:05d}`` in one process, playing ``game``."""

    def __init__(
        self,
        server: Server,
        bots: Child,
        http: aiohttp.ClientSession,
        pairs: int,
        prefix: str,
        game: str = "tictactoe",
    ) -> None:
        self.server, self.bots, self.http = server, bots, http
        self.pairs, self.prefix, self.game = pairs, prefix, game
        self.finished = 0
        self.running = False
        self._pair_of: dict[str, int] = {}
        self._posts: set[asyncio.Task[None]] = set()
        self._reader: asyncio.Task[None] | None = None
        self._error: BaseException | None = None
        self._early: set[str] = set()
        """Results heard before the answer to their ``POST`` (rare, but a pair would stall)."""

    def _body(self, pair: int) -> dict[str, Any]:
        p = self.prefix
        return {"game": self.game, "bots": [f"{p}{2 * pair:05d}", f"{p}{2 * pair + 1:05d}"]}

    async def _post(self, pair: int) -> None:
        url = f"{self.server.http}/api/matches"
        async with self.http.post(url, json=self._body(pair)) as response:
            if response.status != 201:
                text = await response.text()
                raise RuntimeError(f"POST /api/matches: {response.status} {text}")
            match = str((await response.json())["id"])
        if match in self._early:
            self._early.discard(match)
            self._ended(pair)
        else:
            self._pair_of[match] = pair

    def _ended(self, pair: int) -> None:
        self.finished += 1
        if self.running:
            self._start(pair)

    def _start(self, pair: int) -> None:
        task = asyncio.get_running_loop().create_task(self._post(pair))
        self._posts.add(task)
        task.add_done_callback(self._posted)

    def _posted(self, task: asyncio.Task[None]) -> None:
        self._posts.discard(task)
        if not task.cancelled() and task.exception() is not None and self._error is None:
            self._error = task.exception()

    async def _read(self) -> None:
        while self.running or self._pair_of or self._posts:
            result = await self.bots.expect("RESULT", 60)
            pair = self._pair_of.pop(result["match"], None)
            if pair is None:
                self._early.add(result["match"])
                continue
            self._ended(pair)

    async def start(self) -> None:
        """Every pair in a match; the stream keeps them busy until ``drain``."""
        self.running = True
        for pair in range(self.pairs):
            self._start(pair)
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def window(self, seconds: float) -> Window:
        """Matches finished and the server's CPU time over the next ``seconds``."""
        self._check()
        done0, cpu0, t0 = self.finished, cpu_seconds(self.server.pid), time.perf_counter()
        load0 = cpu_seconds(self.bots.pid) + time.process_time()
        await asyncio.sleep(seconds)
        done1, cpu1, t1 = self.finished, cpu_seconds(self.server.pid), time.perf_counter()
        load1 = cpu_seconds(self.bots.pid) + time.process_time()
        self._check()
        return Window(done1 - done0, t1 - t0, cpu1 - cpu0, load1 - load0)

    async def drain(self, timeout: float = 120.0) -> None:
        """Start no more matches; wait for those under way to end."""
        self.running = False
        if self._reader is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._reader), timeout)
            finally:
                if not self._reader.done():
                    self._reader.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await self._reader
        self._check()

    def _check(self) -> None:
        if self._error is not None:
            raise RuntimeError(f"the match stream failed: {self._error!r}")
        if self._reader is not None and self._reader.done() and self.running:
            self._reader.result()  # raises what stopped it
