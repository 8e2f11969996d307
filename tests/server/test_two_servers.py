"""Two servers on one database: neither touches the other's live matches, survivors end a lost one's.

Each server is the real services of ``build_server`` over its own store
connection and node id, with bots through memory. The database's time is a
``FakeClock`` shared by both (a lease lapses when the test moves it) and each
server's timers run on a ``ManualClock`` (a lease renewal happens when the
test moves it), so nothing here sleeps.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from ringside.protocol.messages import PerMove
from ringside.referee.config import MatchConfig
from ringside.server.app import build_server
from ringside.server.runner import MatchRunner
from ringside.server.services import Server
from ringside.server.settings import Settings
from ringside.store import open_store, sqlite_url
from ringside.store.leases import LeaseTerms
from ringside.testing.clock import FakeClock
from ringside.testing.memory import ManualClock, MemoryBot
from ringside.testing.postgres import PostgresServer

TERMS = LeaseTerms(seconds=3.0, renew_every=1.0)

Node = Callable[[str], contextlib.AbstractAsyncContextManager[tuple[Server, ManualClock]]]


@pytest.fixture
def db_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    import uuid

    return postgres_server.create_database(f"two_{uuid.uuid4().hex[:10]}")


def nodes(url: str, tmp_path: Path, db_clock: FakeClock) -> Node:
    @contextlib.asynccontextmanager
    async def node(name: str) -> AsyncIterator[tuple[Server, ManualClock]]:
        clock = ManualClock()
        settings = Settings(open=True, data_dir=tmp_path / name)
        async with await open_store(url, now=db_clock, node=name, terms=TERMS) as store:
            server = build_server(settings, store, clock=clock)
            try:
                yield server, clock
            finally:
                await server.shutdown()

    return node


async def start_match(server: Server, *names: str) -> tuple[MatchRunner, list[MemoryBot]]:
    bots = []
    for name in names:
        bot = MemoryBot(server)
        assert (await bot.hello(name))["type"] == "welcome"
        bots.append(bot)
    config: dict[str, Any] = {"time_control": PerMove(100.0)}
    runner = await server.matches.create(MatchConfig(game="tictactoe", bots=list(names), **config))
    await bots[1].answer(await bots[1].next("prepare"))
    await bots[0].play(until="request")
    return runner, bots


async def renew(server: Server, clock: ManualClock) -> None:
    """One period of the server's lease keeper."""
    clock.advance(TERMS.renew_every)
    await server.leases.settled()


async def test_a_second_server_leaves_the_first_ones_matches_alone(
    postgres_url: str, tmp_path: Path, db_clock: FakeClock
) -> None:
    node = nodes(postgres_url, tmp_path, db_clock)
    async with node("a") as (a, a_clock), node("b") as (b, b_clock):
        await a.start()
        runner, _ = await start_match(a, "alice", "bob")
        await b.start()  # start-up sweep: a's lease is fresh
        for _ in range(10):  # 10 s: a renews every second, b sweeps every second
            db_clock.advance(TERMS.renew_every)
            await renew(a, a_clock)
            await renew(b, b_clock)
        record = await b.store.get_match(runner.id)
        assert record is not None and record.status == "running"
        assert not runner.finished


async def test_a_survivor_ends_the_matches_of_a_lost_server(
    postgres_url: str, tmp_path: Path, db_clock: FakeClock
) -> None:
    node = nodes(postgres_url, tmp_path, db_clock)
    async with node("a") as (a, _), node("b") as (b, b_clock):
        await a.start()
        runner, _ = await start_match(a, "alice", "bob")
        await b.start()
        await a.leases.stop()  # a is lost: killed, paused, cut off; its leases are not renewed
        db_clock.advance(TERMS.seconds - 0.5)
        await renew(b, b_clock)
        record = await b.store.get_match(runner.id)
        assert record is not None and record.status == "running", "not lapsed yet"
        db_clock.advance(1.0)
        await renew(b, b_clock)
        record = await b.store.get_match(runner.id)
        assert record is not None and record.status == "aborted"
        assert record.result is not None
        assert record.result["reason"] == "node_lost: server node 'a' stopped renewing its lease"
        assert record.events[-1]["type"] == "match_result"


async def test_a_lost_servers_tournament_moves_to_a_survivor(
    postgres_url: str, tmp_path: Path, db_clock: FakeClock
) -> None:
    from ringside.server.tournaments import TournamentRequest

    node = nodes(postgres_url, tmp_path, db_clock)
    async with node("a") as (a, _), node("b") as (b, b_clock):
        await a.start()
        for name in ("alice", "bob"):
            assert (await MemoryBot(a).hello(name))["type"] == "welcome"
        run = await a.tournaments.create(
            TournamentRequest(game="tictactoe", bots=["alice", "bob"], games_per_pair=1)
        )
        await b.start()
        assert run.id not in b.tournaments.runs, "a's while a renews"
        await a.leases.stop()
        db_clock.advance(TERMS.seconds + 0.5)
        await renew(b, b_clock)
        assert run.id in b.tournaments.runs, "claimed once a's lease lapsed"
        await a.tournaments.stop()


async def test_a_restarted_node_resumes_its_own_interrupted_matches(
    tmp_path: Path, db_clock: FakeClock
) -> None:
    """Same node id, SQLite: the rows come back through claim_interrupted and play on."""
    node = nodes(sqlite_url(tmp_path / "data"), tmp_path, db_clock)
    async with node("solo") as (first, _):
        await first.start()
        runner, bots = await start_match(first, "alice", "bob")
    # shut down without drain: handed on, not ended
    assert [m["type"] for m in bots[0].take("match_result", "error")] == ["error"]
    async with node("solo") as (again, _):
        record = await again.store.get_match(runner.id)
        assert record is not None and record.status == "running"
        await again.start()
        resumed = again.matches.get(runner.id)
        assert resumed is not None and not resumed.finished
        assert [m.id for m in again.lobby.running()] == [runner.id]
        record = await again.store.get_match(runner.id)
        assert record is not None and record.status == "running"
