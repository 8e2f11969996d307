"""Load-generating processes: raw-protocol bots, the echo client, spectators.

    python -m bench.clients echo URL --conns N --duration S
    python -m bench.clients bots URL --prefix P --count N --strategy instant|random|paced|idle
    python -m bench.clients spectators WATCH_URL --match ID --count N

Bots speak the wire protocol by hand, as cheaply as a client can (an
``asyncio.Protocol`` per TCP connection, aiohttp's client for WebSocket), so
the server is what is measured. The echo client runs the very same bot code
against ``bench.echo_server``: the only difference between figure 1 and
figure 2 is what the server does with a message.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any, cast

import aiohttp
import msgspec
from aiohttp import WSMsgType

from bench.common import commands, emit, run


class Incoming(msgspec.Struct):
    """What a bot reads of a server message; other fields are skipped."""

    type: str
    match: str | None = None
    id: int = 0
    legal_actions: list[Any] | None = None


class Watched(msgspec.Struct):
    """What a spectator reads of an event."""

    type: str
    ply: int = 0


DECODE = msgspec.json.Decoder(Incoming).decode
DECODE_EVENT = msgspec.json.Decoder(Watched).decode
encode = msgspec.json.encode

Send = Callable[[bytes], None]


class Stats:
    """What one process measured, by match."""

    def __init__(self) -> None:
        self.started: dict[str, float] = {}
        self.requests = 0
        self.sent_at: dict[int, float] = {}
        """Paced bots: wall-clock time each ply's action was sent, by ply."""


class Bot:
    """One bot's decisions. ``on_message`` answers at once or schedules the answer."""

    def __init__(
        self,
        name: str,
        strategy: str,
        stats: Stats,
        think: float = 0.0,
        hold: bool = False,
        games: list[str] | None = None,
    ) -> None:
        self.name = name
        self.games = games
        self.strategy = strategy
        self.stats = stats
        self.think = think
        self.send: Send = _unconnected
        self.welcomed = asyncio.Event()
        self.go = asyncio.Event()
        """Paced and holding bots make no move before the runner says ``go``."""
        self.held: list[bytes] = []
        self.hold = hold

    def hello(self) -> bytes:
        hello: dict[str, Any] = {
            "type": "hello",
            "name": self.name,
            "max_matches": 1,
            "protocol": 1,
        }
        if self.games:
            hello["games"] = self.games
        return encode(hello)

    def on_message(self, data: bytes | str) -> bytes | None:
        msg = DECODE(data)
        kind = msg.type
        if kind == "request":
            self.stats.requests += 1
            legal = msg.legal_actions or [None]
            action = random.choice(legal) if self.strategy == "random" else legal[0]
            reply = b'{"type":"action","match":"%s","id":%d,"action":%s}' % (
                (msg.match or "").encode(),
                msg.id,
                encode(action),
            )
            if self.strategy == "paced":
                asyncio.get_running_loop().create_task(self._paced(reply, action))
                return None
            if self.hold and not self.go.is_set():
                self.held.append(reply)
                return None
            return reply
        if kind == "prepare":
            self.stats.started.setdefault(msg.match or "", time.perf_counter())
            return b'{"type":"ready","match":"%s","id":%d}' % ((msg.match or "").encode(), msg.id)
        if kind == "round_end":
            return b'{"type":"ok","match":"%s","id":%d}' % ((msg.match or "").encode(), msg.id)
        if kind == "match_result":
            started = self.stats.started.pop(msg.match or "", None)
            if started is not None:  # the first of the match's bots in this process to hear it
                emit("RESULT", {"match": msg.match, "seconds": time.perf_counter() - started})
        elif kind == "welcome":
            self.welcomed.set()
        elif kind == "ping":
            return b'{"type":"pong","id":%d}' % msg.id
        elif kind == "error":
            emit("LOG", {"bot": self.name, "error": msgspec.json.decode(data)})
        return None

    async def _paced(self, reply: bytes, action: Any) -> None:
        """Think, then answer; the wall-clock send time is what spectators are timed from."""
        await self.go.wait()
        await asyncio.sleep(self.think)
        if isinstance(action, int):
            self.stats.sent_at[action] = time.time()
        self.send(reply)


def _unconnected(data: bytes) -> None:
    raise RuntimeError("not connected")


# --- transports ----------------------------------------------------------------------


class TcpBotProtocol(asyncio.Protocol):
    """JSON lines; answers are written straight from ``data_received``."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.buffer = bytearray()
        self.transport: asyncio.WriteTransport | None = None
        self.lost = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.WriteTransport, transport)  # uvloop's subclass none
        self.bot.send = self.write

    def write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data + b"\n")

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        start = 0
        while (end := buffer.find(b"\n", start)) >= 0:
            reply = self.bot.on_message(bytes(buffer[start:end]))
            if reply is not None:
                self.write(reply)
            start = end + 1
        del buffer[:start]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.lost.done():
            self.lost.set_result(None)


class Connections:
    """Opens bots' connections over ``tcp://`` or ``ws://`` and closes them all."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session: aiohttp.ClientSession | None = None
        self.closers: list[Callable[[], Awaitable[object]]] = []
        self.tasks: set[asyncio.Task[None]] = set()

    async def open(self, bot: Bot, hello: bool = True) -> None:
        loop = asyncio.get_running_loop()
        if self.url.startswith("tcp://"):
            host, port = self.url[6:].rsplit(":", 1)
            transport, _ = await loop.create_connection(
                lambda: TcpBotProtocol(bot), host, int(port)
            )

            async def close_tcp() -> None:
                transport.close()

            self.closers.append(close_tcp)
        else:
            if self.session is None:
                self.session = aiohttp.ClientSession(
                    connector=aiohttp.TCPConnector(limit=0, force_close=True)
                )
            ws = await self.session.ws_connect(self.url, autoping=True, max_msg_size=0)

            def send_ws(data: bytes) -> None:
                task = loop.create_task(ws.send_frame(data, WSMsgType.TEXT))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)

            bot.send = send_ws
            task = loop.create_task(self._read_ws(ws, bot))
            self.tasks.add(task)
            self.closers.append(ws.close)
        if hello:
            bot.send(bot.hello())

    @staticmethod
    async def _read_ws(ws: aiohttp.ClientWebSocketResponse, bot: Bot) -> None:
        with contextlib.suppress(ConnectionError, aiohttp.ClientError):
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    break
                reply = bot.on_message(msg.data)
                if reply is not None:
                    await ws.send_frame(reply, WSMsgType.TEXT)

    async def close(self) -> None:
        for close in self.closers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(close(), 2)
        for task in list(self.tasks):
            task.cancel()
        if self.session is not None:
            await self.session.close()


async def open_all(conns: Connections, bots: list[Bot], parallel: int, hello: bool) -> None:
    """Connect every bot, ``parallel`` at a time, and wait for each welcome."""
    gate = asyncio.Semaphore(parallel)

    async def one(bot: Bot) -> None:
        async with gate:
            for attempt in range(5):
                try:
                    await conns.open(bot, hello)
                    break
                except OSError:
                    if attempt == 4:
                        raise
                    await asyncio.sleep(0.2 * (attempt + 1))
            if hello:
                await asyncio.wait_for(bot.welcomed.wait(), 60)

    await asyncio.gather(*(one(bot) for bot in bots))


# --- modes ---------------------------------------------------------------------------


async def echo(args: argparse.Namespace) -> None:
    """Sequential request/reply on each connection against the echo server."""
    stats = Stats()
    bots = [Bot(f"echo{i}", "instant", stats) for i in range(args.conns)]
    conns = Connections(args.url)
    await open_all(conns, bots, 100, hello=False)
    first = b'{"type":"action","match":"3f2a1b4c5d6e","id":1,"action":1}'
    for bot in bots:
        bot.send(first)
    await asyncio.sleep(args.warmup)
    emit("TIMING", {})  # the runner reads the server's CPU time from here to the result
    before, t0 = stats.requests, time.perf_counter()
    await asyncio.sleep(args.duration)
    done, t1 = stats.requests, time.perf_counter()
    emit("RESULT", {"round_trips": done - before, "seconds": t1 - t0})
    await conns.close()


async def bots_mode(args: argparse.Namespace) -> None:
    stats = Stats()
    bots = [
        Bot(
            f"{args.prefix}{i:05d}",
            args.strategy,
            stats,
            args.think,
            args.hold,
            [g for g in args.games.split(",") if g],
        )
        for i in range(args.count)
    ]
    conns = Connections(args.url)
    started = time.perf_counter()
    await open_all(conns, bots, args.parallel, hello=True)
    emit("READY", {"bots": len(bots), "seconds": time.perf_counter() - started})
    queue = await commands()
    while (command := await queue.get()) != "stop":
        if command == "go":
            for bot in bots:
                bot.go.set()
                for reply in bot.held:
                    bot.send(reply)
                bot.held.clear()
        elif command == "pause":  # holding bots hold their next replies until ``go``
            for bot in bots:
                bot.go.clear()
        elif command == "sent":
            emit("RESULT", {"sent_at": stats.sent_at})
    await conns.close()


async def spectators(args: argparse.Namespace) -> None:
    """Watch one match from ``count`` sockets; time every move's arrival on each."""
    loop = asyncio.get_running_loop()
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, force_close=True))
    arrivals: dict[int, list[float]] = {}
    ready = [loop.create_future() for _ in range(args.count)]
    finished = [loop.create_future() for _ in range(args.count)]
    gate = asyncio.Semaphore(100)

    async def watch(i: int) -> None:
        async with gate:
            ws = await session.ws_connect(f"{args.url}?match={args.match}", max_msg_size=0)
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    break
                now = time.time()
                event = DECODE_EVENT(msg.data)
                if event.type == "move":
                    arrivals.setdefault(event.ply, []).append(now)
                elif event.type == "snapshot" and not ready[i].done():
                    ready[i].set_result(None)
                elif event.type == "match_result":
                    break
        finally:
            if not finished[i].done():
                finished[i].set_result(None)
            await ws.close()

    tasks = [loop.create_task(watch(i)) for i in range(args.count)]
    await asyncio.wait_for(asyncio.gather(*ready), 120)
    emit("READY", {"spectators": args.count})
    queue = await commands()
    waiting: asyncio.Future[Any] = loop.create_task(queue.get())
    every: asyncio.Future[Any] = asyncio.gather(*finished)
    await asyncio.wait([waiting, every], timeout=args.timeout, return_when="FIRST_COMPLETED")
    emit("RESULT", {"arrivals": arrivals})
    for task in tasks:
        task.cancel()
    waiting.cancel()
    await session.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.clients")
    modes = parser.add_subparsers(dest="mode", required=True)
    p = modes.add_parser("echo")
    p.add_argument("url")
    p.add_argument("--conns", type=int, default=1)
    p.add_argument("--duration", type=float, default=2.0)
    p.add_argument("--warmup", type=float, default=0.3)
    p = modes.add_parser("bots")
    p.add_argument("url")
    p.add_argument("--prefix", default="bot")
    p.add_argument("--count", type=int, default=2)
    p.add_argument("--strategy", choices=("instant", "random", "paced", "idle"), default="instant")
    p.add_argument("--think", type=float, default=0.0)
    p.add_argument("--parallel", type=int, default=200)
    p.add_argument("--hold", action="store_true", help="make no move before 'go' on stdin")
    p.add_argument("--games", default="", help="games to say in hello, comma-separated")
    p = modes.add_parser("spectators")
    p.add_argument("url")
    p.add_argument("--match", required=True)
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    mode = {"echo": echo, "bots": bots_mode, "spectators": spectators}[args.mode]
    run(lambda: mode(args))


if __name__ == "__main__":
    main()
