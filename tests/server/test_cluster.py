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

from ringside.testing.cluster import Cluster, running_cluster, until
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


async def result_of(bot: WireBot, timeout: float = 90.0) -> None:
    """Until ``bot`` has a match result (bounded: a hang fails here, with a message)."""
    try:
        async with asyncio.timeout(timeout):
            await bot.result_seen.wait()
    except TimeoutError:
        raise AssertionError(f"{bot.name} got no match result: {bot.received[-5:]}") from None


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
    await result_of(alice)
    await result_of(bob)
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


def gated(gate: asyncio.Event, after: int = 1) -> Any:
    """A first-legal bot that plays ``after`` moves, then waits for ``gate`` before each."""
    moves = 0

    async def behave(bot: WireBot, message: dict[str, Any]) -> None:
        nonlocal moves
        if message.get("type") == "request":
            moves += 1
            if moves > after:
                await gate.wait()
        await polite_first_legal(bot, message)

    return behave


def played(event: dict[str, Any]) -> bool:
    """A move seen live, or in the snapshot a watcher gets first."""
    if event.get("type") == "snapshot":
        return any(e.get("type") == "move" for e in event["events"])
    return event.get("type") == "move"


async def started_match(
    cluster: Cluster,
    http: aiohttp.ClientSession,
    bots: list[tuple[str, str]],
    through: str,
    gate: asyncio.Event,
    **extra: Any,
) -> tuple[str, list[WireBot], list[asyncio.Task[None]]]:
    """Bots (name, node) connected, a match between them requested through ``through``;
    the first bot holds the match after its first move until ``gate`` is set."""
    players = []
    for i, (name, node) in enumerate(bots):
        url = cluster[node].ws_bot if i % 2 == 0 else cluster[node].tcp_bot
        behave = gated(gate) if i == 0 else polite_first_legal
        players.append(WireBot(name, url, games=["connect4"], behave=behave))
    tasks = [await start_bot(p) for p in players]
    names = [name for name, _ in bots]

    async def all_online() -> bool:
        online = await get_json(http, f"{cluster[through].http}/api/bots")
        return {x["name"] for x in online["bots"]} >= set(names)

    await until(all_online)
    body = {"game": "connect4", "bots": names, "seed": 3, **extra}
    status, created = await post_match(http, cluster[through], body)
    assert status == 201, created
    return created["id"], players, tasks


async def stored(http: aiohttp.ClientSession, node: Any, match_id: str) -> dict[str, Any]:
    return dict(await get_json(http, f"{node.http}/api/matches/{match_id}"))


async def test_the_owner_killed_mid_match(cluster: Cluster, http: aiohttp.ClientSession) -> None:
    """Its match is recorded aborted (node_lost); bots and watchers elsewhere are told, and
    the bots are free for a new match."""
    gate = asyncio.Event()
    match_id, (alice, bob), tasks = await started_match(
        cluster, http, [("alice", "a"), ("bob", "b")], "c", gate
    )
    spectator = await watch(http, cluster["c"], match_id)
    await spectator.wait_for(played)
    killed = time.monotonic()
    cluster.kill("a")  # the owner: the lowest name among equals (one bot each)
    result = await spectator.wait_for(lambda e: e.get("type") == "match_result", timeout=60)
    told = time.monotonic() - killed
    await result_of(bob)
    assert result["status"] == "aborted" and "node_lost" in result["reason"], result
    assert bob.results[-1]["status"] == "aborted"
    record = await stored(http, cluster["b"], match_id)
    assert record["status"] == "aborted"
    print(f"owner killed: match recorded aborted and told in {told:.2f} s")

    async def bob_idle() -> bool:
        online = await get_json(http, f"{cluster['c'].http}/api/bots")
        return any(x["name"] == "bob" and x["status"] == "idle" for x in online["bots"])

    await until(bob_idle)
    carol = WireBot("carol", cluster["c"].ws_bot, games=["connect4"])
    tasks.append(await start_bot(carol))
    await until(lambda: _online(http, cluster["b"], "carol"))
    status, again = await post_match(
        http, cluster["b"], {"game": "connect4", "bots": ["bob", "carol"]}
    )
    assert status == 201, again
    await result_of(carol)
    assert carol.results[-1]["status"] == "finished"
    for bot in (alice, bob, carol):
        await bot.close()
    for task in tasks:
        task.cancel()
    await spectator.close()


async def _online(http: aiohttp.ClientSession, node: Any, name: str) -> bool:
    online = await get_json(http, f"{node.http}/api/bots")
    return any(x["name"] == name for x in online["bots"])


async def come_back(name: str, url: str) -> WireBot:
    """Connect as a bot whose node died: its name is free once the cluster counts that
    node lost (``name_taken`` until then), as a real bot retrying would find."""
    while True:
        bot = WireBot(name, url, games=["connect4"])
        await bot.connect()
        first = await bot.receive()
        if first is not None and first["type"] == "welcome":
            bot.received.append(first)
            bot.welcomed.set()
            return bot
        await bot.close()
        assert first is not None and first.get("code") == "name_taken", first
        await asyncio.sleep(0.2)


async def test_a_bot_whose_node_dies_comes_back_through_another(
    cluster: Cluster, http: aiohttp.ClientSession
) -> None:
    """Killing a bot's node starts its reconnect grace; back through node C, it plays on."""
    gate = asyncio.Event()
    match_id, (alice, bob), tasks = await started_match(
        cluster, http, [("alice", "a"), ("bob", "b")], "a", gate, reconnect_grace=60.0
    )
    spectator = await watch(http, cluster["a"], match_id)
    await spectator.wait_for(played)
    cluster.kill("b")
    await bob.close()
    tasks[1].cancel()
    back = await come_back("bob", cluster["c"].tcp_bot)
    tasks.append(asyncio.get_running_loop().create_task(back.run()))
    gate.set()
    result = await spectator.wait_for(lambda e: e.get("type") == "match_result", timeout=90)
    assert result["status"] == "finished", result
    await result_of(back)
    assert back.results[-1]["match"] == match_id
    assert (await stored(http, cluster["c"], match_id))["status"] == "finished"
    for bot in (alice, back):
        await bot.close()
    for task in tasks:
        task.cancel()
    await spectator.close()


async def test_a_paused_owner_cannot_write_its_late_result(
    cluster: Cluster, http: aiohttp.ClientSession
) -> None:
    gate = asyncio.Event()
    match_id, (alice, bob), tasks = await started_match(
        cluster, http, [("alice", "a"), ("bob", "b")], "c", gate
    )
    spectator = await watch(http, cluster["c"], match_id)
    await spectator.wait_for(played)
    cluster.pause("a")
    try:
        await result_of(bob)
        assert bob.results[-1]["status"] == "aborted"
    finally:
        cluster.resume("a")
    gate.set()

    async def refused() -> bool:
        return "late result refused" in (cluster["a"].data_dir / "server.log").read_text()

    await until(refused, timeout=60)
    record = await stored(http, cluster["c"], match_id)
    assert record["status"] == "aborted" and "node_lost" in record["result"]["reason"]
    for bot in (alice, bob):
        await bot.close()
    for task in tasks:
        task.cancel()
    await spectator.close()


async def test_redis_restarted_mid_run(cluster: Cluster, http: aiohttp.ClientSession) -> None:
    """Without Redis new matches are refused with a clear error; it comes back by itself."""
    alice = WireBot("alice", cluster["a"].ws_bot, games=["connect4"])
    bob = WireBot("bob", cluster["b"].tcp_bot, games=["connect4"])
    tasks = [await start_bot(alice), await start_bot(bob)]
    await until(lambda: _online(http, cluster["c"], "bob"))
    cluster.redis.stop()
    body = {"game": "connect4", "bots": ["alice", "bob"]}

    async def refused() -> dict[str, Any] | None:
        status, answer = await post_match(http, cluster["c"], body)
        return answer if status == 503 else None

    answer = await until(refused)
    assert answer["error"]["code"] == "cluster_unavailable", answer
    cluster.redis.launch()

    async def started() -> dict[str, Any] | None:
        status, created = await post_match(http, cluster["c"], body)
        return created if status == 201 else None

    created = await until(started, timeout=60)
    await result_of(alice)
    assert alice.results[-1]["match"] == created["id"]
    assert alice.results[-1]["status"] == "finished"
    for bot in (alice, bob):
        await bot.close()
    for task in tasks:
        task.cancel()


async def test_the_ladder_pairs_bots_of_different_nodes(
    tmp_path: Path, postgres_server: PostgresServer, http: aiohttp.ClientSession
) -> None:
    """One node holds the ladder's lease and pairs idle bots wherever they are connected."""
    try:
        find_binary()
    except RedisUnavailable as exc:
        pytest.skip(str(exc))
    args = ("--open", "--ladder")
    with running_cluster(tmp_path, ("a", "b"), postgres_server=postgres_server, args=args) as c:
        alice = WireBot("alice", c["a"].ws_bot, games=["connect4"])
        bob = WireBot("bob", c["b"].tcp_bot, games=["connect4"])
        tasks = [await start_bot(alice), await start_bot(bob)]
        async with asyncio.timeout(60):
            await result_of(alice)
        assert alice.results[0]["bots"] in (["alice", "bob"], ["bob", "alice"])
        assert alice.results[0]["status"] == "finished"
        logs = "".join((c[n].data_dir / "server.log").read_text() for n in "ab")
        assert logs.count("ladder: pairing failed") == 0
        for bot in (alice, bob):
            await bot.close()
        for task in tasks:
            task.cancel()
