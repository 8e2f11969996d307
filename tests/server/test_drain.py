"""Stopping a server: no new match, ``--drain`` lets running ones finish, the rest are handed on.

The real services through memory, on a ``ManualClock``: the drain's deadline
is on that clock, so a test ends it by moving time, never by waiting.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from ringside.protocol.messages import PerMove
from ringside.referee.config import MatchConfig
from ringside.server.errors import ShuttingDown
from ringside.testing.memory import InMemory, MemoryBot


async def start(memory: InMemory) -> tuple[str, MemoryBot, MemoryBot, dict[str, Any]]:
    """A match whose first move alice has been asked for (the request is returned)."""
    alice, bob = await memory.bots("alice", "bob")
    runner = await memory.server.matches.create(
        MatchConfig(game="tictactoe", bots=["alice", "bob"], time_control=PerMove(100.0))
    )
    await bob.answer(await bob.next("prepare"))
    request = await alice.play(until="request")
    return runner.id, alice, bob, request


async def test_a_match_finishes_during_the_drain(memory: InMemory, tmp_path: Path) -> None:
    match_id, alice, bob, request = await start(memory)
    server = memory.server
    stopping = asyncio.create_task(server.shutdown(drain=30.0))
    await asyncio.sleep(0)  # the shutdown has begun: no new match from now on
    assert server.matches.closing
    late = await memory.bots("carol", "dave")
    assert late
    with pytest.raises(ShuttingDown):
        await server.matches.create(MatchConfig(game="tictactoe", bots=["carol", "dave"]))
    await alice.answer(request)  # asked before the shutdown: the match goes on
    results = await asyncio.gather(alice.play(), bob.play())
    assert results[0]["status"] == "finished" and results[0] == results[1]
    await asyncio.wait_for(stopping, 10)
    record = await server.store.get_match(match_id)
    assert record is not None and record.status == "finished"
    assert any(e["code"] == "server_shutdown" for e in alice.take("error"))
    assert late[0].take("match_result") == []


async def test_what_the_drain_leaves_is_handed_on(memory: InMemory) -> None:
    match_id, alice, _, _ = await start(memory)
    server = memory.server
    stopping = asyncio.create_task(server.shutdown(drain=5.0))
    await asyncio.sleep(0)
    memory.clock.advance(4.0)
    await asyncio.sleep(0)
    assert not stopping.done(), "still draining"
    memory.clock.advance(1.5)
    await asyncio.wait_for(stopping, 10)
    told = alice.take("match_result", "error")
    assert [(m["type"], m.get("code")) for m in told] == [("error", "server_shutdown")]
    record = await server.store.get_match(match_id)
    assert record is not None and record.status == "running", "left for the restart"
    # Everything played is stored, for the restart to rebuild the match from.
    assert [e["type"] for e in record.events] == ["match_started", "round_started"]
