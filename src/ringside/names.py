"""Bot names: one policy for ``ringside bots add``, ``POST /api/bots`` and ``hello``.

A name is shown to people (the lobby, standings, replays), so it must read as
what it is and be told apart from the others, in the spirit of PRECIS
(RFC 8264/8265) and Unicode's security mechanisms (UTS #39):

- **one spelling**: the name is in Unicode NFKC form already, so "ａｌｉｃｅ"
  (fullwidth) or "ﬁsh" (a ligature) are refused with the plain spelling to use;
- **nothing invisible**: no control, format (bidirectional overrides such as
  U+202E, zero-width characters), private-use, unassigned or separator
  characters, and none of the blanks that render as nothing but are letters
  or symbols to Unicode (U+3164 HANGUL FILLER, U+2800 BRAILLE BLANK...);
  the only blank is the ASCII space, never leading, trailing or doubled;
- **bounded**: 1 to ``MAX_NAME`` characters, at most ``MAX_MARKS`` combining
  marks on one character, none at the start;
- **no look-alikes**: two names with the same ``skeleton`` (case folded, NFKC,
  common Cyrillic, Greek and other look-alikes mapped to Latin letters, digits
  that pass for letters mapped too, blanks and dashes unified) cannot both
  exist: the second is refused (``confusable_with``).

The skeleton is a small table, not the full UTS #39 data: it covers the
characters that pass for Latin letters in most fonts, which is where
impersonation in a Latin-script lobby comes from. Plain functions, no I/O.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable

MAX_NAME = 64
"""Characters (code points) in a name, at most."""
MAX_MARKS = 2
"""Combining marks in a row, at most ("é" written as e + U+0301 is one)."""

INVISIBLE = frozenset(
    "\u115f\u1160\u3164\uffa0"  # Hangul fillers
    "\u2800"  # Braille pattern blank
    "\u034f"  # combining grapheme joiner
    "\u17b4\u17b5"  # Khmer inherent vowels
    "\u180b\u180c\u180d\u180f"  # Mongolian variation selectors
    "\U0001d159\U0001d173\U0001d174\U0001d175\U0001d176\U0001d177\U0001d178\U0001d179\U0001d17a"  # musical
    "\u3000"  # ideographic space (NFKC makes it a space; refused by name anyway)
)
"""Characters that show as nothing but are not format characters to Unicode."""
_INVISIBLE_RANGES = ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF))
"""Variation selectors."""
_REFUSED_CATEGORIES = {
    "Cc": "a control character",
    "Cf": "an invisible formatting character (zero-width, or a text-direction override)",
    "Cs": "a lone surrogate",
    "Co": "a private-use character",
    "Cn": "an unassigned character",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
    "Zs": "a blank other than the plain space",
}

# Characters that pass for Latin letters or digits in most fonts -> what they pass for.
_LOOK_ALIKES = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i", "ј": "j",
    "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "ԛ": "q", "ѕ": "s",
    "т": "t", "у": "y", "ү": "y", "х": "x", "ԝ": "w", "ь": "b", "ԁ": "d", "ɡ": "g",
    "ӏ": "l", "ո": "n", "ս": "u", "г": "r", "п": "n", "з": "3", "б": "6",
    # Greek
    "α": "a", "β": "b", "γ": "y", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v",
    "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ϲ": "c", "ϳ": "j",
    "ς": "c", "μ": "u", "ϐ": "b",
    # Latin variants and symbols
    "ı": "i", "ȷ": "j", "ł": "l", "ƚ": "l", "ǀ": "l", "ɩ": "i", "ɑ": "a", "ɒ": "a",
    "ʏ": "y", "ʀ": "r", "ɴ": "n", "ʜ": "h", "ᴀ": "a", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e",
    "ᴊ": "j", "ᴋ": "k", "ᴍ": "m", "ᴏ": "o", "ᴘ": "p", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v",
    "ᴡ": "w", "ᴢ": "z", "ß": "ss",
    # Armenian, Cherokee and others seen in spoofs
    "օ": "o", "ց": "g", "հ": "h", "ւ": "l", "Ꭺ": "a", "Ꭼ": "e", "Ꮋ": "h", "Ꮃ": "w",
    # digits and signs that pass for letters, and the other way round
    "0": "o", "1": "l", "|": "l", "!": "l", "5": "s", "$": "s", "@": "a",
    # dashes, dots and low lines: one of each
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-", "_": "-",
    "·": ".", "•": ".", "․": ".",
}  # fmt: skip
_FOLD_AFTER = {"rn": "m", "vv": "w"}
"""Letter pairs that pass for one letter ("rn" for "m"), folded after the table."""


class BadName(ValueError):
    """A name the policy refuses; the message says which rule and how to fix it."""


def _invisible(ch: str) -> bool:
    code = ord(ch)
    return ch in INVISIBLE or any(lo <= code <= hi for lo, hi in _INVISIBLE_RANGES)


def check_name(name: str) -> str:
    """``name`` if the policy admits it, else ``BadName`` saying which rule it breaks."""
    if not isinstance(name, str) or not name:
        raise BadName("a bot name cannot be empty")
    if len(name) > 4 * MAX_NAME:  # do not normalise an unbounded string
        raise BadName(f"a bot name has 1 to {MAX_NAME} characters, not {len(name)}")
    for position, ch in enumerate(name, start=1):
        code = f"U+{ord(ch):04X}"
        if _invisible(ch):
            raise BadName(
                f"a bot name cannot contain invisible characters: {code} "
                f"({unicodedata.name(ch, 'unnamed')}) at position {position}"
            )
        category = unicodedata.category(ch)
        if ch != " " and category in _REFUSED_CATEGORIES:
            raise BadName(
                f"a bot name cannot contain {_REFUSED_CATEGORIES[category]}: {code} "
                f"at position {position}"
            )
    normal = unicodedata.normalize("NFKC", name)
    if normal != name:
        raise BadName(
            f"a bot name must be written in Unicode's plain form (NFKC): use {normal!r}"
            if normal.strip() and len(normal) <= MAX_NAME
            else "a bot name must be written in Unicode's plain form (NFKC)"
        )
    if not name.strip(" "):
        raise BadName("a bot name cannot be only blanks")
    if name != name.strip(" "):
        raise BadName("a bot name cannot start or end with a blank")
    if "  " in name:
        raise BadName("a bot name cannot have two blanks in a row")
    if len(name) > MAX_NAME:
        raise BadName(f"a bot name has 1 to {MAX_NAME} characters, not {len(name)}")
    marks = 0
    for position, ch in enumerate(name, start=1):
        if unicodedata.category(ch).startswith("M"):
            marks += 1
            if position == 1:
                raise BadName("a bot name cannot start with a combining mark")
            if marks > MAX_MARKS:
                raise BadName(
                    f"a bot name has at most {MAX_MARKS} combining marks on one character "
                    f"(position {position})"
                )
        else:
            marks = 0
    return name


def name_problem(name: str) -> str | None:
    """Why the policy refuses ``name``, or None."""
    try:
        check_name(name)
    except BadName as exc:
        return str(exc)
    return None


@functools.lru_cache(maxsize=1 << 16)
def skeleton(name: str) -> str:
    """What ``name`` looks like: two names with one skeleton are confusable.

    Cached: a hello compares its name with every connected bot's.

    NFKC, case folded, accents dropped, look-alikes mapped to the Latin letter
    they pass for, blanks, dashes and low lines unified, NFKC again."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name).casefold())
    out = []
    for ch in text:
        if unicodedata.category(ch).startswith("M"):
            continue  # accents: "é" passes for "e"
        if ch.isspace() or unicodedata.category(ch).startswith("Z"):
            ch = "-"
        out.append(_LOOK_ALIKES.get(ch, ch))
    folded = unicodedata.normalize("NFKC", "".join(out))
    for pair, single in _FOLD_AFTER.items():
        folded = folded.replace(pair, single)
    return folded


def confusable_with(name: str, others: Iterable[str]) -> str | None:
    """One of ``others`` that ``name`` could be taken for (not ``name`` itself), if any."""
    mine = skeleton(name)
    for other in others:
        if other != name and skeleton(other) == mine:
            return other
    return None


__all__ = [
    "MAX_MARKS",
    "MAX_NAME",
    "BadName",
    "check_name",
    "confusable_with",
    "name_problem",
    "skeleton",
]
