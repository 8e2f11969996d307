"""Values quoted in messages for people: short, and never cut in the middle of a quote.

A format like ``f"{value!r:.40}"`` cuts the repr itself, so a long string loses
its closing quote (``'definitely-not-a-mo is no UCI move``) and the reader cannot
tell where the value ends. :func:`quoted` shortens the value inside its quotes
instead and says so with an ellipsis.
"""

from __future__ import annotations

__all__ = ["ELLIPSIS", "quoted"]

ELLIPSIS = "…"
"""Marks a value that was shortened; one character, so limits stay simple."""


def quoted(value: object, limit: int = 40) -> str:
    """``repr(value)``, at most ``limit`` characters plus the two quotes.

    A string too long keeps its quotes and ends in an ellipsis inside them:
    ``quoted("definitely-not-a-move", 12)`` is ``'definitely-…'``. Escapes count
    as the characters they show (``'\\x00'`` takes four), and one is never split.
    Anything else is its repr, cut at ``limit + 2`` characters with an ellipsis.
    """
    limit = max(1, limit)
    if isinstance(value, str):
        return _quoted_text(value, limit)
    text = repr(value)
    return text if len(text) <= limit + 2 else text[: limit + 1] + ELLIPSIS


def _quoted_text(value: str, limit: int) -> str:
    if len(value) <= limit:  # each character shows as one or more: a longer one cannot fit
        whole = str.__repr__(value)
        if len(whole) <= limit + 2:
            return whole
    # The longest prefix whose repr, ellipsis included, fits: a repr only grows
    # as its string does, so a binary search finds it.
    low, high = 0, min(len(value), limit)
    while low < high:
        middle = (low + high + 1) // 2
        if len(str.__repr__(value[:middle] + ELLIPSIS)) <= limit + 2:
            low = middle
        else:
            high = middle - 1
    return str.__repr__(value[:low] + ELLIPSIS)
