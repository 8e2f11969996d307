"""What the services refuse, as domain errors: a stable code and a sentence for a person.

The services (matches, tournaments, the ladder) raise these and know no HTTP
status; only the HTTP layer (``api.errors_middleware``) maps each kind to one.
A caller that retries later (the ladder, a tournament) catches the kinds it
can wait out instead of comparing code strings.
"""

from __future__ import annotations

__all__ = [
    "BotUnavailable",
    "GameNotFound",
    "InvalidRequest",
    "Refused",
    "ShuttingDown",
    "Unavailable",
]


class Refused(Exception):
    """A request a service will not carry out."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ShuttingDown(Refused):
    """The server is stopping: nothing new starts."""

    def __init__(self) -> None:
        super().__init__("shutting_down", "the server is shutting down")


class Unavailable(Refused):
    """A part the service needs is away for now (the cluster's Redis): try again later."""


class GameNotFound(Refused):
    """No game of that name in the catalogue."""


class InvalidRequest(Refused):
    """The request itself is wrong (a field, a rule of the game or of the format)."""


class BotUnavailable(Refused):
    """A bot cannot play it now: offline, busy, of another game, or unknown."""
