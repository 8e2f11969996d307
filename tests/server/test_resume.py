"""A match interrupted by a restart is rebuilt from its stored events and plays on."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from pathlib import Path

import msgspec
import pytest

from ringside.protocol.messages import Fischer
from ringside.referee.config import MatchConfig
from ringside.referee.restore import NotRebuildable
from ringside.server.app import build_server
from ringside.server.runner import SAVE_MOVES_WITHIN
from ringside.server.settings import Settings
from ringside.server.tournaments import TournamentRequest
from ringside.store import Store, open_store, sqlite_url
from ringside.testing.memory import InMemory, ManualClock, MemoryBot

CONFIG = MatchConfig(
    game="connect4",
    bots=["red", "yellow"],
    rounds=2,
    time_control=Fischer(60.0, 1.0),
    reconnect_grace=10.0,
    seed=11,
)


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:
    """Wait for a state of the store (its writes run in a thread of their own)."""
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.01)


def server_on(store: Store, data_dir: Path) -> InMemory:
    clock = ManualClock()
    return InMemory(build_server(Settings(open=True, data_dir=data_dir), store, clock=clock), clock)


async def play_moves(bots: list[MemoryBot], moves: int) -> None:
    """Answer politely, one message at a time, until exactly ``moves`` moves are made."""
    made = 0
    while made < moves:
        waiting = [bot for bot in bots if bot.inbox]
        assert waiting, "no bot has anything to answer"
        for bot in waiting:
            if made < moves:
                message = bot.inbox.popleft()
                await bot.answer(message)
                made += message["type"] == "request"


async def test_a_match_interrupted_by_a_restart_ends_as_it_would_have(tmp_path: Path) -> None:
    async with await open_store(sqlite_url(tmp_path)) as store:
        first = server_on(store, tmp_path)
        bots = await first.bots("red", "yellow")
        runner = await first.server.matches.create(CONFIG)
        await play_moves(bots, 7)
        first.clock.advance(SAVE_MOVES_WITHIN)  # the moves are handed to the store

        async def saved() -> bool:
            record = await store.get_match(runner.id)
            assert record is not None
            return sum(e["type"] == "move" for e in record.events) >= 6

        await until(saved)
        await play_moves(bots, 2)  # played, not yet stored: lost with the process
        # The process dies: no shutdown, its connections are gone with it.
        runner._writer.cancel()  # type: ignore[union-attr]
        record = await store.get_match(runner.id)
        assert record is not None and record.status == "running"
        assert sum(e["type"] == "move" for e in record.events) == 7

        second = server_on(store, tmp_path)
        resumed = second.server.matches.resume(record)
        assert [m.id for m in second.server.lobby.running()] == [runner.id]
        red, yellow = await second.bots("red", "yellow")
        results = await asyncio.gather(red.play(), yellow.play())
        assert results[0] == results[1]
        assert results[0]["status"] == "finished"
        assert results[0].get("verdict") is None
        await resumed.done

        # The same bots in a match never interrupted end the same way.
        again = await second.server.matches.create(CONFIG)
        straight = await asyncio.gather(red.play(), yellow.play())
        assert straight[0]["scores"] == results[0]["scores"]
        assert straight[0]["winner"] == results[0]["winner"]
        stored = await store.get_match(runner.id)
        assert stored is not None and stored.status == "finished"
        plies = [e["ply"] for e in stored.events if e["type"] == "move" and e["round"] == 1]
        assert plies == list(range(1, len(plies) + 1))  # nothing played twice, nothing missing
        assert [e["type"] for e in stored.events].count("round_started") == 2
        await second.server.shutdown()
        assert again.finished


async def test_a_bot_that_does_not_come_back_loses_by_disconnection(tmp_path: Path) -> None:
    async with await open_store(sqlite_url(tmp_path)) as store:
        first = server_on(store, tmp_path)
        bots = await first.bots("red", "yellow")
        runner = await first.server.matches.create(CONFIG)
        await play_moves(bots, 3)
        first.clock.advance(SAVE_MOVES_WITHIN)

        async def saved() -> bool:
            record = await store.get_match(runner.id)
            return record is not None and any(e["type"] == "move" for e in record.events)

        await until(saved)
        runner._writer.cancel()  # type: ignore[union-attr]
        record = await store.get_match(runner.id)
        assert record is not None

        second = server_on(store, tmp_path)
        resumed = second.server.matches.resume(record)
        (red,) = await second.bots("red")
        second.clock.advance(CONFIG.reconnect_grace)
        result = await red.play()
        assert (result["verdict"]["code"], result["verdict"]["bot"]) == ("disconnected", "yellow")
        await resumed.done
        await second.server.shutdown()


async def test_a_match_stored_without_its_configuration_is_not_rebuilt(
    memory: InMemory,
) -> None:
    await memory.bots("red", "yellow")
    runner = await memory.server.matches.create(CONFIG)
    record = await memory.server.store.get_match(runner.id)
    assert record is not None and record.config is not None
    old = dataclasses.replace(record, config=None)
    with pytest.raises(NotRebuildable, match="configuration"):
        memory.server.matches.resume(old)


async def test_a_match_handed_over_at_shutdown_loses_no_move(tmp_path: Path) -> None:
    async with await open_store(sqlite_url(tmp_path)) as store:
        first = server_on(store, tmp_path)
        bots = await first.bots("red", "yellow")
        runner = await first.server.matches.create(CONFIG)
        await play_moves(bots, 5)
        await runner.hand_over()  # no clock moved: the moves were still unsaved
        record = await store.get_match(runner.id)
        assert record is not None and record.status == "running"
        assert sum(e["type"] == "move" for e in record.events) == 5

        second = server_on(store, tmp_path)
        resumed = second.server.matches.resume(record)
        red, yellow = await second.bots("red", "yellow")
        results = await asyncio.gather(red.play(), yellow.play())
        assert results[0]["status"] == "finished" and results[0].get("verdict") is None
        await resumed.done
        await second.server.shutdown()


async def test_a_rebuilt_match_that_no_tournament_game_waits_for_is_aborted(
    tmp_path: Path,
) -> None:
    """Killed after storing a tournament's match and before storing its game: the game
    is played again, so the rebuilt match must not count as well."""
    async with await open_store(sqlite_url(tmp_path)) as store:
        first = server_on(store, tmp_path)
        await first.server.start()
        await first.bots("ann", "ben", max_matches=2)
        request = TournamentRequest(game="tictactoe", bots=["ann", "ben"], games_per_pair=2)
        run = await first.server.tournaments.create(request)

        async def game_started() -> bool:
            return bool(run.runners)

        await until(game_started)
        (counted,) = run.runners.values()
        orphan = await first.server.matches.create(
            MatchConfig(game="tictactoe", bots=["ann", "ben"]), tournament_id=run.id
        )
        await first.server.shutdown()  # both handed over

        second = server_on(store, tmp_path)
        await second.server.start()
        assert second.server.matches.get(counted.id) is not None, "its game waits for it"
        rebuilt = second.server.matches.get(orphan.id)
        assert rebuilt is None or rebuilt.finished
        await until(lambda: _status(store, orphan.id, "aborted"))
        await second.server.shutdown()


async def _status(store: Store, match_id: str, status: str) -> bool:
    record = await store.get_match(match_id)
    return record is not None and record.status == status


async def test_a_game_with_hidden_moves_is_rebuilt_from_its_sealed_actions(
    tmp_path: Path,
) -> None:
    pytest.importorskip("pyspiel")
    config = msgspec.structs.replace(CONFIG, game="spiel.phantom_ttt", rounds=1)
    async with await open_store(sqlite_url(tmp_path)) as store:
        first = server_on(store, tmp_path)
        bots = await first.bots("red", "yellow")
        runner = await first.server.matches.create(config)
        await play_moves(bots, 4)
        first.clock.advance(SAVE_MOVES_WITHIN)

        async def saved() -> bool:
            record = await store.get_match(runner.id)
            return record is not None and len(record.sealed) == 4

        await until(saved)
        runner._writer.cancel()  # type: ignore[union-attr]
        record = await store.get_match(runner.id)
        assert record is not None
        moves = [e for e in record.events if e["type"] == "move"]
        assert len(moves) == 4 and all(e["action"] is None for e in moves)
        assert "sealed_move" not in {e["type"] for e in record.events}
        assert [s["ply"] for s in record.sealed] == [1, 2, 3, 4]

        second = server_on(store, tmp_path)
        resumed = second.server.matches.resume(record)
        red, yellow = await second.bots("red", "yellow")
        results = await asyncio.gather(red.play(), yellow.play())
        assert results[0]["status"] == "finished"
        assert results[0].get("verdict") is None
        await resumed.done
        stored = await store.get_match(runner.id)
        assert stored is not None and stored.status == "finished"
        plies = [e["ply"] for e in stored.events if e["type"] == "move"]
        assert plies == list(range(1, len(plies) + 1))
        assert [s["ply"] for s in stored.sealed] == plies
        await second.server.shutdown()
