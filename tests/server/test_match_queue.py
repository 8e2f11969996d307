"""A person's match request comes before the ladder: it holds its bots and waits for busy ones."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from ringside.referee.config import MatchConfig
from ringside.server.errors import BotUnavailable, InvalidRequest
from ringside.server.match_queue import MatchQueue, MatchRequest
from ringside.server.settings import Settings
from ringside.testing.memory import InMemory, MemoryBot, in_memory
from ringside.testing.wire import ServerProcess, WireBot, get_json, polite_first_legal, start_bot


@pytest.fixture(name="ladder")
async def ladder_fixture(tmp_path: Path) -> AsyncIterator[InMemory]:
    """The in-memory server with a ladder (not started: the test makes it look)."""
    async with in_memory(tmp_path, Settings(open=True, data_dir=tmp_path, ladder=True)) as memory:
        yield memory


def queue_of(memory: InMemory) -> MatchQueue:
    assert memory.server.queue is not None
    return memory.server.queue


def ttt(*bots: str) -> MatchConfig:
    return MatchConfig(game="tictactoe", bots=list(bots))


async def waiting(memory: InMemory, *bots: str, wait: float = 60.0) -> MatchRequest:
    outcome = await queue_of(memory).submit(ttt(*bots), wait)
    assert isinstance(outcome, MatchRequest), "the request should wait"
    assert outcome.status == "waiting"
    return outcome


async def play_out(*bots: MemoryBot) -> None:
    await asyncio.gather(*(b.play() for b in bots))


async def test_a_request_waits_for_a_busy_bot_and_the_ladder_leaves_its_bots_alone(
    ladder: InMemory,
) -> None:
    alice, bob, _, dave = await ladder.bots("alice", "bob", "carol", "dave")
    queue = queue_of(ladder)
    busy = await ladder.server.matches.create(ttt("alice", "bob"))  # as the ladder would
    request = await waiting(ladder, "carol", "alice")
    assert queue.busy(request.config) == ["alice"]
    assert queue.playing("alice") == [busy.id]
    assert queue.held() == {"carol", "alice"}

    assert ladder.server.ladder is not None
    started = await ladder.server.ladder.pair_idle_bots()
    assert started == [], "carol is held for the request; dave alone cannot be paired"

    await play_out(alice, bob)
    async with asyncio.timeout(5):
        await request.changed.wait()
    assert request.status == "started" and request.match is not None
    runner = ladder.server.matches.get(request.match.id)
    assert runner is not None and runner.names == ["carol", "alice"]
    assert queue.held() == set()
    assert not dave.session.matches


async def test_a_free_bot_starts_at_once_even_with_wait(memory: InMemory) -> None:
    await memory.bots("alice", "bob")
    outcome = await queue_of(memory).submit(ttt("alice", "bob"), 30.0)
    assert not isinstance(outcome, MatchRequest)
    assert memory.server.matches.get(outcome.id) is not None


async def test_without_wait_a_busy_bot_is_refused_as_before(memory: InMemory) -> None:
    await memory.bots("alice", "bob", "carol")
    await memory.server.matches.create(ttt("alice", "bob"))
    with pytest.raises(BotUnavailable) as refused:
        await queue_of(memory).submit(ttt("carol", "alice"), 0.0)
    assert refused.value.code == "bot_busy"
    with pytest.raises(InvalidRequest):
        await queue_of(memory).submit(ttt("carol", "alice"), 601.0)


async def test_an_offline_bot_is_refused_at_once(memory: InMemory) -> None:
    await memory.bots("alice")
    with pytest.raises(BotUnavailable) as refused:
        await queue_of(memory).submit(ttt("alice", "ghost"), 30.0)
    assert refused.value.code == "bot_offline"


async def test_the_wait_is_bounded_by_the_servers_clock(memory: InMemory) -> None:
    await memory.bots("alice", "bob", "carol")
    await memory.server.matches.create(ttt("alice", "bob"))
    request = await waiting(memory, "carol", "alice", wait=30.0)
    memory.clock.advance(29.0)
    assert request.status == "waiting"
    assert queue_of(memory).seconds_left(request) == pytest.approx(1.0)
    memory.clock.advance(1.5)
    assert request.status == "expired"
    assert request.error is not None and request.error.code == "bot_busy"
    assert "'alice'" in request.error.message
    assert queue_of(memory).held() == set()


async def test_a_cancelled_request_lets_its_bots_go(memory: InMemory) -> None:
    alice, bob, _ = await memory.bots("alice", "bob", "carol")
    await memory.server.matches.create(ttt("alice", "bob"))
    request = await waiting(memory, "carol", "alice")
    queue_of(memory).cancel(request.id)
    assert request.status == "cancelled" and queue_of(memory).held() == set()
    assert request.deadline not in memory.clock.pending(), "its timer is cancelled"
    await play_out(alice, bob)
    assert request.status == "cancelled", "a cancelled request starts nothing"


async def test_requests_are_served_in_the_order_they_came(memory: InMemory) -> None:
    alice, bob, _, _ = await memory.bots("alice", "bob", "carol", "dave")
    await memory.server.matches.create(ttt("alice", "bob"))
    first = await waiting(memory, "carol", "alice")
    second = await waiting(memory, "alice", "dave")
    await play_out(alice, bob)
    async with asyncio.timeout(5):
        await first.changed.wait()
    assert first.status == "started"
    assert second.status == "waiting", "alice went to the first request"
    assert queue_of(memory).busy(second.config) == ["alice"]


async def test_a_bot_that_leaves_ends_the_request(memory: InMemory) -> None:
    _, _, carol = await memory.bots("alice", "bob", "carol")
    await memory.server.matches.create(ttt("alice", "bob"))
    request = await waiting(memory, "carol", "alice")
    carol.drop()
    assert request.status == "failed"
    assert request.error is not None and request.error.code == "bot_offline"


# --- over a real server process, with the ladder on ----------------------------------------


async def test_a_request_over_http_waits_while_the_ladder_plays(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path, ["--open", "--ladder"]).start()
    gate = asyncio.Event()

    async def gated(bot: WireBot, message: dict[str, Any]) -> None:
        if message.get("type") == "request":
            await gate.wait()  # the ladder's match stays running until the test says
        await polite_first_legal(bot, message)

    bots: list[WireBot] = []
    tasks: list[asyncio.Task[None]] = []
    try:
        async with aiohttp.ClientSession() as http:

            async def bots_now() -> dict[str, Any]:
                listing = await get_json(http, f"{server.http}/api/bots")
                return {b["name"]: b for b in listing["bots"]}

            async def until(check: Any) -> dict[str, Any]:
                async with asyncio.timeout(20):
                    while not check(now := await bots_now()):
                        await asyncio.sleep(0.05)
                return now

            async def join(name: str, behave: Any = polite_first_legal) -> None:
                bot = WireBot(name, server.ws_bot, behave=behave, games=["tictactoe"])
                bots.append(bot)
                tasks.append(await start_bot(bot))

            await join("x", gated)
            await join("y", gated)
            now = await until(lambda b: b.get("x", {}).get("matches") and b["y"]["matches"])
            ladder_match = now["x"]["matches"][0]
            await join("z")
            url = f"{server.http}/api/matches?wait=60"
            body = {"game": "tictactoe", "bots": ["z", "x"]}
            async with http.post(url, json=body) as response:
                assert response.status == 202, await response.text()
                request = await response.json()
            assert request["status"] == "waiting"
            assert request["waiting_for"] == [{"name": "x", "matches": [ladder_match]}]
            assert 0 < request["seconds_left"] <= 60

            # Two more bots join: the ladder pairs them, never z (held for the request).
            await join("v", gated)
            await join("w", gated)
            now = await until(lambda b: b.get("v", {}).get("matches") and b["w"]["matches"])
            assert now["z"]["matches"] == [], "the ladder took a bot a person asked for"

            gate.set()
            async with asyncio.timeout(30):
                while request["status"] == "waiting":
                    request = await get_json(http, f"{server.http}{request['url']}?wait=20")
            assert request["status"] == "started", request
            match = await get_json(http, f"{server.http}{request['match']['url']}")
            assert match["bots"] == ["z", "x"]

            async with http.delete(f"{server.http}{request['url']}") as response:
                assert response.status == 200
                assert (await response.json())["status"] == "started", "nothing to cancel"
            async with http.get(f"{server.http}/api/match-requests/nope") as response:
                assert response.status == 404
            async with http.post(f"{server.http}/api/matches?wait=-1", json=body) as response:
                assert response.status == 422
    finally:
        gate.set()
        for task in tasks:
            task.cancel()
        for bot in bots:
            with contextlib.suppress(Exception):
                await bot.close()
        server.stop()
