"""LineFramer: the lines of a TCP stream, whatever the chunks it arrives in."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ringside.protocol.framing import LineFramer, TooLong

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

MAX = 16
"""A small message limit, so that too-long lines are cheap to make."""


def drain(framer: LineFramer) -> list[bytes | TooLong]:
    return list(framer)


def frame(chunks: list[bytes], max_message_bytes: int = MAX) -> list[bytes | TooLong]:
    """Every line of the stream, the chunks fed one by one with the lines taken after each."""
    framer = LineFramer(max_message_bytes)
    out: list[bytes | TooLong] = []
    for chunk in chunks:
        if framer.done:
            break
        framer.receive_data(chunk)
        out += drain(framer)
    if not framer.done:
        framer.receive_eof()
        out += drain(framer)
    assert framer.done
    assert framer.next_line() is None
    return out


def model(stream: bytes, max_message_bytes: int = MAX) -> list[bytes | TooLong]:
    """The protocol's rules, written plainly over the whole stream."""
    limit = max_message_bytes + 2
    out: list[bytes | TooLong] = []
    *lines, tail = stream.split(b"\n")
    for line in lines:
        if len(line) > limit:
            return [*out, TooLong(max_message_bytes)]
        if line.strip():
            out.append(line + b"\n")
    if len(tail) > limit:
        return [*out, TooLong(max_message_bytes)]
    if tail.strip():
        out.append(tail)
    return out


def split(stream: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(stream) + 1) for c in cuts})
    bounds = [0, *points, len(stream)]
    return [stream[a:b] for a, b in itertools.pairwise(bounds)]


# --- examples ---------------------------------------------------------------------


def test_one_whole_line_per_chunk_is_the_chunk_itself() -> None:
    framer = LineFramer(MAX)
    chunk = b'{"type":"pong"}\n'
    framer.receive_data(chunk)
    line = framer.next_line()
    assert line is chunk  # not copied through the buffer
    assert framer.next_line() is None
    assert framer.buffered == 0


def test_lines_keep_their_terminator() -> None:
    framer = LineFramer(MAX)
    framer.receive_data(b'{"a":1}\r\n{"b":2}\n{"c"')
    assert drain(framer) == [b'{"a":1}\r\n', b'{"b":2}\n']
    framer.receive_data(b":3}\n")
    assert drain(framer) == [b'{"c":3}\n']


def test_blank_lines_are_skipped() -> None:
    framer = LineFramer(MAX)
    framer.receive_data(b"\n")
    assert framer.next_line() is None
    framer.receive_data(b"  \r\n\t\n{}\n\n")
    assert drain(framer) == [b"{}\n"]


def test_the_tail_at_eof_is_a_last_line_unless_blank() -> None:
    framer = LineFramer(MAX)
    framer.receive_data(b"{}\n{")
    assert drain(framer) == [b"{}\n"]
    assert not framer.done
    framer.receive_eof()
    assert drain(framer) == [b"{"]
    assert framer.done

    blank = LineFramer(MAX)
    blank.receive_data(b"{}\n  \r")
    blank.receive_eof()
    assert drain(blank) == [b"{}\n"]
    assert blank.done


def test_eof_on_an_empty_stream_is_done() -> None:
    framer = LineFramer(MAX)
    assert not framer.done
    framer.receive_eof()
    assert framer.next_line() is None
    assert framer.done


def test_the_limit_is_the_message_limit_plus_crlf() -> None:
    longest = b"x" * (MAX + 2)
    assert frame([longest + b"\n"]) == [longest + b"\n"]
    assert frame([longest + b"x\n"]) == [TooLong(MAX)]


def test_too_long_is_found_before_the_newline_comes() -> None:
    framer = LineFramer(MAX)
    framer.receive_data(b"{}\n" + b"x" * (MAX + 2))
    assert drain(framer) == [b"{}\n"]  # at the limit: it may still end
    framer.receive_data(b"x")
    assert drain(framer) == [TooLong(MAX)]
    assert framer.done
    assert framer.buffered == 0  # the overlong bytes are not kept
    framer.receive_data(b"more\n")
    assert framer.next_line() is None


def test_too_long_says_what_the_limit_is() -> None:
    assert TooLong(65536).message == "a line is longer than 65536 bytes; lines end with \\n"


def test_the_lines_before_a_too_long_one_come_first() -> None:
    framer = LineFramer(MAX)
    framer.receive_data(b"{1}\n{2}\n" + b"y" * 40 + b"\n{3}\n")
    assert drain(framer) == [b"{1}\n", b"{2}\n", TooLong(MAX)]


def test_a_reader_may_stop_between_lines_and_go_on() -> None:
    """The transport stops while a hello is checked; bytes keep coming meanwhile."""
    framer = LineFramer(MAX)
    framer.receive_data(b'{"h":1}\n{"a":2}\n')
    assert framer.next_line() == b'{"h":1}\n'
    framer.receive_data(b'{"b":3}\n')
    framer.receive_data(b'{"c":4}\n')
    assert drain(framer) == [b'{"a":2}\n', b'{"b":3}\n', b'{"c":4}\n']


def test_a_whole_line_not_taken_yet_keeps_its_place() -> None:
    framer = LineFramer(MAX)
    framer.receive_data(b"{1}\n")
    framer.receive_data(b"{2}\n")
    assert drain(framer) == [b"{1}\n", b"{2}\n"]


def test_empty_chunks_change_nothing() -> None:
    framer = LineFramer(MAX)
    framer.receive_data(b"")
    framer.receive_data(b"{1")
    framer.receive_data(b"")
    framer.receive_data(b"}\n")
    assert drain(framer) == [b"{1}\n"]


def test_data_after_eof_is_a_bug_of_the_caller() -> None:
    framer = LineFramer(MAX)
    framer.receive_eof()
    try:
        framer.receive_data(b"{}\n")
    except RuntimeError:
        pass
    else:
        raise AssertionError("data after eof was accepted")


def test_buffered_counts_what_is_not_taken() -> None:
    framer = LineFramer(MAX)
    framer.receive_data(b"{1}\n{2")
    assert framer.buffered == 6
    framer.next_line()
    assert framer.buffered == 2


# --- properties -------------------------------------------------------------------

line_bytes = st.binary(max_size=30).map(lambda b: b.replace(b"\n", b""))
streams = st.lists(
    st.one_of(line_bytes, st.sampled_from([b"", b" ", b"\r", b'{"type":"pong"}'])), max_size=12
).map(lambda lines: b"\n".join(lines)) | st.binary(max_size=200)


@FUZZ
@given(streams, st.lists(st.integers(min_value=0), max_size=20))
def test_any_chunking_gives_the_lines_of_the_whole_stream(stream: bytes, cuts: list[int]) -> None:
    expected = model(stream)
    assert frame([stream]) == expected
    assert frame(split(stream, cuts)) == expected


@FUZZ
@given(streams)
def test_byte_by_byte_gives_the_same_lines(stream: bytes) -> None:
    assert frame([stream[i : i + 1] for i in range(len(stream))]) == model(stream)


@FUZZ
@given(
    st.integers(min_value=0, max_value=3),
    st.integers(min_value=1, max_value=40),
    st.lists(st.integers(min_value=0), max_size=10),
    st.booleans(),
)
def test_too_long_whatever_the_chunks(
    before: int, extra: int, cuts: list[int], terminated: bool
) -> None:
    good = [b"{%d}\n" % i for i in range(before)]
    long = b"z" * (MAX + 2 + extra) + (b"\n" if terminated else b"")
    stream = b"".join(good) + long + b"{after}\n" * terminated
    assert frame(split(stream, cuts)) == [*good, TooLong(MAX)]


@FUZZ
@given(st.lists(st.binary(min_size=1, max_size=40), max_size=8))
def test_any_bytes_never_raise(chunks: list[bytes]) -> None:
    framer = LineFramer(MAX)
    for chunk in chunks:
        framer.receive_data(chunk)
        for line in framer:
            assert isinstance(line, TooLong) or line.strip()
    framer.receive_eof()
    drain(framer)
    assert framer.done
