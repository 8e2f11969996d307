"""Raw-protocol peers and a real server process, for end-to-end tests and benches.

These speak the wire protocol by hand (no SDK), so a test proves what a bot
in any language would see. ``ServerProcess`` starts ``ringside serve`` as a
real child process on free ports and reads the ports it announces.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

READY_LINE = re.compile(r"serving http://([^/]+):(\d+)/ .*tcp://[^:]+:(\d+)")

# Connections a test opened and has not closed yet: ``close_open_clients`` ends them
# when a test stops early (a failed assertion), so that one failure does not leak
# sockets and sessions into the warnings of whichever test runs next on the worker.
_OPEN: weakref.WeakSet[WireBot | SpectatorClient] = weakref.WeakSet()


async def close_open_clients() -> None:
    """Close every bot and spectator connection still open (a test's teardown)."""
    for client in list(_OPEN):
        with contextlib.suppress(Exception):
            await client.close()


class WireBot:
    """One bot connection over ``ws`` or ``tcp``; ``behave`` decides each answer."""

    def __init__(
        self,
        name: str,
        url: str,
        token: str | None = None,
        behave: Callable[[WireBot, dict[str, Any]], Awaitable[None]] | None = None,
        max_matches: int = 1,
        games: list[str] | None = None,
    ) -> None:
        self.name = name
        self.url = url
        self.token = token
        self.behave = behave or polite_first_legal
        self.max_matches = max_matches
        self.games = games
        self.received: list[dict[str, Any]] = []
        self.results: list[dict[str, Any]] = []
        self.welcomed = asyncio.Event()
        self.result_seen = asyncio.Event()
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._reader: asyncio.StreamReader | None = None

    async def connect(self) -> None:
        _OPEN.add(self)
        if self.url.startswith("tcp://"):
            host, port = self.url[6:].rsplit(":", 1)
            self._reader, self._writer = await asyncio.open_connection(
                host, int(port), limit=1 << 20
            )
        else:
            self._session = aiohttp.ClientSession()
            try:
                self._ws = await self._session.ws_connect(self.url, autoping=True)
            except BaseException:  # refused (429) or unreachable: no session left behind
                await self._session.close()
                self._session = None
                raise
        hello: dict[str, Any] = {
            "type": "hello",
            "name": self.name,
            "max_matches": self.max_matches,
        }
        if self.token:
            hello["token"] = self.token
        if self.games is not None:
            hello["games"] = self.games
        await self.send(hello)

    async def send(self, message: dict[str, Any]) -> None:
        await self.send_raw(json.dumps(message).encode())

    async def send_raw(self, data: bytes) -> None:
        if self._writer is not None:
            self._writer.write(data + b"\n")
            await self._writer.drain()
        elif self._ws is not None:
            await self._ws.send_str(data.decode("utf-8", "replace"))

    async def receive(self) -> dict[str, Any] | None:
        if self._reader is not None:
            line = await self._reader.readline()
            return json.loads(line) if line else None
        assert self._ws is not None
        msg = await self._ws.receive()
        if msg.type != aiohttp.WSMsgType.TEXT:
            return None
        return json.loads(msg.data)  # type: ignore[no-any-return]

    async def run(self) -> None:
        """Serve messages until the connection closes.

        A send that fails (the server closed while the bot was thinking) does not
        stop the reading: what the server said last (``server_shutdown``, a fatal
        error) is still in the socket, and a bot must read it to know why."""
        try:
            while (message := await self.receive()) is not None:
                self.received.append(message)
                kind = message.get("type")
                if kind == "welcome":
                    self.welcomed.set()
                elif kind == "match_result":
                    self.results.append(message)
                    self.result_seen.set()
                with contextlib.suppress(ConnectionError, aiohttp.ClientError):
                    if kind == "ping":
                        await self.send({"type": "pong", "id": message.get("id", 0)})
                    else:
                        await self.behave(self, message)
        except (ConnectionError, aiohttp.ClientError):
            pass

    async def close(self) -> None:
        _OPEN.discard(self)
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self._writer.wait_closed()
            self._writer = None
        if self._ws is not None:
            await self._ws.close()
            self._ws = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    def errors(self) -> list[dict[str, Any]]:
        return [m for m in self.received if m.get("type") == "error"]


async def answer_session(bot: WireBot, message: dict[str, Any]) -> bool:
    """Answer prepare and round_end; True when the message was one of those."""
    kind = message.get("type")
    if kind == "prepare":
        await bot.send({"type": "ready", "match": message["match"], "id": message["id"]})
        return True
    if kind == "round_end":
        await bot.send({"type": "ok", "match": message["match"], "id": message["id"]})
        return True
    return False


async def polite_first_legal(bot: WireBot, message: dict[str, Any]) -> None:
    if await answer_session(bot, message):
        return
    if message.get("type") == "request":
        action = message["legal_actions"][0]
        await bot.send(
            {"type": "action", "match": message["match"], "id": message["id"], "action": action}
        )


@dataclass
class ServerProcess:
    """A real ``ringside serve`` child process."""

    data_dir: Path
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[str] | None = None
    host: str = "127.0.0.1"
    port: int = 0
    tcp_port: int = 0
    output: list[str] = field(default_factory=list)

    @property
    def http(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws_bot(self) -> str:
        return f"ws://{self.host}:{self.port}/ws/bot"

    @property
    def tcp_bot(self) -> str:
        return f"tcp://{self.host}:{self.tcp_port}"

    def start(self, timeout: float = 60.0) -> ServerProcess:
        self.launch()
        return self.wait_ready(timeout)

    def launch(self) -> None:
        """Start the process without waiting for it: several start side by side, and a
        cluster's nodes spend their interpreter start-up on both cores at once."""
        argv = [
            sys.executable,
            "-m",
            "ringside",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--tcp-port",
            "0",
            "--data-dir",
            str(self.data_dir),
            *self.args,
        ]
        with open(self.data_dir / "server.log", "a") as log:
            self.process = subprocess.Popen(
                argv,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                env={**os.environ, **self.env},
            )

    def wait_ready(self, timeout: float = 60.0) -> ServerProcess:
        """Until the server prints its ready line (its ports); a silence of ``timeout``
        seconds or an exit fails with the log's tail."""
        assert self.process is not None and self.process.stdout is not None
        import selectors

        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            while True:
                if not selector.select(timeout):
                    self.kill()
                    raise RuntimeError(f"server did not start: {self.log_tail()}")
                line = self.process.stdout.readline()
                if not line:
                    raise RuntimeError(f"server exited: {self.log_tail()}")
                self.output.append(line)
                found = READY_LINE.search(line)
                if found:
                    self.host, self.port, self.tcp_port = (
                        found.group(1),
                        int(found.group(2)),
                        int(found.group(3)),
                    )
                    return self

    def log_tail(self, lines: int = 40) -> str:
        path = self.data_dir / "server.log"
        return "\n".join(path.read_text().splitlines()[-lines:]) if path.exists() else ""

    def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM, the clean way; returns the exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        return self.process.returncode

    def kill(self) -> None:
        """SIGKILL: the crash case."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()


class SpectatorClient:
    """A /ws/watch connection that records every event it gets."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []
        self._task = asyncio.get_running_loop().create_task(self._read())
        self._changed = asyncio.Event()
        _OPEN.add(self)

    async def _read(self) -> None:
        async for msg in self.ws:
            if msg.type == aiohttp.WSMsgType.TEXT:
                self.events.append(json.loads(msg.data))
                self._changed.set()

    async def wait_for(self, predicate: Any, timeout: float = 60.0) -> dict[str, Any]:
        """The first event ``predicate`` accepts; ``timeout`` only stops a hang, and
        says what was seen instead."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    for event in self.events:
                        if predicate(event):
                            return event
                    self._changed.clear()
                    await self._changed.wait()
        except TimeoutError:
            seen = [e.get("type") for e in self.events]
            raise AssertionError(
                f"no event accepted by {predicate!r} in {timeout} s; seen: {seen[-20:]}"
            ) from None

    async def close(self) -> None:
        _OPEN.discard(self)
        await self.ws.close()
        self._task.cancel()


async def start_bot(bot: WireBot) -> asyncio.Task[None]:
    await bot.connect()
    task = asyncio.get_running_loop().create_task(bot.run())
    async with asyncio.timeout(10):
        await bot.welcomed.wait()
    return task


async def post_match(
    http: aiohttp.ClientSession,
    server: ServerProcess,
    body: dict[str, Any],
    token: str | None = None,
) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http.post(f"{server.http}/api/matches", json=body, headers=headers) as response:
        return response.status, await response.json()


async def get_json(http: aiohttp.ClientSession, url: str) -> Any:
    async with http.get(url) as response:
        assert response.status == 200, await response.text()
        return await response.json()
