"""What the server needs of the store, as protocols: it depends on these, not on a backend.

``ResultStore`` is all a match runner writes: the match row before any bot
hears of it, its events as they come, and the outcome with the last events in
one transaction. ``MatchStore`` (and the ``Store`` facade) satisfy it; a
test double or another backend only has to provide these three methods.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from ringside.store.models import MatchStatus
from ringside.store.records import EncodedEvent, MatchOutcome


@runtime_checkable
class ResultStore(Protocol):
    """Where a match runner records a match: created, appended to, finished."""

    async def create_match(
        self,
        match_id: str,
        game: str,
        bots: Sequence[str],
        rounds: int,
        time_control: Mapping[str, Any],
        options: Mapping[str, Any],
        tournament_id: str | None = None,
        status: MatchStatus = "pending",
        config: Mapping[str, Any] | None = None,
    ) -> None:
        """Store a new live match, one seat per bot; refuses an id already stored."""
        ...

    async def append_events(self, match_id: str, events: Sequence[EncodedEvent]) -> int:
        """Append events after the last stored one; returns the match's event count."""
        ...

    async def finish_match(
        self, outcome: MatchOutcome, events: Sequence[EncodedEvent], *, rate: bool = False
    ) -> None:
        """Append the last events and write the outcome, in one transaction."""
        ...
