"""How deeply a JSON text nests arrays and objects, found without parsing it.

Decoders recurse once per level; a message or a body of a few hundred
kilobytes can nest hundreds of thousands deep and exhaust the stack of the
decoder or of whatever walks the value later. Both the protocol and the HTTP
bodies refuse text nested deeper than ``MAX_DEPTH`` before decoding it.
"""

from __future__ import annotations

__all__ = ["MAX_DEPTH", "nests_deeper"]

MAX_DEPTH = 64
"""Levels of arrays and objects a message or a body may nest (a game's action needs a few)."""

_OTHERS_QUOTED = bytes(b for b in range(256) if b not in b'[]{}"')
_OTHERS = bytes(b for b in range(256) if b not in b"[]{}")
_SQUARE = bytes.maketrans(b"{}", b"[]")


def nests_deeper(raw: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON text ``raw`` nests arrays and objects more than ``limit`` deep.

    Cheap for what real clients send: fewer opening brackets than ``limit`` is
    answered by counting. Otherwise strings are cut out, the brackets kept
    (all made square), and innermost pairs removed ``limit`` times (each pass
    one C-speed replace); anything left nests deeper. Unbalanced text (not
    JSON anyway) counts as its open brackets say.
    """
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    if b'"' in raw:
        # Escapes out (a backslash pair first, then an escaped quote), brackets and quotes
        # kept, and every other piece between quotes is a string's inside: dropped.
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _OTHERS_QUOTED)
        raw = b"".join(raw.split(b'"')[::2])
    brackets = raw.translate(_SQUARE, _OTHERS)
    if brackets.count(b"[") <= limit:
        return False
    if b"[" * (limit + 1) in brackets:  # the usual attack: opening after opening
        return True
    for _ in range(limit):
        shorter = brackets.replace(b"[]", b"")
        if not shorter:
            return False
        if len(shorter) == len(brackets):  # unbalanced: nothing more to pair
            return _max_depth(brackets) > limit
        brackets = shorter
    return True


def _max_depth(brackets: bytes) -> int:
    """The deepest level of unbalanced brackets, counted one by one."""
    depth = deepest = 0
    for byte in brackets:
        if byte == 0x5B:  # [
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(0, depth - 1)
    return deepest
