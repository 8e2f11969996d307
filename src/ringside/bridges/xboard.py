"""``ringside bridge xboard``: an XBoard/CECP chess engine (Crafty, Fairy-Max...) as a bot.

What the bridge says to the engine, as cutechess-cli does (protocol version 2):

- at start: ``xboard``, ``protover 2``; each ``feature`` the engine offers is
  answered ``accepted`` (or ``rejected`` when the bridge does not know it),
  until ``feature done=1`` (an engine that says nothing within two seconds is
  taken as a version 1 engine). ``myname`` is the engine's name.
- at each new round: ``new``, ``variant fischerandom`` for Chess960, ``force``,
  ``easy`` (no pondering), ``post`` (thinking output), the clock (``level 0
  MIN[:SS] INC`` for Fischer and byo-yomi's main time, ``st S`` per move) and
  ``setboard FEN`` when the round starts from another position (the engine
  must offer ``setboard=1``);
- at each move: ``force``, the moves the engine has not seen (``usermove
  e2e4`` when it asked for ``usermove=1``, in SAN when it asked for
  ``san=1``), ``time`` and ``otim`` (its own and the opponent's clock, in
  centiseconds) and ``go``; the engine answers ``move X``. When the move's time
  is up the bridge sends ``?`` (move now); if nothing comes within the bridge's
  slack the engine counts as hung (see :mod:`ringside.bridges.engine`);
- after a round: ``result 1-0 {…}``; at exit: ``quit``.

Thinking output (``ply score time nodes pv``) goes with the move as its
``info``: depth, score in centipawns (from the engine's side), mate (±100000+N),
time, nodes and the principal variation in UCI notation. An engine that
``resign``s concedes the game.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import math
import shlex
from collections.abc import Sequence
from typing import Any

import chess

from ringside.bridges.book import Book
from ringside.bridges.engine import (
    EngineBridge,
    EngineCrashed,
    EngineProcess,
    EngineTimeout,
    logger,
)
from ringside.bridges.uci import MAX_PV, STARTPOS, Limits, move_info
from ringside.client import Answer, ClockReading, Crashed, Prepare, Request, RoundResult
from ringside.protocol.messages import ByoYomi, Fischer, PerMove, TimeControl

FEATURE_WAIT = 5.0
"""Seconds an engine may take to start its features; silence means protocol version 1."""
NUDGE = 0.1
"""Seconds of silence after which an empty line is sent while the features are awaited:
GNU Chess 6 writes its output only when it reads input (an empty line is ignored).
Measured on GNU Chess 6.2.9, 12 starts each: nudged every 0.5 s its features came after
0.6 to 14 s (the 5 s wait then took it for protocol 1, nameless); every 0.1 s, after
0.3 to 0.6 s."""
REGREET = 1.0
"""Seconds after which ``xboard`` and ``protover 2`` are sent again to an engine that
talks but offers no feature (it lost them as it started)."""
KNOWN_FEATURES = frozenset(
    {
        "ping", "setboard", "playother", "san", "usermove", "time", "draw", "sigint",
        "sigterm", "reuse", "analyze", "myname", "variants", "colors", "ics", "name",
        "pause", "nps", "debug", "memory", "smp", "done", "exclude", "setscore",
        "highlight", "egt", "option",
    }
)  # fmt: skip
"""Features the bridge answers ``accepted``; any other is ``rejected`` (as the spec asks)."""
MATE = 100_000
"""Thinking output's mate scores: 100000 + N for mate in N moves, -100000 - N mated."""


def parse_features(line: str) -> list[tuple[str, str]]:
    """``feature a=1 b="two words"`` as [(name, value)], quotes removed; [] otherwise."""
    if not line.startswith("feature "):
        return []
    try:
        words = shlex.split(line[len("feature ") :])
    except ValueError:  # an unbalanced quote: keep what splits plainly
        words = line[len("feature ") :].split()
    found = []
    for word in words:
        name, sep, value = word.partition("=")
        if sep and name:
            found.append((name, value))
    return found


def _clock_text(seconds: float) -> str:
    """``level``'s base: minutes, or ``MIN:SS`` when there are spare seconds."""
    whole = max(0, round(seconds))
    minutes, rest = divmod(whole, 60)
    return f"{minutes}:{rest:02d}" if rest else str(minutes)


def _figure(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def level_command(time_control: TimeControl | None) -> str | None:
    """The clock as the engine is told it at a new game (``level`` or ``st``)."""
    if isinstance(time_control, PerMove):
        return f"st {max(1, math.floor(time_control.seconds))}"
    if isinstance(time_control, Fischer):
        return f"level 0 {_clock_text(time_control.base)} {_figure(time_control.increment)}"
    if isinstance(time_control, ByoYomi):  # no byo-yomi in CECP: main time, ``time`` says more
        return f"level 0 {_clock_text(time_control.base + time_control.period)} 0"
    return None


def _cs(seconds: float) -> int:
    return max(1, int(seconds * 100))


def time_commands(clock: ClockReading, seat: int, overhead: float) -> list[str]:
    """``time`` (the engine's clock) and ``otim`` (the opponent's), in centiseconds."""
    own = clock.move_time - overhead
    seats = list(clock.seats)
    other = seats[1 - seat] if len(seats) == 2 and seat in (0, 1) else clock.remaining
    return [f"time {_cs(own)}", f"otim {_cs(other)}"]


def parse_thinking(line: str, board: chess.Board) -> dict[str, Any] | None:
    """``ply score time nodes pv…`` (time in centiseconds) as ``MoveInfo`` fields, the pv
    turned into UCI moves from ``board``; None for any other line. Never raises."""
    words = line.split()
    if len(words) < 4 or not all(w.lstrip("-+").isdigit() for w in words[:4]):
        return None
    depth, score, centis, nodes = (int(w) for w in words[:4])
    found: dict[str, Any] = {"depth": depth, "time": centis / 100.0, "nodes": nodes}
    if score >= MATE:
        found["mate"] = score - MATE
    elif score <= -MATE:
        found["mate"] = -(-score - MATE)
    else:
        found["score"] = score
    pv = []
    position = board.copy(stack=False)
    for word in words[4:]:
        word = word.rstrip("!?")
        if not word or (word[0].isdigit() and word.endswith(".")):  # move numbers: "12." "12..."
            continue
        try:
            move = position.parse_san(word)
        except ValueError:
            break
        pv.append(position.uci(move))
        position.push(move)
        if len(pv) >= MAX_PV:
            break
    if pv:
        found["pv"] = pv
    return found


def game_result(result: RoundResult) -> str:
    """``result 1-0 {…}`` for the engine's log, from the round's scores (seat 0 white)."""
    scores = list(result.scores)
    if len(scores) != 2 or scores[0] == scores[1]:
        return "result 1/2-1/2 {draw}"
    return "result 1-0 {white wins}" if scores[0] > scores[1] else "result 0-1 {black wins}"


class XBoardBridge(EngineBridge):
    label = "XBoard engine"
    quit_line = "quit"

    def __init__(
        self,
        command: Sequence[str],
        *,
        move_overhead: float = 0.05,
        book: Book | None = None,
        limits: Limits | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("games", ["chess"])
        super().__init__(command, **kwargs)
        self.move_overhead = move_overhead
        self.book = book
        self.limits = limits
        """``depth`` is sent as ``sd``, ``movetime`` as ``st``; CECP has no node limit."""
        if limits is not None and limits.nodes is not None:
            raise ValueError("an XBoard engine takes no node limit (use --depth or --movetime)")
        """A polyglot book (``--book``): its moves are played without asking the engine."""
        self.engine_name: str | None = None
        self.features: dict[str, str] = {}
        self.board = chess.Board()
        """The position the engine has been told (the game's start and the moves sent)."""
        self.sent: list[str] = []
        """The round's moves (UCI, the opening's included) the engine has been told."""
        self._ping = 0

    def feature(self, name: str) -> bool:
        return self.features.get(name) == "1"

    async def handshake(self, engine: EngineProcess) -> None:
        self.features = {}
        await engine.send("xboard")
        await engine.send("protover 2")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + FEATURE_WAIT
        greeted = loop.time()
        waiting_for_done = False
        while True:
            try:
                line = await engine.read_line(min(deadline, loop.time() + NUDGE))
            except EngineTimeout:
                if loop.time() < deadline:
                    await engine.send("")  # see NUDGE
                    continue
                if not waiting_for_done:
                    logger.info("%s offered no features: protocol version 1", self.label)
                break
            features = parse_features(line)
            if not features and not self.features and loop.time() - greeted >= REGREET:
                # Talking, but not in XBoard mode: GNU Chess 6 sometimes drops the lines
                # sent as it starts (it then takes each empty line for a move). Again.
                await engine.send("xboard")
                await engine.send("protover 2")
                greeted = loop.time()
            for name, value in features:
                self.features[name] = value
                verdict = "accepted" if name in KNOWN_FEATURES else "rejected"
                await engine.send(f"{verdict} {name}")
                if name == "done":
                    waiting_for_done = value == "0"
                    deadline = loop.time() + (self.init_timeout if waiting_for_done else 0.0)
            if self.features.get("done") == "1":
                break
        self.engine_name = self.features.get("myname") or None
        logger.info("%s is %s", self.label, self.engine_name or "nameless")

    async def new_game(
        self, engine: EngineProcess, prepare: Prepare | None, request: Request
    ) -> None:
        observation = request.observation if isinstance(request.observation, dict) else {}
        chess960 = observation.get("variant") == "chess960"
        start = str(observation.get("start_fen") or STARTPOS)
        await engine.send("new")
        if chess960:
            variants = self.features.get("variants", "").split(",")
            if "fischerandom" not in variants:
                raise EngineCrashed(
                    "cannot play Chess960", f"{self.label} offers variants {variants!r}"
                )
            await engine.send("variant fischerandom")
        await engine.send("force")
        await engine.send("easy")
        await engine.send("post")
        level = level_command(prepare.time_control if prepare is not None else None)
        limits = self.limits
        if limits is not None and limits.movetime is not None:
            level = f"st {max(1, math.floor(limits.movetime))}"
        if level is not None:
            await engine.send(level)
        if limits is not None and limits.depth is not None:
            await engine.send(f"sd {limits.depth}")
        if start != STARTPOS or chess960:
            if not self.feature("setboard"):
                raise EngineCrashed(
                    "cannot start from a set position", f"{self.label} lacks feature setboard=1"
                )
            await engine.send(f"setboard {start}")
        self.board = chess.Board(start, chess960=chess960)
        self.sent = []

    async def _tell(self, engine: EngineProcess, uci: str) -> None:
        """One move the engine has not seen, in the notation it asked for."""
        move = self.board.parse_uci(uci)
        text = self.board.san(move) if self.feature("san") else self.board.xboard(move)
        await engine.send(f"usermove {text}" if self.feature("usermove") else text)
        self.board.push(move)
        self.sent.append(uci)

    async def think(self, engine: EngineProcess, request: Request, prepare: Prepare | None) -> Any:
        if self.book is not None and (booked := self.book.move(request)) is not None:
            return booked
        loop = asyncio.get_running_loop()
        started = loop.time()
        clock = request.clock
        observation = request.observation if isinstance(request.observation, dict) else {}
        moves = [str(m) for m in observation.get("moves") or []]
        if moves[: len(self.sent)] != self.sent:
            raise EngineCrashed("lost track of the game", f"sent {self.sent}, game has {moves}")
        await engine.send("force")
        for uci in moves[len(self.sent) :]:
            await self._tell(engine, uci)
        if self.feature("time") or "time" not in self.features:
            for line in time_commands(clock, request.seat, self.move_overhead):
                await engine.send(line)
        await engine.send("go")
        figures: dict[str, Any] | None = None
        log: collections.deque[str] = collections.deque(maxlen=8)
        lines = self.search_lines(engine, started, clock.move_time, self.move_overhead, "?")
        async with contextlib.aclosing(lines):
            async for line, stopped in lines:
                words = line.split()
                if not words:
                    continue
                if words[0] == "move" or words[:3] == ["My", "move", "is"]:
                    text = words[-1]
                    try:
                        move = self.board.parse_san(text)  # SAN, or coordinates (e2e4, O-O)
                    except ValueError:
                        raise EngineCrashed(
                            f"illegal move {text[:12]}",
                            f"{self.label} sent {line!r} in {self.board.fen()}",
                        ) from None
                    uci = self.board.uci(move)
                    self.board.push(move)
                    self.sent.append(uci)
                    if stopped:
                        logger.warning("%s moved only after '?' (%s)", self.label, uci)
                    info = move_info(figures, log)
                    return uci if info is None else Answer(uci, info)
                if words[0] == "resign":
                    raise Crashed(f"{self.noun} resigned ({line[:60]})")
                if words[0] in ("Illegal", "Error") or line.startswith("Error"):
                    raise EngineCrashed(
                        f"refused a move: {line[:40]}", f"{self.label} sent {line!r}"
                    )
                if words[0] in ("telluser", "tellusererror", "tellall", "tellothers", "tellics"):
                    log.append(line.split(None, 1)[1] if len(words) > 1 else "")
                    continue
                found = parse_thinking(line, self.board)
                if found is not None:
                    figures = found
        raise AssertionError("search_lines ends only by raising")  # pragma: no cover

    async def recover(self, engine: EngineProcess) -> bool:
        """An interrupted search: ``force``, then ``ping``/``pong`` past any late move."""
        if not self.feature("ping"):
            return False
        self._ping += 1
        try:
            await engine.send("force")
            await engine.send(f"ping {self._ping}")
            deadline = asyncio.get_running_loop().time() + 2.0
            while (await engine.read_line(deadline)).split() != ["pong", str(self._ping)]:
                pass
        except EngineTimeout:
            return False
        self.game = None  # a late move may have reached the engine's board: start over
        return True

    def on_round_result(self, result: RoundResult) -> None:
        if self.game == (result.match, result.round) and self.engine is not None:
            engine = self.engine
            self._in_background(self._send_quietly(engine, game_result(result)))
        super().on_round_result(result)

    async def _send_quietly(self, engine: EngineProcess, line: str) -> None:
        async with self._lock:
            if engine is self.engine and engine.running:
                with contextlib.suppress(EngineCrashed):
                    await engine.send(line)
