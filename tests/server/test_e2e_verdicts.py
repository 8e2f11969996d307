"""Verdicts over the network, each while another match runs beside it and ends normally."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import aiohttp
import pytest

from ringside.testing.wire import (
    ServerProcess,
    WireBot,
    answer_session,
    get_json,
    polite_first_legal,
    post_match,
    start_bot,
)

_names = itertools.count()


async def steady(bot: WireBot, message: dict[str, Any]) -> None:
    """Polite, a little slow, so the match beside lasts while the other one is judged."""
    if message.get("type") == "request":
        await asyncio.sleep(0.02)
    await polite_first_legal(bot, message)


async def sleeper(bot: WireBot, message: dict[str, Any]) -> None:
    if message.get("type") == "request":
        await asyncio.sleep(1.5)  # the clock is 0.5 s per move
    await polite_first_legal(bot, message)


async def garbage(bot: WireBot, message: dict[str, Any]) -> None:
    if message.get("type") == "request":
        await bot.send_raw(b"this is {not json")
        return
    await polite_first_legal(bot, message)


async def illegal(bot: WireBot, message: dict[str, Any]) -> None:
    if message.get("type") == "request":
        reply = {"type": "action", "match": message["match"], "id": message["id"], "action": 99}
        await bot.send(reply)
        return
    await polite_first_legal(bot, message)


async def dropper(bot: WireBot, message: dict[str, Any]) -> None:
    if message.get("type") == "request":
        await bot.close()
        return
    await answer_session(bot, message)


async def play_beside(
    server: ServerProcess,
    http: aiohttp.ClientSession,
    behave: Any,
    transport: str,
    settings: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any], WireBot, list[WireBot]]:
    """Start a normal match and a match with one misbehaving bot; return both results."""
    n = next(_names)
    url = server.ws_bot if transport == "ws" else server.tcp_bot
    side = [WireBot(f"side{n}-{i}", server.ws_bot, behave=steady) for i in range(2)]
    good = WireBot(f"good{n}", url)
    bad = WireBot(f"bad{n}", url, behave=behave)
    tasks = [await start_bot(b) for b in [*side, good, bad]]
    status, side_match = await post_match(
        http, server, {"game": "connect4", "bots": [b.name for b in side], "rounds": 2}
    )
    assert status == 201, side_match
    body = {
        "game": "tictactoe",
        "bots": [good.name, bad.name],
        "time_control": {"type": "per_move", "seconds": 0.5},
        "reconnect_grace": 1.0,
        **settings,
    }
    status, judged = await post_match(http, server, body)
    assert status == 201, judged
    async with asyncio.timeout(30):
        await good.result_seen.wait()
        for bot in side:
            await bot.result_seen.wait()
        if behave is not dropper:
            # Nobody waits for the offender's ok, so it may still be busy (asleep)
            # when the others hear the result: wait until it has read its own.
            await bad.result_seen.wait()
    judged_record = await get_json(http, f"{server.http}/api/matches/{judged['id']}")
    side_record = await get_json(http, f"{server.http}/api/matches/{side_match['id']}")
    for task in tasks:
        task.cancel()
    for bot in [*side, good, bad]:
        await bot.close()
    return judged_record, side_record, bad, [good]


@pytest.mark.parametrize("transport", ["ws", "tcp"])
@pytest.mark.parametrize(
    ("behave", "code"),
    [
        (sleeper, "timeout"),
        (garbage, "protocol_error"),
        (illegal, "illegal_action"),
        (dropper, "disconnected"),
    ],
    ids=["timeout", "garbage", "illegal", "drop"],
)
async def test_verdict_while_another_match_finishes(
    open_server: ServerProcess,
    http: aiohttp.ClientSession,
    behave: Any,
    code: str,
    transport: str,
) -> None:
    # A dropped bot's clock keeps running: give it more time than the grace to see the grace end.
    settings = (
        {"time_control": {"type": "per_move", "seconds": 5}} if code == "disconnected" else {}
    )
    judged, side, bad, _ = await play_beside(open_server, http, behave, transport, settings)
    assert judged["status"] == "finished"
    assert judged["verdict"] == code
    verdict = judged["result"]["verdict"]
    assert verdict["bot"] == bad.name and verdict["code"] == code and verdict["message"]
    assert judged["winner"] != bad.name and judged["winner"] is not None
    assert side["status"] == "finished" and side["verdict"] is None
    assert len(side["round_results"]) == 2
    if code != "disconnected":
        assert any(e["code"] == code for e in bad.errors()), bad.errors()


async def test_drop_and_reconnect_within_grace_finishes_the_match(
    open_server: ServerProcess, http: aiohttp.ClientSession
) -> None:
    n = next(_names)
    dropped = asyncio.Event()

    async def drop_once(bot: WireBot, message: dict[str, Any]) -> None:
        if message.get("type") == "request" and not dropped.is_set():
            dropped.set()
            await bot.close()
            return
        await polite_first_legal(bot, message)

    good = WireBot(f"steady{n}", open_server.ws_bot)
    flaky = WireBot(f"flaky{n}", open_server.tcp_bot, token="same-token", behave=drop_once)
    tasks = [await start_bot(good), await start_bot(flaky)]
    body = {
        "game": "connect4",
        "bots": [good.name, flaky.name],
        "rounds": 2,
        "time_control": {"type": "per_move", "seconds": 5},
        "reconnect_grace": 5.0,
    }
    status, created = await post_match(http, open_server, body)
    assert status == 201, created
    async with asyncio.timeout(10):
        await dropped.wait()
    again = WireBot(flaky.name, open_server.ws_bot, token="same-token")
    tasks.append(await start_bot(again))
    async with asyncio.timeout(30):
        await again.result_seen.wait()
        await good.result_seen.wait()
    record = await get_json(http, f"{open_server.http}/api/matches/{created['id']}")
    assert record["status"] == "finished" and record["verdict"] is None
    assert len(record["round_results"]) == 2
    # The pending request was re-sent to the new connection with the same id.
    first_request = next(m for m in flaky.received if m["type"] == "request")
    resent = next(m for m in again.received if m["type"] == "request")
    assert resent["id"] == first_request["id"]
    for task in tasks:
        task.cancel()
    for bot in (good, flaky, again):
        await bot.close()


async def test_second_connection_with_the_same_name_is_refused(
    open_server: ServerProcess,
) -> None:
    first = WireBot("twin", open_server.ws_bot)
    task = await start_bot(first)
    second = WireBot("twin", open_server.tcp_bot)
    await second.connect()
    async with asyncio.timeout(10):
        reply = await second.receive()
    assert reply is not None and reply["type"] == "error" and reply["code"] == "name_taken"
    assert reply["fatal"] is True
    async with asyncio.timeout(10):
        assert await second.receive() is None, "the refused connection is closed"
    await second.close()
    await first.close()
    task.cancel()


async def test_bad_input_on_the_session_gets_errors_not_a_crash(
    open_server: ServerProcess,
) -> None:
    bot = WireBot("noisy", open_server.tcp_bot)
    await bot.connect()
    async with asyncio.timeout(10):
        assert (await bot.receive())["type"] == "welcome"  # type: ignore[index]
        await bot.send_raw(b"[1, 2, 3]")
        assert (await bot.receive())["code"] == "malformed_json"  # type: ignore[index]
        await bot.send({"type": "launch_missiles"})
        assert (await bot.receive())["code"] == "unknown_type"  # type: ignore[index]
        await bot.send({"type": "action", "match": "nope", "id": 1, "action": 0})
        assert (await bot.receive())["code"] == "unexpected_message"  # type: ignore[index]
        await bot.send({"type": "hello", "name": "noisy"})
        assert (await bot.receive())["code"] == "unexpected_message"  # type: ignore[index]
        await bot.send_raw(b"x" * (70 * 1024))
        reply = await bot.receive()
        assert reply is not None and reply["code"] == "too_large"
    await bot.close()
