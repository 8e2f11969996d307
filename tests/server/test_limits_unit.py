"""The bounds of issue 22 as plain objects: the gate, the settings, the depth check,
the spectator's strikes and finished matches, the bot's ration of errors."""

from __future__ import annotations

import json

import pytest

from ringside.protocol.codec import ProtocolError, parse_bot_message, parse_spectator_command
from ringside.protocol.depth import nests_deeper
from ringside.server.connection import BotConnection
from ringside.server.limits import ConnectionGate, Limits
from ringside.server.spectator import SpectatorSession, WatchRequested


def test_an_address_holds_its_cap_and_others_still_come_in() -> None:
    gate = ConnectionGate(Limits(max_prehello_per_address=2, fd_reserve=0), file_limit=10_000)
    assert gate.admit("bot", "10.0.0.1") is None
    assert gate.admit("bot", "10.0.0.1") is None
    refusal = gate.admit("bot", "10.0.0.1")
    assert refusal is not None and "10.0.0.1 already holds 2" in refusal
    assert gate.admit("bot", "10.0.0.2") is None
    assert gate.admit("spectator", "10.0.0.1") is None  # a kind of its own
    gate.release("bot", "10.0.0.1")
    assert gate.admit("bot", "10.0.0.1") is None
    assert gate.refused["per_address"] == 1


def test_the_reserve_of_file_descriptors_is_kept_for_the_api_and_admitted_bots() -> None:
    gate = ConnectionGate(Limits(fd_reserve=100), file_limit=200)
    gate.base = 50
    for _ in range(50):
        gate.opened()  # 100 in use: at the reserve's edge
    assert gate.admit("spectator", "a") is None
    gate.opened()
    refusal = gate.admit("spectator", "b")
    assert refusal == "the server is at its connection limit; try again later"
    assert gate.refused["reserve"] == 1


def test_limits_come_from_the_environment_and_bad_ones_say_which() -> None:
    limits = Limits.from_env({"RINGSIDE_OUTPUT_BUDGET": "1024", "RINGSIDE_HELLO_TIMEOUT": "2.5"})
    assert (limits.output_budget, limits.hello_timeout) == (1024, 2.5)
    with pytest.raises(ValueError, match="RINGSIDE_OUTPUT_BUDGET must be an integer"):
        Limits.from_env({"RINGSIDE_OUTPUT_BUDGET": "lots"})
    with pytest.raises(ValueError, match="must be positive"):
        Limits.from_env({"RINGSIDE_HELLO_TIMEOUT": "0"})


@pytest.mark.parametrize(
    ("text", "limit", "deeper"),
    [
        (b"[[1]]", 2, False),
        (b"[[[1]]]", 2, True),
        (b'{"a":[{"b":[1]}]}', 3, True),
        (b'{"a":[{"b":[1]}]}', 4, False),
        (b'{"a":"[[[[[[[["}', 2, False),  # brackets in a string do not nest
        (b'{"a\\"[[[[":1}', 2, False),  # nor after an escaped quote
        (b"[[],[[],[[],[]]]]", 4, False),
        (b"[[],[[],[[],[[]]]]]", 4, True),
        (b"[" * 400_000, 64, True),  # not even closed
    ],
)
def test_nesting_is_measured_without_parsing(text: bytes, limit: int, deeper: bool) -> None:
    assert nests_deeper(text, limit) is deeper


def test_a_message_nested_too_deep_is_invalid_field_in_both_directions() -> None:
    deep = "[" * 65 + "]" * 65
    for parse, text in [
        (parse_bot_message, f'{{"type":"action","match":"m","id":1,"action":{deep}}}'),
        (parse_spectator_command, f'{{"type":"watch","match":{deep}}}'),
    ]:
        result = parse(text.encode())
        assert isinstance(result, ProtocolError)
        assert result.code == "invalid_field" and "more than 64 deep" in result.message
    fine = '{"type":"action","match":"m","id":1,"action":' + "[" * 60 + "]" * 60 + "}"
    assert not isinstance(parse_bot_message(fine.encode()), ProtocolError)


def test_a_finished_matchs_snapshot_is_sent_once_per_connection() -> None:
    session = SpectatorSession(now=0.0)
    session.receive_message(b'{"type":"watch","match":"old"}', 0.0)
    assert session.events_received() == [WatchRequested("old")]
    session.finished("old")  # the server sent its stored snapshot
    assert session.watched == set()
    session.receive_message(b'{"type":"watch","match":"old"}', 1.0)
    assert session.events_received() == ()
    assert session.data_to_send() == ()


def test_a_spectator_refused_twenty_times_in_a_row_is_closed() -> None:
    session = SpectatorSession(now=0.0, burst=1, rate=0.001, strikes=3)
    for _ in range(5):
        session.receive_message(b'{"type":"unwatch","match":"m"}', 0.0)
    sent = [json.loads(d) for d in session.data_to_send()]
    assert [m["code"] for m in sent] == ["too_many_commands"] * 4
    assert [m.get("fatal", False) for m in sent] == [False, False, False, True]
    assert session.close_expected()


def test_a_refused_command_in_between_does_not_count_as_a_strike_in_a_row() -> None:
    session = SpectatorSession(now=0.0, burst=1, rate=1.0, strikes=2)
    for second in range(10):  # one a second passes, two more are refused each time
        for _ in range(3):
            session.receive_message(b'{"type":"unwatch","match":"m"}', float(second))
    assert not session.close_expected()


def test_a_bot_that_keeps_sending_garbage_is_closed_after_its_ration() -> None:
    connection = BotConnection({"tictactoe"}, now=0.0, error_burst=3, error_rate=1.0)
    connection.receive_message(b'{"type":"hello","name":"a","protocol":1}', 0.0)
    connection.events_received()
    connection.accept()
    connection.data_to_send()
    for _ in range(4):
        connection.receive_message(b"garbage", 0.0)
    sent = [json.loads(d) for d in connection.data_to_send()]
    assert [m["code"] for m in sent] == ["malformed_json"] * 2 + ["protocol_error"]
    assert sent[-1]["fatal"] and "too many bad messages" in sent[-1]["message"]
    assert connection.close_expected()


def test_pongs_before_hello_are_answered_until_the_ration_ends() -> None:
    connection = BotConnection({"tictactoe"}, now=0.0, error_burst=5, error_rate=0.1)
    for n in range(10):
        connection.receive_message(b'{"type":"pong","id":1}', n * 0.1)
    codes = [json.loads(d)["code"] for d in connection.data_to_send()]
    assert codes == ["unexpected_message"] * 5 + ["protocol_error"]
