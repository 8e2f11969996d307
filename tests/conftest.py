"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from ringside.testing import postgres
from ringside.testing.postgres import PostgresServer, PostgresUnavailable


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
