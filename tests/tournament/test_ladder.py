"""Ladder matchmaking pairs bots of similar rating and varies the pairs."""

from __future__ import annotations

import random

from ringside.tournament.ladder import pair_by_rating


def test_pairs_are_disjoint_and_close_in_rating() -> None:
    skill = {"a": 40.0, "b": 39.0, "c": 20.0, "d": 21.0, "e": 30.0}
    for seed in range(20):
        pairs = pair_by_rating(list(skill), skill, {}, random.Random(seed))
        names = [b for pair in pairs for b in pair]
        assert len(names) == len(set(names)) == 4
        for a, b in pairs:
            if {a, b} <= {"a", "b", "c", "d"}:
                assert {a, b} in ({"a", "b"}, {"c", "d"})


def test_the_last_opponent_is_avoided_when_there_is_a_choice() -> None:
    skill = {"a": 30.0, "b": 30.5, "c": 20.0}
    last = {"a": "b", "b": "a"}
    for seed in range(20):
        pairs = pair_by_rating(["a", "b"], skill, last, random.Random(seed))
        assert [set(p) for p in pairs] == [{"a", "b"}], "the only pair is still played"
        pairs = pair_by_rating(["a", "b", "c"], skill, last, random.Random(seed))
        assert len(pairs) == 1 and set(pairs[0]) != {"a", "b"}


def test_unrated_bots_count_as_new() -> None:
    pairs = pair_by_rating(["new", "old"], {"old": 25.0}, {}, random.Random(1))
    assert [set(p) for p in pairs] == [{"new", "old"}]
    assert pair_by_rating(["alone"], {}, {}, random.Random(1)) == []
