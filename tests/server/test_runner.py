"""The runner's store writes: merged while one is under way, never lost when one fails.

An in-process server with a real SQLite store and its real TCP listener on
loopback; the bots are ``WireBot``s. The store is slowed down or made to fail
once by wrapping its method, so that what the runner does meanwhile shows.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import Counter
from collections.abc import Sequence
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ringside.protocol.messages import MatchResult
from ringside.referee.config import MatchConfig
from ringside.server.app import Server
from ringside.server.runner import SAVE_MOVES_WITHIN, MatchRunner, save_at, save_phase
from ringside.store import EncodedEvent
from ringside.testing.inprocess import Listening
from ringside.testing.wire import WireBot, start_bot


class Harness:
    def __init__(self, server: Server, tcp_url: str) -> None:
        self.server = server
        self.tcp_url = tcp_url

    async def play(self, rounds: int, plies: int) -> tuple[str, list[dict[str, Any]]]:
        """Two TCP bots play a counting match; its id and the events the runner published."""
        bots = [WireBot(f"bot-{i}", self.tcp_url) for i in range(2)]
        tasks = [await start_bot(bot) for bot in bots]
        config = msgspec.convert(
            {
                "game": "counting",
                "bots": [b.name for b in bots],
                "rounds": rounds,
                "options": {"plies": plies},
            },
            MatchConfig,
        )
        runner = await self.server.matches.create(config)
        async with asyncio.timeout(20):
            await runner.done
        for bot in bots:
            await bot.close()
        await asyncio.gather(*tasks, return_exceptions=True)
        return runner.id, [msgspec.json.decode(e) for e in runner.log]


@pytest.fixture
def harness(listening: Listening) -> Harness:
    return Harness(listening.server, listening.url)


async def stored_events(harness: Harness, match_id: str) -> list[dict[str, Any]]:
    match = await harness.server.store.get_match(match_id)
    assert match is not None and match.status == "finished"
    return list(match.events)


async def test_writes_queued_during_a_write_go_in_one_transaction(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first write is held until the match is over: everything after it is one commit."""
    store = harness.server.store
    release = asyncio.Event()
    calls: list[str] = []
    append, finish = store.append_events, store.finish_match

    async def slow_append(match_id: str, events: Sequence[Any]) -> int:
        calls.append(f"append {len(events)}")
        await release.wait()
        return await append(match_id, events)

    async def counted_finish(match_id: str, *args: Any, **kwargs: Any) -> None:
        calls.append("finish")
        await finish(match_id, *args, **kwargs)

    def finished_then_release(runner: MatchRunner, result: MatchResult) -> None:
        finished(runner, result)  # the result and the last events are queued now
        release.set()

    finished = MatchRunner._finished
    monkeypatch.setattr(MatchRunner, "_finished", finished_then_release)
    monkeypatch.setattr(store, "append_events", slow_append)
    monkeypatch.setattr(store, "finish_match", counted_finish)
    match_id, published = await harness.play(rounds=3, plies=20)
    # match_started alone, then three rounds and the result together.
    assert calls == ["append 1", "finish"]
    assert await stored_events(harness, match_id) == published
    kinds = [e["type"] for e in published]
    assert kinds[0] == "match_started" and kinds[-1] == "match_result"
    assert kinds.count("round_result") == 3 and kinds.count("move") == 60


async def test_a_failed_write_is_carried_into_the_next(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = harness.server.store
    append = store.append_events
    failures: list[int] = []

    async def failing_once(match_id: str, events: Sequence[EncodedEvent]) -> int:
        if not failures:
            failures.append(len(events))
            raise OSError("disk full, once")
        return await append(match_id, events)

    monkeypatch.setattr(store, "append_events", failing_once)
    match_id, published = await harness.play(rounds=2, plies=10)
    assert failures == [1], "the first write (match_started) failed"
    assert await stored_events(harness, match_id) == published, "nothing lost, nothing reordered"


@given(
    now=st.floats(min_value=0.0, max_value=1e6),
    phase=st.floats(min_value=0.0, max_value=SAVE_MOVES_WITHIN, exclude_max=True),
)
def test_a_save_falls_due_within_the_promise_and_on_the_matchs_grid(
    now: float, phase: float
) -> None:
    due = save_at(now, phase)
    assert now - 1e-9 <= due <= now + SAVE_MOVES_WITHIN + 1e-9  # floats round
    turns = (due - phase) / SAVE_MOVES_WITHIN
    assert abs(turns - round(turns)) < 1e-6


def test_matches_started_together_save_spread_over_the_period() -> None:
    """A thousand matches' saves, each on its own grid, fill every tenth of the period."""
    ids = [secrets.token_hex(6) for _ in range(1000)] + [f"m{i}" for i in range(1000)]
    tenths = Counter(int(10 * save_phase(match_id) / SAVE_MOVES_WITHIN) for match_id in ids)
    assert sorted(tenths) == list(range(10))
    assert max(tenths.values()) < 2 * len(ids) / 10, tenths
