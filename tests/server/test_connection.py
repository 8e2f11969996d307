"""BotConnection: the bot protocol's server side, fed by hand (no socket, no loop)."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ringside.protocol.codec import ProtocolError, encode
from ringside.protocol.messages import Action, ClockReading, Hello, Ok, Pong, Ready, Request
from ringside.server.connection import (
    MAX_ERRORS_BEFORE_HELLO,
    MAX_HELD,
    SILENT_PERIODS,
    BadMessage,
    BotConnection,
    HelloReceived,
    MessageReceived,
)

GAMES = frozenset({"chess", "tictactoe", "go"})
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def connection(**kwargs: Any) -> BotConnection:
    return BotConnection(GAMES, now=0.0, **kwargs)


def sent(conn: BotConnection) -> list[dict[str, Any]]:
    return [json.loads(data) for data in conn.data_to_send()]


def hello(**fields: Any) -> bytes:
    return json.dumps({"type": "hello", "name": "alice", **fields}).encode() + b"\n"


def welcomed(**kwargs: Any) -> BotConnection:
    conn = connection(**kwargs)
    conn.receive_message(hello(token="t"), 1.0)
    conn.events_received()
    assert conn.accept()
    conn.data_to_send()
    return conn


READY = b'{"type":"ready","match":"m1","id":1}\n'
ACTION = b'{"type":"action","match":"m1","id":2,"action":[3,4]}\n'


# --- hello ------------------------------------------------------------------------


def test_a_good_hello_asks_the_server() -> None:
    conn = connection()
    conn.receive_message(hello(name="alice", games=["go", "chess", "go"], max_matches=3), 1.0)
    [event] = conn.events_received()
    assert isinstance(event, HelloReceived)
    assert (event.name, event.token, event.games, event.max_matches) == (
        "alice",
        None,
        ["chess", "go"],
        3,
    )
    assert isinstance(event.hello, Hello)
    assert conn.state == "authenticating"
    assert conn.data_to_send() == ()  # nothing until the server decides
    assert not conn.close_expected()


def test_the_header_token_is_used_when_hello_has_none() -> None:
    conn = connection(header_token="from-header")
    conn.receive_message(hello(), 0.0)
    [event] = conn.events_received()
    assert isinstance(event, HelloReceived) and event.token == "from-header"

    conn = connection(header_token="from-header")
    conn.receive_message(hello(token="in-hello"), 0.0)
    [event] = conn.events_received()
    assert isinstance(event, HelloReceived) and event.token == "in-hello"


def test_accept_sends_welcome_and_makes_the_bot_ready() -> None:
    conn = connection()
    conn.receive_message(hello(name="bob", token="s", games=["go"], max_matches=2), 0.0)
    conn.events_received()
    assert conn.accept(guest=True)
    assert sent(conn) == [
        {"type": "welcome", "bot_id": "bob", "name": "bob", "protocol": 1, "guest": True}
    ]
    assert conn.state == "ready" and conn.welcomed
    assert (conn.name, conn.token, conn.games, conn.max_matches, conn.guest) == (
        "bob",
        "s",
        ["go"],
        2,
        True,
    )


def test_refuse_is_a_fatal_error_and_the_close() -> None:
    conn = connection()
    conn.receive_message(hello(), 0.0)
    conn.events_received()
    conn.refuse("bad_token", "wrong token for bot 'alice'")
    assert sent(conn) == [
        {
            "type": "error",
            "code": "bad_token",
            "message": "wrong token for bot 'alice'",
            "fatal": True,
        }
    ]
    assert conn.close_expected() and not conn.welcomed
    assert not conn.accept()  # too late


def test_accept_or_refuse_without_a_hello_is_a_bug_of_the_server() -> None:
    conn = connection()
    with pytest.raises(RuntimeError):
        conn.accept()
    with pytest.raises(RuntimeError):
        conn.refuse("bad_token", "no")
    ready = welcomed()
    with pytest.raises(RuntimeError):
        ready.accept()


def test_a_decision_after_the_connection_dropped_sends_nothing() -> None:
    conn = connection()
    conn.receive_message(hello(), 0.0)
    conn.connection_lost()
    assert not conn.accept()
    conn.refuse("bad_token", "no")
    assert conn.data_to_send() == ()
    assert not conn.welcomed and conn.state == "closed"


REFUSED_BY_CHECKS = [
    (hello(protocol=2), "unsupported_protocol", "this server speaks protocol 1"),
    (hello(name="   "), "invalid_field", "a bot name cannot be only blanks"),
    (hello(name="  alice "), "invalid_field", "a bot name cannot start or end with a blank"),
    (hello(name="x" * 65), "invalid_field", "a bot name has 1 to 64 characters, not 65"),
    (
        hello(name="a\u0007b"),
        "invalid_field",
        "a bot name cannot contain a control character: U+0007 at position 2",
    ),
    (
        hello(name="a\u200bb"),
        "invalid_field",
        "a bot name cannot contain an invisible formatting character (zero-width, "
        "or a text-direction override): U+200B at position 2",
    ),
    (
        hello(name="\u3164"),
        "invalid_field",
        "a bot name cannot contain invisible characters: U+3164 (HANGUL FILLER) at position 1",
    ),
    (hello(max_matches=0), "invalid_field", "max_matches must be from 1 to 64"),
    (hello(max_matches=65), "invalid_field", "max_matches must be from 1 to 64"),
    (
        hello(games=["go", "checkers"]),
        "unknown_game",
        "unknown game 'checkers'; known: chess, go, tictactoe",
    ),
]


@pytest.mark.parametrize(("data", "code", "text"), REFUSED_BY_CHECKS)
def test_a_hello_the_checks_refuse_is_fatal(data: bytes, code: str, text: str) -> None:
    conn = connection()
    conn.receive_message(data, 0.0)
    assert conn.events_received() == ()
    assert sent(conn) == [{"type": "error", "code": code, "message": text, "fatal": True}]
    assert conn.close_expected()


REFUSED_BY_THE_CODEC = [
    b'{"type":"hello","name":5}',
    b'{"type":"hello"}',
    b'{"type":"hello","name":"alice","max_matches":"two"}',
    b'{"type":"hello","name":"alice","games":"chess"}',
    b'{"type":"hello","name":"alice","token":7}',
    b'{"type":"hello","name":"alice","protocol":1.5}',
    '{"type":"hello","name":["alice"]}',
]


@pytest.mark.parametrize("data", REFUSED_BY_THE_CODEC)
def test_a_hello_of_the_wrong_shape_is_refused_like_any_other(data: bytes | str) -> None:
    """Changed on purpose: the codec's invalid_field on a hello was non-fatal."""
    conn = connection()
    conn.receive_message(data, 0.0)
    [error] = sent(conn)
    assert error["code"] == "invalid_field" and error["fatal"] is True
    assert error["message"].startswith("invalid_field: hello")
    assert conn.close_expected()
    assert conn.events_received() == ()


def test_a_hello_too_large_is_fatal() -> None:
    conn = connection(max_message_bytes=100)
    conn.receive_message(hello(name="x" * 200), 0.0)
    [error] = sent(conn)
    assert error["code"] == "too_large" and error["fatal"] is True
    assert conn.close_expected()


def test_a_message_before_hello_is_answered_say_hello_first() -> None:
    conn = connection()
    for _ in range(MAX_ERRORS_BEFORE_HELLO + 2):
        conn.receive_message(READY, 0.0)
    assert sent(conn) == [
        {"type": "error", "code": "unexpected_message", "message": "say hello first"}
    ] * (MAX_ERRORS_BEFORE_HELLO + 2)
    assert not conn.close_expected()  # valid messages do not count as bad ones
    assert conn.events_received() == ()


def test_five_bad_messages_before_hello_are_fatal() -> None:
    conn = connection()
    bad = [b"nope\n", b"[]\n", b'{"type":"helo"}\n', b'{"type":"ready"}\n', b"{\n"]
    for data in bad[:-1]:
        conn.receive_message(data, 0.0)
    errors = sent(conn)
    assert [e["code"] for e in errors] == [
        "malformed_json",
        "malformed_json",
        "unknown_type",
        "invalid_field",  # a ready of the wrong shape is not a hello: not fatal
    ]
    assert not any(e.get("fatal") for e in errors)
    assert not conn.close_expected()
    conn.receive_message(bad[-1], 0.0)
    last, fatal = sent(conn)
    assert last["code"] == "malformed_json" and "fatal" not in last
    assert fatal == {
        "type": "error",
        "code": "protocol_error",
        "message": "too many bad messages before hello",
        "fatal": True,
    }
    assert conn.close_expected()
    conn.receive_message(hello(), 0.0)  # too late
    assert conn.events_received() == () and conn.data_to_send() == ()


def test_a_hello_may_follow_a_few_bad_messages() -> None:
    conn = connection()
    conn.receive_message(b"nope", 0.0)
    conn.receive_message(hello(), 0.0)
    assert [type(e) for e in conn.events_received()] == [HelloReceived]


# --- after welcome -------------------------------------------------------------------


def test_match_messages_become_events() -> None:
    conn = welcomed()
    conn.receive_message(READY, 2.0)
    conn.receive_message(ACTION.decode(), 3.0)  # a WebSocket text frame
    conn.receive_message(b'{"type":"ok","match":"m1","id":3}', 4.0)
    events = conn.events_received()
    assert all(isinstance(e, MessageReceived) for e in events)
    assert [e.message for e in events if isinstance(e, MessageReceived)] == [
        Ready("m1", 1),
        Action("m1", 2, [3, 4]),
        Ok("m1", 3),
    ]
    assert conn.data_to_send() == ()
    assert conn.events_received() == ()


def test_pong_only_says_the_bot_is_alive() -> None:
    conn = welcomed()
    conn.receive_message(encode(Pong(3)), 50.0)
    assert conn.events_received() == () and conn.data_to_send() == ()
    assert conn.last_seen == 50.0


def test_a_bad_message_after_welcome_is_answered_and_reported() -> None:
    conn = welcomed()
    conn.receive_message(b'{"type":"action","match":"m1","id":"x","action":1}\n', 0.0)
    [event] = conn.events_received()
    assert isinstance(event, BadMessage) and isinstance(event.error, ProtocolError)
    assert event.error.code == "invalid_field"
    [error] = sent(conn)
    assert error["code"] == "invalid_field" and "fatal" not in error
    for _ in range(MAX_ERRORS_BEFORE_HELLO):
        conn.receive_message(b"junk", 0.0)
    assert not conn.close_expected()  # the count is for before hello only


def test_a_too_large_message_after_welcome_is_fatal_and_reported() -> None:
    conn = welcomed(max_message_bytes=50)
    conn.receive_message(b'{"type":"action","match":"m1","id":1,"action":"' + b"x" * 60 + b'"}', 0)
    [event] = conn.events_received()
    assert isinstance(event, BadMessage) and event.error.code == "too_large"
    [error] = sent(conn)
    assert error["code"] == "too_large" and error["fatal"] is True
    assert conn.close_expected() and conn.welcomed
    conn.receive_message(READY, 0.0)
    assert conn.events_received() == ()


def test_a_second_hello_is_unexpected() -> None:
    conn = welcomed()
    conn.receive_message(hello(), 0.0)
    assert sent(conn) == [
        {"type": "error", "code": "unexpected_message", "message": "hello was already received"}
    ]
    assert conn.events_received() == () and not conn.close_expected()


def test_a_second_hello_of_the_wrong_shape_is_a_bad_message_not_a_refusal() -> None:
    conn = welcomed()
    conn.receive_message(b'{"type":"hello","name":5}', 0.0)
    [event] = conn.events_received()
    assert isinstance(event, BadMessage)
    assert not conn.close_expected()


# --- while the hello is checked ---------------------------------------------------------


def test_messages_during_the_check_wait_for_welcome() -> None:
    conn = connection()
    conn.receive_message(hello(), 0.0)
    conn.receive_message(READY, 1.0)
    conn.receive_message(hello(), 1.5)
    conn.receive_message(b"junk", 2.0)
    assert [type(e) for e in conn.events_received()] == [HelloReceived]
    assert conn.data_to_send() == ()
    assert conn.last_seen == 2.0
    conn.accept()
    welcome, second_hello, junk = sent(conn)
    assert welcome["type"] == "welcome"
    assert second_hello["code"] == "unexpected_message"
    assert junk["code"] == "malformed_json"
    events = conn.events_received()
    assert [type(e) for e in events] == [MessageReceived, BadMessage]


def test_messages_during_the_check_are_dropped_with_a_refusal() -> None:
    conn = connection()
    conn.receive_message(hello(), 0.0)
    conn.receive_message(READY, 0.0)
    conn.events_received()
    conn.refuse("name_taken", "a bot named 'alice' is already connected")
    [error] = sent(conn)
    assert error["code"] == "name_taken"
    assert conn.events_received() == ()


def test_too_many_messages_during_the_check_are_fatal() -> None:
    conn = connection()
    conn.receive_message(hello(), 0.0)
    for _ in range(MAX_HELD):
        conn.receive_message(READY, 0.0)
    assert conn.data_to_send() == ()
    conn.receive_message(READY, 0.0)
    [error] = sent(conn)
    assert error["code"] == "protocol_error" and error["fatal"] is True
    assert not conn.accept()


# --- output -------------------------------------------------------------------------


def test_server_messages_stay_in_order_with_the_replies() -> None:
    conn = welcomed()
    request = Request("m1", 5, 1, 0, None, None, ClockReading(1.0, 1.0))
    conn.send(request)
    conn.receive_message(b"junk", 0.0)
    conn.send(b'{"type":"bot_left","name":"x"}')
    conn.send_error("late_answer", "too late", "m1")
    kinds = [m["type"] + ":" + m.get("code", "") for m in sent(conn)]
    assert kinds == ["request:", "error:malformed_json", "bot_left:", "error:late_answer"]


def test_fail_is_the_last_message() -> None:
    conn = welcomed()
    conn.send_error("late_answer", "too late", "m1")
    conn.fail("server_shutdown", "the server is shutting down")
    conn.fail("too_large", "twice")
    conn.send(Ready("m1", 1))
    conn.ping()
    errors = sent(conn)
    assert [(e["code"], e.get("fatal", False)) for e in errors] == [
        ("late_answer", False),
        ("server_shutdown", True),
    ]
    assert conn.close_expected() and conn.welcomed


def test_connection_lost_keeps_welcomed_for_the_cleanup() -> None:
    conn = welcomed()
    conn.connection_lost()
    assert conn.state == "closed" and conn.welcomed and conn.close_expected()
    conn.receive_message(READY, 0.0)
    assert conn.events_received() == ()


# --- liveness ---------------------------------------------------------------------------


def test_every_message_refreshes_last_seen() -> None:
    conn = connection()
    assert conn.last_seen == 0.0
    conn.receive_message(b"junk", 7.0)
    assert conn.last_seen == 7.0
    assert conn.is_silent(17.5, 10.0) and not conn.is_silent(17.0, 10.0)


def test_the_heartbeat_pings_a_living_bot_and_drops_a_silent_one() -> None:
    interval = 20.0
    conn = welcomed()  # last seen at 1.0
    conn.heartbeat(20.0, interval)
    conn.heartbeat(40.0, interval)
    assert sent(conn) == [{"type": "ping", "id": 1}, {"type": "ping", "id": 2}]
    conn.receive_message(encode(Pong(2)), 45.0)
    conn.heartbeat(45.0 + SILENT_PERIODS * interval, interval)
    assert sent(conn) == [{"type": "ping", "id": 3}]
    assert not conn.close_expected()
    conn.heartbeat(45.0 + SILENT_PERIODS * interval + 0.1, interval)
    assert conn.data_to_send() == ()  # nothing to say to a dead peer
    assert conn.close_expected()


def test_the_heartbeat_runs_before_hello_too() -> None:
    conn = connection()
    conn.heartbeat(20.0, 20.0)
    assert sent(conn) == [{"type": "ping", "id": 1}]
    conn.heartbeat(61.0, 20.0)
    assert conn.close_expected()


# --- properties ------------------------------------------------------------------------

messages = st.one_of(
    st.binary(max_size=60),
    st.sampled_from(
        [
            hello(),
            hello(max_matches=0),
            b'{"type":"hello","name":1}',
            READY,
            ACTION,
            encode(Pong(1)),
            b"",
            b"\n",
            b'{"type":"welcome"}',
        ]
    ),
    st.text(max_size=30),
)
steps = st.lists(st.one_of(messages, st.sampled_from(["accept", "refuse", "beat"])), max_size=25)


def run(script: list[bytes | str]) -> tuple[list[object], list[bytes], str]:
    conn = BotConnection(GAMES, now=0.0, max_message_bytes=200)
    events: list[object] = []
    out: list[bytes] = []
    for now, step in enumerate(script):
        if step == "accept":
            if conn.state == "authenticating":
                conn.accept()
        elif step == "refuse":
            if conn.state == "authenticating":
                conn.refuse("bad_token", "no")
        elif step == "beat":
            conn.heartbeat(float(now), 1.0)
        else:
            conn.receive_message(step, float(now))
        closing = conn.close_expected()
        events += conn.events_received()
        new = list(conn.data_to_send())
        out += new
        if closing:
            assert conn.close_expected()
    return events, out, conn.state


@FUZZ
@given(steps)
def test_any_input_never_raises_and_gives_the_same_answers(script: list[bytes | str]) -> None:
    first = run(script)
    assert run(script) == first
    events, out, _ = first
    fatal = [i for i, data in enumerate(out) if json.loads(data).get("fatal")]
    assert fatal in ([], [len(out) - 1])  # at most one fatal error, and it is the last
    hellos = [e for e in events if isinstance(e, HelloReceived)]
    assert len(hellos) <= 1


# --- sans I/O -----------------------------------------------------------------------


def test_the_pure_server_modules_do_no_io() -> None:
    """Like the core (tests/test_core_is_sans_io.py): no I/O module, no wall clock."""
    code = (
        "import sys\n"
        "import ringside.server.connection, ringside.server.spectator\n"
        "import ringside.protocol.framing\n"
        "print(sorted(m for m in ('asyncio', 'socket', 'aiohttp', 'sqlalchemy') if m in sys.modules))\n"
        "print(sorted(m for m in sys.modules if m.startswith('ringside.')"
        " and not m.startswith(('ringside.protocol', 'ringside.text', 'ringside.names',"
        " 'ringside.server.connection',"
        " 'ringside.server.spectator')) and m not in ('ringside.server',)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert out[:2] == ["[]", "[]"], f"pulled in {out}"
    root = pathlib.Path(__file__).parents[2] / "src" / "ringside"
    for path in ("server/connection.py", "server/spectator.py", "protocol/framing.py"):
        text = (root / path).read_text()
        for call in ("time.time(", "time.monotonic(", "perf_counter(", "loop.time("):
            assert call not in text, f"{path} reads the clock ({call})"
