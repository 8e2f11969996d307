"""Edmonds' blossom algorithm against brute force on small random graphs."""

from __future__ import annotations

import itertools
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from ringside.tournament.matching import matching_size, maximum_matching


def brute_force(n: int, edges: frozenset[tuple[int, int]]) -> int:
    @cache
    def best(free: frozenset[int]) -> int:
        if len(free) < 2:
            return 0
        v = min(free)
        rest = free - {v}
        result = best(rest)  # v stays unmatched
        for w in rest:
            if (v, w) in edges or (w, v) in edges:
                result = max(result, 1 + best(rest - {w}))
        return result

    return best(frozenset(range(n)))


@st.composite
def graphs(draw: st.DrawFn) -> tuple[int, frozenset[tuple[int, int]]]:
    n = draw(st.integers(0, 11))
    pairs = list(itertools.combinations(range(n), 2))
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True) if pairs else st.just([]))
    return n, frozenset(chosen)


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_maximum_matching_is_maximum_and_valid(
    graph: tuple[int, frozenset[tuple[int, int]]],
) -> None:
    n, edges = graph
    matching = maximum_matching(n, edges)
    used = [v for pair in matching for v in pair]
    assert len(used) == len(set(used)), "a vertex in two pairs"
    assert all((a, b) in edges or (b, a) in edges for a, b in matching)
    assert len(matching) == brute_force(n, edges)


def test_odd_cycles_need_the_blossom() -> None:
    # Two triangles joined by an edge, plus a tail: greedy search misses the perfect matching.
    edges = [(0, 1), (1, 2), (2, 0), (2, 3), (3, 4), (4, 5), (5, 3), (5, 6), (6, 7)]
    assert len(maximum_matching(8, edges)) == 4


def test_matching_size_by_name() -> None:
    allowed = {frozenset(p) for p in (("a", "b"), ("c", "d"), ("b", "c"))}
    assert matching_size(["a", "b", "c", "d"], allowed) == 2
    assert matching_size(["a", "c"], allowed) == 0
