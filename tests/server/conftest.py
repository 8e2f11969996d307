"""Fixtures of the server tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ringside.testing.inprocess import Listening, listening
from ringside.testing.memory import InMemory, in_memory


@pytest.fixture(name="listening")
async def listening_fixture(tmp_path: Path) -> AsyncIterator[Listening]:
    async with listening(tmp_path) as server:
        yield server


@pytest.fixture(name="memory")
async def memory_fixture(tmp_path: Path) -> AsyncIterator[InMemory]:
    async with in_memory(tmp_path) as memory:
        yield memory
