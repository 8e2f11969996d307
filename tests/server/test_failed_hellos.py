"""Wrong tokens from one host: after ten for one name, hellos for that name from that host
are refused unchecked for a while; the host's other names are not touched.

An in-process server (real SQLite store, real TCP listener on loopback); the
bots connect from 127.0.0.1 or from 127.0.0.2, which Linux also routes to
loopback, so two hosts can be told apart. When the lock ends is tested on
simulated time in ``test_hello_limit.py``.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

from ringside.server.app import Settings, build_server
from ringside.server.transports import TcpBots
from ringside.store import open_store, sqlite_url
from ringside.testing.inprocess import Listening


async def hello(listening: Listening, name: str, token: str, host: str) -> dict[str, Any]:
    """Say hello from ``host``; the server's first reply."""
    reader, writer = await asyncio.open_connection(
        "127.0.0.1", listening.port, local_addr=(host, 0)
    )
    try:
        message = {"type": "hello", "name": name, "token": token, "protocol": 1}
        writer.write(json.dumps(message).encode() + b"\n")
        async with asyncio.timeout(10):
            reply: dict[str, Any] = json.loads(await reader.readline())
        return reply
    finally:
        writer.close()
        await writer.wait_closed()


async def test_ten_wrong_tokens_lock_the_name_from_the_host_and_nothing_else(
    listening: Listening,
) -> None:
    store = listening.server.store
    token, bob = await store.add_bot("alice"), await store.add_bot("bob")
    for _ in range(10):
        reply = await hello(listening, "alice", "not-the-token", "127.0.0.1")
        assert reply["code"] == "bad_token"
    reply = await hello(listening, "alice", token, "127.0.0.1")  # even the right one
    assert reply["type"] == "error" and reply["code"] == "too_many_attempts"
    assert reply["fatal"] is True
    wait = re.search(r"try again in (\d+) s", reply["message"])
    assert wait is not None and 1 <= int(wait[1]) <= 60
    # Another name from the same host, with its right token: welcome (issue 22).
    assert (await hello(listening, "bob", bob, "127.0.0.1"))["type"] == "welcome"
    reply = await hello(listening, "alice", token, "127.0.0.2")
    assert reply["type"] == "welcome"


async def test_a_host_guessing_many_names_is_locked_for_all(tmp_path: Path) -> None:
    """On a server without guests, unknown names count like wrong tokens (else the lock
    would tell names apart); past 50 failures the host is locked for every name."""
    async with await open_store(sqlite_url(tmp_path)) as store:
        server = build_server(Settings(open=False, data_dir=tmp_path), store)
        tcp = TcpBots(server)
        closed = Listening(server, tcp, await tcp.start("127.0.0.1", 0))
        try:
            dave = await store.add_bot("dave")
            for i in range(50):
                reply = await hello(closed, f"guess-{i}", "not-the-token", "127.0.0.3")
                assert reply["code"] == "bad_token"
            reply = await hello(closed, "dave", dave, "127.0.0.3")
            assert reply["code"] == "too_many_attempts"
            assert (await hello(closed, "dave", dave, "127.0.0.4"))["type"] == "welcome"
        finally:
            await tcp.stop()


async def test_connections_opened_at_once_start_no_more_checks_than_the_limit(
    listening: Listening,
) -> None:
    await listening.server.store.add_bot("carol")
    replies = await asyncio.gather(
        *(hello(listening, "carol", f"guess-{i}", "127.0.0.1") for i in range(25))
    )
    codes = sorted(reply["code"] for reply in replies)
    assert codes == ["bad_token"] * 10 + ["too_many_attempts"] * 15


async def test_right_tokens_do_not_count_against_the_host(listening: Listening) -> None:
    store = listening.server.store
    tokens = {f"bot-{i}": await store.add_bot(f"bot-{i}") for i in range(12)}
    for name, token in tokens.items():
        assert (await hello(listening, name, token, "127.0.0.1"))["type"] == "welcome"
