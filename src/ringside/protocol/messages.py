"""Wire protocol v1: every message a bot, the server or a spectator exchanges.

One JSON object per WebSocket text frame or per TCP line, with a ``type``
field naming the message. Messages that expect an answer carry an ``id`` that
the answer repeats, so a late answer is recognised and dropped.
"""

from __future__ import annotations

import typing
from typing import Annotated, Any, Literal

import msgspec

PROTOCOL_VERSION = 1
MAX_MESSAGE_BYTES = 64 * 1024
MAX_INFO_BYTES = 4 * 1024
"""Longest ``info`` of an action, encoded as the ``move`` event carries it."""

JSON = Any


class Message(msgspec.Struct, tag_field="type", omit_defaults=True, forbid_unknown_fields=False):
    """Base of every message; the tag is the ``type`` field."""


# --- time controls -----------------------------------------------------------


class PerMove(msgspec.Struct, tag_field="type", tag="per_move", frozen=True):
    """A fixed budget for every move; unused time is not kept."""

    seconds: float = 10.0


class Fischer(msgspec.Struct, tag_field="type", tag="fischer", frozen=True):
    """A base budget for the round plus an increment added after each move."""

    base: float = 60.0
    increment: float = 1.0


class ByoYomi(msgspec.Struct, tag_field="type", tag="byoyomi", frozen=True):
    """A base budget, then ``periods`` periods of ``period`` seconds each.

    A move finished within a period keeps that period; overrunning it uses it up.
    """

    base: float = 60.0
    periods: int = 3
    period: float = 10.0


TimeControl = PerMove | Fischer | ByoYomi


class ClockReading(msgspec.Struct, frozen=True):
    """What a bot is told of its clock in every request (seconds)."""

    remaining: float
    """Main time left (per-move: the whole budget of this move)."""
    move_time: float
    """Time this move may take before the bot flags: main time plus what periods add."""
    increment: float = 0.0
    periods: int = 0
    period: float = 0.0
    seats: list[float] = []
    """Main time left for every seat of the round, by seat (for engines' wtime/btime)."""


# --- results -----------------------------------------------------------------

VerdictCode = Literal[
    "timeout",
    "illegal_action",
    "disconnected",
    "protocol_error",
    "not_ready",
    "adjudicated",
    "crashed",
]


IgnoredCode = Literal["unexpected_message", "late_answer"]
"""Errors about a message that was read and then ignored: they never cost a verdict.
``unexpected_message``: before hello, a second hello, an answer to no open request, the
wrong kind of answer, a match the bot is not playing; ``late_answer``: its request closed."""
IGNORED_CODES: tuple[IgnoredCode, ...] = typing.get_args(IgnoredCode)


class Verdict(msgspec.Struct, frozen=True):
    """Why a bot lost a round or a match other than by the rules of the game, or why
    the referee ended a round early (``adjudicated``)."""

    code: VerdictCode
    player: int | None
    """None only for an ``adjudicated`` round that no one lost (a draw)."""
    bot: str | None
    seat: int | None
    message: str


class RoundScore(msgspec.Struct, frozen=True):
    round: int
    players: list[int]
    """Player index sitting at each seat in this round."""
    scores: list[float]
    """Score of each seat."""
    verdicts: list[Verdict] = []


# --- what a bot says of its move ----------------------------------------------

_Count = Annotated[int, msgspec.Meta(ge=0)]


class MoveInfo(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True, gc=False
):
    """What a bot says of its move, for its author and the watchers: an engine's
    search figures (as UCI's ``info`` lines give them) and a line of its log.

    Every key is optional; an unknown key is refused, so that a typo is noticed.
    """

    score: float | None = None
    """Centipawns from the mover's side in chess, or the game's own units."""
    mate: int | None = None
    """Moves to mate; negative when being mated."""
    depth: _Count | None = None
    seldepth: _Count | None = None
    nodes: _Count | None = None
    nps: _Count | None = None
    time: Annotated[float, msgspec.Meta(ge=0)] | None = None
    """Seconds the engine reports having searched."""
    pv: list[str] | None = None
    """The expected line, moves in the game's notation."""
    log: str | None = None


Info = str | MoveInfo
"""An action's ``info``: free text (a log line) or search figures."""

_INFO_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string"},
        {
            "type": "object",
            "title": "MoveInfo",
            "properties": {
                "score": {"type": "number"},
                "mate": {"type": "integer"},
                "depth": {"type": "integer", "minimum": 0},
                "seldepth": {"type": "integer", "minimum": 0},
                "nodes": {"type": "integer", "minimum": 0},
                "nps": {"type": "integer", "minimum": 0},
                "time": {"type": "number", "minimum": 0},
                "pv": {"type": "array", "items": {"type": "string"}},
                "log": {"type": "string"},
            },
            "additionalProperties": False,
        },
        {"type": "null"},
    ],
    "description": (
        "Optional: what the bot says of its move, free text or search figures, "
        f"at most {MAX_INFO_BYTES} bytes encoded. A bad info is dropped with a "
        "non-fatal error; the action is played all the same."
    ),
}
"""The schema of ``Action.info``: the field is read as any JSON, so that a bad info
costs the bot its info and not its move, and checked afterwards (``codec.check_info``)."""


# --- bot -> server -----------------------------------------------------------


class Hello(Message, tag="hello"):
    name: str
    token: str | None = None
    games: list[str] | None = None
    """Games this bot plays; null means every game."""
    max_matches: int = 1
    """How many matches this bot plays at once."""
    protocol: int = PROTOCOL_VERSION
    engine: str | None = None
    """The program behind the bot, as it names itself (a bridge sends UCI's ``id name``,
    GTP's ``name`` and ``version``); PGN exports name it. Informative only."""


class Ready(Message, tag="ready"):
    match: str
    id: int


class Action(Message, tag="action"):
    match: str
    id: int
    action: JSON
    info: Annotated[JSON, msgspec.Meta(extra_json_schema=_INFO_SCHEMA)] = None
    """A ``str`` or a ``MoveInfo`` (or its fields as a dict); the referee checks it."""


class Ok(Message, tag="ok"):
    match: str
    id: int


class Concede(Message, tag="concede"):
    """The bot gives up its game in ``match`` at once, whether or not it is its turn.

    ``crashed``: its program failed (an engine died or answered garbage), so the
    round is lost with a ``crashed`` verdict (the match too, unless ``forfeit`` is
    ``"round"``). ``leaving``: the bot is stopping (a bridge got SIGTERM) and plays
    no more of this match: a ``disconnected`` verdict, given now rather than after
    the reconnection grace. ``round`` (0: the current one) keeps a concession sent
    just as a round ended from costing the next round.
    """

    match: str
    reason: str
    cause: Literal["crashed", "leaving"] = "crashed"
    round: int = 0


class Pong(Message, tag="pong"):
    id: int = 0


BotMessage = Hello | Ready | Action | Ok | Concede | Pong


# --- server -> bot -----------------------------------------------------------


class Welcome(Message, tag="welcome"):
    bot_id: str
    name: str
    protocol: int
    """The protocol version the server speaks (always sent)."""
    guest: bool = False


class Prepare(Message, tag="prepare"):
    """Are you ready? Answer ``ready`` with the same match and id."""

    match: str
    id: int
    game: str
    seat: int
    players: int
    round: int
    rounds: int
    time_control: TimeControl
    """Your own clock."""
    options: dict[str, JSON] = {}
    time_controls: list[TimeControl] = []
    """Every seat's clock, by seat, when the bots play under different ones (time
    odds); empty when all play under ``time_control``."""


class Request(Message, tag="request"):
    """Your move: answer ``action`` with the same match and id."""

    match: str
    id: int
    round: int
    seat: int
    observation: JSON
    legal_actions: list[JSON] | None
    clock: ClockReading


class RoundEnd(Message, tag="round_end"):
    """The round is over; answer ``ok`` with the same match and id."""

    match: str
    id: int
    round: int


class RoundResult(Message, tag="round_result"):
    match: str
    round: int
    players: list[int]
    bots: list[str]
    """Bot name at each seat."""
    scores: list[float]
    """Score of each seat."""
    verdicts: list[Verdict] = []
    view: JSON = None


class MatchResult(Message, tag="match_result"):
    match: str
    game: str
    status: Literal["finished", "aborted"]
    bots: list[str]
    rounds: list[RoundScore]
    scores: list[float]
    """Total score of each player (index into ``bots``)."""
    winner: str | None
    verdict: Verdict | None = None
    reason: str | None = None


class Error(Message, tag="error"):
    """A problem, told to the bot's author in ``message``.

    ``code`` is stable. A message that could not be read (``malformed_json``,
    ``unknown_type``, ``invalid_field``, ``wrong_direction``, ``too_large``) costs a
    ``protocol_error`` verdict when the bot owes an answer in a match; one read but
    not expected (``unexpected_message``, ``late_answer``) is ignored and costs
    nothing. A bad ``info`` of an action (``invalid_field`` or ``too_large`` naming
    ``action.info``) costs nothing either: the action is played without it. Verdicts
    and refused hellos have codes of their own; new codes may come.
    """

    code: str
    message: str
    match: str | None = None
    fatal: bool = False


class Ping(Message, tag="ping"):
    id: int = 0


ServerMessage = Welcome | Prepare | Request | RoundEnd | RoundResult | MatchResult | Error | Ping


# --- spectator events (also the stored event log of a match) ----------------


class MatchStarted(Message, tag="match_started"):
    match: str
    game: str
    bots: list[str]
    rounds: int
    time_control: TimeControl
    options: dict[str, JSON] = {}
    engines: list[str | None] = []
    """The program behind each bot as its ``hello`` named it (``engine``), by player;
    empty when none did. PGN exports write it as ``WhiteEngine``/``BlackEngine``."""
    time_controls: list[TimeControl] = []
    """Each bot's time control, by player, when they differ (time odds); empty when
    every bot plays under ``time_control``."""


class RoundStarted(Message, tag="round_started"):
    match: str
    round: int
    players: list[int]
    bots: list[str]
    """Bot name at each seat."""
    view: JSON = None
    clocks: list[float] = []


class Move(Message, tag="move"):
    match: str
    round: int
    ply: int
    seat: int
    bot: str
    action: JSON
    elapsed: float
    """Seconds the bot took."""
    view: JSON = None
    clocks: list[float] = []
    """Main time left per seat after the move."""
    info: Info | None = None
    """What the bot said of its move; in a game with hidden information it is
    sealed (``SealedMove``), never shown with the public move."""


class Forfeit(Message, tag="forfeit"):
    """A verdict given during a round, before its result."""

    match: str
    round: int
    verdict: Verdict


class SeatDropped(Message, tag="seat_dropped"):
    """A bot's connection dropped during the match: it has ``grace_seconds`` to come back
    before a ``disconnected`` verdict (its clock, if running, runs on meanwhile)."""

    match: str
    round: int
    player: int
    bot: str
    grace_seconds: float
    seat: int | None = None
    """Its seat in the current round (none before the first round is prepared)."""
    clocks: list[float] = []
    """Main time left per seat when it dropped."""


class SeatBack(Message, tag="seat_back"):
    """A bot that dropped came back within its grace: the match goes on."""

    match: str
    round: int
    player: int
    bot: str
    seat: int | None = None


MatchEvent = (
    MatchStarted
    | RoundStarted
    | Move
    | Forfeit
    | RoundResult
    | MatchResult
    | SeatDropped
    | SeatBack
)


class SealedMove(Message, tag="sealed_move"):
    """The real action of a move whose ``move`` event hides it (a game with hidden
    information), and the bot's ``info`` on it. Kept in the store so that an interrupted
    match can be rebuilt; never sent to a bot or a watcher, and left out of every stored
    match the API shows."""

    match: str
    round: int
    ply: int
    seat: int
    action: JSON
    info: Info | None = None


# --- lobby (spectator stream) -------------------------------------------------


class BotInfo(msgspec.Struct, frozen=True):
    name: str
    games: list[str] | None
    status: Literal["idle", "playing"]
    matches: list[str]
    max_matches: int = 1
    guest: bool = False
    transport: str = "websocket"


class MatchInfo(msgspec.Struct, frozen=True):
    id: str
    game: str
    bots: list[str]
    status: str
    round: int = 0
    rounds: int = 1
    tournament: str | None = None
    """The tournament this match is a game of, if any."""


class Lobby(Message, tag="lobby"):
    """The snapshot a spectator gets first: who is online, what is being played."""

    bots: list[BotInfo]
    matches: list[MatchInfo]


class BotJoined(Message, tag="bot_joined"):
    bot: BotInfo


class BotLeft(Message, tag="bot_left"):
    name: str


class BotStatus(Message, tag="bot_status"):
    bot: BotInfo


class MatchListed(Message, tag="match_listed"):
    """A match started or ended: the lobby's list of running matches changed."""

    match: MatchInfo


class MatchSnapshot(Message, tag="snapshot"):
    """Every event of a match so far, sent to a spectator that starts watching it."""

    match: str
    events: list[JSON]


class Watch(Message, tag="watch"):
    """Spectator to server: send me this match's snapshot and then its events."""

    match: str


class Unwatch(Message, tag="unwatch"):
    match: str


class TournamentUpdate(Message, tag="tournament"):
    """A tournament changed: a game ended, a round was paired, or it finished.

    Sent on the lobby stream to every spectator; ``GET /api/tournaments/{id}``
    has the same standings plus the cross table and the game list.
    """

    tournament: str
    name: str | None
    game: str
    format: str
    """round-robin, gauntlet or swiss."""
    status: str
    """running, finished or cancelled."""
    played: int
    """Games counted so far (played or forfeited)."""
    total: int
    """Games planned, as far as known now."""
    standings: list[JSON] = []
    """Rows best first: rank, bot, points, games, wins, draws, losses, byes, forfeits."""
    sprt: JSON = None
    """For an SPRT: llr, lower, upper, verdict (H0, H1 or null), elo, elo_low, elo_high."""


LobbyEvent = Lobby | BotJoined | BotLeft | BotStatus | MatchListed | TournamentUpdate
SpectatorMessage = Watch | Unwatch


def type_of(message: msgspec.Struct) -> str:
    """The ``type`` tag a message carries on the wire."""
    return str(message.__struct_config__.tag)
