"""Bots and HTTP helpers for the browser tests, usable from plain sync tests.

Playwright's sync API runs its own event loop, so the raw-protocol bots
(``WireBot``) live on an event loop of their own in a background thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ringside.testing.wire import ServerProcess, WireBot, answer_session, start_bot

Choose = Callable[[list[Any], dict[str, Any]], Any]
"""Picks an action from the legal ones, given the whole request."""


class Gate:
    """Holds a bot before one of its moves until the test opens it.

    A test that looks at a running match (the lobby's list, a "playing" status)
    closes a gate first, so the match cannot end before the test has looked.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, before_request: int) -> None:
        self.before_request = before_request
        """The bot answers this many requests of a match, then waits at the next one."""
        self._loop = loop
        self._opened = asyncio.Event()
        self.reached = threading.Event()
        """Set when the bot is waiting: the match is held from then on."""

    def open(self) -> None:
        self._loop.call_soon_threadsafe(self._opened.set)

    async def pass_through(self) -> None:
        self.reached.set()
        await self._opened.wait()


def thinking_bot(
    think: float, seed: int, choose: Choose | None = None, gate: Gate | None = None
) -> Any:
    """A bot that waits ``think`` seconds, then plays ``choose`` (default: a random legal action)."""
    rng = random.Random(seed)
    pick: Choose = choose or (lambda legal, _: rng.choice(legal))
    requests: dict[str, int] = {}
    """Requests answered in each match: a gate holds a match at its own n-th request, even
    when the ladder paired the bot in another match before (one that ended early)."""

    async def behave(bot: WireBot, message: dict[str, Any]) -> None:
        if await answer_session(bot, message):
            return
        if message.get("type") == "request":
            match = str(message.get("match"))
            if gate is not None and requests.get(match, 0) == gate.before_request:
                await gate.pass_through()
            requests[match] = requests.get(match, 0) + 1
            if think:
                await asyncio.sleep(think)
            legal = message.get("legal_actions") or [None]
            await bot.send(
                {
                    "type": "action",
                    "match": message["match"],
                    "id": message["id"],
                    "action": pick(legal, message),
                }
            )

    return behave


def first_legal(legal: list[Any], _: dict[str, Any]) -> Any:
    """Always the first legal action: the same game every time."""
    return legal[0]


def go_player(stones: int, seed: int) -> Choose:
    """Go: a random point for the first ``stones`` moves (never resign), then pass."""
    rng = random.Random(seed)
    played = 0

    def choose(legal: list[Any], _: dict[str, Any]) -> Any:
        nonlocal played
        points = [a for a in legal if a not in ("pass", "resign")]
        if played >= stones or not points:
            return "pass"
        played += 1
        return rng.choice(points)

    return choose


class BotFleet:
    """Bots connected to a server, driven from a background event loop."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="bots", daemon=True)
        self.thread.start()
        self.bots: dict[str, tuple[WireBot, asyncio.Task[None]]] = {}

    def _call(self, coro: Any, timeout: float = 15.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def add(
        self,
        url: str,
        name: str,
        *,
        think: float = 0.0,
        games: list[str] | None = None,
        token: str | None = None,
        seed: int = 0,
        choose: Choose | None = None,
        gate: Gate | None = None,
    ) -> WireBot:
        behave = thinking_bot(think, seed, choose, gate)
        bot = WireBot(name, url, token=token, behave=behave, games=games)
        task = self._call(start_bot(bot))
        self.bots[name] = (bot, task)
        return bot

    def gate(self, before_request: int) -> Gate:
        """A closed gate for one bot of this fleet (``add(..., gate=...)``)."""
        return Gate(self.loop, before_request)

    def remove(self, name: str) -> None:
        bot, task = self.bots.pop(name)

        async def stop() -> None:
            # Stop the reader first, so close() is the only one reading the socket.
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await bot.close()

        self._call(stop())

    def close(self) -> None:
        for name in list(self.bots):
            with contextlib.suppress(Exception):
                self.remove(name)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


def http_json(method: str, url: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.loads(exc.read())


def play_match(
    server: ServerProcess, config: dict[str, Any], timeout: float = 20.0
) -> dict[str, Any]:
    """Start a match over HTTP and return its stored record once it is over."""
    status, created = http_json("POST", f"{server.http}/api/matches", config)
    assert status == 201, created
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, record = http_json("GET", f"{server.http}/api/matches/{created['id']}")
        if status == 200 and record["status"] in ("finished", "aborted"):
            return record  # type: ignore[no-any-return]
        time.sleep(0.05)
    raise AssertionError(f"match {created['id']} did not finish in {timeout} s")


def finished_tournament(server: ServerProcess, tid: str, timeout: float = 20.0) -> dict[str, Any]:
    """The detail of tournament ``tid`` once it is no longer running."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, detail = http_json("GET", f"{server.http}/api/tournaments/{tid}")
        if status == 200 and detail["status"] != "running":
            return detail  # type: ignore[no-any-return]
        time.sleep(0.05)
    raise AssertionError(f"tournament {tid} did not end in {timeout} s")


def register_bot(data_dir: Path, name: str) -> str:
    """``ringside bots add``: returns the token printed once."""
    out = subprocess.run(
        [sys.executable, "-m", "ringside", "bots", "add", name, "--data-dir", str(data_dir)],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return out.rsplit(":", 1)[1].strip()


@contextlib.contextmanager
def explained(server: ServerProcess, match_id: str) -> Any:
    """A failed wait on a match says what the server knew: its state, the match, its log.

    A browser test that waits on a live match sees only the page; when it
    times out, this tells a stuck server (paused, not answering) from a match
    that never started or a page that missed its events."""
    try:
        yield
    except AssertionError as failure:
        facts: list[str] = []
        process = server.process
        if process is not None:
            try:
                stat = Path(f"/proc/{process.pid}/stat").read_text()
                facts.append(f"server process state: {stat.rsplit(')', 1)[1].split()[0]}")
            except OSError:
                facts.append(f"server process gone (exit {process.poll()})")
        try:
            with urllib.request.urlopen(f"{server.http}/api/matches/{match_id}", timeout=5) as r:
                record = json.loads(r.read())
            record.pop("events", None)
            facts.append(f"the match as stored: {record}")
        except (OSError, ValueError) as exc:
            facts.append(f"GET /api/matches/{match_id} failed: {exc}")
        facts.append("server log (tail):\n" + server.log_tail(60))
        raise AssertionError(f"{failure}\n\n" + "\n".join(facts)) from None
