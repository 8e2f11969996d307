"""Structured boards for the games the page draws itself (hex, breakthrough, backgammon).

Each is read from what OpenSpiel prints or encodes for a state, so the page needs no rules.
Only perfect-information games have one: a board shows everything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ringside.games.base import JSON


def hex_board(state: Any) -> dict[str, JSON]:
    """``str(state)`` is one line per row, indented, cells ``x``/``o``/``.``."""
    rows = [line.split() for line in str(state).splitlines() if line.strip()]
    cells = [_mark(cell) for row in rows for cell in row]
    return {
        "kind": "hex",
        "rows": len(rows),
        "cols": len(rows[0]) if rows else 0,
        "cells": cells,
        "goals": ["top-bottom", "left-right"],
    }


def _mark(cell: str) -> str:
    first = cell[:1].lower()
    return first if first in ("x", "o") else ""


def breakthrough_board(state: Any) -> dict[str, JSON]:
    """``str(state)``: a line per row (its number, then ``b``/``w``/``.``), then the letters."""
    rows = []
    for line in str(state).splitlines():
        body = line.lstrip("0123456789")
        if body and body != line and set(body) <= {"b", "w", "."}:
            rows.append(["" if c == "." else c for c in body])
    return {
        "kind": "grid",
        "rows": len(rows),
        "cols": len(rows[0]) if rows else 0,
        "cells": [cell for row in rows for cell in row],
        "labels": {"b": "Black", "w": "White"},
    }


POINTS = 24


def _checkers(encoding: list[float]) -> int:
    """OpenSpiel's four numbers for a point: one-hot 1, 2, 3, then ``n - 3`` for more."""
    if encoding[0]:
        return 1
    if encoding[1]:
        return 2
    if encoding[2]:
        return 3
    return 3 + round(encoding[3]) if encoding[3] else 0


def backgammon_board(state: Any) -> dict[str, JSON]:
    """From seat 0's observation tensor: 24 points x 4 numbers for seat 0, then for seat 1,
    then (bar, borne off, to move) for each seat and the two dice. The tensor runs from
    seat 0's 24-point down to its 1-point (seat 1's 1-point up to its 24)."""
    tensor = state.observation_tensor(0)
    mine = [_checkers(tensor[4 * i : 4 * i + 4]) for i in range(POINTS)]
    theirs = [_checkers(tensor[96 + 4 * i : 96 + 4 * i + 4]) for i in range(POINTS)]
    tail = tensor[2 * 4 * POINTS :]
    points = [mine[POINTS - 1 - j] - theirs[POINTS - 1 - j] for j in range(POINTS)]
    return {
        "kind": "backgammon",
        "points": points,
        "bar": [round(tail[0]), round(tail[3])],
        "off": [round(tail[1]), round(tail[4])],
        "dice": [round(d) for d in tail[6:8] if d > 0],
    }


BOARDS: dict[str, Callable[[Any], dict[str, JSON]]] = {
    "hex": hex_board,
    "breakthrough": breakthrough_board,
    "backgammon": backgammon_board,
}
"""Short OpenSpiel name -> the function that reads its board from a pyspiel state."""
