"""Listing matches: newest first, filters by bot, game and status, keyset pages."""

from __future__ import annotations

import pytest

from ringside.store import MatchOutcome, MatchStatus, MatchSummary, Store
from ringside.store.matches import InvalidCursor
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
    listing = await filled.list_matches()
    items = listing.items
    assert ids(items) == ["e", "d", "c", "b", "a"] and listing.total == 5
    assert listing.next is None and listing.previous is None
    newest = items[0]
    assert newest.bots == ["alpha", "alpha"] and newest.status == "pending"
    oldest = items[-1]
    assert oldest.winner == "alpha" and [s.score for s in oldest.seats] == [1.0, 0.0]


async def test_same_creation_time_is_ordered_by_id(store: Store) -> None:
    for match_id in ("x1", "x3", "x2"):
        await store.create_match(match_id, "tictactoe", ["a"], 1, TC, {})
    listing = await store.list_matches()
    assert ids(listing.items) == ["x3", "x2", "x1"]
    # A cursor between rows created in the same instant still splits them by id.
    second = await store.list_matches(limit=1, before=(await store.list_matches(limit=1)).next)
    assert ids(second.items) == ["x2"]


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
    listing = await filled.list_matches(**filters)  # type: ignore[arg-type]
    assert ids(listing.items) == expected
    assert listing.total == len(expected)


async def test_keyset_pages_forward_and_back(filled: Store) -> None:
    first = await filled.list_matches(limit=2)
    assert ids(first.items) == ["e", "d"] and first.previous is None and first.total == 5
    second = await filled.list_matches(limit=2, before=first.next)
    assert ids(second.items) == ["c", "b"]
    last = await filled.list_matches(limit=2, before=second.next)
    assert ids(last.items) == ["a"] and last.next is None and last.total == 5
    back = await filled.list_matches(limit=2, after=last.previous)
    assert ids(back.items) == ["c", "b"] and back.next is not None
    top = await filled.list_matches(limit=2, after=back.previous)
    assert ids(top.items) == ["e", "d"] and top.previous is None
    assert top.next == first.next


async def test_pages_keep_their_filters(filled: Store) -> None:
    first = await filled.list_matches(bot="alpha", limit=1)
    assert ids(first.items) == ["e"] and first.total == 3
    rest = await filled.list_matches(bot="alpha", limit=5, before=first.next)
    assert ids(rest.items) == ["c", "a"] and rest.next is None


async def test_a_page_does_not_shift_when_newer_matches_arrive(
    filled: Store, clock: FakeClock
) -> None:
    """What offsets got wrong: a match created meanwhile repeats a row on the next page."""
    first = await filled.list_matches(limit=2)
    clock.advance(10)
    await filled.create_match("f", "counting", ["beta"], 1, TC, {})
    second = await filled.list_matches(limit=2, before=first.next)
    assert ids(second.items) == ["c", "b"]
    assert ids((await filled.list_matches(limit=2, after=second.previous)).items) == ["e", "d"]
    assert ids((await filled.list_matches(limit=2)).items) == ["f", "e"]


async def test_the_total_is_counted_only_up_to_a_cap(filled: Store) -> None:
    assert (await filled.list_matches(count_up_to=5)).total == 5
    capped = await filled.list_matches(count_up_to=4, limit=2)
    assert capped.total is None and ids(capped.items) == ["e", "d"]
    assert (await filled.list_matches(limit=0)).total == 5


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"bot": "alpha"}, ["e", "c", "a"]),
        ({"game": "tictactoe"}, ["d", "c", "a"]),
        ({"status": "finished"}, ["b", "a"]),
    ],
)
async def test_filters_past_the_cap_page_the_same(
    filled: Store, filters: dict[str, str], expected: list[str]
) -> None:
    """Past the cap, SQLite walks the newest-first index and filters: same rows, same order."""
    first = await filled.list_matches(**filters, limit=1, count_up_to=0)  # type: ignore[arg-type]
    rest = await filled.list_matches(**filters, before=first.next, count_up_to=0)  # type: ignore[arg-type]
    assert ids(first.items + rest.items) == expected
    assert first.total is None and rest.next is None


@pytest.mark.parametrize(
    "cursor", ["", "nope", "W10", "WyJ4IiwgInkiXQ", "WyIyMDI1LTAxLTAxVDAwOjAwOjAwIiwieCJd"]
)
async def test_a_foreign_cursor_is_refused(store: Store, cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        await store.list_matches(before=cursor)


async def test_negative_paging_rejected(store: Store) -> None:
    with pytest.raises(ValueError):
        await store.list_matches(limit=-1)
    with pytest.raises(InvalidCursor):
        await store.list_matches(before="a", after="b")


async def test_empty_store(store: Store) -> None:
    listing = await store.list_matches()
    assert (listing.items, listing.total, listing.next, listing.previous) == ([], 0, None, None)
