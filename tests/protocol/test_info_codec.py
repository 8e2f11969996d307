"""An action's ``info``: read as any JSON, then checked; a bad one is refused, never fatal."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ringside.protocol.codec import (
    ProtocolError,
    check_info,
    encode,
    parse_bot_message,
    parse_event,
    parse_server_message,
)
from ringside.protocol.messages import MAX_INFO_BYTES, Action, Move, MoveInfo

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

int64 = st.integers(-(2**63), 2**63 - 1)
count = st.integers(0, 2**63 - 1)
exact = st.integers(-(2**53), 2**53)
"""Integers a float holds exactly (score and time are numbers)."""
number = st.floats(allow_nan=False, allow_infinity=False)
text = st.text(max_size=40)
INFO_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "score": number | exact,
    "mate": int64,
    "depth": count,
    "seldepth": count,
    "nodes": count,
    "nps": count,
    "time": st.floats(0, 1e9) | st.integers(0, 2**53),
    "pv": st.lists(text, max_size=12),
    "log": st.text(max_size=600),
}
info_objects = st.fixed_dictionaries({}, optional=INFO_FIELDS)
json_values = st.recursive(
    st.none() | st.booleans() | int64 | number | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=12,
)


def action_with(info: Any) -> bytes:
    return json.dumps({"type": "action", "match": "m1", "id": 7, "action": "e2e4", "info": info})


def parsed_info(info: Any) -> Any:
    """What the server reads of ``info`` on the wire: the action always parses."""
    message = parse_bot_message(action_with(info))
    assert isinstance(message, Action)
    assert message.action == "e2e4"
    return check_info(message.info)


def assert_refused(result: Any, code: str, detail: str) -> None:
    assert isinstance(result, ProtocolError), result
    assert (result.code, result.fatal) == (code, False)
    assert result.message == f"{code}: {detail}; the move is played without it"
    error = result.to_error("m1")
    assert (error.fatal, error.match) == (False, "m1")
    assert parse_server_message(encode(error)) == error


@FUZZ
@given(info_objects)
def test_any_info_object_within_the_limit_round_trips(info: dict[str, Any]) -> None:
    checked = parsed_info(info)
    size = len(encode(MoveInfo(**info)))
    if not info:
        assert checked is None  # an empty object is no info
    elif size > MAX_INFO_BYTES:
        assert_refused(
            checked, "too_large", f"action.info is {size} bytes encoded; the limit is 4096 bytes"
        )
    else:
        assert isinstance(checked, MoveInfo)
        assert msgspec.to_builtins(checked) == info  # same keys, same values (34 == 34.0)
        move = Move("m1", 1, 1, 0, "alice", "e2e4", 0.5, info=checked)
        assert parse_event(encode(move)) == move


@FUZZ
@given(st.text(max_size=5000))
def test_any_text_info_is_a_log_line_or_too_large(info: str) -> None:
    checked = parsed_info(info)
    size = len(msgspec.json.encode(info))
    if not info:
        assert checked is None
    elif size > MAX_INFO_BYTES:
        assert isinstance(checked, ProtocolError) and checked.code == "too_large"
    else:
        assert checked == info


@FUZZ
@given(json_values)
def test_any_json_as_info_gives_info_or_a_non_fatal_error(info: Any) -> None:
    checked = parsed_info(info)
    if isinstance(checked, ProtocolError):
        assert checked.code in ("invalid_field", "too_large")
        assert not checked.fatal
        assert len(checked.message) <= 400
    else:
        assert checked is None or isinstance(checked, str | MoveInfo)


def test_the_limit_is_on_the_encoded_info() -> None:
    overhead = len(encode(MoveInfo(log="")))
    fits = "x" * (MAX_INFO_BYTES - overhead)
    assert parsed_info({"log": fits}) == MoveInfo(log=fits)
    assert_refused(
        parsed_info({"log": fits + "é"}),
        "too_large",
        "action.info is 4098 bytes encoded; the limit is 4096 bytes",
    )
    assert parsed_info("y" * (MAX_INFO_BYTES - 2)) == "y" * (MAX_INFO_BYTES - 2)
    assert isinstance(parsed_info("y" * (MAX_INFO_BYTES - 1)), ProtocolError)


@pytest.mark.parametrize(
    ("info", "detail"),
    [
        ({"score": "+0.34"}, "action.info.score: expected float | null, got str"),
        ({"depth": 18.5}, "action.info.depth: expected int | null, got float"),
        ({"depth": -1}, "action.info.depth: expected int >= 0"),
        ({"nodes": True}, "action.info.nodes: expected int | null, got bool"),
        ({"pv": "e2e4 e7e5"}, "action.info.pv: expected array | null, got str"),
        ({"pv": ["e2e4", 5]}, "action.info.pv[1]: expected str, got int"),
        ({"log": ["a"]}, "action.info.log: expected str | null, got array"),
        ({"scor": 34}, "action.info: object contains unknown field scor"),
        ([1, 2], "action.info: expected a string or an object, got an array"),
        (34, "action.info: expected a string or an object, got a number"),
        (0.5, "action.info: expected a string or an object, got a number"),
        (False, "action.info: expected a string or an object, got a boolean"),
    ],
)
def test_wrong_types_are_invalid_fields(info: Any, detail: str) -> None:
    assert_refused(parsed_info(info), "invalid_field", detail)


def test_no_info_and_empty_info_are_none() -> None:
    message = parse_bot_message(b'{"type":"action","match":"m1","id":7,"action":4}')
    assert message == Action("m1", 7, 4)
    assert isinstance(message, Action) and message.info is None
    assert encode(message) == b'{"type":"action","match":"m1","id":7,"action":4}'
    for empty in (None, "", {}, {"score": None}):
        assert parsed_info(empty) is None


def test_null_fields_count_as_absent() -> None:
    assert parsed_info({"score": 12, "mate": None}) == MoveInfo(score=12.0)
    assert encode(Move("m", 1, 1, 0, "b", 0, 0.0, info=MoveInfo(score=12.0))).endswith(
        b'"info":{"score":12.0}}'
    )


def test_python_objects_are_checked_as_well() -> None:
    """A bot in the same process (local play) hands over Python objects, never checked."""
    assert check_info(MoveInfo(depth=3)) == MoveInfo(depth=3)
    assert_refused(
        check_info(MoveInfo(depth="3")),  # type: ignore[arg-type]
        "invalid_field",
        "action.info.depth: expected int | null, got str",
    )
    assert_refused(
        check_info(object()),
        "invalid_field",
        "action.info: expected a string or an object, got a Python object",
    )
    assert isinstance(check_info({1: 2}), ProtocolError)


def test_a_long_unknown_key_is_shortened_in_the_sentence() -> None:
    result = parsed_info({"k" * 1000: 1})
    assert isinstance(result, ProtocolError)
    assert len(result.message) <= 400
    assert result.message.endswith("...; the move is played without it")


def test_the_hand_written_schema_of_action_info_matches_move_info() -> None:
    """``Action.info`` is read as any JSON, so its schema is written by hand: keep it true."""
    generated = msgspec.json.schema(MoveInfo)["$defs"]["MoveInfo"]
    (_, written, _) = msgspec.json.schema(Action)["$defs"]["Action"]["properties"]["info"]["anyOf"]
    assert written["additionalProperties"] is False is generated["additionalProperties"]
    assert sorted(written["properties"]) == sorted(generated["properties"])
    for key, schema in generated["properties"].items():
        assert schema["anyOf"] == [written["properties"][key], {"type": "null"}], key
