"""The cluster's frames and stand-ins, without a network (the wire is a list)."""

from __future__ import annotations

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from ringside.protocol.codec import encode, parse_bot_message
from ringside.protocol.messages import Action, Move
from ringside.server.cluster import choose_owner
from ringside.server.relay import (
    ACTION,
    DISCONNECTED,
    SEP,
    MatchFeed,
    RemoteMatch,
    RemoteSeat,
    fields_of,
    frame,
)


class Wire:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes]] = []

    def send(self, node: str, data: bytes) -> None:
        self.sent.append((node, data))


class Peer:
    closed = False

    def __init__(self) -> None:
        self.got: list[bytes] = []

    def send(self, data: bytes) -> None:
        self.got.append(data)

    def close_soon(self) -> None:
        pass


ids = st.text(alphabet="0123456789abcdef", min_size=1, max_size=12)
payloads = st.binary(max_size=200)


@given(ids, st.integers(0, 9), payloads)
def test_fields_come_back_and_the_payload_is_untouched(
    match_id: str, player: int, payload: bytes
) -> None:
    data = frame(ACTION, match_id.encode(), str(player).encode(), payload)
    assert data[:1] == ACTION
    assert fields_of(data, 3) == [match_id.encode(), str(player).encode(), payload]


def test_a_remote_match_forwards_the_bots_answers_to_the_owner() -> None:
    wire = Wire()
    entry = RemoteMatch(wire, "node-a", "m1", 1)
    action = Action("m1", 7, 3)
    entry.receive(1, action)
    entry.disconnected(1)
    (node, data), (_, gone) = wire.sent
    assert node == "node-a"
    match_id, player, payload = fields_of(data, 3)
    assert (match_id, player) == (b"m1", b"1")
    assert parse_bot_message(payload) == action
    assert gone[:1] == DISCONNECTED and fields_of(gone, 3)[:2] == [b"m1", b"1"]
    assert entry.remote and not entry.reconnected(1, RemoteSeat(wire, "n", "x", "m1"))


def test_a_remote_seat_sends_the_bot_its_messages_through_its_node() -> None:
    wire = Wire()
    seat = RemoteSeat(wire, "node-b", "bob", "m1")
    seat.peer.send(b'{"type":"ping"}')
    seat.match_ended("m1")
    (node, data), (_, ended) = wire.sent
    assert node == "node-b"
    assert fields_of(data, 3) == [b"bob", b"m1", b'{"type":"ping"}']
    assert fields_of(ended, 2) == [b"bob", b"m1"]


def _move(n: int) -> bytes:
    return encode(Move("m1", 1, n, n % 2, "bot", n, 0.01))


def test_a_late_watcher_gets_everything_once_in_order() -> None:
    feed = MatchFeed("m1", "node-a")
    early = Peer()
    feed.add(early)  # before the owner's snapshot: it waits for it
    snapshot = b'{"type":"snapshot","match":"m1","events":[' + _move(0) + b"]}"
    feed.received(snapshot)
    feed.received(_move(1))
    late = Peer()
    feed.add(late)
    feed.received(_move(2))

    def events(peer: Peer) -> list[object]:
        seen: list[object] = []
        for data in peer.got:
            value = msgspec.json.decode(data)
            seen.extend(value["events"] if value["type"] == "snapshot" else [value])
        return seen

    expected = [msgspec.json.decode(_move(n)) for n in range(3)]
    assert events(early) == expected
    assert events(late) == expected
    feed.remove(early)
    feed.remove(late)
    assert feed.empty


def test_a_feed_ends_with_the_result() -> None:
    feed = MatchFeed("m1", "node-a")
    peer = Peer()
    feed.add(peer)
    feed.received(b'{"type":"snapshot","match":"m1","events":[]}')
    feed.received(b'{"type":"match_result","match":"m1"}')
    assert feed.ended and feed.empty
    feed.received(_move(5))  # nothing after the end reaches anyone
    assert len(peer.got) == 2


def test_the_owner_is_the_node_with_most_bots() -> None:
    assert choose_owner(["b", "a", "b"], "c") == "b"
    assert choose_owner(["b", "a"], "c") == "a", "among equals: the first by name"
    assert choose_owner(["b", "a"], "b") == "b", "among equals: the node asked"
    assert choose_owner(["a", "a"], "b") == "a"


def test_the_separator_is_never_in_json() -> None:
    assert SEP not in encode(Move("m1", 1, 0, 0, "a\x1fb", "\x1f", 0.0))
