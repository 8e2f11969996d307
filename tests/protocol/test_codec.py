"""The codec: any input gives a message or a ProtocolError, never an exception."""

from __future__ import annotations

import json
import typing
from collections.abc import Callable
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ringside.protocol import codec
from ringside.protocol.codec import (
    ERROR_CODES,
    ProtocolError,
    encode,
    encode_line,
    parse_bot_message,
    parse_event,
    parse_server_message,
    parse_spectator_command,
    parse_spectator_message,
    protocol_error,
)
from ringside.protocol.messages import (
    MAX_MESSAGE_BYTES,
    Action,
    BotInfo,
    BotJoined,
    BotLeft,
    BotMessage,
    BotStatus,
    ByoYomi,
    ClockReading,
    Concede,
    Error,
    Fischer,
    Forfeit,
    Hello,
    Lobby,
    MatchEvent,
    MatchInfo,
    MatchListed,
    MatchResult,
    MatchSnapshot,
    MatchStarted,
    Message,
    Move,
    MoveInfo,
    Ok,
    PerMove,
    Ping,
    Pong,
    Prepare,
    Ready,
    Request,
    RoundEnd,
    RoundResult,
    RoundScore,
    RoundStarted,
    SeatBack,
    SeatDropped,
    ServerMessage,
    SpectatorMessage,
    TournamentUpdate,
    Unwatch,
    Verdict,
    VerdictCode,
    Watch,
    Welcome,
    type_of,
)

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Parser = Callable[[Any], Any]
UNIONS: dict[Parser, Any] = {
    parse_bot_message: BotMessage,
    parse_server_message: ServerMessage,
    parse_event: MatchEvent,
    parse_spectator_message: codec.SpectatorStream,
    parse_spectator_command: SpectatorMessage,
}
PARSERS: list[Parser] = list(UNIONS)


def members(union: Any) -> tuple[type[Message], ...]:
    return typing.get_args(union)


def tags(union: Any) -> list[str]:
    return [str(m.__struct_config__.tag) for m in members(union)]


ALL_TAGS = sorted({tag for union in UNIONS.values() for tag in tags(union)})
FIELD_NAMES = sorted(
    {
        f.encode_name
        for union in UNIONS.values()
        for m in members(union)
        for f in msgspec.structs.fields(m)
    }
    | {
        f.encode_name
        for s in (ClockReading, Verdict, RoundScore, BotInfo, MatchInfo)
        for f in msgspec.structs.fields(s)
    }
)


def check(parser: Parser, data: Any) -> Any:
    """Parse ``data`` and check the contract that holds for every input."""
    result = parser(data)
    if isinstance(result, ProtocolError):
        assert result.code in ERROR_CODES
        assert result.message.startswith(result.code + ": ")
        assert result.fatal == (result.code == "too_large")
        assert len(result.message) <= 400
        error = result.to_error("m1")
        assert parse_server_message(encode(error)) == error  # always sendable
    else:
        assert isinstance(result, members(UNIONS[parser]))
        assert parser(encode(result)) == result
    return result


def check_all(data: Any) -> None:
    for parser in PARSERS:
        check(parser, data)


# --- fuzzing ------------------------------------------------------------------------------

any_text = st.lists(
    st.one_of(
        st.characters(codec=None, exclude_categories=()),
        st.sampled_from(["\ud800", "\udfff", "\x00", "é", "\U0001f600", '"', "\\", "{", "}"]),
    ),
    max_size=60,
).map("".join)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-(2**200), 2**200),
    st.floats(),  # NaN and infinities too: json.dumps writes them as invalid JSON tokens
    st.text(max_size=20),
    any_text,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=25,
)
field_names = st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=8))
message_like = st.builds(
    lambda kind, fields, first: {"type": kind, **fields} if first else {**fields, "type": kind},
    st.one_of(st.sampled_from(ALL_TAGS), json_scalars),
    st.dictionaries(field_names, json_values, max_size=10),
    st.booleans(),
)


def serialise(value: Any, how: int) -> bytes | str:
    if how == 0:
        return json.dumps(value)  # may hold NaN / Infinity / lone surrogates as \ud800
    if how == 1:
        return json.dumps(value, ensure_ascii=False, indent=1)
    if how == 2:
        return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass") + b"\n"
    return json.dumps(value, separators=(",", ":")) + "\r\n"


@FUZZ
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    check_all(data)
    check_all(bytearray(data))
    check_all(memoryview(data))


@FUZZ
@given(any_text)
def test_arbitrary_text_never_raises(text: str) -> None:
    check_all(text)
    check_all(text + "\n")


@FUZZ
@given(json_values, st.integers(0, 3))
def test_arbitrary_json_never_raises(value: Any, how: int) -> None:
    check_all(serialise(value, how))


@FUZZ
@given(message_like, st.integers(0, 3))
def test_message_like_objects_never_raise(value: dict[str, Any], how: int) -> None:
    check_all(serialise(value, how))


def test_no_exception_for_hostile_inputs() -> None:
    deep = 100_000 // 2
    for data in [
        b"[" * deep + b"]" * deep,
        b'{"type":"action","match":"m","id":1,"action":' + b"[" * 20_000 + b"]" * 20_000 + b"}",
        b'{"type":' + b"[" * 20_000 + b"]" * 20_000 + b"}",
        b"{" * 30_000,
        b'{"type":"pong","id":' + b"9" * 5000 + b"}",
        b'{"type":"pong","id":1e999}',
        b'{"type":"pong","id":NaN}',
        b'{"type":"hello","name":"\\ud800"}',
        '{"type":"hello","name":"\ud800"}',
        "\udcff" * 10,
        b"\xed\xa0\x80",
        b"\xff" * 100,
        b"\x00",
        b"\r\n",
        b"\n\n",
        "",
    ]:
        check_all(data)


# --- round trips -------------------------------------------------------------------------

ints = st.integers(-(2**63), 2**64 - 1)
floats = st.floats(allow_nan=False, allow_infinity=False)
texts = st.text(max_size=20)
json_data = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), floats, texts),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(texts, inner, max_size=4)),
    max_leaves=15,
)
time_controls = st.one_of(
    st.builds(PerMove, seconds=floats),
    st.builds(Fischer, base=floats, increment=floats),
    st.builds(ByoYomi, base=floats, periods=ints, period=floats),
)
verdicts = st.builds(
    Verdict,
    code=st.sampled_from(typing.get_args(VerdictCode)),
    player=st.none() | ints,  # none: an adjudicated draw
    bot=st.none() | texts,
    seat=st.none() | ints,
    message=texts,
)
round_scores = st.builds(
    RoundScore,
    round=ints,
    players=st.lists(ints, max_size=4),
    scores=st.lists(floats, max_size=4),
    verdicts=st.lists(verdicts, max_size=2),
)
clocks = st.builds(
    ClockReading,
    remaining=floats,
    move_time=floats,
    increment=floats,
    periods=ints,
    period=floats,
    seats=st.lists(floats, max_size=4),
)
options = st.dictionaries(texts, json_data, max_size=3)
bot_infos = st.builds(
    BotInfo,
    name=texts,
    games=st.none() | st.lists(texts, max_size=3),
    status=st.sampled_from(["idle", "playing"]),
    matches=st.lists(texts, max_size=3),
    max_matches=ints,
    guest=st.booleans(),
    transport=texts,
)
match_infos = st.builds(
    MatchInfo,
    id=texts,
    game=texts,
    bots=st.lists(texts, max_size=3),
    status=texts,
    round=ints,
    rounds=ints,
)

STRATEGIES: dict[type[Message], st.SearchStrategy[Any]] = {
    Hello: st.builds(
        Hello,
        name=texts,
        token=st.none() | texts,
        games=st.none() | st.lists(texts, max_size=3),
        max_matches=ints,
        protocol=ints,
        engine=st.none() | texts,
    ),
    Ready: st.builds(Ready, match=texts, id=ints),
    Action: st.builds(Action, match=texts, id=ints, action=json_data, info=json_data),
    Ok: st.builds(Ok, match=texts, id=ints),
    Concede: st.builds(
        Concede,
        match=texts,
        reason=texts,
        cause=st.sampled_from(["crashed", "leaving"]),
        round=ints,
    ),
    Pong: st.builds(Pong, id=ints),
    Welcome: st.builds(Welcome, bot_id=texts, name=texts, guest=st.booleans(), protocol=ints),
    Prepare: st.builds(
        Prepare,
        match=texts,
        id=ints,
        game=texts,
        seat=ints,
        players=ints,
        round=ints,
        rounds=ints,
        time_control=time_controls,
        options=options,
    ),
    Request: st.builds(
        Request,
        match=texts,
        id=ints,
        round=ints,
        seat=ints,
        observation=json_data,
        legal_actions=st.none() | st.lists(json_data, max_size=4),
        clock=clocks,
    ),
    RoundEnd: st.builds(RoundEnd, match=texts, id=ints, round=ints),
    RoundResult: st.builds(
        RoundResult,
        match=texts,
        round=ints,
        players=st.lists(ints, max_size=3),
        bots=st.lists(texts, max_size=3),
        scores=st.lists(floats, max_size=3),
        verdicts=st.lists(verdicts, max_size=2),
        view=json_data,
    ),
    MatchResult: st.builds(
        MatchResult,
        match=texts,
        game=texts,
        status=st.sampled_from(["finished", "aborted"]),
        bots=st.lists(texts, max_size=3),
        rounds=st.lists(round_scores, max_size=3),
        scores=st.lists(floats, max_size=3),
        winner=st.none() | texts,
        verdict=st.none() | verdicts,
        reason=st.none() | texts,
    ),
    Error: st.builds(
        Error, code=texts, message=texts, match=st.none() | texts, fatal=st.booleans()
    ),
    Ping: st.builds(Ping, id=ints),
    MatchStarted: st.builds(
        MatchStarted,
        match=texts,
        game=texts,
        bots=st.lists(texts, max_size=3),
        rounds=ints,
        time_control=time_controls,
        options=options,
    ),
    RoundStarted: st.builds(
        RoundStarted,
        match=texts,
        round=ints,
        players=st.lists(ints, max_size=3),
        bots=st.lists(texts, max_size=3),
        view=json_data,
        clocks=st.lists(floats, max_size=3),
    ),
    Move: st.builds(
        Move,
        match=texts,
        round=ints,
        ply=ints,
        seat=ints,
        bot=texts,
        action=json_data,
        elapsed=floats,
        view=json_data,
        clocks=st.lists(floats, max_size=3),
        info=st.none()
        | texts
        | st.builds(
            MoveInfo, depth=st.none() | st.integers(0, 2**63 - 1), pv=st.none() | st.lists(texts)
        ),
    ),
    Forfeit: st.builds(Forfeit, match=texts, round=ints, verdict=verdicts),
    SeatDropped: st.builds(
        SeatDropped,
        match=texts,
        round=ints,
        player=ints,
        bot=texts,
        grace_seconds=floats,
        seat=st.none() | ints,
        clocks=st.lists(floats, max_size=3),
    ),
    SeatBack: st.builds(
        SeatBack, match=texts, round=ints, player=ints, bot=texts, seat=st.none() | ints
    ),
    Lobby: st.builds(
        Lobby, bots=st.lists(bot_infos, max_size=3), matches=st.lists(match_infos, max_size=3)
    ),
    BotJoined: st.builds(BotJoined, bot=bot_infos),
    BotLeft: st.builds(BotLeft, name=texts),
    BotStatus: st.builds(BotStatus, bot=bot_infos),
    MatchListed: st.builds(MatchListed, match=match_infos),
    MatchSnapshot: st.builds(MatchSnapshot, match=texts, events=st.lists(json_data, max_size=4)),
    TournamentUpdate: st.builds(
        TournamentUpdate,
        tournament=texts,
        name=st.none() | texts,
        game=texts,
        format=st.sampled_from(["round-robin", "gauntlet", "swiss"]),
        status=st.sampled_from(["running", "finished", "cancelled"]),
        played=ints,
        total=ints,
        standings=st.lists(json_data, max_size=3),
        sprt=json_data,
    ),
    Watch: st.builds(Watch, match=texts),
    Unwatch: st.builds(Unwatch, match=texts),
}


def test_every_message_type_has_a_round_trip_strategy() -> None:
    every = {m for union in UNIONS.values() for m in members(union)}
    assert set(STRATEGIES) == every


def _parsers_of(message: Message) -> list[Parser]:
    return [p for p, union in UNIONS.items() if isinstance(message, members(union))]


@FUZZ
@given(st.one_of(*STRATEGIES.values()))
def test_round_trip(message: Message) -> None:
    parsers = _parsers_of(message)
    assert parsers
    for parser in parsers:
        assert parser(encode(message)) == message
        assert parser(encode(message).decode()) == message
        assert parser(encode_line(message)) == message


@pytest.mark.parametrize("kind", sorted(STRATEGIES, key=lambda m: m.__name__))
def test_round_trip_of_each_type(kind: type[Message]) -> None:
    @settings(max_examples=15, deadline=None)
    @given(STRATEGIES[kind])
    def run(message: Message) -> None:
        for parser in _parsers_of(message):
            assert parser(encode(message)) == message

    run()


@FUZZ
@given(st.one_of(*STRATEGIES.values()), st.data())
def test_mutated_messages_never_raise(message: Message, data: st.DataObject) -> None:
    """Valid messages with one field dropped, replaced or added: near misses."""
    wire = json.loads(encode(message))
    key = data.draw(st.sampled_from(sorted(wire)) | field_names)
    if data.draw(st.booleans()):
        wire.pop(key, None)
    else:
        wire[key] = data.draw(json_values)
    for parser in PARSERS:
        check(parser, serialise(wire, data.draw(st.integers(0, 3))))


def test_encode_shapes() -> None:
    assert encode(Ping(3)) == b'{"type":"ping","id":3}'
    assert encode(Ping()) == b'{"type":"ping"}'  # defaults are left out
    assert encode_line(Ready("m1", 4)) == b'{"type":"ready","match":"m1","id":4}\n'
    assert b"\n" not in encode(Error("x", "two\nlines"))
    assert parse_bot_message(b'{"type":"pong"}') == Pong(0)


# --- each error, with its sentence -----------------------------------------------------------

BOT_TYPES = "expected one of hello, ready, action, ok, concede, pong"


BOT_ERRORS: list[tuple[bytes | str, str, str]] = [
    (b"hello", "malformed_json", "malformed_json: JSON is malformed: invalid character"),
    (
        b'{"type":"ready",',
        "malformed_json",
        "malformed_json: the JSON ends too early: a string, object or array is not closed",
    ),
    (b'{"type":"ok"} {}', "malformed_json", "malformed_json: JSON is malformed: trailing"),
    (
        b"[1, 2]",
        "malformed_json",
        'malformed_json: expected a JSON object with a "type" field, got an array',
    ),
    (
        b'"ready"',
        "malformed_json",
        'malformed_json: expected a JSON object with a "type" field, got a string',
    ),
    (b"", "malformed_json", "malformed_json: the message is empty; send one JSON object"),
    (b"\n", "malformed_json", "malformed_json: the message is empty; send one JSON object"),
    (
        b'{"type":"hello","name":"\xc3"}',
        "malformed_json",
        "malformed_json: the message is not valid UTF-8 (byte 24)",
    ),
    (
        '{"type":"hello","name":"\ud800"}',
        "malformed_json",
        "malformed_json: the text is not valid Unicode (lone surrogate at character 24)",
    ),
    (
        b'{"type":"action","match":"m","id":1,"action":' + b"[" * 5000 + b"]" * 5000 + b"}",
        "invalid_field",
        "invalid_field: the message nests arrays and objects more than 64 deep",
    ),
    (
        b'{"type":"helo","name":"a"}',
        "unknown_type",
        f'unknown_type: "helo" is not a message type; {BOT_TYPES}',
    ),
    (b'{"type":""}', "unknown_type", f'unknown_type: "" is not a message type; {BOT_TYPES}'),
    (
        b'{"name":"a"}',
        "invalid_field",
        f'invalid_field: the object has no "type" field; {BOT_TYPES}',
    ),
    (
        b'{"type":7}',
        "invalid_field",
        f"invalid_field: type: expected a string, got a number; {BOT_TYPES}",
    ),
    (
        b'{"type":null}',
        "invalid_field",
        f"invalid_field: type: expected a string, got null; {BOT_TYPES}",
    ),
    (
        b'{"type":"action","match":"m1","id":"3","action":4}',
        "invalid_field",
        "invalid_field: action.id: expected int, got str",
    ),
    (
        b'{"type":"ready","match":"m1"}',
        "invalid_field",
        "invalid_field: ready.id: missing required field",
    ),
    (
        b'{"type":"ready","match":"m1","id":2.5}',
        "invalid_field",
        "invalid_field: ready.id: expected int, got float",
    ),
    (
        b'{"type":"pong","id":1e999}',
        "invalid_field",
        "invalid_field: pong.id: number out of range",
    ),
    (
        b'{"type":"hello","name":"a","games":["go",1]}',
        "invalid_field",
        "invalid_field: hello.games[1]: expected str, got int",
    ),
    (
        b'{"type":"action","match":"m1","id":3}',
        "invalid_field",
        "invalid_field: action.action: missing required field",
    ),
    (
        b'{"type":"welcome","bot_id":"b1","name":"a"}',
        "wrong_direction",
        'wrong_direction: "welcome" is a message to a bot, not a message from a bot; ' + BOT_TYPES,
    ),
    (
        b'{"type":"move"}',
        "wrong_direction",
        'wrong_direction: "move" is a match event, not a message from a bot; ' + BOT_TYPES,
    ),
    (
        b"x" * (MAX_MESSAGE_BYTES + 3),
        "too_large",
        f"too_large: the message is {MAX_MESSAGE_BYTES + 3} bytes; the limit is "
        f"{MAX_MESSAGE_BYTES} bytes",
    ),
]


@pytest.mark.parametrize(("data", "code", "message"), BOT_ERRORS)
def test_bot_message_errors(data: bytes | str, code: str, message: str) -> None:
    result = check(parse_bot_message, data)
    assert isinstance(result, ProtocolError)
    assert result.code == code
    assert result.message.startswith(message), result.message


class _Reworded:
    """A msgspec decoder whose exceptions keep their type but say something else.

    It stands for a future msgspec: invalid UTF-8 comes out as a DecodeError (as
    msgspec 0.23 does) and no sentence is the one the codec has seen.
    """

    def __init__(self, decoder: Any) -> None:
        self._decoder = decoder

    def decode(self, data: Any) -> Any:
        try:
            return self._decoder.decode(data)
        except msgspec.ValidationError:
            raise msgspec.ValidationError("Some new sentence") from None
        except (msgspec.DecodeError, UnicodeDecodeError):
            raise msgspec.DecodeError("Another new sentence") from None


def _says_what_msgspec_said(code: str, message: str) -> bool:
    """Whether the expected sentence quotes msgspec's own words (a detail, not a decision)."""
    if message.startswith("malformed_json: JSON is malformed"):
        return True
    own = ("invalid_field: type:", "invalid_field: the object has no")
    return code == "invalid_field" and not message.startswith(own)


@pytest.mark.parametrize(("data", "code", "message"), BOT_ERRORS)
def test_a_reworded_msgspec_gives_each_error_the_same_code(
    monkeypatch: pytest.MonkeyPatch, data: bytes | str, code: str, message: str
) -> None:
    grammar = codec._BOT
    monkeypatch.setattr(
        codec, "_BOT", codec._Grammar(_Reworded(grammar.decoder), grammar.types, grammar.what, True)
    )
    monkeypatch.setattr(codec, "_probe", _Reworded(codec._probe))
    monkeypatch.setattr(codec, "_type_decoder", _Reworded(codec._type_decoder))
    result = parse_bot_message(data)
    assert isinstance(result, ProtocolError)
    assert result.code == code
    if not _says_what_msgspec_said(code, message):
        assert result.message.startswith(message), result.message


def test_server_message_errors() -> None:
    prepare = (
        b'{"type":"prepare","match":"m","id":1,"game":"g","seat":0,"players":2,"round":1,'
        b'"rounds":1,"time_control":{"type":"blitz"}}'
    )
    assert parse_server_message(prepare) == ProtocolError(
        "invalid_field", "invalid_field: prepare.time_control.type: invalid value 'blitz'"
    )
    request = (
        b'{"type":"request","match":"m","id":1,"round":1,"seat":0,"observation":null,'
        b'"legal_actions":null,"clock":{"remaining":1.5}}'
    )
    assert parse_server_message(request) == ProtocolError(
        "invalid_field", "invalid_field: request.clock.move_time: missing required field"
    )
    result = parse_server_message(b'{"type":"hello","name":"a"}')
    assert result == ProtocolError(
        "wrong_direction",
        'wrong_direction: "hello" is a message from a bot, not a message to a bot; expected '
        "one of welcome, prepare, request, round_end, round_result, match_result, error, ping",
    )
    status = b'{"type":"match_result","match":"m","game":"g","status":"won","bots":[],'
    status += b'"rounds":[],"scores":[],"winner":null}'
    assert parse_event(status) == ProtocolError(
        "invalid_field", "invalid_field: match_result.status: invalid enum value 'won'"
    )
    event = parse_event(b'{"type":"ping"}')
    assert isinstance(event, ProtocolError)
    assert event.message.startswith('wrong_direction: "ping" is a message to a bot, not a ')
    lobby = parse_event(b'{"type":"lobby","bots":[],"matches":[]}')
    assert isinstance(lobby, ProtocolError)
    assert lobby.message.startswith(
        'wrong_direction: "lobby" is a message to a spectator, not a match event; expected '
        "one of match_started, round_started, move, forfeit, round_result, match_result"
    )
    assert parse_spectator_message(b'{"type":"lobby","bots":[],"matches":[]}') == Lobby([], [])
    assert parse_spectator_command(b'{"type":"watch","match":"m1"}') == Watch("m1")
    command = parse_spectator_command(b'{"type":"watch"}')
    assert command == ProtocolError(
        "invalid_field", "invalid_field: watch.match: missing required field"
    )
    hello = parse_spectator_command(b'{"type":"hello","name":"x"}')
    assert isinstance(hello, ProtocolError)
    assert hello.message.startswith(
        'wrong_direction: "hello" is a message from a bot, not a message from a spectator'
    )


def test_long_values_are_shortened_in_sentences() -> None:
    result = parse_bot_message(json.dumps({"type": "x" * 1000}))
    assert isinstance(result, ProtocolError)
    assert result.code == "unknown_type"
    assert '"' + "x" * 37 + '..."' in result.message
    assert len(result.message) < 200


def test_fatal_hints_and_error_messages() -> None:
    bad = parse_bot_message(b"GET / HTTP/1.1")
    assert isinstance(bad, ProtocolError)
    assert not bad.fatal  # the next line may be fine
    assert bad.to_error() == Error("malformed_json", bad.message, None, False)
    big = parse_bot_message(b" " * (MAX_MESSAGE_BYTES + 10))
    assert isinstance(big, ProtocolError)
    assert big.fatal  # the rest of an overlong line would be read as the next message
    assert big.to_error().fatal
    unknown = parse_bot_message(b'{"type":"helo"}')
    assert isinstance(unknown, ProtocolError)
    assert not unknown.fatal
    assert unknown.to_error("m7") == Error("unknown_type", unknown.message, "m7", False)
    assert encode(unknown.to_error("m7")).startswith(b'{"type":"error","code":"unknown_type"')
    made = protocol_error("invalid_field", "x\ud800" + "y" * 1000)
    assert made.message.startswith("invalid_field: x\\ud800yyy")
    assert len(made.message) == 400
    assert made.message.endswith("...")


# --- size limit and line endings -------------------------------------------------------------


def padded_hello(size: int, char: str = "a") -> bytes:
    """A valid hello of exactly ``size`` bytes."""
    base = len(encode(Hello("")))
    width = len(char.encode("utf-8"))
    assert (size - base) % width == 0
    data = encode(Hello(char * ((size - base) // width)))
    assert len(data) == size
    return data


def test_size_limit() -> None:
    exact = padded_hello(MAX_MESSAGE_BYTES)
    assert isinstance(parse_bot_message(exact), Hello)
    assert isinstance(parse_bot_message(exact + b"\n"), Hello)
    assert isinstance(parse_bot_message(exact + b"\r\n"), Hello)
    assert isinstance(parse_bot_message(exact.decode() + "\n"), Hello)
    over = padded_hello(MAX_MESSAGE_BYTES + 1)
    for data in (over, over + b"\n", over.decode(), over + b"\r\n"):
        result = parse_bot_message(data)
        assert isinstance(result, ProtocolError)
        assert result.code == "too_large"
        assert result.fatal
    assert parse_bot_message(b"x" * 10_000_000) == ProtocolError(
        "too_large", "too_large: the message is 10000000 bytes; the limit is 65536 bytes", True
    )


def test_size_is_counted_in_utf8_bytes() -> None:
    # "é" is one character but two bytes: a text message is measured after encoding.
    fits = padded_hello(MAX_MESSAGE_BYTES, "é").decode()
    assert len(fits) < MAX_MESSAGE_BYTES
    assert isinstance(parse_bot_message(fits), Hello)
    too_big = padded_hello(MAX_MESSAGE_BYTES + 2, "é").decode()
    assert len(too_big) < MAX_MESSAGE_BYTES
    result = parse_bot_message(too_big)
    assert isinstance(result, ProtocolError)
    assert result.message == "too_large: the message is 65538 bytes; the limit is 65536 bytes"
    huge = "é" * 100_000
    result = parse_bot_message(huge)
    assert isinstance(result, ProtocolError)
    assert (
        result.message
        == "too_large: the message is at least 100000 bytes; the limit is 65536 bytes"
    )


def test_custom_max_size() -> None:
    data = encode(Ready("m1", 1))
    assert parse_bot_message(data, max_size=len(data)) == Ready("m1", 1)
    small = parse_bot_message(data, max_size=len(data) - 1)
    assert isinstance(small, ProtocolError)
    assert small.code == "too_large"
    for parser in (parse_server_message, parse_event):
        result = parser(b"{}" + b" " * 100, max_size=10)
        assert isinstance(result, ProtocolError)
        assert result.code == "too_large"


@pytest.mark.parametrize("ending", [b"", b"\n", b"\r\n", b" \n", b"\t\r\n"])
def test_line_endings(ending: bytes) -> None:
    assert parse_bot_message(b'{"type":"ok","match":"m1","id":9}' + ending) == Ok("m1", 9)
    assert parse_bot_message('{"type":"ok","match":"m1","id":9}' + ending.decode()) == Ok("m1", 9)


def test_one_line_holds_one_message() -> None:
    two = b'{"type":"pong"}\n{"type":"pong"}\n'
    result = parse_bot_message(two)
    assert isinstance(result, ProtocolError)
    assert result.code == "malformed_json"


# --- forward compatibility ---------------------------------------------------------------


def test_unknown_fields_are_ignored() -> None:
    data = {"type": "action", "match": "m1", "id": 5, "action": {"cell": 4}, "comment": "centre"}
    data["thinking"] = {"nodes": 12345, "pv": [4, 0, 8]}
    assert parse_bot_message(json.dumps(data)) == Action("m1", 5, {"cell": 4})
    hello = {"type": "hello", "name": "a", "protocol": 1, "flavour": "x", "version": [1, 2]}
    assert parse_bot_message(json.dumps(hello)) == Hello("a")
    request = {
        "type": "request", "match": "m1", "id": 3, "round": 1, "seat": 0, "observation": None,
        "legal_actions": [1], "hint": 1,
        "clock": {"remaining": 1.0, "move_time": 1.0, "overtime": True},
    }  # fmt: skip
    parsed = parse_server_message(json.dumps(request))
    assert isinstance(parsed, Request)
    assert parsed.clock == ClockReading(1.0, 1.0)


def test_every_type_name_is_known_to_exactly_the_right_parsers() -> None:
    for parser, union in UNIONS.items():
        for tag in ALL_TAGS:
            result = parser(json.dumps({"type": tag}))
            if tag in tags(union):  # all fields missing, or all defaulted
                assert not isinstance(result, ProtocolError) or result.code == "invalid_field"
            else:
                assert isinstance(result, ProtocolError)
                assert result.code == "wrong_direction", (parser, tag)


def test_type_of_matches_the_wire() -> None:
    assert type_of(Ping()) == "ping"
    assert type_of(MatchResult("m", "g", "aborted", [], [], [], None)) == "match_result"


def test_module_exports() -> None:
    for name in codec.__all__:
        assert hasattr(codec, name)
