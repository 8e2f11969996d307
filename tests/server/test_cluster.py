"""Several nodes on one Redis and one PostgreSQL: real processes, real sockets.

Each test starts its own cluster (``testing.cluster``) of node processes
on loopback. Waits are on states (an event seen, a status stored), never on
time alone; timeouts only bound a test that would otherwise hang.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from ringside.testing.cluster import Cluster, running_cluster
from ringside.testing.postgres import PostgresServer
from ringside.testing.redis import RedisUnavailable, find_binary
from ringside.testing.wire import (
    SpectatorClient,
    WireBot,
    get_json,
    polite_first_legal,
    post_match,
    start_bot,
)

pytestmark = pytest.mark.timeout(240)


@pytest.fixture
def cluster(tmp_path: Path, postgres_server: PostgresServer) -> Iterator[Cluster]:
    try:
        find_binary()
    except RedisUnavailable as exc:
        pytest.skip(str(exc))
    with running_cluster(tmp_path, postgres_server=postgres_server) as running:
        yield running


async def watch(http: aiohttp.ClientSession, node: Any, match_id: str) -> SpectatorClient:
    ws = await http.ws_connect(f"ws://{node.host}:{node.port}/ws/watch?match={match_id}")
    return SpectatorClient(ws)


async def until(check: Any, timeout: float = 30.0) -> Any:
    """Poll ``check`` (a coroutine function) until it returns something true: for state
    that lives in another process, where there is no event to await."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached in {timeout} s: {check.__name__}")
        await asyncio.sleep(0.05)


def match_events(spectator: SpectatorClient, match_id: str) -> list[dict[str, Any]]:
    """What a spectator saw of one match: the snapshot's events, then each live one."""
    seen: list[dict[str, Any]] = []
    for event in spectator.events:
        if event.get("type") == "snapshot" and event.get("match") == match_id:
            seen.extend(event["events"])
        elif event.get("match") == match_id and event.get("type") != "match_listed":
            seen.append(event)
    return seen


async def test_a_match_across_three_nodes(cluster: Cluster, http: aiohttp.ClientSession) -> None:
    a, b, c = cluster["a"], cluster["b"], cluster["c"]
    gate = asyncio.Event()
    moves = 0

    async def held(bot: WireBot, message: dict[str, Any]) -> None:
        """Bob plays its first move, then waits for the test before the others."""
        nonlocal moves
        if message.get("type") == "request":
            moves += 1
            if moves > 1:
                await gate.wait()
        await polite_first_legal(bot, message)

    alice = WireBot("alice", a.ws_bot, games=["connect4"])
    bob = WireBot("bob", b.tcp_bot, games=["connect4"], behave=held)
    tasks = [await start_bot(alice), await start_bot(bob)]

    async def both_online() -> bool:
        online = await get_json(http, f"{c.http}/api/bots")
        return {x["name"] for x in online["bots"]} >= {"alice", "bob"}

    await until(both_online)
    status, created = await post_match(
        http,
        c,
        {"game": "connect4", "bots": ["alice", "bob"], "rounds": 2, "seed": 7},
    )
    assert status == 201, created
    match_id = created["id"]
    early = await watch(http, c, match_id)
    await early.wait_for(lambda e: e.get("type") == "snapshot")
    # A second watcher on node C joins mid-match: snapshot + rest.
    late = await watch(http, c, match_id)
    await late.wait_for(lambda e: e.get("type") == "snapshot")
    gate.set()
    await early.wait_for(lambda e: e.get("type") == "match_result")
    await late.wait_for(lambda e: e.get("type") == "match_result")
    await alice.result_seen.wait()
    await bob.result_seen.wait()
    assert alice.results[0]["status"] == "finished"
    assert len(alice.results[0]["rounds"]) == 2

    stored = await get_json(http, f"{b.http}/api/matches/{match_id}")
    assert stored["status"] == "finished"
    stored_events = stored["events"]
    assert match_events(early, match_id) == stored_events
    assert match_events(late, match_id) == stored_events, "the late watcher missed or doubled"
    for bot in (alice, bob):
        assert not bot.errors(), bot.errors()
        await bot.close()
    for task in tasks:
        task.cancel()
    await early.close()
    await late.close()


async def test_a_name_is_claimed_cluster_wide(
    cluster: Cluster, http: aiohttp.ClientSession
) -> None:
    first = WireBot("solo", cluster["a"].ws_bot)
    task = await start_bot(first)
    second = WireBot("solo", cluster["b"].tcp_bot)
    await second.connect()
    refusal = await second.receive()
    assert refusal is not None and refusal["type"] == "error", refusal
    assert refusal["code"] == "name_taken" and "node-a" in refusal["message"]
    await second.close()
    await first.close()
    task.cancel()
