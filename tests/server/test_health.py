"""Liveness, readiness and what clients get while the database is away.

A real PostgreSQL server of this module's own is stopped and started again
(``pg_ctl``), so the outage is the real one: a refused connection, a pooled
connection terminated by the shutdown. The HTTP answers come from the real
application (``build_app``) and the hello from the real session on the
memory transport.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from ringside.server.app import Settings, build_server
from ringside.server.errors import InvalidRequest
from ringside.server.main import build_app
from ringside.server.services import Server
from ringside.store import Store, open_store, sqlite_url
from ringside.store.errors import DatabaseUnavailable
from ringside.testing import postgres
from ringside.testing.memory import InMemory, ManualClock
from ringside.testing.postgres import PostgresServer, PostgresUnavailable


@pytest.fixture(scope="module")
def own_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server only this module uses, since its tests stop it."""
    try:
        server = postgres.start()
    except PostgresUnavailable as exc:
        if os.environ.get("RINGSIDE_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL is required here but not available: {exc}")
        pytest.skip(f"PostgreSQL not available: {exc}")
    try:
        yield server
    finally:
        if not (server.data_dir / "postmaster.pid").exists():
            pg_ctl(server, "start")
        postgres.stop(server)


def pg_ctl(server: PostgresServer, action: str) -> None:
    """Stop (fast: sessions are terminated) or start the server on its port and files."""
    flags = f"-c listen_addresses={server.host} -c port={server.port}"
    flags += f" -c unix_socket_directories={server.root} -c fsync=off"
    argv = [str(server.bin_dir / "pg_ctl"), "-D", str(server.data_dir), "-w", "-t", "60"]
    if action == "start":
        argv += ["-l", str(server.log_file), "-o", flags, "start"]
    else:
        argv += ["-m", "fast", "stop"]
    user = server.run_as
    command = ["runuser", "-u", user, "--", *argv] if user else argv
    subprocess.run(command, check=True, capture_output=True)


@pytest.fixture
async def pg_store(own_postgres: PostgresServer) -> AsyncIterator[Store]:
    url = own_postgres.create_database(f"health_{os.urandom(4).hex()}")
    async with await open_store(url) as store:
        yield store


def client_for(server: Server) -> TestClient[Any, Any]:
    return TestClient(TestServer(build_app(server), host="127.0.0.1"))


async def test_alive_and_ready_on_sqlite(tmp_path: Path) -> None:
    async with await open_store(sqlite_url(tmp_path)) as store:
        server = build_server(Settings(open=True, data_dir=tmp_path), store)
        async with client_for(server) as client:
            alive = await client.get("/healthz")
            assert (alive.status, await alive.json()) == (200, {"status": "alive"})
            ready = await client.get("/readyz")
            body = await ready.json()
            assert ready.status == 200, body
            assert body["ready"] is True and body.get("error") is None
            assert [(c["name"], c["ok"]) for c in body["checks"]] == [
                ("database", True),
                ("journal", True),
            ]
            assert 0 <= body["checks"][0]["seconds"] < 2


async def test_a_service_adds_a_readiness_check(tmp_path: Path) -> None:
    """The hook for another part of the server: a named check on ``Server.readiness``."""
    drained = False

    async def journal_drained() -> None:
        if not drained:
            raise InvalidRequest("journal_not_drained", "3 results wait in the journal")

    async with await open_store(sqlite_url(tmp_path)) as store:
        server = build_server(Settings(open=True, data_dir=tmp_path), store)
        server.readiness["journal"] = journal_drained
        async with client_for(server) as client:
            response = await client.get("/readyz")
            body = await response.json()
            assert response.status == 503 and response.headers["Retry-After"] == "5"
            assert body["error"] == {
                "code": "journal_not_drained",
                "message": "journal: 3 results wait in the journal",
            }
            assert [(c["name"], c["ok"]) for c in body["checks"]] == [
                ("database", True),
                ("journal", False),
            ]
            drained = True
            assert (await client.get("/readyz")).status == 200


async def test_the_openapi_documents_both(tmp_path: Path) -> None:
    async with await open_store(sqlite_url(tmp_path)) as store:
        server = build_server(Settings(open=True, data_dir=tmp_path), store)
        async with client_for(server) as client:
            paths = (await (await client.get("/api/openapi.json")).json())["paths"]
    assert set(paths["/healthz"]["get"]["responses"]) == {"200"}
    assert set(paths["/readyz"]["get"]["responses"]) == {"200", "503"}


async def test_a_database_outage_is_503_json_and_readiness_follows(
    own_postgres: PostgresServer, pg_store: Store
) -> None:
    server = build_server(Settings(open=True), pg_store)
    async with client_for(server) as client:
        assert (await client.get("/readyz")).status == 200
        assert (await client.get("/api/matches")).status == 200  # a pooled connection
        pg_ctl(own_postgres, "stop")
        try:
            for path in ("/api/matches", "/api/matches/m1", "/api/leaderboard?game=tictactoe"):
                response = await client.get(path)
                body = await response.json()
                assert response.status == 503, (path, body)
                assert response.content_type == "application/json"
                assert response.headers["Retry-After"] == "5"
                assert body["error"]["code"] == "database_unavailable"
                assert "try again in 5 s" in body["error"]["message"]
            alive = await client.get("/healthz")
            assert alive.status == 200
            response = await client.get("/readyz")
            body = await response.json()
            assert response.status == 503 and response.headers["Retry-After"] == "5"
            assert body["ready"] is False
            assert body["error"]["code"] == "database_unavailable"
            assert body["error"]["message"].startswith("database: ")
        finally:
            pg_ctl(own_postgres, "start")
        assert (await client.get("/readyz")).status == 200
        assert (await client.get("/api/matches")).status == 200


async def test_a_hello_during_an_outage_is_told_why_and_when(
    own_postgres: PostgresServer, pg_store: Store
) -> None:
    clock = ManualClock()
    server = build_server(Settings(open=True), pg_store, clock=clock)
    memory = InMemory(server, clock)
    await memory.bots("before")  # the lookup works while the database is up
    pg_ctl(own_postgres, "stop")
    try:
        bot = memory.bot()
        answer = await bot.hello("during")
        with pytest.raises(DatabaseUnavailable):
            await pg_store.db.ping()
    finally:
        pg_ctl(own_postgres, "start")
    assert answer["type"] == "error" and answer["fatal"] is True
    assert answer["code"] == "database_unavailable"
    assert "try again in 5 s" in answer["message"]
    assert bot.peer.closed
    await memory.bots("after")
    await server.shutdown()


async def test_ping_answers_once_the_database_is_back(
    own_postgres: PostgresServer, pg_store: Store
) -> None:
    assert await pg_store.db.ping() >= 0
    pg_ctl(own_postgres, "stop")
    try:
        with pytest.raises(DatabaseUnavailable) as caught:
            await pg_store.db.ping()
        assert caught.value.retry_after == 5
    finally:
        pg_ctl(own_postgres, "start")
    await pg_store.db.ping()
