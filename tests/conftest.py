"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest

from ringside.testing import postgres, redis
from ringside.testing.postgres import PostgresServer, PostgresUnavailable
from ringside.testing.redis import RedisServer, RedisUnavailable
from ringside.testing.wire import ServerProcess, close_open_clients


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throw-away PostgreSQL server for the whole test session."""
    try:
        server = postgres.start()
    except PostgresUnavailable as exc:
        if os.environ.get("RINGSIDE_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL is required here but not available: {exc}")
        pytest.skip(f"PostgreSQL not available: {exc}")
    try:
        yield server
    finally:
        postgres.stop(server)


def _start_redis() -> RedisServer:
    try:
        return redis.start()
    except RedisUnavailable as exc:
        if os.environ.get("RINGSIDE_REQUIRE_REDIS"):
            pytest.fail(f"Redis is required here but not available: {exc}")
        pytest.skip(f"Redis not available: {exc}")


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One throw-away Redis server for the whole test session (do not kill it)."""
    server = _start_redis()
    try:
        yield server
    finally:
        redis.stop(server)


@pytest.fixture
def fresh_redis() -> Iterator[RedisServer]:
    """A Redis server of the test's own, for tests that kill or restart it."""
    server = _start_redis()
    try:
        yield server
    finally:
        redis.stop(server)


@pytest.fixture(scope="module")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A real ``ringside serve --open`` process shared by the tests of one module."""
    server = ServerProcess(tmp_path_factory.mktemp("open"), ["--open", "--heartbeat", "5"])
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A client session; at the end, bots and spectators a failed test left open are
    closed too, so that their sockets do not fail the next test with warnings."""
    async with aiohttp.ClientSession() as session:
        try:
            yield session
        finally:
            await close_open_clients()
