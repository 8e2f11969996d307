"""The name policy (``ringside.names``): what it refuses, and look-alike skeletons."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ringside.names import MAX_NAME, BadName, check_name, confusable_with, name_problem, skeleton

LATIN_TO_LOOK_ALIKE = {
    "a": "а",
    "e": "е",
    "o": "о",
    "p": "р",
    "c": "с",
    "y": "у",
    "x": "х",
    "i": "і",
}


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("", "empty"),
        ("x" * (MAX_NAME + 1), f"1 to {MAX_NAME}"),
        ("\u3164", "HANGUL FILLER"),
        ("a\u3164b", "HANGUL FILLER"),
        ("\u2800", "BRAILLE PATTERN BLANK"),
        ("\u115fx", "HANGUL CHOSEONG FILLER"),
        ("x\u1160", "HANGUL JUNGSEONG FILLER"),
        ("x\ufe0f", "VARIATION SELECTOR"),
        ("bot\u202egnp.exe", "text-direction override"),
        ("zero\u200bwidth", "zero-width"),
        ("tab\there", "control character"),
        ("line\u2028break", "line separator"),
        ("no\u00a0break", "blank other than the plain space"),
        (" lead", "start or end with a blank"),
        ("trail ", "start or end with a blank"),
        ("   ", "only blanks"),
        ("two  blanks", "two blanks in a row"),
        ("ａｌｉｃｅ", "use 'alice'"),
        ("\ufb01sh", "use 'fish'"),
        ("\u0301x", "start with a combining mark"),
        ("x\u0301\u0302\u0303", "combining marks"),
        ("\ue000", "private-use"),
    ],
)
def test_refused_names_say_which_rule(name: str, rule: str) -> None:
    with pytest.raises(BadName, match=rule):
        check_name(name)


@pytest.mark.parametrize("name", ["alice", "Alice Bot", "x" * MAX_NAME, "émile", "李小龍", "bot-2"])
def test_plain_names_pass(name: str) -> None:
    assert check_name(name) == name


@pytest.mark.parametrize(
    ("name", "other"),
    [
        ("аlice", "alice"),  # Cyrillic а
        ("ALICE", "alice"),
        ("аlісе", "alice"),
        ("a1ice", "alice"),
        ("ѕеrgеу", "sergey"),
        ("οmega", "omega"),  # Greek ο
        ("ναl", "val"),  # Greek ν
        ("my bot", "my_bot"),
        ("my-bot", "my_bot"),
        ("émile", "emile"),
        ("rnoon", "moon"),
        ("ｍｏｏｎ", "moon"),  # fullwidth (refused as such, yet confusable too)
    ],
)
def test_look_alikes_share_a_skeleton(name: str, other: str) -> None:
    assert skeleton(name) == skeleton(other)
    assert confusable_with(name, ["zed", other]) == other


def test_different_names_are_not_confusable() -> None:
    assert confusable_with("alice", ["alicia", "bob", "alice"]) is None
    assert skeleton("bot-1") != skeleton("bot-2")


@given(st.text(max_size=80))
def test_any_text_is_admitted_or_refused_with_a_reason(text: str) -> None:
    problem = name_problem(text)
    if problem is None:
        assert 1 <= len(text) <= MAX_NAME
        assert unicodedata.normalize("NFKC", text) == text
        assert text == text.strip()
        assert all(ch == " " or unicodedata.category(ch)[0] not in "CZ" for ch in text), (
            "only the plain space among controls, formats and separators"
        )
    else:
        assert problem.startswith("a bot name")


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789 -", min_size=1, max_size=30))
def test_case_and_cyrillic_or_greek_look_alikes_do_not_change_the_skeleton(text: str) -> None:
    disguised = "".join(LATIN_TO_LOOK_ALIKE.get(ch, ch) for ch in text)
    assert skeleton(disguised) == skeleton(text) == skeleton(text.upper())


@given(st.text(max_size=40))
def test_the_skeleton_is_a_fixed_point(text: str) -> None:
    once = skeleton(text)
    assert skeleton(once) == once
