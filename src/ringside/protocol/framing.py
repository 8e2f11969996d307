"""Cut a TCP byte stream into lines, sans I/O.

The TCP transport hands over bytes as they arrive and takes complete lines
back, one at a time, so that it can stop between two lines (while a ``hello``
is checked) and go on later without losing the order. Nothing here touches a
socket: a :class:`LineFramer` is a buffer with rules.

The rules are the protocol's: a line ends with ``\\n`` (``\\r\\n`` too, the
codec reads the ``\\r`` as white space), blank lines are skipped, the bytes
after the last ``\\n`` are a last line at end of file, and a line longer than
the message limit plus two bytes (room for ``\\r\\n``) is :class:`TooLong` as
soon as that many bytes came without a ``\\n``: waiting for the end of an
overlong line would let a peer fill the server's memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ringside.protocol.messages import MAX_MESSAGE_BYTES

__all__ = ["LineFramer", "TooLong"]

_NEWLINE = 0x0A
_BRACE = 0x7B


@dataclass(frozen=True, slots=True)
class TooLong:
    """A line went past the limit; the stream cannot be cut into lines any more.

    The rest of that line would be read as the next message, so the connection
    has to end: the transport sends a fatal ``too_large`` error and closes.
    """

    max_message_bytes: int
    """The message limit the framer was made with (the line limit is two more)."""

    @property
    def message(self) -> str:
        """The sentence for the ``too_large`` error."""
        return f"a line is longer than {self.max_message_bytes} bytes; lines end with \\n"


class LineFramer:
    """Bytes in (``receive_data``, ``receive_eof``), lines out (``next_line``), in order.

    A line is returned with its terminator: stripping it would copy the bytes,
    and the codec reads it as JSON white space. When a chunk holds exactly one
    whole line and nothing is buffered, that chunk itself is the line, with no
    copy at all: the usual case on a bot's connection, one message per read.
    """

    # Slots: one per TCP connection, and a server holds thousands.
    __slots__ = ("_buffer", "_eof", "_failed", "_start", "_whole", "limit", "max_message_bytes")

    def __init__(self, max_message_bytes: int = MAX_MESSAGE_BYTES) -> None:
        self.max_message_bytes = max_message_bytes
        self.limit = max_message_bytes + 2
        """Most bytes a line may hold before its ``\\n``; one more is :class:`TooLong`."""
        self._buffer = bytearray()
        self._start = 0
        """Where the lines not yet returned begin in ``_buffer``."""
        self._whole: bytes | None = None
        """A chunk that is exactly one line, kept as it came (the fast path)."""
        self._eof = False
        self._failed: TooLong | None = None

    # --- input ---------------------------------------------------------------------

    def receive_data(self, data: bytes) -> None:
        """Bytes read from the connection; take the lines with :meth:`next_line`."""
        if self._eof:
            raise RuntimeError("data received after end of file")
        if self._whole is None and not self._buffer:
            if self._failed is not None:
                return
            end = data.find(b"\n")
            if end == len(data) - 1 and end <= self.limit:
                if end >= 0:  # (b"" has no line)
                    self._whole = data
                return
        elif self._whole is not None:
            self._buffer += self._whole
            self._whole = None
        self._buffer += data

    def receive_eof(self) -> None:
        """The peer will send nothing more: the unterminated tail becomes a last line."""
        self._eof = True

    # --- output --------------------------------------------------------------------

    def next_line(self) -> bytes | TooLong | None:
        """The next non-blank line, :class:`TooLong` once, or None: no complete line yet.

        After :class:`TooLong`, and after the last line at end of file, it returns
        None for good (see :attr:`done`).
        """
        whole = self._whole
        if whole is not None:
            self._whole = None
            if whole[0] == _BRACE or whole.strip():
                return whole
        buffer = self._buffer
        if not buffer:
            return None  # also after TooLong, which empties the buffer for good
        start, limit = self._start, self.limit
        while True:
            end = buffer.find(b"\n", start)
            if end < 0:
                break
            if end - start > limit:
                return self._fail()
            line = bytes(buffer[start : end + 1])
            start = end + 1
            if line[0] == _BRACE or line.strip():
                if start == len(buffer):
                    buffer.clear()
                    start = 0
                self._start = start
                return line
        if len(buffer) - start > limit:
            return self._fail()
        tail = b""
        if self._eof and start < len(buffer):
            tail = bytes(buffer[start:])
            start = len(buffer)
        del buffer[:start]
        self._start = 0
        return tail if tail.strip() else None

    def __iter__(self) -> Iterator[bytes | TooLong]:
        """Every line available now (as :meth:`next_line` gives them)."""
        while (line := self.next_line()) is not None:
            yield line

    @property
    def done(self) -> bool:
        """No line will ever come: end of file was read and every line taken, or a line was too long."""
        if self._failed is not None:
            return True
        return self._eof and self._whole is None and self._start == len(self._buffer)

    @property
    def buffered(self) -> int:
        """Bytes received and not yet returned as lines."""
        whole = len(self._whole) if self._whole is not None else 0
        return whole + len(self._buffer) - self._start

    def _fail(self) -> TooLong:
        self._failed = TooLong(self.max_message_bytes)
        self._buffer.clear()
        self._start = 0
        return self._failed
