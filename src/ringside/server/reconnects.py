"""Bots that dropped out of running matches and may come back within their grace.

The referee decides when a grace period runs out; this only remembers which
matches wait for which bot, and with what token a guest must come back.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar


class Resumable(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def finished(self) -> bool: ...


R = TypeVar("R", bound=Resumable)


@dataclass
class Detached(Generic[R]):
    """A bot whose connection dropped while it had matches in their grace period."""

    token: str | None
    matches: dict[str, R] = field(default_factory=dict)
    any_token: bool = False
    """The token is not known (a match resumed after a restart): any the bot brings fits."""


class Reconnects(Generic[R]):
    def __init__(self) -> None:
        self._detached: dict[str, Detached[R]] = {}

    def detach(
        self, name: str, token: str | None, matches: list[R], *, any_token: bool = False
    ) -> None:
        entry = self._detached.setdefault(name, Detached(token, any_token=any_token))
        entry.matches.update((m.id, m) for m in matches if not m.finished)
        if not entry.matches:
            del self._detached[name]

    def waiting(self, name: str) -> bool:
        return name in self._detached

    def token_fits(self, name: str, token: str | None) -> bool:
        """Whether ``token`` is the one the bot had when it dropped (guests prove who they are so)."""
        entry = self._detached.get(name)
        return entry is None or entry.any_token or _same(entry.token, token)

    def reattach(self, name: str) -> list[R]:
        entry = self._detached.pop(name, None)
        return [] if entry is None else [m for m in entry.matches.values() if not m.finished]

    def forget(self, match_id: str, names: list[str]) -> None:
        """The match is over: nobody waits to come back to it."""
        for name in names:
            entry = self._detached.get(name)
            if entry is not None:
                entry.matches.pop(match_id, None)
                if not entry.matches:
                    del self._detached[name]


def _same(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is b
    return hmac.compare_digest(a.encode(), b.encode())


__all__ = ["Detached", "Reconnects"]
