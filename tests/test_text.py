"""quoted: values shown to people are short and stay whole literals."""

from __future__ import annotations

import ast

from hypothesis import given
from hypothesis import strategies as st

from ringside.text import ELLIPSIS, quoted


def test_a_long_string_is_cut_inside_its_quotes() -> None:
    assert quoted("definitely-not-a-move-at-all", 20) == "'definitely-not-a-mo…'"
    assert quoted("definitely-not-a-move") == "'definitely-not-a-move'"
    assert quoted("e2e4") == "'e2e4'"


def test_escapes_are_never_split() -> None:
    assert quoted("\x00" * 10, 10) == "'\\x00\\x00…'"
    assert quoted("it's", 10) == '"it\'s"'


def test_other_values_are_their_repr_cut_at_the_end() -> None:
    assert quoted(42) == "42"
    assert quoted(None) == "None"
    assert quoted(list(range(100)), 10) == "[0, 1, 2, 3" + ELLIPSIS
    assert len(quoted(list(range(100)), 10)) == 12


@given(st.text(), st.integers(min_value=1, max_value=80))
def test_a_string_is_always_one_complete_literal_within_the_limit(value: str, limit: int) -> None:
    shown = quoted(value, limit)
    assert len(shown) <= limit + 2
    literal = ast.literal_eval(shown)  # a whole Python string literal, quotes and all
    assert isinstance(literal, str)
    if literal == value:
        assert shown == repr(value)
    else:
        assert literal.endswith(ELLIPSIS) and value.startswith(literal[:-1])
        assert len(repr(value)) > limit + 2, "a value that fits is never cut"


@given(st.text(min_size=1), st.integers(min_value=1, max_value=80))
def test_the_cut_keeps_as_much_as_fits(value: str, limit: int) -> None:
    shown = ast.literal_eval(quoted(value, limit))
    if shown != value:
        kept = len(shown) - 1
        longer = value[: kept + 1] + ELLIPSIS
        assert len(repr(longer)) > limit + 2, "one more character would have fitted"
