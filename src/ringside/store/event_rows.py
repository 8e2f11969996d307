"""How a match's event log is laid out in the ``events`` table: a run of moves is one row.

A match logs a move per ply, tens of thousands in a long one, and a server
hands them to the store a second's worth at a time. One row per move cost
the database most of what recording costs (3.6 µs a row in SQLite, at tens
of thousands of moves a second on the server's own core), so consecutive
moves go in one row of type ``moves`` whose data is the JSON array of them;
every other event keeps a row of its own, and a lone move stays a ``move``
row (as every move was before: such logs read the same).

``seq`` keeps counting events, not rows: a ``moves`` row carries the number
of its *last* move. The rows still sort in log order, ``max(seq) + 1`` is
still the number of events stored, and the next write still starts there.
Readers see one event per entry (``expand``), never the rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import msgspec

from ringside.store.records import EncodedEvent

MOVE = "move"
"""The type of a move event (``protocol.messages.Move``)."""
MOVES = "moves"
"""The stored type of a run of consecutive moves: one row, a JSON array of them."""

Row = tuple[str, int, str, str]
"""(match_id, seq, type, data as JSON text): the ``events`` table's columns."""


def _as_json(event: Mapping[str, Any] | EncodedEvent) -> tuple[str, bytes]:
    if type(event) is EncodedEvent:
        return event.type, event.json
    assert isinstance(event, Mapping)
    return event["type"], msgspec.json.encode(event)


def event_rows(
    match_id: str, start: int, events: Iterable[Mapping[str, Any] | EncodedEvent]
) -> Iterator[Row]:
    """The rows that store ``events`` (checked), numbered from ``start``, made one at a time.

    Made lazily so that a driver's ``executemany`` frees each row as it binds
    it (see ``match_writes``).
    """
    seq = start - 1
    run: list[bytes] = []
    for event in events:
        seq += 1
        kind, data = _as_json(event)
        if kind == MOVE:
            run.append(data)
            continue
        if run:
            yield _moves_row(match_id, seq - 1, run)
            run = []
        yield (match_id, seq, kind, data.decode())
    if run:
        yield _moves_row(match_id, seq, run)


def _moves_row(match_id: str, last: int, moves: list[bytes]) -> Row:
    if len(moves) == 1:
        return (match_id, last, MOVE, moves[0].decode())
    return (match_id, last, MOVES, (b"[" + b",".join(moves) + b"]").decode())


def expand(rows: Iterable[tuple[str, Any]]) -> Iterator[tuple[str, Any]]:
    """(type, decoded data) per event from the rows' (type, decoded data), in seq order."""
    for kind, data in rows:
        if kind == MOVES:
            for move in data:
                yield MOVE, move
        else:
            yield kind, data


__all__ = ["MOVE", "MOVES", "Row", "event_rows", "expand"]
