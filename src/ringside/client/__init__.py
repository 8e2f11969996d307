"""The client SDK: write a bot in a few lines and play it on a Ringside server.

Subclass :class:`Bot`, implement ``act(observation, legal_actions, clock)``
(returning the action, or ``Answer(action, info)`` to say something of it)
and call ``run(url)`` with ``ws://HOST:PORT/ws/bot`` or ``tcp://HOST:PORT``.
:func:`connect` gives the lower level: a :class:`Channel` of whole messages.
"""

from ringside.client.bot import Answer, Backoff, Bot, BotRefused, Crashed
from ringside.client.transport import Channel, ConnectFailed, ConnectionClosed, connect
from ringside.protocol.messages import (
    ClockReading,
    Error,
    MatchResult,
    MoveInfo,
    Prepare,
    Request,
    RoundResult,
    Welcome,
)

__all__ = [
    "Answer",
    "Backoff",
    "Bot",
    "BotRefused",
    "Channel",
    "ClockReading",
    "ConnectFailed",
    "ConnectionClosed",
    "Crashed",
    "Error",
    "MatchResult",
    "MoveInfo",
    "Prepare",
    "Request",
    "RoundResult",
    "Welcome",
    "connect",
]
