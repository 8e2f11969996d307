"""Transports: bots over WebSocket and TCP JSON lines, spectators over WebSocket.

Each one only moves bytes between its socket and a ``BotSession`` or a
``Spectator``; nothing above this module knows which transport a bot uses.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import msgspec
from aiohttp import WSMsgType, web

from ringside.protocol.codec import encode
from ringside.protocol.messages import Error, MatchSnapshot, Ping, Unwatch, Watch
from ringside.server.app import Server
from ringside.server.lobby import Spectator
from ringside.server.peer import Peer
from ringside.server.session import BotSession

log = logging.getLogger("ringside.server")

SERVER_KEY = web.AppKey("server", Server)

_spectator_decoder = msgspec.json.Decoder(Watch | Unwatch)


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


async def bot_websocket(request: web.Request) -> web.StreamResponse:
    server = request.app[SERVER_KEY]
    settings = server.settings
    ws = web.WebSocketResponse(
        heartbeat=settings.heartbeat,
        compress=False,
        max_msg_size=settings.max_message_bytes * 4,
    )
    await ws.prepare(request)

    async def write(data: bytes) -> None:
        await ws.send_frame(data, WSMsgType.TEXT)

    peer = Peer("bot", str(request.remote), write, ws.close)
    peer.start()
    session = BotSession(server, peer, "websocket")
    session.header_token = _bearer(request)
    try:
        async for msg in ws:
            if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                await session.on_data(msg.data)
            elif msg.type == WSMsgType.ERROR:
                break
            if session.state == "closed":
                break
    finally:
        session.closed()
        peer.close_soon()
        await peer.flushed()
    return ws


async def watch_websocket(request: web.Request) -> web.StreamResponse:
    server = request.app[SERVER_KEY]
    ws = web.WebSocketResponse(heartbeat=server.settings.heartbeat, compress=False)
    await ws.prepare(request)

    async def write(data: bytes) -> None:
        await ws.send_frame(data, WSMsgType.TEXT)

    peer = Peer("spectator", str(request.remote), write, ws.close, limit=16384)
    peer.start()
    spectator = Spectator(peer)
    server.lobby.add_spectator(spectator)
    try:
        if request.query.get("match"):
            await watch(server, spectator, request.query["match"])
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            try:
                command = _spectator_decoder.decode(msg.data)
            except msgspec.DecodeError as exc:
                text = f"expected {{'type': 'watch'|'unwatch', 'match': ID}}: {exc}"
                peer.send(encode(Error("invalid_field", text)))
                continue
            if isinstance(command, Watch):
                await watch(server, spectator, command.match)
            else:
                spectator.matches.discard(command.match)
                runner = server.runners.get(command.match)
                if runner is not None:
                    runner.watchers.discard(peer)
    finally:
        server.lobby.remove_spectator(spectator)
        peer.close_soon()
        await peer.flushed()
    return ws


async def watch(server: Server, spectator: Spectator, match_id: str) -> None:
    """Send the match's events so far as one snapshot, then every new one in order."""
    runner = server.runners.get(match_id)
    if runner is not None:
        head = encode(MatchSnapshot(match_id, []))[:-2]  # ...,"events":[  then ]}
        spectator.peer.send(head + b",".join(runner.log) + b"]}")
        runner.watchers.add(spectator.peer)
        spectator.matches.add(match_id)
        return
    record = await server.store.get_match(match_id)
    if record is None:
        text = f"no match {match_id!r:.40}"
        spectator.peer.send(encode(Error("unknown_match", text, match_id)))
        return
    spectator.peer.send(encode(MatchSnapshot(match_id, list(record.events))))


# --- TCP: one JSON message per line ---------------------------------------------------


class TcpBots:
    """The TCP listener for bots; a line is a message, a ``\\n`` ends it."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.listener: asyncio.Server | None = None
        self.connections: set[asyncio.Task[None]] = set()

    async def start(self, host: str, port: int) -> int:
        limit = self.server.settings.max_message_bytes + 2
        self.listener = await asyncio.start_server(self._serve, host, port, limit=limit)
        return int(self.listener.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self.listener is not None:
            self.listener.close()
        for task in list(self.connections):
            task.cancel()
        if self.connections:
            await asyncio.wait(self.connections, timeout=5)
        if self.listener is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.listener.wait_closed(), 5)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.connections.add(task)
        address = "{}:{}".format(*writer.get_extra_info("peername", ("?", "?"))[:2])

        async def write(data: bytes) -> None:
            writer.write(data + b"\n")
            await writer.drain()

        async def close() -> None:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

        peer = Peer("bot", address, write, close)
        peer.start()
        session = BotSession(self.server, peer, "tcp")
        heartbeat = asyncio.get_running_loop().create_task(self._heartbeat(session))
        try:
            while session.state != "closed":
                try:
                    line = await reader.readline()
                except (asyncio.LimitOverrunError, ValueError):
                    limit = self.server.settings.max_message_bytes
                    text = f"a line is longer than {limit} bytes; lines end with \\n"
                    session.send_error("too_large", text, fatal=True)
                    break
                if not line:
                    break
                if line.strip():
                    await session.on_data(line)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            heartbeat.cancel()
            session.closed()
            peer.close_soon()
            await peer.flushed()
            self.connections.discard(task)

    async def _heartbeat(self, session: BotSession) -> None:
        """Ping now and then; a peer silent for three periods is dead."""
        interval = self.server.settings.heartbeat
        loop = asyncio.get_running_loop()
        ping_id = 0
        while session.state != "closed":
            await asyncio.sleep(interval)
            if loop.time() - session.last_seen > 3 * interval:
                log.info("bot %s timed out (no traffic)", session.name or session.peer.address)
                session.peer.close_soon()
                return
            ping_id += 1
            session.peer.send(encode(Ping(ping_id)))


__all__ = ["SERVER_KEY", "TcpBots", "bot_websocket", "watch_websocket"]
