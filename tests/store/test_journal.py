"""The result journal: records survive a torn write, settle, and replay idempotently."""

from __future__ import annotations

import logging
from pathlib import Path

import msgspec
import pytest

from ringside.protocol.messages import MatchResult, RoundScore
from ringside.store import EncodedEvent, Store
from ringside.store.journal import (
    JOURNAL_FILE,
    REJECTED_FILE,
    JournalEntry,
    ResultJournal,
    read_journal,
    replay,
)

TIME_CONTROL = {"type": "per_move", "seconds": 5.0}


def result(match_id: str, winner: str = "alpha") -> MatchResult:
    scores = [1.0, 0.0] if winner == "alpha" else [0.0, 1.0]
    return MatchResult(
        match_id,
        "tictactoe",
        "finished",
        ["alpha", "beta"],
        [RoundScore(1, [0, 1], scores)],
        scores,
        winner,
    )


def entry(match_id: str, winner: str = "alpha") -> JournalEntry:
    done = result(match_id, winner)
    events = [
        EncodedEvent("round_result", b'{"type":"round_result","match":"%s"}' % match_id.encode()),
        EncodedEvent("match_result", msgspec.json.encode(done)),
    ]
    return JournalEntry.of(None, done, events)


async def test_appended_entries_are_read_back_until_settled(tmp_path: Path) -> None:
    journal = ResultJournal.in_dir(tmp_path / "data")
    assert journal.drained
    await journal.append(entry("m1"))
    await journal.append(entry("m2"))
    assert journal.holds("m1") and not journal.drained
    entries, _ = read_journal(journal.path)
    assert [e.match_id for e in entries] == ["m1", "m2"]
    assert entries[0] == entry("m1"), "events and result come back byte for byte"
    await journal.settle("m1")
    assert [e.match_id for e in read_journal(journal.path)[0]] == ["m2"]
    await journal.settle("m2")
    assert journal.drained
    assert journal.path.stat().st_size == 0, "an empty journal is truncated"
    journal.close()


async def test_a_torn_last_record_is_ignored_and_cut_off(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    journal = ResultJournal.in_dir(tmp_path)
    await journal.append(entry("m1"))
    await journal.append(entry("m2"))
    journal.close()
    whole = journal.path.read_bytes()
    journal.path.write_bytes(whole[:-40])  # the process died in the middle of m2's write
    with caplog.at_level(logging.WARNING, "ringside.store"):
        again = ResultJournal.in_dir(tmp_path)
        assert [e.match_id for e in again.load()] == ["m1"]
    assert "torn last record" in caplog.text
    await again.append(entry("m3"))  # starts on a clean line
    assert [e.match_id for e in read_journal(journal.path)[0]] == ["m1", "m3"]
    again.close()


async def test_a_damaged_record_is_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    journal = ResultJournal.in_dir(tmp_path)
    for match_id in ("m1", "m2", "m3"):
        await journal.append(entry(match_id))
    journal.close()
    lines = journal.path.read_bytes().splitlines(keepends=True)
    lines[1] = lines[1].replace(b'"alpha"', b'"alphX"', 1)  # a flipped byte: the checksum fails
    journal.path.write_bytes(b"".join(lines))
    with caplog.at_level(logging.WARNING, "ringside.store"):
        assert [e.match_id for e in read_journal(journal.path)[0]] == ["m1", "m3"]
    assert "record 2 is damaged" in caplog.text


async def start(store: Store, match_id: str) -> None:
    await store.create_match(
        match_id, "tictactoe", ["alpha", "beta"], 1, TIME_CONTROL, {}, status="running"
    )
    await store.append_events(match_id, [{"type": "match_started", "match": match_id}])


async def test_replay_finishes_the_matches_once(store: Store, tmp_path: Path) -> None:
    """Replayed twice (a crash before the settle), the match and the ratings change once."""
    for match_id in ("m1", "m2"):
        await start(store, match_id)
    journal = ResultJournal.in_dir(tmp_path / "journal")
    await journal.append(entry("m1"))
    await journal.append(entry("m2", winner="beta"))
    journal.close()
    copy = journal.path.read_bytes()
    stored: list[str] = []
    assert await replay(journal, store.matches, lambda e: stored.append(e.match_id)) == 2
    assert stored == ["m1", "m2"] and journal.drained
    board = await store.leaderboard("tictactoe")
    first = await store.get_match("m1")
    assert first is not None and first.status == "finished" and first.winner == "alpha"
    assert [e["type"] for e in first.events] == ["match_started", "round_result", "match_result"]

    journal.path.write_bytes(copy)  # the settles were lost: both are replayed again
    again = ResultJournal.in_dir(tmp_path / "journal")
    assert len(again.load()) == 2
    assert await replay(again, store.matches) == 2
    assert await store.leaderboard("tictactoe") == board, "ratings counted once"
    assert await store.get_match("m1") == first, "events, rounds and result unchanged"


async def test_a_result_the_database_refuses_is_set_aside(store: Store, tmp_path: Path) -> None:
    await start(store, "m1")
    await store.set_match_status("m1", "aborted")
    journal = ResultJournal.in_dir(tmp_path)
    await journal.append(entry("m1"))
    await journal.append(entry("unknown"))
    assert await replay(journal, store.matches) == 0
    assert journal.drained
    rejected, _ = read_journal(tmp_path / REJECTED_FILE)
    assert [e.match_id for e in rejected] == ["m1", "unknown"]
    assert (tmp_path / JOURNAL_FILE).stat().st_size == 0
    journal.close()
