"""Parse and encode wire messages, sans I/O.

The transports hand over one WebSocket text frame or one TCP line at a time;
the parse functions turn it into a message or a :class:`ProtocolError` that
says, for the bot's author, what was wrong. They never raise: any bytes, any
text, any JSON gives one or the other.

Valid messages take the fast path, one decode with a cached typed decoder.
Only when that fails is the input looked at again, generically, to classify
the error: not UTF-8 or not JSON, not an object, no string ``type``, a type
unknown or belonging to the other direction, or a field of the wrong shape.
"""

from __future__ import annotations

import json
import re
import typing
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

import msgspec

from ringside.protocol.depth import MAX_DEPTH, nests_deeper
from ringside.protocol.messages import (
    MAX_INFO_BYTES,
    MAX_MESSAGE_BYTES,
    BotMessage,
    Error,
    Info,
    LobbyEvent,
    MatchEvent,
    MatchSnapshot,
    Message,
    MoveInfo,
    ServerMessage,
    SpectatorMessage,
)

__all__ = [
    "ERROR_CODES",
    "MAX_SPECTATOR_BYTES",
    "Data",
    "ErrorCode",
    "ProtocolError",
    "SpectatorStream",
    "check_info",
    "encode",
    "encode_line",
    "parse_bot_message",
    "parse_event",
    "parse_server_message",
    "parse_spectator_command",
    "parse_spectator_message",
    "protocol_error",
]

ErrorCode = Literal[
    "malformed_json", "unknown_type", "invalid_field", "wrong_direction", "too_large"
]
"""Why some bytes are no message. Each is a protocol error: from a bot that owes an
answer in a match it costs a ``protocol_error`` verdict. (``unexpected_message``, a
message read but not expected, is the session's and the referee's, and costs nothing.)"""
ERROR_CODES: tuple[ErrorCode, ...] = typing.get_args(ErrorCode)

Data = bytes | bytearray | memoryview | str
"""One WebSocket frame or one TCP line, as bytes or as text."""

SpectatorStream = MatchEvent | LobbyEvent | MatchSnapshot | Error
"""Everything the server sends a spectator."""

MAX_SPECTATOR_BYTES = 64 * 1024 * 1024
"""Default limit for what a spectator reads; the server is trusted, snapshots are long."""

_FATAL: frozenset[ErrorCode] = frozenset({"too_large"})
"""Codes after which the connection cannot go on: the rest of an overlong TCP line
would be read as the next message. A malformed message leaves the framing intact."""

_MAX_TEXT = 400
"""Longest error sentence; values quoted from the input are shortened to fit."""


class ProtocolError(msgspec.Struct, frozen=True):
    """Why some bytes are no valid message, written for the bot's author.

    ``message`` starts with the code, e.g. ``invalid_field: action.id: expected
    int, got str``. ``fatal`` hints that the connection cannot go on (only for
    ``too_large``); the session decides what to do.
    """

    code: ErrorCode
    message: str
    fatal: bool = False

    def to_error(self, match: str | None = None) -> Error:
        """The ``error`` message telling the peer about this problem."""
        return Error(self.code, self.message, match, self.fatal)


def protocol_error(code: ErrorCode, detail: str) -> ProtocolError:
    """A ProtocolError whose message is ``"<code>: <detail>"``, short and UTF-8 safe."""
    text = f"{code}: {detail}".encode("utf-8", "backslashreplace").decode("utf-8")
    if len(text) > _MAX_TEXT:
        text = text[: _MAX_TEXT - 3] + "..."
    return ProtocolError(code, text, code in _FATAL)


# --- the directions of the protocol ------------------------------------------------------

T = TypeVar("T")


def _tags(union: Any) -> tuple[str, ...]:
    return tuple(str(member.__struct_config__.tag) for member in typing.get_args(union))


@dataclass(frozen=True, slots=True)
class _Grammar(Generic[T]):
    """What one direction of the protocol may carry."""

    decoder: msgspec.json.Decoder[T]
    types: tuple[str, ...]
    what: str
    """How a message of this direction is called in error sentences."""
    inbound: bool = False
    """What a server reads from clients: text nested deeper than ``MAX_DEPTH`` is refused
    before it is decoded (the server's replies are trusted, and snapshots are long)."""


_BOT: _Grammar[BotMessage] = _Grammar(
    msgspec.json.Decoder(BotMessage), _tags(BotMessage), "a message from a bot", True
)
_SERVER: _Grammar[ServerMessage] = _Grammar(
    msgspec.json.Decoder(ServerMessage), _tags(ServerMessage), "a message to a bot"
)
_EVENT: _Grammar[MatchEvent] = _Grammar(
    msgspec.json.Decoder(MatchEvent), _tags(MatchEvent), "a match event"
)
_SPECTATOR: _Grammar[SpectatorStream] = _Grammar(
    msgspec.json.Decoder(SpectatorStream), _tags(SpectatorStream), "a message to a spectator"
)
_COMMAND: _Grammar[SpectatorMessage] = _Grammar(
    msgspec.json.Decoder(SpectatorMessage),
    _tags(SpectatorMessage),
    "a message from a spectator",
    True,
)
_GRAMMARS: tuple[_Grammar[Any], ...] = (_BOT, _SERVER, _EVENT, _SPECTATOR, _COMMAND)

_probe = msgspec.json.Decoder(dict[str, msgspec.Raw])
"""Reads the top-level object without looking into its values."""
_type_decoder = msgspec.json.Decoder(str)


def parse_bot_message(data: Data, max_size: int = MAX_MESSAGE_BYTES) -> BotMessage | ProtocolError:
    """A message a bot sent the server (what the server reads)."""
    return _parse(data, _BOT, max_size)


def parse_server_message(
    data: Data, max_size: int = MAX_MESSAGE_BYTES
) -> ServerMessage | ProtocolError:
    """A message the server sent a bot (what a client SDK reads)."""
    return _parse(data, _SERVER, max_size)


def parse_event(data: Data, max_size: int = MAX_MESSAGE_BYTES) -> MatchEvent | ProtocolError:
    """One event of a match (a stored event log, a replay)."""
    return _parse(data, _EVENT, max_size)


def parse_spectator_message(
    data: Data, max_size: int = MAX_SPECTATOR_BYTES
) -> SpectatorStream | ProtocolError:
    """Anything the server sends a spectator: lobby and match events, snapshots, errors.

    The default limit is larger: a ``snapshot`` holds every event of a match so far.
    """
    return _parse(data, _SPECTATOR, max_size)


def parse_spectator_command(
    data: Data, max_size: int = MAX_MESSAGE_BYTES
) -> SpectatorMessage | ProtocolError:
    """A message a spectator sent the server (``watch``, ``unwatch``)."""
    return _parse(data, _COMMAND, max_size)


def _parse(data: Data, grammar: _Grammar[T], max_size: int) -> T | ProtocolError:
    raw = data if type(data) is bytes else _as_bytes(data, max_size)
    if isinstance(raw, ProtocolError):
        return raw
    if len(raw) > max_size:
        oversize = _oversize(raw, max_size)
        if oversize is not None:
            return oversize
    if grammar.inbound and len(raw) > MAX_DEPTH and nests_deeper(raw):  # a move is shorter
        return protocol_error(
            "invalid_field", f"the message nests arrays and objects more than {MAX_DEPTH} deep"
        )
    try:
        # A trailing "\n" or "\r\n" is JSON white space: no need to copy the bytes to strip it.
        return grammar.decoder.decode(raw)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
        return _classify(raw, grammar, exc)


def _as_bytes(data: Data, max_size: int) -> bytes | ProtocolError:
    if isinstance(data, bytes):
        return data
    if isinstance(data, bytearray | memoryview):
        return bytes(data)
    if not isinstance(data, str):
        return protocol_error(
            "malformed_json", f"expected bytes or text, got {type(data).__name__}"
        )
    if len(data) > max_size + 2:  # a character is at least one byte
        return _too_large(len(data), max_size, at_least=True)
    try:
        return data.encode("utf-8")
    except UnicodeEncodeError as exc:
        oversize = _oversize(data.encode("utf-8", "surrogatepass"), max_size)
        if oversize is not None:
            return oversize
        return protocol_error(
            "malformed_json",
            f"the text is not valid Unicode (lone surrogate at character {exc.start})",
        )


def _oversize(raw: bytes, max_size: int) -> ProtocolError | None:
    """A too_large error if ``raw`` is over the limit; a line terminator does not count."""
    size = len(raw) - (2 if raw.endswith(b"\r\n") else 1 if raw.endswith(b"\n") else 0)
    return _too_large(size, max_size) if size > max_size else None


def _too_large(size: int, max_size: int, at_least: bool = False) -> ProtocolError:
    more = "at least " if at_least else ""
    return protocol_error(
        "too_large", f"the message is {more}{size} bytes; the limit is {max_size} bytes"
    )


# --- classifying a failure ---------------------------------------------------


def _classify(raw: bytes, grammar: _Grammar[Any], exc: Exception) -> ProtocolError:
    """Find out, for the author, why ``raw`` is not a message of ``grammar``.

    Which code a bot gets is decided here from the bytes themselves and from
    msgspec's exception *types*, never from the wording of its messages, so that a
    newer msgspec cannot turn one error into another. Its sentences are only reused
    as details (a field's path and expected type), with a fallback when they change.
    """
    if raw.endswith(b"\n"):
        raw = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1]
    if not raw.strip():
        return protocol_error("malformed_json", "the message is empty; send one JSON object")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as bad:
        return protocol_error(
            "malformed_json", f"the message is not valid UTF-8 (byte {bad.start})"
        )
    try:
        top = _probe.decode(raw)
    except msgspec.ValidationError:
        # Valid JSON as far as it was read, but not an object.
        return protocol_error(
            "malformed_json",
            f'expected a JSON object with a "type" field, got {_json_kind(raw)}',
        )
    except (msgspec.DecodeError, RecursionError) as probe_exc:
        return _malformed(probe_exc, raw)

    expected = "expected one of " + ", ".join(grammar.types)
    if "type" not in top:
        return protocol_error("invalid_field", f'the object has no "type" field; {expected}')
    try:
        kind = _type_decoder.decode(top["type"])
    except msgspec.ValidationError:
        got = _json_kind(bytes(top["type"]))
        return protocol_error("invalid_field", f"type: expected a string, got {got}; {expected}")
    except (msgspec.DecodeError, RecursionError) as type_exc:
        return _malformed(type_exc, raw)
    if kind not in grammar.types:
        for other in _GRAMMARS:
            if kind in other.types:
                return protocol_error(
                    "wrong_direction",
                    f"{_quote(kind)} is {other.what}, not {grammar.what}; {expected}",
                )
        return protocol_error("unknown_type", f"{_quote(kind)} is not a message type; {expected}")

    if isinstance(exc, msgspec.ValidationError):
        return protocol_error("invalid_field", _field_problem(kind, str(exc)))
    return _malformed(exc, raw)


def _malformed(exc: Exception, raw: bytes) -> ProtocolError:
    """A malformed_json error for valid UTF-8 that is no JSON (or too deep to read)."""
    if isinstance(exc, RecursionError):
        detail = "the JSON is nested too deeply"
    elif _ends_early(raw):
        detail = "the JSON ends too early: a string, object or array is not closed"
    else:
        detail = str(exc) or "invalid JSON"
    return protocol_error("malformed_json", detail)


_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_STRING = re.compile(rb'"[^"]*"')


def _ends_early(raw: bytes) -> bool:
    """Whether ``raw`` stops inside a string, an object or an array (a cut-off message).

    Linear in the size whatever the bytes: escapes go first, so that the strings left
    are plain ``"..."`` pairs, and an odd quote means the end came inside one.
    """
    unescaped = _ESCAPE.sub(b"", raw)
    if unescaped.count(b'"') % 2:
        return True
    outside = _STRING.sub(b"", unescaped)
    return outside.count(b"{") + outside.count(b"[") > outside.count(b"}") + outside.count(b"]")


_KIND_BY_FIRST_BYTE = {
    ord("{"): "an object",
    ord("["): "an array",
    ord('"'): "a string",
    ord("t"): "a boolean",
    ord("f"): "a boolean",
    ord("n"): "null",
    ord("-"): "a number",
    **{ord(digit): "a number" for digit in "0123456789"},
}


def _json_kind(value: bytes) -> str:
    """What kind of JSON value ``value`` starts, as a bot author would say it."""
    text = value.lstrip(b" \t\r\n")
    return _KIND_BY_FIRST_BYTE.get(text[0], "a value of another kind") if text else "nothing"


_AT = re.compile(r"^(?P<what>.*?)(?: - at `\$(?P<path>.*)`)?$", re.DOTALL)
_MISSING = re.compile(r"^Object missing required field `(?P<field>.*)`$", re.DOTALL)


def _field_problem(kind: str, text: str) -> str:
    """``Expected `int`, got `str` - at `$.id``` becomes ``action.id: expected int, got str``."""
    found = _AT.match(text)
    what, path = (found["what"], found["path"] or "") if found else (text, "")
    missing = _MISSING.match(what)
    if missing:
        path = f"{path}.{missing['field']}"
        what = "missing required field"
    what = what.replace("`", "")
    what = what[0].lower() + what[1:] if what else "invalid value"
    return f"{kind}{path}: {what}"


# --- an action's info ------------------------------------------------------------------

_NO_INFO = MoveInfo()
_KIND_OF_TYPE = {
    list: "an array",
    tuple: "an array",
    bool: "a boolean",
    int: "a number",
    float: "a number",
}


def check_info(info: object) -> Info | ProtocolError | None:
    """An action's ``info`` as the ``move`` event carries it, None for none, or why not.

    Never raises. The error is never fatal: the action is played all the same, so a
    bot that gets its debug output wrong loses the output, not the game. An empty
    string or object counts as no info.
    """
    if info is None:
        return None
    checked: Info
    if type(info) is str:
        if not info:
            return None
        checked = info
    elif isinstance(info, dict | MoveInfo):
        try:
            if isinstance(info, MoveInfo):  # built in Python (local play): not checked yet
                info = msgspec.to_builtins(info)
            checked = msgspec.convert(info, MoveInfo)
        except (msgspec.ValidationError, TypeError) as exc:
            return _info_error("invalid_field", _field_problem("action.info", str(exc)))
        if checked == _NO_INFO:
            return None
    else:
        got = _KIND_OF_TYPE.get(type(info)) or f"a Python {type(info).__name__}"
        return _info_error(
            "invalid_field", f"action.info: expected a string or an object, got {got}"
        )
    size = len(_encoder.encode(checked))
    if size > MAX_INFO_BYTES:
        detail = f"action.info is {size} bytes encoded; the limit is {MAX_INFO_BYTES} bytes"
        return _info_error("too_large", detail)
    return checked


def _info_error(code: ErrorCode, detail: str) -> ProtocolError:
    """Not fatal, whatever the code: the connection and the match go on."""
    if len(detail) > 300:
        detail = detail[:297] + "..."
    return ProtocolError(
        code, protocol_error(code, f"{detail}; the move is played without it").message
    )


# --- small helpers for sentences -----------------------------------------------


def _quote(value: str, limit: int = 40) -> str:
    shown = value if len(value) <= limit else value[: limit - 3] + "..."
    return json.dumps(shown)


# --- encoding --------------------------------------------------------------------

_encoder = msgspec.json.Encoder()


encode_bound = _encoder.encode
"""``encode`` without the extra Python call, for the server's hot path."""


def encode(message: Message) -> bytes:
    """The JSON of one message, without a line terminator (a WebSocket text frame).

    Fields equal to their default are left out (``omit_defaults``); a reader
    takes an absent field as its default.
    """
    return _encoder.encode(message)


def encode_line(message: Message) -> bytes:
    """The JSON of one message and a ``\\n``: a TCP line."""
    return _encoder.encode(message) + b"\n"
