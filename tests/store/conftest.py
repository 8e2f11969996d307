"""Fixtures: a store on a real SQLite file and, where PostgreSQL is installed, a real server."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from ringside.store import Store, open_store, sqlite_url
from ringside.testing.clock import FakeClock
from ringside.testing.postgres import PostgresServer


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """``postgresql+asyncpg://postgres@127.0.0.1:PORT/ringside`` on the session's server."""
    return postgres_server.create_database("ringside")


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each backend; PostgreSQL gets a fresh database per test."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "data")
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"test_{uuid.uuid4().hex[:12]}"
    url = server.create_database(name)
    try:
        yield url
    finally:
        server.drop_database(name)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def store(database_url: str, clock: FakeClock) -> AsyncIterator[Store]:
    """A migrated store on ``database_url`` with the fake clock."""
    async with await open_store(database_url, now=clock) as opened:
        yield opened
