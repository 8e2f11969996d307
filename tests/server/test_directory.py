"""The cluster's directory against a real Redis: reservations that outlive their node."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from ringside.protocol.messages import BotInfo, MatchInfo
from ringside.server.directory import Directory
from ringside.testing.redis import RedisServer


@pytest.fixture
async def redis_client(redis_server: RedisServer) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_server.url)
    try:
        yield client
    finally:
        await client.aclose()


async def a_node(redis: Redis, prefix: str, node: str) -> Directory:
    directory = Directory(redis, node, prefix)
    await directory.register()
    return directory


async def one_bot_online(directory: Directory, name: str) -> None:
    """A bot that plays one match at a time, connected to ``directory``'s node."""
    assert await directory.claim(BotInfo(name, None, "idle", [], 1), 0.0) is None


@pytest.fixture
def prefix() -> str:
    return f"test-{secrets.token_hex(4)}:"


async def test_a_live_reservation_holds_the_bot(redis_client: Redis, prefix: str) -> None:
    here = await a_node(redis_client, prefix, "node-a")
    await one_bot_online(here, "cal")
    assert (await here.reserve("m1", "tictactoe", ["cal"])).refusal is None
    refused = await here.reserve("m2", "tictactoe", ["cal"])
    assert (refused.refusal, refused.bot) == ("bot_busy", "cal")


async def test_a_started_match_holds_the_bot_until_it_ends(
    redis_client: Redis, prefix: str
) -> None:
    placer = await a_node(redis_client, prefix, "node-a")
    owner = await a_node(redis_client, prefix, "node-b")
    await one_bot_online(owner, "cal")
    assert (await placer.reserve("m1", "tictactoe", ["cal"])).refusal is None
    await owner.owned("m1", MatchInfo("m1", "tictactoe", ["cal"], "running", 1, 1))
    await placer.leave()  # the placing node goes: the match runs on, on node-b
    assert (await owner.reserve("m2", "tictactoe", ["cal"])).refusal == "bot_busy"
    await owner.ended("m1", ["cal"])
    assert (await owner.reserve("m2", "tictactoe", ["cal"])).refusal is None


async def test_a_reservation_whose_node_died_before_starting_frees_the_bot(
    redis_client: Redis, prefix: str
) -> None:
    doomed = await a_node(redis_client, prefix, "node-c")
    survivor = await a_node(redis_client, prefix, "node-b")
    await one_bot_online(survivor, "cal")
    assert (await doomed.reserve("m1", "tictactoe", ["cal"])).refusal is None
    await redis_client.delete(f"{prefix}node:node-c")  # SIGKILLed: its key expired
    assert (await survivor.reserve("m2", "tictactoe", ["cal"])).refusal is None
    members = await redis_client.smembers(f"{prefix}playing:cal")
    assert members == {b"m2"}


async def test_a_node_restarted_under_the_same_id_does_not_revive_its_reservations(
    redis_client: Redis, prefix: str
) -> None:
    before = await a_node(redis_client, prefix, "node-c")
    survivor = await a_node(redis_client, prefix, "node-b")
    await one_bot_online(survivor, "cal")
    assert (await before.reserve("m1", "tictactoe", ["cal"])).refusal is None
    await a_node(redis_client, prefix, "node-c")  # the same id, a new process
    assert (await survivor.reserve("m2", "tictactoe", ["cal"])).refusal is None


async def test_an_ended_match_left_in_the_set_is_dropped(redis_client: Redis, prefix: str) -> None:
    """A ``playing`` entry of no live match (a write that raced the match's end) is stale."""
    here = await a_node(redis_client, prefix, "node-a")
    await one_bot_online(here, "cal")
    await redis_client.sadd(f"{prefix}playing:cal", "gone")
    assert (await here.reserve("m1", "tictactoe", ["cal"])).refusal is None
