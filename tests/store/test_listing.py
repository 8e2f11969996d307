"""Listing matches: newest first, filters by bot, game and status, pagination."""

from __future__ import annotations

import pytest

from ringside.store import MatchOutcome, MatchStatus, MatchSummary, Store
from ringside.testing.clock import FakeClock

TC = {"type": "per_move", "seconds": 1.0}

# (id, game, bots, final status or None to leave pending)
MATCHES: list[tuple[str, str, list[str], MatchStatus | None]] = [
    ("a", "tictactoe", ["alpha", "beta"], "finished"),
    ("b", "counting", ["beta", "gamma"], "finished"),
    ("c", "tictactoe", ["gamma", "alpha"], "aborted"),
    ("d", "tictactoe", ["beta", "delta"], "running"),
    ("e", "counting", ["alpha", "alpha"], None),
]


@pytest.fixture
async def filled(store: Store, clock: FakeClock) -> Store:
    for match_id, game, bots, status in MATCHES:
        clock.advance(10)
        await store.create_match(match_id, game, bots, 1, TC, {})
        if status in ("running", "finished"):
            await store.set_match_status(match_id, "running")
        if status in ("finished", "aborted"):
            end = MatchOutcome(match_id=match_id, status=status, scores=(1.0, 0.0), winner=bots[0])
            await store.finish_match(end)
    return store


def ids(items: list[MatchSummary]) -> list[str]:
    return [m.id for m in items]


async def test_newest_first(filled: Store) -> None:
    items, total = await filled.list_matches()
    assert ids(items) == ["e", "d", "c", "b", "a"] and total == 5
    newest = items[0]
    assert newest.bots == ["alpha", "alpha"] and newest.status == "pending"
    oldest = items[-1]
    assert oldest.winner == "alpha" and [s.score for s in oldest.seats] == [1.0, 0.0]


async def test_same_creation_time_is_ordered_by_id(store: Store) -> None:
    for match_id in ("x1", "x3", "x2"):
        await store.create_match(match_id, "tictactoe", ["a"], 1, TC, {})
    items, _ = await store.list_matches()
    assert ids(items) == ["x3", "x2", "x1"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"bot": "alpha"}, ["e", "c", "a"]),
        ({"bot": "delta"}, ["d"]),
        ({"bot": "nobody"}, []),
        ({"game": "counting"}, ["e", "b"]),
        ({"status": "finished"}, ["b", "a"]),
        ({"status": "running"}, ["d"]),
        ({"bot": "beta", "game": "tictactoe"}, ["d", "a"]),
        ({"bot": "gamma", "status": "aborted"}, ["c"]),
        ({"bot": "alpha", "game": "counting", "status": "finished"}, []),
    ],
)
async def test_filters(filled: Store, filters: dict[str, str], expected: list[str]) -> None:
    items, total = await filled.list_matches(**filters)  # type: ignore[arg-type]
    assert ids(items) == expected
    assert total == len(expected)


async def test_pagination(filled: Store) -> None:
    pages = [await filled.list_matches(limit=2, offset=offset) for offset in (0, 2, 4, 6)]
    assert [ids(items) for items, _ in pages] == [["e", "d"], ["c", "b"], ["a"], []]
    assert {total for _, total in pages} == {5}
    items, total = await filled.list_matches(bot="alpha", limit=1, offset=1)
    assert ids(items) == ["c"] and total == 3
    items, total = await filled.list_matches(limit=0)
    assert items == [] and total == 5


async def test_negative_paging_rejected(store: Store) -> None:
    with pytest.raises(ValueError):
        await store.list_matches(limit=-1)
    with pytest.raises(ValueError):
        await store.list_matches(offset=-1)


async def test_empty_store(store: Store) -> None:
    assert await store.list_matches() == ([], 0)
