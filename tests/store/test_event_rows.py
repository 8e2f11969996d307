"""The layout of the event log in rows: runs of moves in one row, read back one event each."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from ringside.store.event_rows import MOVE, MOVES, event_rows, expand
from ringside.store.records import EncodedEvent

KINDS = st.sampled_from(["move", "move", "move", "round_started", "round_result", "sealed_move"])


@st.composite
def events(draw: st.DrawFn) -> list[dict[str, Any] | EncodedEvent]:
    kinds = draw(st.lists(KINDS, max_size=40))
    made: list[dict[str, Any] | EncodedEvent] = []
    for ply, kind in enumerate(kinds):
        body = {"type": kind, "ply": ply, "text": draw(st.text(max_size=5))}
        made.append(EncodedEvent(kind, msgspec.json.encode(body)) if draw(st.booleans()) else body)
    return made


def decoded(event: dict[str, Any] | EncodedEvent) -> dict[str, Any]:
    if isinstance(event, EncodedEvent):
        body: dict[str, Any] = msgspec.json.decode(event.json)
        return body
    return event


@settings(deadline=None)  # no test depends on the machine being fast
@given(events(), st.integers(min_value=0, max_value=10**6))
def test_rows_read_back_as_the_events_in_order(
    log: list[dict[str, Any] | EncodedEvent], start: int
) -> None:
    rows = list(event_rows("m1", start, log))
    assert all(r[0] == "m1" for r in rows)
    seqs = [r[1] for r in rows]
    assert seqs == sorted(set(seqs)), "rows sort in log order, one seq each"
    if log:
        assert seqs[-1] == start + len(log) - 1, "max(seq) + 1 still counts the events"
    back = list(expand((kind, msgspec.json.decode(data)) for _, _, kind, data in rows))
    assert back == [(e["type"], e) for e in map(decoded, log)]
    for (_, _, kind, data), following in pairwise(rows):
        assert not (kind in (MOVE, MOVES) and following[2] in (MOVE, MOVES)), "runs are whole"
        assert kind != MOVES or len(msgspec.json.decode(data)) > 1


def test_a_run_of_moves_is_one_row_numbered_as_its_last_move() -> None:
    log: list[dict[str, Any] | EncodedEvent] = [
        {"type": "round_started", "round": 1},
        *({"type": "move", "ply": p} for p in range(3)),
        {"type": "round_result", "round": 1},
        {"type": "move", "ply": 3},
    ]
    rows = [
        (seq, kind, msgspec.json.decode(data)) for _, seq, kind, data in event_rows("m", 5, log)
    ]
    assert rows == [
        (5, "round_started", {"type": "round_started", "round": 1}),
        (8, "moves", [{"type": "move", "ply": p} for p in range(3)]),
        (9, "round_result", {"type": "round_result", "round": 1}),
        (10, "move", {"type": "move", "ply": 3}),
    ]
