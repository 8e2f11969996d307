"""Error codes: the ones that cost a verdict and the ones that do not, as documented."""

from __future__ import annotations

import re
from pathlib import Path

from ringside.protocol import ERROR_CODES, IGNORED_CODES, ProtocolError, parse_bot_message

PROTOCOL_MD = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


def error_table() -> dict[str, tuple[str, str]]:
    """``code -> (costs a verdict, fatal)`` from the tables of protocol.md's Errors section."""
    text = PROTOCOL_MD.read_text(encoding="utf-8")
    section = text[text.index("\n## Errors\n") : text.index("\n## Spectators\n")]
    rows = re.findall(r"^\| `(\w+)` \|.*\| ([^|]+) \| ([^|]+) \|$", section, re.MULTILINE)
    return {code: (verdict.strip(), fatal.strip()) for code, verdict, fatal in rows}


def test_a_message_for_the_other_direction_is_a_protocol_error_of_its_own() -> None:
    result = parse_bot_message(b'{"type":"welcome","bot_id":"b1","name":"a","protocol":1}')
    assert isinstance(result, ProtocolError)
    assert result.code == "wrong_direction" and not result.fatal
    assert result.message.startswith('wrong_direction: "welcome" is a message to a bot')


def test_the_codec_never_says_unexpected_message() -> None:
    """``unexpected_message`` is harmless; what the codec finds is a protocol error."""
    assert not set(ERROR_CODES) & set(IGNORED_CODES)
    assert "unexpected_message" in IGNORED_CODES and "wrong_direction" in ERROR_CODES


def test_the_error_table_says_which_codes_cost_a_verdict() -> None:
    table = error_table()
    for code in ERROR_CODES:
        assert table[code][0].startswith("yes"), code
        assert table[code][1] == ("**yes**" if code == "too_large" else "no"), code
    for code in IGNORED_CODES:
        assert table[code] == ("no", "no"), code
