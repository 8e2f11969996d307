"""Verdicts and reconnects on the real services, through the memory transport.

Time is a ``ManualClock``: a test moves it past a deadline and the verdict is
given then, so nothing here sleeps or races a timer; only the store's writes
are awaited (the result is announced once it is committed).
"""

from __future__ import annotations

import asyncio
from typing import Any

from ringside.protocol.messages import PerMove
from ringside.referee.config import MatchConfig
from ringside.server.runner import MatchRunner
from ringside.testing.memory import InMemory, MemoryBot


async def start(memory: InMemory, **config: Any) -> tuple[MatchRunner, MemoryBot, MemoryBot]:
    alice, bob = await memory.bots("alice", "bob")
    settings = {"time_control": PerMove(1.0), "time_margin": 0.1, **config}
    runner = await memory.server.matches.create(
        MatchConfig(game="tictactoe", bots=["alice", "bob"], **settings)
    )
    return runner, alice, bob


async def first_request(alice: MemoryBot, bob: MemoryBot) -> dict[str, Any]:
    """Both bots say ready; the request alice (seat 0) gets for the first move."""
    await bob.answer(await bob.next("prepare"))
    return await alice.play(until="request")


async def test_a_bot_that_lets_its_clock_run_out_loses_by_timeout(memory: InMemory) -> None:
    runner, alice, bob = await start(memory)
    asked = await first_request(alice, bob)
    assert asked["seat"] == 0
    memory.clock.advance(1.05)  # within the margin: nothing yet
    assert alice.take("error") == []
    memory.clock.advance(0.1)
    told = await alice.next("error")
    assert (told["code"], told["match"]) == ("timeout", runner.id)
    results = await asyncio.gather(alice.play(), bob.play())
    assert results[0] == results[1]
    verdict = results[0]["verdict"]
    assert (verdict["code"], verdict["bot"], results[0]["winner"]) == ("timeout", "alice", "bob")
    stored = await memory.server.store.get_match(runner.id)
    assert stored is not None and stored.status == "finished"
    assert stored.result is not None and stored.result["verdict"]["code"] == "timeout"


async def test_an_illegal_move_loses_and_is_recorded(memory: InMemory) -> None:
    runner, alice, bob = await start(memory)
    asked = await first_request(alice, bob)
    await alice.send({"type": "action", "match": runner.id, "id": asked["id"], "action": 42})
    told = await alice.next("error")
    assert told["code"] == "illegal_action"
    result, _ = await asyncio.gather(bob.play(), alice.play())
    assert result["verdict"]["code"] == "illegal_action"
    assert result["verdict"]["bot"] == "alice"
    assert result["winner"] == "bob"


async def test_a_bot_back_within_its_grace_plays_on(memory: InMemory) -> None:
    runner, alice, bob = await start(memory, reconnect_grace=5.0, time_control=PerMove(30.0))
    asked = await first_request(alice, bob)
    alice.drop()
    memory.clock.advance(4.0)
    assert runner.match.result is None
    again = memory.bot()
    assert (await again.hello("alice"))["type"] == "welcome"
    request = await again.next("request")
    assert request["id"] == asked["id"]
    assert request["clock"]["remaining"] == 26.0  # its clock ran while it was away
    await again.answer(request)
    results = await asyncio.gather(again.play(), bob.play())
    assert results[0]["status"] == "finished"
    assert results[0].get("verdict") is None
    assert memory.server.roster.bots["alice"] is again.session


async def test_a_bot_gone_past_its_grace_loses_by_disconnection(memory: InMemory) -> None:
    runner, alice, bob = await start(memory, reconnect_grace=2.0, time_control=PerMove(30.0))
    await first_request(alice, bob)
    alice.drop()
    memory.clock.advance(2.0)
    result = await bob.play()
    assert result["verdict"]["code"] == "disconnected"
    assert result["verdict"]["bot"] == "alice"
    await runner.done
    late = memory.bot()
    assert (await late.hello("alice"))["type"] == "welcome"
    assert late.session.matches == {}


async def test_a_guest_cannot_take_over_a_dropped_bot_without_its_token(
    memory: InMemory,
) -> None:
    alice = memory.bot()
    assert (await alice.hello("alice", token="secret"))["type"] == "welcome"
    bob = memory.bot()
    assert (await bob.hello("bob"))["type"] == "welcome"
    config = MatchConfig(game="tictactoe", bots=["alice", "bob"], reconnect_grace=5.0)
    await memory.server.matches.create(config)
    alice.drop()
    impostor = memory.bot()
    refused = await impostor.hello("alice", token="guess")
    assert (refused["code"], refused["fatal"]) == ("name_taken", True)
    assert impostor.session.state == "closed"
    owner = memory.bot()
    assert (await owner.hello("alice", token="secret"))["type"] == "welcome"


async def test_a_bot_that_never_says_ready_loses(memory: InMemory) -> None:
    runner, alice, bob = await start(memory, ready_timeout=3.0)
    await bob.answer(await bob.next("prepare"))
    await alice.next("prepare")
    memory.clock.advance(3.2)
    result, _ = await asyncio.gather(bob.play(), alice.play())
    assert result["match"] == runner.id
    assert (result["verdict"]["code"], result["verdict"]["bot"]) == ("not_ready", "alice")


async def test_the_winner_is_not_kept_waiting_by_a_hung_loser(memory: InMemory) -> None:
    """Alice hangs on her move: bob hears the result once he says ok, not ok_timeout later."""
    runner, alice, bob = await start(memory, ok_timeout=5.0)
    await first_request(alice, bob)  # alice was asked to move, and never answers
    memory.clock.advance(1.15)
    assert (await alice.next("error"))["code"] == "timeout"
    await bob.answer(await bob.next("round_end"))
    assert runner.match.finished, "no ok awaited from alice"
    result = await bob.next("match_result")
    assert (result["verdict"]["code"], result["winner"]) == ("timeout", "bob")
    assert "round_end" not in [m["type"] for m in alice.received]
    assert (await alice.next("match_result")) == result
