"""An action's ``info`` through the real services: the bot hears of a bad one and plays on,
watchers see a good one with its move, the store keeps it, and a game with hidden
information keeps it sealed."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from ringside.protocol.messages import PerMove
from ringside.referee.config import MatchConfig
from ringside.testing.memory import InMemory, MemoryBot

INFOS: list[Any] = [
    {"score": 34, "depth": 18, "pv": ["4", "0"]},
    {"depth": "deep"},
    "x" * 5000,
    "a plain log line",
    None,
]


async def talk(bot: MemoryBot, infos: list[Any]) -> list[dict[str, Any]]:
    """Play the first legal action with ``infos[n]`` on the n-th request, to the end;
    the errors and the match result received."""
    said = iter(infos)
    heard = []
    while True:
        message = await bot.next()
        kind = message.get("type")
        if kind in ("match_result", "error"):
            heard.append(message)
        if kind == "match_result":
            return heard
        if kind == "request":
            info = next(said, None)
            action = {"type": "action", "match": message["match"], "id": message["id"]}
            action["action"] = message["legal_actions"][0]
            await bot.send(action if info is None else {**action, "info": info})
        else:
            await bot.answer(message)


async def test_info_is_relayed_stored_and_a_bad_one_costs_nothing(memory: InMemory) -> None:
    alice, bob = await memory.bots("alice", "bob")
    spectator = memory.spectator()
    config = MatchConfig(game="tictactoe", bots=["alice", "bob"], time_control=PerMove(100.0))
    runner = await memory.server.matches.create(config)
    await spectator.watch(runner.id)
    (*heard, result), _ = await asyncio.gather(talk(alice, INFOS), bob.play())
    assert result["status"] == "finished" and result.get("verdict") is None
    errors = [(e["code"], e.get("fatal", False), e["match"]) for e in heard]
    assert errors == [("invalid_field", False, runner.id), ("too_large", False, runner.id)]
    assert alice.session.state == "ready"

    expected = [{"score": 34.0, "depth": 18, "pv": ["4", "0"]}, None, None, "a plain log line"]
    record = await memory.server.store.get_match(runner.id)
    assert record is not None
    stored = [e.get("info") for e in record.events if e["type"] == "move" and e["bot"] == "alice"]
    assert stored[:4] == expected
    assert all("info" not in e for e in record.events if e["type"] == "move" and e["bot"] == "bob")
    watched = [e for e in spectator.take() if e.get("type") == "move" and e["bot"] == "alice"]
    assert [e.get("info") for e in watched][:4] == expected


async def test_a_hidden_games_info_is_sealed(memory: InMemory) -> None:
    pytest.importorskip("pyspiel")
    alice, bob = await memory.bots("alice", "bob")
    spectator = memory.spectator()
    config = MatchConfig(game="spiel.kuhn_poker", bots=["alice", "bob"], seed=3)
    runner = await memory.server.matches.create(config)
    await spectator.watch(runner.id)
    await asyncio.gather(talk(alice, ["my card is the king"] * 5), bob.play())
    record = await memory.server.store.get_match(runner.id)
    assert record is not None
    moves = [e for e in record.events if e["type"] == "move"]
    assert moves and all("info" not in e for e in moves)
    sealed = [s for s in record.sealed if s.get("info")]
    assert sealed and {s["info"] for s in sealed} == {"my card is the king"}
    assert "the king" not in repr(spectator.take())
