"""Crashes, restarts, registered bots and PostgreSQL, against real server processes."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp

from ringside.testing.postgres import PostgresServer
from ringside.testing.wire import (
    ServerProcess,
    WireBot,
    get_json,
    polite_first_legal,
    post_match,
    start_bot,
)

ADMIN = "admin-secret-token"


def register(data_dir: Path, name: str, *extra: str) -> str:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "ringside",
            "bots",
            "add",
            name,
            "--data-dir",
            str(data_dir),
            *extra,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.strip().rsplit(" ", 1)[-1]


async def slow_polite(bot: WireBot, message: dict[str, Any]) -> None:
    if message.get("type") == "request":
        await asyncio.sleep(0.2)
    await polite_first_legal(bot, message)


async def test_sigkill_mid_match_then_restart(tmp_path: Path) -> None:
    """A finished match is never changed by a crash; a running one is rebuilt from its
    events at the next start (the moves of its last second replayed by the bots)."""
    data = tmp_path / "data"
    data.mkdir()
    tokens = {name: register(data, name) for name in ("ann", "ben", "cat", "dan")}
    config = {"game": "connect4", "bots": ["cat", "dan"], "rounds": 2, "reconnect_grace": 60.0}
    server = ServerProcess(data, ["--admin-token", ADMIN]).start()
    try:
        async with aiohttp.ClientSession() as http:
            quick = [WireBot(n, server.ws_bot, tokens[n]) for n in ("ann", "ben")]
            slow = [
                WireBot(n, server.tcp_bot, tokens[n], behave=slow_polite) for n in ("cat", "dan")
            ]
            tasks = [await start_bot(b) for b in quick + slow]
            status, done = await post_match(
                http, server, {"game": "tictactoe", "bots": ["ann", "ben"], "rounds": 2}, ADMIN
            )
            assert status == 201
            async with asyncio.timeout(20):
                await quick[0].result_seen.wait()
            status, running = await post_match(http, server, config, ADMIN)
            assert status == 201
            async with asyncio.timeout(20):
                while sum(m["type"] == "request" for m in slow[0].received) < 4:
                    await asyncio.sleep(0.05)
            before = await get_json(http, f"{server.http}/api/matches/{done['id']}")
            server.kill()
            for task in tasks:
                task.cancel()
            for bot in quick + slow:
                await bot.close()
    finally:
        server.kill()
    restarted = ServerProcess(data, ["--admin-token", ADMIN]).start()
    try:
        async with aiohttp.ClientSession() as http:
            after = await get_json(http, f"{restarted.http}/api/matches/{done['id']}")
            assert after == before, "a finished match is never changed by a crash"
            assert after["status"] == "finished" and len(after["events"]) > 0
    finally:
        restarted.stop()
    await resumes_and_ends_as_straight_play(
        data, ["--admin-token", ADMIN], running["id"], config, tokens
    )


async def test_admin_token_guards_matches_and_tokens_are_hashed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    token = register(data, "registered")
    other = register(data, "other")
    server = ServerProcess(data, ["--admin-token", ADMIN]).start()
    try:
        async with aiohttp.ClientSession() as http:
            guest = WireBot("guest", server.ws_bot)
            await guest.connect()
            async with asyncio.timeout(10):
                refused = await guest.receive()
            assert refused is not None and refused["code"] == "bad_token"  # as a wrong token
            await guest.close()

            wrong = WireBot("registered", server.tcp_bot, token="not-the-token")
            await wrong.connect()
            async with asyncio.timeout(10):
                refused = await wrong.receive()
            assert refused is not None and refused["code"] == "bad_token"
            await wrong.close()

            bots = [
                WireBot("registered", server.ws_bot, token),
                WireBot("other", server.tcp_bot, other),
            ]
            tasks = [await start_bot(b) for b in bots]
            body = {"game": "tictactoe", "bots": ["registered", "other"]}
            status, refused_body = await post_match(http, server, body)
            assert (status, refused_body["error"]["code"]) == (401, "unauthorized")
            status, _ = await post_match(http, server, body, "wrong")
            assert status == 401
            status, created = await post_match(http, server, body, ADMIN)
            assert status == 201, created
            async with asyncio.timeout(20):
                await bots[0].result_seen.wait()
            for task in tasks:
                task.cancel()
            for bot in bots:
                await bot.close()
    finally:
        server.stop()
    raw = b"".join(p.read_bytes() for p in data.glob("ringside.db*"))
    assert token.encode() not in raw and other.encode() not in raw


async def test_sigterm_hands_running_matches_to_the_restart(tmp_path: Path) -> None:
    """No drain: bots hear ``server_shutdown`` and no result; after the restart they come
    back and the match ends as if nothing had happened."""
    data = tmp_path / "data"
    data.mkdir()
    config = {"game": "connect4", "bots": ["p", "q"], "rounds": 2, "reconnect_grace": 60.0}
    server = ServerProcess(data, ["--open"]).start()
    async with aiohttp.ClientSession() as http:
        bots = [WireBot(n, server.ws_bot, behave=slow_polite) for n in ("p", "q")]
        tasks = [await start_bot(b) for b in bots]
        status, created = await post_match(http, server, config)
        assert status == 201
        async with asyncio.timeout(20):
            while sum(m["type"] == "request" for m in bots[0].received) < 3:
                await asyncio.sleep(0.05)
        assert server.stop() == 0
        async with asyncio.timeout(10):
            await asyncio.gather(*tasks)
    for bot in bots:
        assert bot.results == [], "handed on to the restart, not ended"
        assert any(e["code"] == "server_shutdown" for e in bot.errors())
        await bot.close()
    await resumes_and_ends_as_straight_play(data, ["--open"], created["id"], config, {})


async def resumes_and_ends_as_straight_play(
    data: Path, args: list[str], match_id: str, config: dict[str, Any], tokens: dict[str, str]
) -> None:
    """Restart the server: the bots come back, the match finishes with no verdict, every
    move stored once, and the same bots playing it again uninterrupted get the same result."""
    restarted = ServerProcess(data, args).start()
    try:
        async with aiohttp.ClientSession() as http:
            record = await get_json(http, f"{restarted.http}/api/matches/{match_id}")
            assert record["status"] == "running", "rebuilt from its events"
            back = [WireBot(n, restarted.tcp_bot, tokens.get(n)) for n in config["bots"]]
            tasks = [await start_bot(b) for b in back]
            async with asyncio.timeout(30):
                for bot in back:
                    await bot.result_seen.wait()
            result = back[0].results[0]
            assert result["match"] == match_id
            assert result["status"] == "finished" and result.get("verdict") is None
            record = await get_json(http, f"{restarted.http}/api/matches/{match_id}")
            assert record["status"] == "finished"
            for round_number in (1, 2):
                plies = [
                    e["ply"]
                    for e in record["events"]
                    if e["type"] == "move" and e["round"] == round_number
                ]
                assert plies == list(range(1, len(plies) + 1)), "every move stored once"
            status, again = await post_match(http, restarted, config, ADMIN)
            assert status == 201
            async with asyncio.timeout(30):
                while len(back[0].results) < 2:
                    await asyncio.sleep(0.05)
            straight = back[0].results[1]
            assert straight["match"] == again["id"]
            assert (straight["scores"], straight["winner"]) == (result["scores"], result["winner"])
            for task in tasks:
                task.cancel()
            for bot in back:
                await bot.close()
    finally:
        restarted.stop()


async def test_the_same_match_on_postgresql(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    url = postgres_server.create_database("e2e")
    server = ServerProcess(tmp_path, ["--open", "--database-url", url]).start()
    try:
        async with aiohttp.ClientSession() as http:
            bots = [WireBot("pg-ws", server.ws_bot), WireBot("pg-tcp", server.tcp_bot)]
            tasks = [await start_bot(b) for b in bots]
            status, created = await post_match(
                http, server, {"game": "connect4", "bots": ["pg-ws", "pg-tcp"], "rounds": 2}
            )
            assert status == 201
            async with asyncio.timeout(30):
                for bot in bots:
                    await bot.result_seen.wait()
            record = await get_json(http, f"{server.http}/api/matches/{created['id']}")
            assert record["status"] == "finished" and len(record["round_results"]) == 2
            moves = [e for e in record["events"] if e["type"] == "move"]
            assert moves and [e["type"] for e in record["events"]][-1] == "match_result"
            for task in tasks:
                task.cancel()
            for bot in bots:
                await bot.close()
    finally:
        server.stop()
    count = postgres_server.psql(
        # A run of moves is one row, a JSON array of them (store/event_rows.py).
        "select sum(case when type = 'moves' then jsonb_array_length(data::jsonb) else 1 end)"
        f" from events where match_id = '{created['id']}' and type in ('move', 'moves')",
        database="e2e",
    )
    assert int(count.strip()) == len(moves)
