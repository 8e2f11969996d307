"""PGN and SGF from a match's stored events: chess and Go records for the tools people use.

A match's event log is the whole truth of a match (see docs/architecture.md,
"One event list"), so an export is a pure function of those events: the
start position comes from the first view of each round, the moves from the
``move`` events, the players from ``round_started`` and the result and any
verdict from ``forfeit`` and ``round_result``. No game is re-run; the chess
moves are still replayed through python-chess, which writes the SAN of PGN.

Each round is one game: a chess match gives several PGN games one after
another, a Go match an SGF collection. ``round`` picks a single one. Nothing
here does I/O: the HTTP route and ``ringside export`` fetch the events.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import msgspec

from ringside import __version__
from ringside.games.go import RULES as GO_RULES
from ringside.games.go import RULES_TEXT as GO_RULES_TEXT
from ringside.protocol.messages import (
    ByoYomi,
    Fischer,
    Forfeit,
    Info,
    MatchEvent,
    MatchStarted,
    Move,
    PerMove,
    RoundResult,
    RoundStarted,
    TimeControl,
    Verdict,
)

Format = Literal["pgn", "sgf"]
FORMAT_GAMES: dict[str, str] = {"pgn": "chess", "sgf": "go"}
"""The game each format records."""
LETTERS = "ABCDEFGHJKLMNOPQRST"  # GTP columns, as in ringside.games.go
SITE = "Ringside"
"""PGN's Site, the same from the HTTP route and ``ringside export``: the host a request
named would differ with the address used to reach the server (as cutechess and
fastchess write one fixed ``-site``)."""


class ExportError(ValueError):
    """An export that cannot be made: ``code`` is ``wrong_game``, ``no_round`` or ``unavailable``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class RoundLog:
    """One round's events, sorted out of the match's log."""

    number: int
    started: RoundStarted | None = None
    moves: list[Move] = field(default_factory=list)
    forfeits: list[Verdict] = field(default_factory=list)
    result: RoundResult | None = None


@dataclass
class MatchLog:
    started: MatchStarted
    rounds: list[RoundLog]


def read_events(events: Iterable[Mapping[str, Any]]) -> MatchLog:
    """Sort stored events (plain JSON objects) into rounds; unknown events are skipped."""
    started: MatchStarted | None = None
    rounds: dict[int, RoundLog] = {}
    for raw in events:
        try:
            event: Any = msgspec.convert(raw, MatchEvent)
        except msgspec.ValidationError:
            continue  # an event type added later, or none of a match's
        if isinstance(event, MatchStarted):
            started = event
            continue
        if not isinstance(event, (RoundStarted, Move, Forfeit, RoundResult)):
            continue  # a bot dropping or coming back, the match's result: no round of its own
        log = rounds.setdefault(event.round, RoundLog(event.round))
        if isinstance(event, RoundStarted):
            log.started = event
        elif isinstance(event, Move):
            log.moves.append(event)
        elif isinstance(event, Forfeit):
            log.forfeits.append(event.verdict)
        elif isinstance(event, RoundResult):
            log.result = event
    if started is None:
        raise ExportError("no_round", "the events hold no match_started event")
    return MatchLog(started, [rounds[n] for n in sorted(rounds)])


def export(
    fmt: Format,
    events: Iterable[Mapping[str, Any]],
    *,
    started_at: datetime | None = None,
    round: int | None = None,
    site: str = SITE,
) -> str:
    """The match as PGN (chess) or SGF (Go); ``round`` picks one round, else all of them."""
    log = read_events(events)
    wanted = FORMAT_GAMES[fmt]
    if log.started.game != wanted:
        raise ExportError(
            "wrong_game",
            f"match {log.started.match} is {log.started.game}; {fmt.upper()} is for {wanted}",
        )
    rounds = log.rounds if round is None else [r for r in log.rounds if r.number == round]
    if round is not None and not rounds:
        raise ExportError("no_round", f"match {log.started.match} has no round {round}")
    if fmt == "pgn":
        return "".join(pgn_game(log.started, r, started_at, site) for r in rounds)
    return "".join(sgf_game(log.started, r, started_at) for r in rounds)


# --- shared ---------------------------------------------------------------------------------


def seat_names(log: RoundLog) -> tuple[str, str]:
    """The bots at seats 0 and 1 (white and black, black and white), "?" when unknown."""
    names: list[str] = ["?", "?"]
    if log.started is not None:
        names = [*log.started.bots, *names]
    elif log.result is not None:
        names = [*log.result.bots, *names]
    return names[0], names[1]


def verdict_of(log: RoundLog) -> Verdict | None:
    if log.result is not None and log.result.verdicts:
        return log.result.verdicts[0]
    return log.forfeits[0] if log.forfeits else None


def winner_seat(log: RoundLog) -> int | Literal["draw"] | None:
    """0 or 1 for a decided round, "draw", or None while the round has no result."""
    if log.result is None or len(log.result.scores) != 2:
        return None
    first, second = log.result.scores
    if first == second:
        return "draw"
    return 0 if first > second else 1


def _view(value: Any) -> dict[str, Any]:
    """A view as a dict ({} when a round has none, e.g. it never started)."""
    return value if isinstance(value, dict) else {}


def _seconds(value: float) -> str:
    return f"{value:g}" if not value.is_integer() else str(int(value))


def info_text(info: Info | None, *, pawns: bool = False) -> str:
    """A move's info as engines' PGN comments write it: ``+0.34/18 0.51s``, ``#-3/20``,
    then the log text; ``pawns`` turns a centipawn score into pawns. Empty for none."""
    if info is None:
        return ""
    if isinstance(info, str):
        return _plain(info)
    head = ""
    if info.mate is not None:
        head = f"#{info.mate}"
    elif info.score is not None and math.isfinite(info.score):
        head = f"{info.score / 100:+.2f}" if pawns else f"{info.score:+g}"
    if info.depth is not None:
        head = f"{head}/{info.depth}" if head else f"depth {info.depth}"
    parts = [head] if head else []
    if info.time is not None and math.isfinite(info.time):
        parts.append(f"{round(info.time, 2):g}s")
    if info.log:
        parts.append(_plain(info.log))
    return " ".join(parts)


def _plain(text: str) -> str:
    """Text safe inside a PGN comment: one line, no brace, nothing read as a ``[%`` command."""
    text = " ".join(text.split())
    return text.replace("{", "(").replace("}", ")").replace("[%", "[ %")


# --- PGN ---------------------------------------------------------------------------------------

TERMINATIONS = {
    "adjudicated": "adjudication",
    "timeout": "time forfeit",
    "disconnected": "abandoned",
    "crashed": "abandoned",
    "illegal_action": "rules infraction",
    "protocol_error": "rules infraction",
    "not_ready": "rules infraction",
}


def pgn_time_control(tc: TimeControl) -> str:
    """PGN's TimeControl tag (standard, section 9.6.1), whose fields are whole seconds.

    Fischer is the "incremental" kind, ``60+1``. A per-move budget is the
    "moves/seconds" kind with a period of one move, ``1/10``: the last period
    repeats for the rest of the game. A budget that is no whole number of seconds
    (0.5 s), and byo-yomi, have no form in the standard: ``?`` ("unknown"), and
    ``pgn_game`` says the real clock in the game's first comment.
    """
    if isinstance(tc, Fischer) and tc.base.is_integer() and tc.increment.is_integer():
        return f"{int(tc.base)}+{int(tc.increment)}"
    if isinstance(tc, PerMove) and tc.seconds.is_integer():
        return f"1/{int(tc.seconds)}"
    return "?"


def clock_text(tc: TimeControl) -> str:
    """The clock in words, for a TimeControl tag that cannot say it."""
    if isinstance(tc, Fischer):
        return f"time control {_seconds(tc.base)} s + {_seconds(tc.increment)} s per move"
    if isinstance(tc, PerMove):
        return f"time control {_seconds(tc.seconds)} s per move"
    return f"time control byo-yomi {_seconds(tc.base)} s + {tc.periods} x {_seconds(tc.period)} s"


def _clock(seconds: float) -> float:
    return max(0.0, seconds) if math.isfinite(seconds) else 0.0


def pgn_game(
    match: MatchStarted, log: RoundLog, started_at: datetime | None, site: str = SITE
) -> str:
    """One round as a PGN game, replayed through python-chess from the round's start."""
    try:
        import chess
        import chess.pgn
    except ImportError:
        raise ExportError(
            "unavailable", "PGN export needs python-chess: pip install 'ringside[engines]'"
        ) from None
    view = _view(log.started.view if log.started is not None else None)
    start_fen = view.get("start_fen") or match.options.get("fen") or chess.STARTING_FEN
    game = chess.pgn.Game()
    chess960 = view.get("variant") == "chess960" or match.options.get("variant") == "chess960"
    board = chess.Board(start_fen, chess960=chess960)
    if start_fen != chess.STARTING_FEN or chess960:
        game.setup(board)
    white, black = seat_names(log)
    winner = winner_seat(log)
    result = {None: "*", "draw": "1/2-1/2", 0: "1-0", 1: "0-1"}[winner]
    verdict = verdict_of(log)
    game.headers.update(
        {
            "Event": f"Ringside match {match.match}",
            "Site": site,
            "Date": started_at.strftime("%Y.%m.%d") if started_at else "????.??.??",
            "Round": str(log.number),
            "White": white,
            "Black": black,
            "Result": result,
            "TimeControl": pgn_time_control(match.time_control),
            "Termination": (
                "unterminated"
                if winner is None
                else TERMINATIONS.get(verdict.code, "rules infraction")
                if verdict
                else "normal"
            ),
            "Annotator": f"Ringside {__version__}",
        }
    )
    engines = dict(zip(match.bots, match.engines, strict=False))
    for colour, name in (("White", white), ("Black", black)):
        if engines.get(name):
            game.headers[f"{colour}Engine"] = str(engines[name])
    if match.time_controls:  # time odds: one tag per side, as cutechess-cli writes them
        del game.headers["TimeControl"]
        controls = dict(zip(match.bots, match.time_controls, strict=False))
        words = []
        for colour, name in (("White", white), ("Black", black)):
            tc = controls.get(name, match.time_control)
            game.headers[f"{colour}TimeControl"] = pgn_time_control(tc)
            words.append(f"{colour.lower()} {clock_text(tc)}")
        if "?" in (game.headers["WhiteTimeControl"], game.headers["BlackTimeControl"]):
            game.comment = "; ".join(words)
    elif game.headers["TimeControl"] == "?":
        game.comment = clock_text(match.time_control)
    node: chess.pgn.GameNode = game
    for uci in view.get("opening") or []:
        move = chess.Move.from_uci(uci)
        node = node.add_variation(move, comment="book")
        board.push(move)
    for event in log.moves:
        move = chess.Move.from_uci(str(event.action))
        node = node.add_variation(move, comment=info_text(event.info, pawns=True))
        board.push(move)
        if event.seat < len(event.clocks):
            node.set_clock(_clock(event.clocks[event.seat]))
        node.set_emt(_clock(event.elapsed))
    if verdict is not None and verdict.code == "adjudicated":
        node.comment = f"{node.comment} {verdict.message}"
    elif verdict is not None:
        seat = verdict.seat
        colour = ("White", "Black")[seat] if seat in (0, 1) else verdict.bot or "a bot"
        node.comment = f"{node.comment} {colour} forfeits: {verdict.code}: {verdict.message}"
    exporter = chess.pgn.StringExporter(headers=True, variations=False, comments=True)
    return f"{game.accept(exporter)}\n\n"


# --- SGF ----------------------------------------------------------------------------------------


def sgf_text(value: str) -> str:
    """Escape a SimpleText/Text value: ``]``, ``\\`` and ``:`` in composed values."""
    return value.replace("\\", "\\\\").replace("]", "\\]")


def sgf_point(vertex: str, size: int) -> str:
    """GTP ``D4`` to SGF ``dg`` on 9x9 (SGF counts columns from the left, rows from the top)."""
    column = LETTERS.index(vertex[0])
    row = int(vertex[1:])
    return chr(ord("a") + column) + chr(ord("a") + size - row)


def sgf_result(log: RoundLog, view: Mapping[str, Any]) -> str:
    winner = winner_seat(log)
    if winner is None:
        return "?" if log.result is None else "Void"
    if winner == "draw":
        return "0"
    verdict = verdict_of(log)
    colour = "BW"[winner]
    if verdict is not None and verdict.code == "adjudicated":
        return f"{colour}+R" if verdict.message.startswith("resign") else f"{colour}+"
    if verdict is not None:
        return f"{colour}+{'T' if verdict.code == 'timeout' else 'F'}"
    result = view.get("result")
    return str(result) if isinstance(result, str) and result else f"{colour}+"


def sgf_times(tc: TimeControl) -> dict[str, str]:
    if isinstance(tc, Fischer):
        return {"TM": _seconds(tc.base), "OT": f"fischer +{_seconds(tc.increment)} s per move"}
    if isinstance(tc, ByoYomi):
        return {"TM": _seconds(tc.base), "OT": f"{tc.periods}x{_seconds(tc.period)} byo-yomi"}
    return {"TM": "0", "OT": f"{_seconds(tc.seconds)} s per move"}


def sgf_game(match: MatchStarted, log: RoundLog, started_at: datetime | None) -> str:
    """One round as an SGF game tree (FF[4]); passes are empty moves, resignation is in RE."""
    first = _view(log.started.view if log.started is not None else None)
    last = _view(log.result.view if log.result is not None else None) or (
        _view(log.moves[-1].view) if log.moves else first
    )
    size = int(first.get("size") or match.options.get("size") or 9)
    komi_value = first.get("komi", match.options.get("komi"))
    komi = 7.5 if komi_value is None else float(komi_value)
    black, white = seat_names(log)
    root: dict[str, str] = {
        "GM": "1",
        "FF": "4",
        "CA": "UTF-8",
        "AP": f"Ringside:{__version__}",
        "SZ": str(size),
        "KM": f"{komi:g}",
        "RU": GO_RULES,
        "PB": black,
        "PW": white,
        "EV": f"Ringside match {match.match}",
        "RO": str(log.number),
        "RE": sgf_result(log, last),
        **sgf_times(match.time_control),
    }
    if started_at is not None:
        root["DT"] = started_at.strftime("%Y-%m-%d")
    handicap = [str(v) for v in first.get("handicap") or ()]
    if handicap:
        root["HA"] = str(len(handicap))
    verdict = verdict_of(log)
    comment = f"Rules: {GO_RULES_TEXT}."
    if verdict is not None and verdict.code == "adjudicated":
        comment += f" {verdict.message}"
    elif verdict is not None:
        comment += f" {verdict.bot} forfeits: {verdict.code}: {verdict.message}"
    root["GC"] = comment
    parts = ["(;", *(f"{key}[{sgf_text(value)}]" for key, value in root.items())]
    if handicap:
        parts.append("AB" + "".join(f"[{sgf_point(v, size)}]" for v in handicap))
    for index, vertex in enumerate(str(v) for v in first.get("opening") or ()):
        colour = "BW"[(index + (1 if handicap else 0)) % 2]
        point = "" if vertex == "pass" else sgf_point(vertex, size)
        parts.append(f"\n;{colour}[{point}]C[opening]")
    for event in log.moves:
        colour = "BW"[event.seat] if event.seat in (0, 1) else "B"
        action = str(event.action)
        if action == "resign":
            continue
        point = "" if action == "pass" else sgf_point(action, size)
        node = f"\n;{colour}[{point}]"
        if event.seat < len(event.clocks):
            node += f"{colour}L[{_clock(event.clocks[event.seat]):.3f}]"
        comment = info_text(event.info)
        if comment:
            node += f"C[{sgf_text(comment)}]"
        parts.append(node)
    parts.append(")\n")
    return "".join(parts)


def default_format(game: str) -> Format | None:
    """The record format of ``game``, or None when it has none (then export JSON)."""
    for fmt, name in FORMAT_GAMES.items():
        if name == game:
            return fmt  # type: ignore[return-value]
    return None
