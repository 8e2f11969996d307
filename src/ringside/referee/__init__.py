"""The referee: a match as a sans-I/O state machine, with its clocks."""

from ringside.referee.clock import Clock, InvalidTimeControl
from ringside.referee.config import MatchConfig
from ringside.referee.match import (
    ArmTimer,
    CancelTimer,
    Match,
    MatchConfigError,
    Output,
    Publish,
    Send,
)

__all__ = [
    "ArmTimer",
    "CancelTimer",
    "Clock",
    "InvalidTimeControl",
    "Match",
    "MatchConfig",
    "MatchConfigError",
    "Output",
    "Publish",
    "Send",
]
