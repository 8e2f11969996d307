"""connect() and Channel over both transports: the same behaviour, frame or line."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator

import pytest
from scripted_peer import TIMEOUT, PeerConnection, ScriptedServer, TcpPeer

from ringside.client import Channel, ConnectFailed, ConnectionClosed, connect, transport
from ringside.protocol.messages import MAX_MESSAGE_BYTES, Ping, Pong, Ready, Welcome


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port bound on loopback but not listening: connections to it are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@contextlib.asynccontextmanager
async def connected(server: ScriptedServer) -> AsyncIterator[tuple[Channel, PeerConnection]]:
    """A channel to ``server`` and the peer's end of it; both closed on the way out."""
    async with asyncio.timeout(TIMEOUT):
        channel = await connect(server.url)
    try:
        peer = await server.accept()
        yield channel, peer
        # A WebSocket close waits for the peer's answer, so the peer must be reading.
        async with asyncio.timeout(TIMEOUT):
            await asyncio.gather(channel.close(), peer.wait_closed())
    finally:
        await channel.close()


async def test_messages_both_ways(server: ScriptedServer) -> None:
    async with connected(server) as (channel, peer):
        assert channel.transport == server.transport
        await channel.send(Ready("m1", 3))
        assert await peer.recv() == {"type": "ready", "match": "m1", "id": 3}
        await peer.send({"type": "welcome", "bot_id": "b", "name": "n", "protocol": 1, "x": [1]})
        async with asyncio.timeout(TIMEOUT):
            assert await channel.receive() == Welcome("b", "n", 1)


async def test_server_messages_may_be_longer_than_a_bots(server: ScriptedServer) -> None:
    async with connected(server) as (channel, peer):
        await peer.send({"type": "ping", "id": 1, "padding": "x" * (4 * MAX_MESSAGE_BYTES)})
        async with asyncio.timeout(TIMEOUT):
            assert await channel.receive() == Ping(1)


@pytest.mark.parametrize("times", [1.5, 3.5])
async def test_messages_over_the_limit(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch, times: float
) -> None:
    """A TCP line is skipped, however long; a WebSocket frame closes the connection."""
    monkeypatch.setattr(transport, "MESSAGE_LIMIT", 100_000)
    async with connected(server) as (channel, peer):
        await peer.send({"type": "ping", "id": 1, "padding": "x" * int(times * 100_000)})
        await peer.send({"type": "ping", "id": 2})
        async with asyncio.timeout(TIMEOUT):
            if server.transport == "tcp":
                assert await channel.receive() == Ping(2)
            else:
                with pytest.raises(ConnectionClosed):
                    await channel.receive()


async def test_peer_close_raises_connection_closed(server: ScriptedServer) -> None:
    async with asyncio.timeout(TIMEOUT):
        channel = await connect(server.url)
        async with channel:
            peer = await server.accept()
            await peer.send({"type": "ping", "id": 1})
            closing = asyncio.create_task(peer.close())  # a WebSocket close waits for our answer
            assert await channel.receive() == Ping(1)  # what was sent before the close
            with pytest.raises(ConnectionClosed):
                await channel.receive()
            await closing
        await channel.close()  # closing twice is fine
        with pytest.raises(ConnectionClosed):
            await channel.send(Pong(1))


async def test_a_last_tcp_line_without_terminator_is_read() -> None:
    server = ScriptedServer("tcp")
    await server.start()
    try:
        async with asyncio.timeout(TIMEOUT):
            channel = await connect(server.url)
            async with channel:
                peer = await server.accept()
                assert isinstance(peer, TcpPeer)
                await peer.send_bytes(b'\n  \r\n{"type":"ping","id":1}\r\n{"type":"ping","id":2}')
                await peer.close()
                assert await channel.receive() == Ping(1)
                assert await channel.receive() == Ping(2)
                with pytest.raises(ConnectionClosed):
                    await channel.receive()
    finally:
        await server.stop()


@pytest.mark.parametrize("scheme", ["tcp://127.0.0.1:{}", "ws://127.0.0.1:{}/ws/bot"])
async def test_refused_connection_raises_connect_failed(closed_port: int, scheme: str) -> None:
    with pytest.raises(ConnectFailed, match="cannot connect"):
        async with asyncio.timeout(TIMEOUT):
            await connect(scheme.format(closed_port))


async def test_a_wrong_websocket_path_is_reported() -> None:
    server = ScriptedServer("websocket")
    await server.start()
    try:
        with pytest.raises(ConnectFailed, match="HTTP 404"):
            async with asyncio.timeout(TIMEOUT):
                await connect(server.url.replace("/ws/bot", "/nowhere"))
    finally:
        await server.stop()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:8000/ws/bot", "unsupported server URL"),
        ("127.0.0.1:8001", "unsupported server URL"),
        ("tcp://127.0.0.1", "needs a host and a port"),
    ],
)
async def test_unsupported_urls(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        await connect(url)
