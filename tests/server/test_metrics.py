"""``GET /metrics``: each node's own registry, read from what the server holds.

A real server (``build_server`` over SQLite, ``build_app`` on a loopback
port) plays a match between two real bots over WebSocket; the metrics are
then fetched and parsed with the client library's own parser. The lease and
verdict figures come from servers on the memory transport and a manual
clock, so nothing here waits on the wall clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from ringside.protocol.messages import BotLeft, PerMove
from ringside.referee.config import MatchConfig
from ringside.server.app import Settings, build_server
from ringside.server.main import build_app
from ringside.server.services import Server
from ringside.store import open_store, sqlite_url
from ringside.store.errors import DatabaseUnavailable
from ringside.store.leases import RENEW_EVERY
from ringside.testing.memory import InMemory, in_memory
from ringside.testing.wire import SpectatorClient, WireBot, start_bot


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample by name and labels."""
    found: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(text: str, name: str, **labels: str) -> float:
    return samples(text)[(name, frozenset(labels.items()))]


def named(text: str, name: str) -> list[Sample]:
    return [s for f in text_string_to_metric_families(text) for s in f.samples if s.name == name]


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[Server, TestClient[Any, Any]]]:
    async with await open_store(sqlite_url(tmp_path)) as store:
        server = build_server(Settings(open=True, data_dir=tmp_path), store)
        try:
            async with TestClient(TestServer(build_app(server), host="127.0.0.1")) as client:
                yield server, client
        finally:
            await server.shutdown()


async def scrape(client: TestClient[Any, Any]) -> str:
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"] == CONTENT_TYPE_LATEST
    return await response.text()


def left(server: Server, names: Iterable[str]) -> asyncio.Event:
    """Set once every one of ``names`` has left (``BotLeft`` on the server's bus)."""
    waiting, gone = set(names), asyncio.Event()

    def on_left(event: BotLeft) -> None:
        waiting.discard(event.name)
        if not waiting:
            gone.set()

    server.bus.subscribe(BotLeft, on_left)
    return gone


async def test_a_match_between_two_bots_shows_in_the_metrics(
    served: tuple[Server, TestClient[Any, Any]],
) -> None:
    server, client = served
    url = f"ws://127.0.0.1:{client.port}/ws/bot"
    bots = [WireBot("alice", url), WireBot("bob", url)]
    tasks = [await start_bot(bot) for bot in bots]
    watch = SpectatorClient(await client.ws_connect("/ws/watch"))
    await watch.wait_for(lambda e: e["type"] == "lobby")
    text = await scrape(client)
    assert value(text, "ringside_bots_online") == 2
    assert value(text, "ringside_lobby_bots_online") == 2
    assert value(text, "ringside_spectators_connected") == 1
    assert value(text, "ringside_node_info", node=server.leases.node) == 1
    assert value(text, "ringside_moves_relayed_total") == 0

    config = MatchConfig(
        game="tictactoe", bots=["alice", "bob"], rounds=2, time_control=PerMove(60)
    )
    runner = await server.matches.create(config)
    async with asyncio.timeout(30):
        await runner.done
        for bot in bots:
            await bot.result_seen.wait()
    stored = await server.store.get_match(runner.id)
    assert stored is not None and stored.status == "finished"
    moves = sum(1 for event in stored.events if event["type"] == "move")
    assert moves >= 10  # two rounds of tic-tac-toe

    text = await scrape(client)
    assert value(text, "ringside_matches_finished_total", status="finished", verdict="none") == 1
    assert sum(s.value for s in named(text, "ringside_matches_finished_total")) == 1
    assert value(text, "ringside_moves_relayed_total") == moves
    assert value(text, "ringside_matches_running") == 0
    assert value(text, "ringside_lobby_matches_running") == 0
    assert value(text, "ringside_store_queue_depth") == 0
    assert value(text, "ringside_journal_results_waiting") == 0
    assert value(text, "ringside_relay_latency_seconds_count") >= 1  # each match's first action
    assert value(text, "ringside_relay_latency_seconds_sum") > 0
    assert value(text, "ringside_store_write_seconds_count", kind="result") == 1
    assert value(text, "ringside_store_write_seconds_count", kind="events") >= 1
    assert value(text, "ringside_bus_round_trip_seconds_count") == 0  # the cluster's, not here
    assert value(text, "ringside_relay_cross_node_total") == 0

    gone = left(server, ["alice", "bob"])
    for bot in bots:
        await bot.close()
    await asyncio.gather(*tasks)
    async with asyncio.timeout(10):
        await gone.wait()
    await watch.close()
    text = await scrape(client)
    assert value(text, "ringside_bots_online") == 0
    assert value(text, "ringside_lobby_bots_online") == 0
    assert value(text, "ringside_moves_relayed_total") == moves  # a counter: kept after the end


async def test_a_verdict_is_a_label_of_the_finished_match(memory: InMemory) -> None:
    alice, bob = await memory.bots("alice", "bob")
    config = MatchConfig(game="tictactoe", bots=["alice", "bob"], time_control=PerMove(1.0))
    await memory.server.matches.create(config)
    await bob.answer(await bob.next("prepare"))
    await alice.play(until="request")
    memory.clock.advance(1.2)  # past the move's second and the margin: alice loses on time
    await asyncio.gather(alice.play(), bob.play())
    text = memory.server.metrics.exposition().decode()
    finished = {
        (s.labels["status"], s.labels["verdict"]): s.value
        for s in named(text, "ringside_matches_finished_total")
        if s.value
    }
    assert finished == {("finished", "timeout"): 1}


async def test_lease_renewals_and_their_age_are_read_on_the_servers_clock(
    memory: InMemory, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, clock = memory.server, memory.clock
    node = server.leases.node

    def lease(name: str) -> float:
        return value(server.metrics.exposition().decode(), name, node=node)

    before = server.metrics.exposition().decode()
    assert named(before, "ringside_node_lease_age_seconds") == []  # not started: no age
    await server.start()
    assert lease("ringside_node_lease_age_seconds") == 0
    assert lease("ringside_node_lease_term_seconds") == server.store.lease.terms.seconds
    clock.advance(RENEW_EVERY)
    await server.leases.settled()
    assert lease("ringside_node_lease_renewals_total") == 1
    assert lease("ringside_node_lease_failures_total") == 0
    assert lease("ringside_node_lease_age_seconds") == 0

    async def fails() -> None:
        raise DatabaseUnavailable("the database is away")

    monkeypatch.setattr(server.store.lease, "renew", fails)
    clock.advance(RENEW_EVERY)
    await server.leases.settled()
    assert lease("ringside_node_lease_renewals_total") == 2
    assert lease("ringside_node_lease_failures_total") == 1
    assert lease("ringside_node_lease_age_seconds") == RENEW_EVERY


async def test_two_servers_in_one_process_have_separate_registries(tmp_path: Path) -> None:
    async with in_memory(tmp_path / "a") as a, in_memory(tmp_path / "b") as b:
        assert a.server.metrics.registry is not b.server.metrics.registry
        await a.bots("alice", "bob")
        await b.bots("carol")
        assert value(a.server.metrics.exposition().decode(), "ringside_bots_online") == 2
        assert value(b.server.metrics.exposition().decode(), "ringside_bots_online") == 1
    # The library's global registry holds none of a server's metrics.
    assert not [n for n in REGISTRY._names_to_collectors if n.startswith("ringside_")]
