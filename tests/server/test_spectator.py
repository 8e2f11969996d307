"""SpectatorSession: watch and unwatch, fed by hand (no socket, no loop)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ringside.protocol.codec import encode
from ringside.protocol.messages import Lobby, Unwatch, Watch
from ringside.server.spectator import (
    COMMAND_BURST,
    COMMAND_RATE,
    MAX_WATCHED,
    SpectatorSession,
    UnwatchRequested,
    WatchRequested,
)

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def sent(session: SpectatorSession) -> list[dict[str, Any]]:
    return [json.loads(data) for data in session.data_to_send()]


def watch(match: str) -> bytes:
    return encode(Watch(match))


def unwatch(match: str) -> bytes:
    return encode(Unwatch(match))


def test_watch_and_unwatch_become_events() -> None:
    session = SpectatorSession(now=0.0)
    session.receive_message(watch("m1"), 0.0)
    session.receive_message(watch("m2").decode(), 0.0)  # text frames come as str
    session.receive_message(unwatch("m1"), 0.0)
    assert list(session.events_received()) == [
        WatchRequested("m1"),
        WatchRequested("m2"),
        UnwatchRequested("m1"),
    ]
    assert session.watched == {"m2"}
    assert session.data_to_send() == ()
    assert session.events_received() == ()


def test_a_match_already_watched_is_not_snapshotted_again() -> None:
    """~470 watches of a match with a 1.3 MB snapshot once queued 600 MB."""
    session = SpectatorSession(now=0.0)
    for _ in range(10):
        session.receive_message(watch("m1"), 0.0)
    assert list(session.events_received()) == [WatchRequested("m1")]
    assert session.data_to_send() == ()


def test_a_match_forgotten_by_the_server_may_be_watched_again() -> None:
    session = SpectatorSession(now=0.0)
    session.receive_message(watch("m1"), 0.0)
    session.forget("m1")  # the match was unknown, or over
    assert session.watched == set()
    session.receive_message(watch("m1"), 0.0)
    assert list(session.events_received()) == [WatchRequested("m1"), WatchRequested("m1")]


def test_a_finished_match_is_snapshotted_once_until_it_is_unwatched() -> None:
    """The lobby's small board watched a match that ended as it was listed; the match
    view opened next (unwatch, then watch) once got nothing and stayed empty."""
    session = SpectatorSession(now=0.0)
    session.receive_message(watch("m1"), 0.0)
    session.finished("m1")  # the server sent the stored match's snapshot
    session.receive_message(watch("m1"), 0.0)
    assert list(session.events_received()) == [WatchRequested("m1")]
    session.receive_message(unwatch("m1"), 0.0)
    session.receive_message(watch("m1"), 0.0)
    assert list(session.events_received()) == [WatchRequested("m1")]
    assert session.data_to_send() == ()


def test_unwatching_a_match_not_watched_does_nothing() -> None:
    session = SpectatorSession(now=0.0)
    session.receive_message(unwatch("m9"), 0.0)
    assert session.events_received() == () and session.data_to_send() == ()


def test_a_bad_command_gets_the_codecs_error_and_nothing_closes() -> None:
    session = SpectatorSession(now=0.0)
    session.receive_message(b"{", 0.0)
    session.receive_message(b'{"type":"watch"}', 0.0)
    session.receive_message(b'{"type":"hello","name":"x"}', 0.0)
    session.receive_message(b'{"type":"look"}', 0.0)
    errors = sent(session)
    assert [e["code"] for e in errors] == [
        "malformed_json",
        "invalid_field",
        "wrong_direction",
        "unknown_type",
    ]
    assert errors[1]["message"] == "invalid_field: watch.match: missing required field"
    assert not any(e.get("fatal") for e in errors)
    session.receive_message(watch("m1"), 0.0)
    assert list(session.events_received()) == [WatchRequested("m1")]


def test_a_command_too_large_is_answered_not_fatal() -> None:
    session = SpectatorSession(now=0.0, max_message_bytes=100)
    session.receive_message(watch("m" * 200), 0.0)
    [error] = sent(session)
    assert error["code"] == "too_large" and "fatal" not in error
    assert session.events_received() == ()


def test_a_spectator_watches_a_bounded_number_of_matches() -> None:
    session = SpectatorSession(now=0.0, max_watched=3, burst=100)
    for i in range(5):
        session.receive_message(watch(f"m{i}"), 0.0)
    assert [e.match for e in session.events_received()] == ["m0", "m1", "m2"]
    errors = sent(session)
    assert [(e["code"], e["match"]) for e in errors] == [
        ("too_many_matches", "m3"),
        ("too_many_matches", "m4"),
    ]
    session.receive_message(unwatch("m0"), 0.0)
    session.receive_message(watch("m3"), 0.0)
    assert list(session.events_received()) == [UnwatchRequested("m0"), WatchRequested("m3")]
    assert MAX_WATCHED == SpectatorSession(now=0.0).max_watched == 64


def test_commands_are_rate_limited_by_a_token_bucket() -> None:
    session = SpectatorSession(now=100.0, burst=3, rate=1.0)
    for i in range(5):
        session.receive_message(watch(f"m{i}"), 100.0)
    assert [e.match for e in session.events_received()] == ["m0", "m1", "m2"]
    assert [e["code"] for e in sent(session)] == ["too_many_commands"] * 2
    session.receive_message(watch("m3"), 100.5)  # half a token: still too soon
    assert session.events_received() == ()
    session.receive_message(watch("m3"), 101.0)
    assert list(session.events_received()) == [WatchRequested("m3")]
    session.receive_message(watch("m4"), 1000.0)  # a long pause refills to the burst only
    for i in range(5, 9):
        session.receive_message(watch(f"m{i}"), 1000.0)
    assert [e.match for e in session.events_received()] == ["m4", "m5", "m6"]


def test_the_default_rate_lets_a_page_open_a_few_matches() -> None:
    session = SpectatorSession(now=0.0)
    for i in range(COMMAND_BURST):
        session.receive_message(watch(f"m{i}"), 0.0)
    assert len(session.events_received()) == COMMAND_BURST
    session.receive_message(watch("late"), 0.0)
    assert session.events_received() == ()
    session.receive_message(watch("late"), 1.0 / COMMAND_RATE)
    assert list(session.events_received()) == [WatchRequested("late")]


def test_a_watch_from_the_url_goes_through_the_same_checks() -> None:
    session = SpectatorSession(now=0.0, burst=1)
    session.watch("m1", 0.0)
    session.receive_message(watch("m1"), 10.0)
    assert list(session.events_received()) == [WatchRequested("m1")]
    session.watch("m2", 10.0)
    assert [e["code"] for e in sent(session)] == ["too_many_commands"]


def test_server_messages_stay_in_order_with_the_replies() -> None:
    session = SpectatorSession(now=0.0)
    session.send(Lobby([], []))
    session.receive_message(b"junk", 0.0)
    session.send(b'{"type":"snapshot","match":"m1","events":[]}')
    assert [m["type"] for m in sent(session)] == ["lobby", "error", "snapshot"]


def test_connection_lost_gives_the_matches_to_unsubscribe() -> None:
    session = SpectatorSession(now=0.0)
    session.receive_message(watch("m1"), 0.0)
    session.receive_message(watch("m2"), 0.0)
    assert session.connection_lost() == {"m1", "m2"}
    session.receive_message(watch("m3"), 0.0)
    session.send(b"x")
    assert session.events_received() == () and session.data_to_send() == ()
    assert session.watched == set()


commands = st.one_of(
    st.binary(max_size=40),
    st.text(max_size=20),
    st.builds(watch, st.sampled_from(["m1", "m2", "m3", "m4"])),
    st.builds(unwatch, st.sampled_from(["m1", "m2", "m3", "m4"])),
)


def run(script: list[tuple[bytes | str, float]]) -> tuple[list[object], list[bytes], set[str]]:
    session = SpectatorSession(now=0.0, max_watched=3, burst=5, rate=1.0)
    events: list[object] = []
    out: list[bytes] = []
    now = 0.0
    for data, step in script:
        now += step
        session.receive_message(data, now)
        events += session.events_received()
        out += session.data_to_send()
        assert len(session.watched) <= 3
    return events, out, set(session.watched)


@FUZZ
@given(st.lists(st.tuples(commands, st.floats(0.0, 3.0)), max_size=30))
def test_any_input_never_raises_and_gives_the_same_answers(
    script: list[tuple[bytes | str, float]],
) -> None:
    first = run(script)
    assert run(script) == first
    events, out, watched = first
    assert all(not json.loads(data).get("fatal") for data in out)
    # The events replayed give the watched set: the server's view never drifts.
    replayed: set[str] = set()
    for event in events:
        if isinstance(event, WatchRequested):
            assert event.match not in replayed  # never a second snapshot
            replayed.add(event.match)
        elif isinstance(event, UnwatchRequested):
            replayed.remove(event.match)
    assert replayed == watched
