"""Helpers of the bridge tests: engines found on disk, bridges run in this process."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from ringside.bridges.engine import EngineBridge
from ringside.bridges.pool import BridgePool
from ringside.testing.wire import ServerProcess, get_json, post_match

GAMES_DIR = Path("/usr/games")  # Debian's engines live here, off PATH
HERE = Path(__file__).resolve().parent


def find_engine(name: str) -> str:
    """The path of an engine, or skip (fail when RINGSIDE_REQUIRE_ENGINES is set)."""
    found = shutil.which(name) or shutil.which(name, path=str(GAMES_DIR))
    if found:
        return found
    why = f"{name} is not installed (scripts/system-deps.sh installs it)"
    if os.environ.get("RINGSIDE_REQUIRE_ENGINES"):
        pytest.fail(f"RINGSIDE_REQUIRE_ENGINES is set but {why}")
    pytest.skip(why)


async def wait_online(http: aiohttp.ClientSession, server: ServerProcess, *names: str) -> None:
    async with asyncio.timeout(20):
        while True:
            bots = await get_json(http, f"{server.http}/api/bots")
            if set(names) <= {b["name"] for b in bots["bots"]}:
                return
            await asyncio.sleep(0.05)


@asynccontextmanager
async def running(
    http: aiohttp.ClientSession, server: ServerProcess, *bridges: EngineBridge | BridgePool
) -> AsyncIterator[None]:
    """Bridges playing on ``server`` (over WebSocket) until the block ends."""
    stop = asyncio.Event()
    tasks = [asyncio.create_task(b.serve(server.ws_bot, stop)) for b in bridges]
    try:
        await wait_online(http, server, *(b.name for b in bridges))
        yield
    finally:
        stop.set()
        async with asyncio.timeout(15):
            await asyncio.gather(*tasks, return_exceptions=True)


async def play(
    http: aiohttp.ClientSession, server: ServerProcess, body: dict[str, Any], timeout: float = 90
) -> dict[str, Any]:
    """Start a match and return its stored record once it is over."""
    status, created = await post_match(http, server, body)
    assert status == 201, created
    url = f"{server.http}/api/matches/{created['id']}"
    async with asyncio.timeout(timeout):
        while True:
            record: dict[str, Any] = await get_json(http, url)
            if record["status"] in ("finished", "aborted"):
                return record
            await asyncio.sleep(0.1)
