"""The lobby as spectators see it, driven through the memory transport: no sockets, no sleeps."""

from __future__ import annotations

import asyncio

from ringside.referee.config import MatchConfig
from ringside.testing.memory import InMemory


async def test_spectators_see_bots_come_play_and_go(memory: InMemory) -> None:
    watcher = memory.spectator()
    first = await watcher.next()
    assert first == {"type": "lobby", "bots": [], "matches": []}

    alice, bob = await memory.bots("alice", "bob", games=["tictactoe"])
    joined = [await watcher.next("bot_joined") for _ in range(2)]
    assert [j["bot"]["name"] for j in joined] == ["alice", "bob"]
    assert all(j["bot"]["status"] == "idle" and j["bot"]["transport"] == "memory" for j in joined)

    runner = await memory.server.matches.create(
        MatchConfig(game="tictactoe", bots=["alice", "bob"])
    )
    news = watcher.take()  # all here already: the lobby hears synchronously
    assert [m["type"] for m in news] == ["bot_status", "bot_status", "match_listed"]
    assert {m["bot"]["name"] for m in news[:2]} == {"alice", "bob"}
    assert all(m["bot"]["status"] == "playing" for m in news[:2])
    assert news[2]["match"]["id"] == runner.id
    assert news[2]["match"]["status"] == "running"
    assert memory.server.lobby.running()[0].id == runner.id

    results = await asyncio.gather(alice.play(), bob.play())
    assert results[0] == results[1]
    assert results[0]["status"] == "finished"
    await runner.done

    statuses = [m for m in watcher.take() if m["type"] in ("match_listed", "bot_status")]
    assert [s["type"] for s in statuses[-3:]] == ["bot_status", "bot_status", "match_listed"]
    assert {s["bot"]["name"] for s in statuses[-3:-1]} == {"alice", "bob"}
    assert all(s["bot"]["status"] == "idle" for s in statuses[-3:-1])
    assert statuses[-1]["match"]["status"] == "finished"
    assert memory.server.lobby.running() == []
    assert memory.server.matches.get(runner.id) is None

    alice.drop()
    assert await watcher.next("bot_left") == {"type": "bot_left", "name": "alice"}
    assert [b.name for b in memory.server.lobby.online()] == ["bob"]


async def test_a_late_spectator_gets_the_picture_then_the_news(memory: InMemory) -> None:
    await memory.bots("carol", "dave")
    runner = await memory.server.matches.create(
        MatchConfig(game="tictactoe", bots=["carol", "dave"])
    )
    watcher = memory.spectator()
    lobby = await watcher.next("lobby")
    assert [b["name"] for b in lobby["bots"]] == ["carol", "dave"]
    assert [b["status"] for b in lobby["bots"]] == ["playing", "playing"]
    assert [m["id"] for m in lobby["matches"]] == [runner.id]

    await watcher.watch(runner.id)
    snapshot = await watcher.next("snapshot")
    assert snapshot["match"] == runner.id
    assert [e["type"] for e in snapshot["events"]] == ["match_started"]

    runner.abort("an operator stopped it")
    result = await watcher.next("match_result")
    assert result["status"] == "aborted"
    watcher.leave()
    assert runner.watchers == set()


async def test_watching_an_unknown_match_is_refused_with_a_reason(memory: InMemory) -> None:
    watcher = memory.spectator()
    await watcher.watch("nope")
    error = await watcher.next("error")
    assert error["code"] == "unknown_match"
    assert watcher.watching == set()


async def test_a_second_watch_of_the_same_match_sends_no_second_snapshot(memory: InMemory) -> None:
    await memory.bots("erin", "frank")
    runner = await memory.server.matches.create(
        MatchConfig(game="tictactoe", bots=["erin", "frank"])
    )
    watcher = memory.spectator()
    for _ in range(5):
        await watcher.watch(runner.id)
    assert [m["type"] for m in watcher.take()].count("snapshot") == 1
    await watcher.unwatch(runner.id)
    assert runner.watchers == set()
    await watcher.watch(runner.id)
    assert [m["type"] for m in watcher.take()] == ["snapshot"]
    await watcher.send(b'{"type":"welcome"}')
    assert [m["code"] for m in watcher.take()] == ["wrong_direction"]


async def test_a_finished_match_let_go_of_and_watched_again_is_snapshotted_again(
    memory: InMemory,
) -> None:
    """The page's lobby board watched a match that ended as it was listed; the match view
    opened next (``unwatch`` from the board, then ``watch``) must get the snapshot too."""
    gina, hal = await memory.bots("gina", "hal", games=["tictactoe"])
    runner = await memory.server.matches.create(MatchConfig(game="tictactoe", bots=["gina", "hal"]))
    await asyncio.gather(gina.play(), hal.play())
    await runner.done
    watcher = memory.spectator()
    await watcher.watch(runner.id)  # the lobby's small board
    first = await watcher.next("snapshot")
    assert first["events"][-1]["type"] == "match_result"
    await watcher.watch(runner.id)  # again while held: nothing new to send
    assert [m["type"] for m in watcher.take()] == []
    await watcher.unwatch(runner.id)  # the board goes with the lobby
    await watcher.watch(runner.id)  # the match view
    async with asyncio.timeout(30):  # bounds a hang only: the snapshot is sent at once
        again = await watcher.next("snapshot")
    assert again == first
