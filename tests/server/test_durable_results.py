"""A result is announced only once durable, and every announced result reaches the database.

The store's writes fail (a fault-injecting adapter behind the ``ResultStore``
port raising what SQLite raises on a full disk or a read-only file system),
or the real PostgreSQL server is stopped while matches end: results go to the
journal, are announced from there, and are committed once writes work again.
A journal left by a killed server is replayed when the next one starts.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import msgspec
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.exc import OperationalError

from ringside.protocol.messages import MatchResult
from ringside.referee.config import MatchConfig
from ringside.server.app import Server, Settings, build_server
from ringside.server.bus import LocalBus, MatchEnded, ResultStored
from ringside.server.main import build_app
from ringside.server.runner import RETRY_MAX, MatchRunner
from ringside.store import EncodedEvent, MatchOutcome, Store, open_store, sqlite_url, utcnow
from ringside.store.journal import REJECTED_FILE, JournalEntry, ResultJournal, read_journal
from ringside.store.leases import LEASE_SECONDS
from ringside.store.matches import node_lost_reason
from ringside.testing import postgres
from ringside.testing.clock import FakeClock
from ringside.testing.memory import InMemory, ManualClock, MemoryBot
from ringside.testing.postgres import PostgresServer, PostgresUnavailable
from ringside.testing.wire import ServerProcess, get_json

CAUSES = {
    "disk_full": "database or disk is full",
    "read_only": "attempt to write a readonly database",
}


class FailingWrites:
    """The real store, whose writes raise SQLite's own error while ``failing`` is set.

    Reads go through untouched. Each ``finish_match`` call is counted, so a
    test can wait for the runner's next attempt instead of racing it.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.failing: str | None = None
        self.finish_calls = 0
        self._called = asyncio.Condition()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def _check(self) -> None:
        if self.failing is not None:
            raise OperationalError("INSERT ...", {}, sqlite3.OperationalError(self.failing))

    async def create_match(self, *args: Any, **kwargs: Any) -> None:
        self._check()
        await self.store.create_match(*args, **kwargs)

    async def append_events(self, match_id: str, events: Sequence[EncodedEvent]) -> int:
        self._check()
        return await self.store.append_events(match_id, events)

    async def finish_match(
        self, outcome: MatchOutcome, events: Sequence[EncodedEvent], *, rate: bool = False
    ) -> None:
        async with self._called:
            self.finish_calls += 1
            self._called.notify_all()
        self._check()
        await self.store.finish_match(outcome, events, rate=rate)

    async def finish_called(self, times: int) -> None:
        async with self._called:
            await self._called.wait_for(lambda: self.finish_calls >= times)


class Heard:
    """What the bus said about the matches, in order, and an event per match ended."""

    def __init__(self, server: Server) -> None:
        self.said: list[tuple[str, str]] = []
        self.ended: dict[str, asyncio.Event] = {}
        server.bus.subscribe(ResultStored, lambda e: self.said.append(("stored", e.match_id)))
        server.bus.subscribe(MatchEnded, self._ended)

    def _ended(self, event: MatchEnded) -> None:
        self.said.append(("ended" if event.stored else "lost", event.match_id))
        self.ended.setdefault(event.match_id, asyncio.Event()).set()

    async def wait_ended(self, match_id: str) -> None:
        await self.ended.setdefault(match_id, asyncio.Event()).wait()


class Retries:
    """Moves the manual clock past a runner's wait before it retries the database.

    The wait is the timer the runner arms after a failed ``finish_match``: a
    timer armed since the adapter's latest call, still pending.
    """

    def __init__(
        self, memory: InMemory, failing: FailingWrites, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        self.clock = memory.clock
        self.failing = failing
        self._latest: tuple[int, Any] | None = None
        self._armed = asyncio.Event()
        call_at = self.clock.call_at

        def armed(when: float, callback: Any, *args: Any) -> Any:
            handle = call_at(when, callback, *args)
            self._latest = (failing.finish_calls, handle)
            self._armed.set()
            return handle

        monkeypatch.setattr(self.clock, "call_at", armed)

    def _waiting(self) -> bool:
        latest = self._latest
        return (
            latest is not None
            and latest[0] == self.failing.finish_calls > 0
            and not latest[1].cancelled
        )

    async def next(self) -> None:
        """Wait until the runner waits to retry, then move the clock past its wait."""
        while not self._waiting():
            self._armed.clear()
            await self._armed.wait()
        self.clock.advance(RETRY_MAX)


async def connect(server: Server, *names: str) -> list[MemoryBot]:
    bots = []
    for name in names:
        bot = MemoryBot(server)
        assert (await bot.hello(name))["type"] == "welcome"
        bots.append(bot)
    return bots


async def start(server: Server, alice: MemoryBot, bob: MemoryBot) -> MatchRunner:
    names = [alice.session.name, bob.session.name]
    return await server.matches.create(MatchConfig(game="tictactoe", bots=names))


def journaled(journal: ResultJournal) -> list[str]:
    """The match ids the journal file holds, read from the disk."""
    return [e.match_id for e in read_journal(journal.path)[0]]


@pytest.mark.parametrize("cause", sorted(CAUSES))
async def test_results_wait_in_the_journal_while_the_store_cannot_write(
    memory: InMemory, cause: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = memory.server
    failing = FailingWrites(server.store)
    retries = Retries(memory, failing, monkeypatch)
    server.matches.store = failing  # type: ignore[assignment]
    heard = Heard(server)
    alice, bob = await memory.bots("alice", "bob")
    runner = await start(server, alice, bob)
    failing.failing = CAUSES[cause]
    results = await asyncio.gather(alice.play(), bob.play())
    assert results[0] == results[1] and results[0]["status"] == "finished"
    assert journaled(server.journal) == [runner.id], "on disk before it was announced"
    assert heard.said == [], "not stored, so not counted"
    assert runner.storing and server.matches.get(runner.id) is runner
    assert not server.journal.drained
    async with TestClient(TestServer(build_app(server), host="127.0.0.1")) as client:
        response = await client.get(f"/api/matches/{runner.id}")
        assert (await response.json())["status"] == "storing"

    failing.failing = None
    await retries.next()
    await heard.wait_ended(runner.id)
    assert heard.said == [("stored", runner.id), ("ended", runner.id)]
    stored = await server.store.get_match(runner.id)
    assert stored is not None and stored.status == "finished"
    assert stored.result == results[0]
    assert list(stored.events) == [msgspec.json.decode(e) for e in runner.log]
    assert server.journal.drained and server.journal.path.stat().st_size == 0
    assert server.matches.get(runner.id) is None


async def test_nothing_is_announced_before_the_journal_or_the_database_has_it(
    memory: InMemory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database fails and so does the journal: the bots wait for their result."""
    server = memory.server
    failing = FailingWrites(server.store)
    retries = Retries(memory, failing, monkeypatch)
    server.matches.store = failing  # type: ignore[assignment]
    heard = Heard(server)
    alice, bob = await memory.bots("alice", "bob")
    runner = await start(server, alice, bob)
    where = server.journal.path
    (tmp_path / "not-a-folder").write_text("")
    server.journal.path = tmp_path / "not-a-folder" / "results.journal"  # OSError on write
    failing.failing = CAUSES["disk_full"]
    both = asyncio.gather(alice.play(), bob.play())
    await failing.finish_called(1)
    await retries.next()
    await failing.finish_called(2)  # the journal failed in between
    assert runner.finished and not both.done()
    assert alice.take("match_result") == [] and bob.take("match_result") == []

    server.journal.path = where
    await retries.next()
    await failing.finish_called(3)
    results = await both  # journaled now, so announced
    assert journaled(server.journal) == [runner.id]
    failing.failing = None
    await retries.next()
    await heard.wait_ended(runner.id)
    stored = await server.store.get_match(runner.id)
    assert stored is not None and stored.result == results[0]
    assert server.journal.drained


async def test_a_journal_left_by_a_killed_server_is_replayed_at_start_up(tmp_path: Path) -> None:
    """Rows left running with their results in the journal are finished, not aborted."""
    data = tmp_path / "data"
    results = {
        f"m{i}": MatchResult(
            f"m{i}", "tictactoe", "finished", ["ann", "ben"], [], [1.0, 0.0], "ann"
        )
        for i in range(3)
    }
    async with await open_store(sqlite_url(data), node="crashed") as store:  # the dead server
        for match_id in [*results, "cut"]:
            await store.create_match(
                match_id, "tictactoe", ["ann", "ben"], 1, {}, {}, status="running"
            )
    journal = ResultJournal.in_dir(data)
    for result in results.values():
        event = EncodedEvent("match_result", msgspec.json.encode(result))
        await journal.append(JournalEntry.of(None, result, [event]))
    journal.close()
    with journal.path.open("ab") as file:
        file.write(b'0badc0de {"type":"result","match_id":"cut"')  # killed mid-write
    server = ServerProcess(data, ["--node-id", "crashed"]).start()  # restarted under its id
    try:
        async with aiohttp.ClientSession() as http:
            for match_id, result in results.items():
                row = await get_json(http, f"{server.http}/api/matches/{match_id}")
                assert row["status"] == "finished" and row["winner"] == "ann"
                assert row["result"] == msgspec.to_builtins(result)
                assert [e["type"] for e in row["events"]] == ["match_result"]
            cut = await get_json(http, f"{server.http}/api/matches/cut")
            assert cut["status"] == "aborted", "no result of it reached the disk"
            assert "cannot be resumed" in cut["result"]["reason"]  # stored with no configuration
    finally:
        server.stop()
    assert journal.path.stat().st_size == 0


# --- PostgreSQL stopped and started again --------------------------------------------------


@pytest.fixture(name="own_postgres")
def own_postgres_fixture() -> Iterator[PostgresServer]:
    """A server of this test's own, since it is stopped half-way."""
    try:
        server = postgres.start()
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL not available: {exc}")
    try:
        yield server
    finally:
        postgres.stop(server)


def pg_ctl(server: PostgresServer, *args: str) -> None:
    command = [str(server.bin_dir / "pg_ctl"), "-D", str(server.data_dir), *args]
    postgres._run(postgres._as_user(server.run_as, command), "pg_ctl")


def pg_stop(server: PostgresServer) -> None:
    pg_ctl(server, "-m", "fast", "-w", "-t", "60", "stop")


def pg_start(server: PostgresServer) -> None:
    """Start the stopped server again on the same port and folder."""
    flags = " ".join(
        [
            f"-c listen_addresses={server.host}",
            f"-c port={server.port}",
            f"-c unix_socket_directories={server.root}",
            *(f"-c {key}={value}" for key, value in postgres.TEST_SETTINGS.items()),
        ]
    )
    pg_ctl(server, "-l", str(server.log_file), "-o", flags, "-w", "-t", "60", "start")


async def test_postgresql_stopped_while_matches_end(
    own_postgres: PostgresServer, tmp_path: Path
) -> None:
    """Six matches end while PostgreSQL is down: each is announced from the journal, and
    after it is back every one is in the database, finished, with all its events."""
    url = own_postgres.create_database("ringside")
    async with await open_store(url) as store:
        # The event loop's own clock: the back-off runs in real time here.
        server = build_server(Settings(open=True, data_dir=tmp_path), store)
        heard = Heard(server)
        try:
            pairs = []
            for i in range(6):
                a, b = await connect(server, f"a{i}", f"b{i}")
                pairs.append((a, b))
            runners = [await start(server, a, b) for a, b in pairs]
            last_requests = []
            players = []
            for a, b in pairs:
                players.append(asyncio.ensure_future(b.play()))
                last_requests.append(await until_the_winning_move(a))
            pg_stop(own_postgres)
            announced: list[dict[str, Any]] = []
            for (a, _), request in zip(pairs, last_requests, strict=True):
                await a.answer(request)
                result = await a.play()
                assert result["match"] in journaled(server.journal), "announced before durable"
                announced.append(result)
            await asyncio.gather(*players)
            assert heard.said == []
            assert sorted(journaled(server.journal)) == sorted(r.id for r in runners)
            pg_start(own_postgres)
            async with asyncio.timeout(60):
                for runner in runners:
                    await heard.wait_ended(runner.id)
            assert server.journal.drained
            for runner, result in zip(runners, announced, strict=True):
                stored = await store.get_match(runner.id)
                assert stored is not None and stored.status == "finished"
                assert stored.result == result
                assert list(stored.events) == [msgspec.json.decode(e) for e in runner.log]
            assert await store.abort_interrupted() == [], "no row left running"
        finally:
            await server.shutdown()


async def until_the_winning_move(bot: MemoryBot) -> dict[str, Any]:
    """Play first-legal moves as X until the request whose answer wins (ply 7)."""
    asked = 0
    while True:
        message = await bot.next()
        if message["type"] == "request":
            asked += 1
            if asked == 4:
                return message
        await bot.answer(message)


async def test_a_match_rebuilt_after_a_restart_journals_its_result_too(
    memory: InMemory, tmp_path: Path
) -> None:
    """A resumed match is wired like a new one: its result waits in the journal too."""
    first = memory.server
    alice, bob = await memory.bots("alice", "bob")
    runner = await start(first, alice, bob)
    await bob.answer(await bob.next("prepare"))
    await alice.answer(await alice.next("prepare"))
    await runner.hand_over()
    record = await first.store.get_match(runner.id)
    assert record is not None and record.status == "running"

    clock = ManualClock()
    second = build_server(
        Settings(open=True, data_dir=tmp_path / "second"), first.store, clock=clock
    )
    failing = FailingWrites(second.store)
    second.matches.store = failing  # type: ignore[assignment]
    resumed = second.matches.resume(record)
    again = [MemoryBot(second), MemoryBot(second)]
    for bot, name in zip(again, ("alice", "bob"), strict=True):
        assert (await bot.hello(name))["type"] == "welcome"
    failing.failing = CAUSES["disk_full"]
    results = await asyncio.gather(*(bot.play() for bot in again))
    assert results[0]["status"] == "finished"
    assert journaled(second.journal) == [resumed.id], "on disk before it was announced"
    second.journal.close()


# --- A late result of a match another node ended (its lease lapsed): refused, not retried ---


async def end_as_lost(server: Server, data_dir: Path, match_id: str) -> None:
    """A second node on the same database finds the server's lease lapsed and ends the match."""
    later = FakeClock(utcnow() + timedelta(seconds=LEASE_SECONDS + 1))
    async with await open_store(sqlite_url(data_dir), now=later, node="survivor") as other:
        assert await other.matches.abort_lapsed() == [match_id]
    assert server.store.lease.node != "survivor"


async def assert_lost(server: Server, match_id: str) -> None:
    stored = await server.store.get_match(match_id)
    assert stored is not None and stored.status == "aborted"
    assert stored.result is not None
    assert stored.result["reason"] == node_lost_reason(server.store.lease.node)
    assert server.matches.get(match_id) is None
    assert server.journal.drained


@pytest.mark.parametrize("late", ["finished", "aborted"])
async def test_a_late_result_refused_by_the_store_is_not_retried(
    memory: InMemory, tmp_path: Path, late: str
) -> None:
    """The server was paused past its lease: its result, finished or aborted, is not kept."""
    server = memory.server
    assert isinstance(server.bus, LocalBus)
    counted = FailingWrites(server.store)  # the real store, its finish_match calls counted
    server.matches.store = counted  # type: ignore[assignment]
    heard = Heard(server)
    alice, bob = await memory.bots("alice", "bob")
    runner = await start(server, alice, bob)
    await end_as_lost(server, tmp_path, runner.id)
    players = [asyncio.ensure_future(bot.play()) for bot in (alice, bob)]
    try:
        if late == "aborted":
            runner.abort("the server stops")
        async with asyncio.timeout(20):
            await runner.done
        assert runner.finished and runner.match.result is not None
        assert runner.match.result.status == late
        assert counted.finish_calls == 1, "the write loop is over: no retry is left to come"
        assert heard.said == [("lost", runner.id)], "MatchEnded(stored=False), no ResultStored"
        assert not runner.storing
        await assert_lost(server, runner.id)
        for bot in (alice, bob):
            assert "match_result" not in [m["type"] for m in bot.received]
            assert bot.session.matches == {}, "the bot is free for its next match"
        assert not any(player.done() for player in players)
    finally:
        for player in players:
            player.cancel()
        await asyncio.gather(*players, return_exceptions=True)


async def test_a_journaled_result_refused_by_the_store_is_dropped(
    memory: InMemory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Announced from the journal while the database failed, then refused: it leaves the
    journal for ``results.rejected`` and the match is let go of, not stored."""
    server = memory.server
    failing = FailingWrites(server.store)
    retries = Retries(memory, failing, monkeypatch)
    server.matches.store = failing  # type: ignore[assignment]
    heard = Heard(server)
    alice, bob = await memory.bots("alice", "bob")
    runner = await start(server, alice, bob)
    failing.failing = CAUSES["disk_full"]
    results = await asyncio.gather(alice.play(), bob.play())
    assert results[0]["status"] == "finished"
    assert journaled(server.journal) == [runner.id]

    await end_as_lost(server, tmp_path, runner.id)
    failing.failing = None
    await retries.next()
    await heard.wait_ended(runner.id)
    assert heard.said == [("lost", runner.id)]
    await assert_lost(server, runner.id)
    assert server.journal.path.stat().st_size == 0
    rejected, _ = read_journal(server.journal.path.with_name(REJECTED_FILE))
    assert [e.match_id for e in rejected] == [runner.id]
    calls = failing.finish_calls
    memory.clock.advance(10 * RETRY_MAX)
    assert failing.finish_calls == calls and memory.clock.pending() == []
