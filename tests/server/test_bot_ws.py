"""Bot WebSockets served by Ringside after the handshake (``server/bot_ws.py``).

The handshake reader as a plain function (examples and Hypothesis); the
connection over real loopback sockets against a real server process, with
frames made by hand, so what a bot in any language sends is what is tested.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import os
import struct
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ringside.server.bot_ws import MAX_HEAD, Handshake, read_handshake
from ringside.testing.wire import ServerProcess

KEY = base64.b64encode(b"0123456789abcdef")
HEAD = (
    b"GET /ws/bot HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
    b"Connection: keep-alive, Upgrade\r\nSec-WebSocket-Key: " + KEY + b"\r\n"
    b"Sec-WebSocket-Version: 13\r\n\r\n"
)


# --- the handshake, as bytes ------------------------------------------------------------


def test_a_well_formed_upgrade_is_read_with_its_key_and_end() -> None:
    found = read_handshake(HEAD + b"\x81\x85rest")
    assert isinstance(found, Handshake)
    assert found.key == KEY and found.end == len(HEAD)
    expected = base64.b64encode(
        hashlib.sha1(KEY + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest()
    )
    assert found.accept() == expected  # RFC 6455 §1.3's example is checked below
    example = Handshake(b"dGhlIHNhbXBsZSBub25jZQ==", {}, 0)
    assert example.accept() == b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def test_every_prefix_of_the_handshake_asks_for_more() -> None:
    for size in range(len(HEAD)):
        assert read_handshake(HEAD[:size]) is True, HEAD[:size]


@pytest.mark.parametrize(
    "head",
    [
        HEAD.replace(b"/ws/bot ", b"/ws/botnet "),
        HEAD.replace(b"/ws/bot ", b"/ws/watch "),
        HEAD.replace(b"GET ", b"POST "),
        HEAD.replace(b"HTTP/1.1", b"HTTP/1.0"),
        HEAD.replace(b"Upgrade: websocket\r\n", b""),
        HEAD.replace(b"keep-alive, Upgrade", b"keep-alive"),
        HEAD.replace(b"Version: 13", b"Version: 8"),
        HEAD.replace(KEY, b"not base64!"),
        HEAD.replace(KEY, base64.b64encode(b"short")),
        HEAD.replace(b"Host: localhost\r\n", b"Host: localhost\r\n folded\r\n"),
        HEAD.replace(b"\r\n\r\n", b"\r\nContent-Length: 5\r\n\r\n"),
        HEAD.replace(b"\r\n\r\n", b"\r\nTransfer-Encoding: chunked\r\n\r\n"),
        HEAD.replace(b"\r\n\r\n", b"\r\nSec-WebSocket-Key: " + KEY + b"\r\n\r\n"),
        HEAD.replace(b"Host: localhost", b"Host: " + b"x" * MAX_HEAD),
        b"GET / HTTP/1.1\r\n\r\n",
        b"\x16\x03\x01",  # a TLS client hello
    ],
)
def test_anything_else_is_left_to_aiohttp(head: bytes) -> None:
    assert read_handshake(head) is False


def test_a_query_string_is_allowed_and_header_names_are_any_case() -> None:
    head = HEAD.replace(b"/ws/bot ", b"/ws/bot?name=x ").replace(b"Upgrade:", b"UPGRADE:")
    assert isinstance(read_handshake(head), Handshake)


def test_an_unfinished_head_longer_than_the_limit_is_left_to_aiohttp() -> None:
    assert read_handshake(HEAD[:-4] + b"\r\nX: " + b"y" * MAX_HEAD) is False


@given(st.binary(max_size=300))
def test_any_bytes_are_read_without_raising(data: bytes) -> None:
    assert read_handshake(data) in (True, False) or isinstance(read_handshake(data), Handshake)


@given(st.binary(max_size=200))
def test_any_bytes_after_a_good_start_never_raise(data: bytes) -> None:
    result = read_handshake(b"GET /ws/bot HTTP/1.1\r\n" + data)
    assert result in (True, False) or isinstance(result, Handshake)


# --- the connection, over a real socket ------------------------------------------------


def frame(payload: bytes, opcode: int = 0x1, fin: bool = True) -> bytes:
    """A masked client frame (RFC 6455 §5.2)."""
    mask = os.urandom(4)
    size = len(payload)
    first = (0x80 if fin else 0x00) | opcode
    if size < 126:
        header = bytes((first, 0x80 | size))
    elif size < 65536:
        header = bytes((first, 0x80 | 126)) + struct.pack("!H", size)
    else:
        header = bytes((first, 0x80 | 127)) + struct.pack("!Q", size)
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


class RawBot:
    """A bot speaking WebSocket by hand: the frames it reads, as (opcode, payload)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def read_frame(self) -> tuple[int, bytes]:
        async with asyncio.timeout(30):  # bounds a hang only
            first, second = await self.reader.readexactly(2)
            size = second & 0x7F
            if size == 126:
                (size,) = struct.unpack("!H", await self.reader.readexactly(2))
            elif size == 127:
                (size,) = struct.unpack("!Q", await self.reader.readexactly(8))
            assert not second & 0x80, "a server's frames are not masked"
            return first & 0x0F, await self.reader.readexactly(size)

    async def message(self) -> dict[str, Any]:
        """The next text message, over pings."""
        while True:
            opcode, payload = await self.read_frame()
            if opcode == 0x1:
                return dict(json.loads(payload))
            assert opcode == 0x9, (opcode, payload)

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()


async def connect(server: ServerProcess, head: bytes = HEAD, after: bytes = b"") -> RawBot:
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(head + after)
    async with asyncio.timeout(30):
        answer = await reader.readuntil(b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 101 "), answer
    accept = base64.b64encode(hashlib.sha1(KEY + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
    assert b"Sec-WebSocket-Accept: " + accept in answer
    return RawBot(reader, writer)


def hello(name: str) -> bytes:
    return json.dumps({"type": "hello", "name": name, "protocol": 1}).encode()


async def test_a_hello_sent_with_the_handshake_is_welcomed(open_server: ServerProcess) -> None:
    bot = await connect(open_server, after=frame(hello("eager")))
    try:
        assert (await bot.message())["type"] == "welcome"
    finally:
        await bot.close()


async def test_a_fragmented_hello_and_a_ping_between_its_fragments(
    open_server: ServerProcess,
) -> None:
    bot = await connect(open_server)
    try:
        data = hello("fragments")
        bot.writer.write(frame(data[:10], fin=False) + frame(b"are you there", opcode=0x9))
        bot.writer.write(frame(data[10:], opcode=0x0))
        assert await bot.read_frame() == (0xA, b"are you there")  # the pong, at once
        assert (await bot.message())["type"] == "welcome"
    finally:
        await bot.close()


async def test_messages_after_a_hello_wait_for_it_in_order(open_server: ServerProcess) -> None:
    """The hello is checked against the store (an await): what follows waits for it."""
    bot = await connect(open_server)
    try:
        pongs = b"".join(frame(b'{"type":"pong","id":0}') for _ in range(300))
        late = frame(b'{"type":"action","match":"nowhere","id":1,"action":0}')
        bot.writer.write(frame(hello("orderly")) + pongs + late)
        assert (await bot.message())["type"] == "welcome"
        error = await bot.message()
        assert error["type"] == "error" and error["match"] == "nowhere", error
    finally:
        await bot.close()


async def test_a_close_from_the_bot_is_answered_and_the_connection_ends(
    open_server: ServerProcess,
) -> None:
    bot = await connect(open_server, after=frame(hello("leaving")))
    assert (await bot.message())["type"] == "welcome"
    bot.writer.write(frame(struct.pack("!H", 1000) + b"bye", opcode=0x8))
    assert await bot.read_frame() == (0x8, struct.pack("!H", 1000))
    async with asyncio.timeout(30):
        assert await bot.reader.read() == b""  # the server closed the TCP connection
    await bot.close()


async def test_a_frame_over_the_size_limit_is_closed_with_1009(
    open_server: ServerProcess,
) -> None:
    bot = await connect(open_server)
    try:
        bot.writer.write(frame(b"x" * (4 * 65536 + 1)))
        opcode, payload = await bot.read_frame()
        assert opcode == 0x8 and struct.unpack("!H", payload[:2])[0] == 1009
    finally:
        await bot.close()


async def test_an_upgrade_that_is_not_well_formed_gets_aiohttps_answer(
    open_server: ServerProcess,
) -> None:
    reader, writer = await asyncio.open_connection(open_server.host, open_server.port)
    writer.write(HEAD.replace(b"Sec-WebSocket-Key: " + KEY + b"\r\n", b""))
    async with asyncio.timeout(30):
        answer = await reader.readuntil(b"\r\n\r\n")
    writer.close()
    assert answer.startswith(b"HTTP/1.1 400 "), answer


async def test_the_http_api_still_answers_on_the_same_port(open_server: ServerProcess) -> None:
    reader, writer = await asyncio.open_connection(open_server.host, open_server.port)
    writer.write(b"GET /api/games HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    async with asyncio.timeout(30):
        answer = await reader.read()
    writer.close()
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]


async def test_a_bot_that_answers_no_ping_is_dropped(open_server: ServerProcess) -> None:
    """The module's server has a 5 s heartbeat: silent for 5 s, pinged, 2.5 s to answer."""
    bot = await connect(open_server, after=frame(hello("deaf")))
    try:
        assert (await bot.message())["type"] == "welcome"
        assert await bot.read_frame() == (0x9, b"")  # the ping, after a heartbeat of silence
        async with asyncio.timeout(60):  # bounds a hang only
            assert await bot.reader.read() == b""  # never answered: the server let go
    finally:
        await bot.close()


async def test_a_bot_that_answers_its_pings_stays(open_server: ServerProcess) -> None:
    bot = await connect(open_server, after=frame(hello("polite")))
    try:
        assert (await bot.message())["type"] == "welcome"
        for _ in range(2):
            assert await bot.read_frame() == (0x9, b"")
            bot.writer.write(frame(b"", opcode=0xA))
        bot.writer.write(frame(b'{"type":"action","match":"still-here","id":1,"action":0}'))
        error = await bot.message()
        assert error["match"] == "still-here", error
    finally:
        await bot.close()


async def test_a_refused_hello_reads_its_error_then_the_close_then_the_end(
    open_server: ServerProcess,
) -> None:
    """Never a bot: the end of the stream follows the close frame at once (no wait for an
    answer it will not give), and its unread input does not reset the connection."""
    bad = json.dumps({"type": "hello", "name": "tab\there", "protocol": 1}).encode()
    bot = await connect(open_server, after=frame(bad) + frame(b"more") * 50)
    try:
        error = await bot.message()
        assert error["type"] == "error" and error.get("fatal") is True, error
        opcode, _ = await bot.read_frame()
        assert opcode == 0x8
        async with asyncio.timeout(30):
            assert await bot.reader.read() == b""
    finally:
        await bot.close()
