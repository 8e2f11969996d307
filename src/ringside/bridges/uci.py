"""``ringside bridge uci``: a UCI chess engine (Stockfish, GNU Chess...) as a Ringside bot.

What the bridge says to the engine, in the order cutechess-cli and
lichess-bot use:

- at start: ``uci`` (waits for ``uciok``, noting the engine's name and
  options), ``setoption name N value V`` for each ``--option N=V``, then
  ``isready`` / ``readyok``;
- at each new round: ``ucinewgame``, ``isready``;
- at each move: ``position startpos moves ...`` (or ``position fen F moves
  ...`` from a set start position; the moves include the opening's) and
  ``go`` with the real clock: ``wtime``/``btime`` (every seat's main time
  from the request) and ``winc``/``binc`` for a Fischer clock, ``movetime``
  for a per-move budget, and for byo-yomi the main time plus one period, or
  ``movetime`` of one period once the main time is spent. ``move_overhead``
  seconds are kept back for the network;
- when the move's time is up without ``bestmove``: ``stop``; if nothing comes
  within the bridge's slack either, the engine counts as hung (see
  :mod:`ringside.bridges.engine`);
- at exit: ``quit``.

The engine's last ``info`` line with a score (of the main line, with MultiPV) goes
with the move as its ``info``: score (centipawns, from the engine's side), mate,
depth, seldepth, nodes, nps, time and the first moves of the pv; ``info string``
lines become its log.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ringside.bridges.engine import (
    EngineBridge,
    EngineCrashed,
    EngineProcess,
    EngineTimeout,
    logger,
)
from ringside.client import Answer, ClockReading, Prepare, Request
from ringside.protocol.messages import ByoYomi, Fischer, MoveInfo, PerMove, TimeControl

if TYPE_CHECKING:
    from ringside.bridges.book import Book

STARTPOS = "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1"
MIN_MS = 10
MAX_PV = 16
"""Moves of the principal variation sent with a move (the info is capped at 4 KiB)."""
MAX_LOG = 512
"""Characters of ``info string`` text sent with a move."""
_COUNTS = {"depth", "seldepth", "nodes", "nps"}
_INFO_WORDS = {
    *_COUNTS, "time", "pv", "multipv", "score", "currmove", "currmovenumber", "hashfull",
    "tbhits", "sbhits", "cpuload", "string", "refutation", "currline",
}  # fmt: skip
"""The words of UCI's ``info`` command: each ends the value of the one before."""


def parse_options(pairs: Sequence[str]) -> list[tuple[str, str]]:
    """``Name=Value`` pairs (a name may contain spaces: ``Move Overhead=100``)."""
    options = []
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"bad engine option {pair!r}; use --option NAME=VALUE")
        options.append((name.strip(), value.strip()))
    return options


def position_command(observation: Any) -> str:
    """``position ...`` for a chess observation (start position and every move since)."""
    start = observation.get("start_fen") or STARTPOS
    moves = list(observation.get("moves") or [])
    text = "position startpos" if start == STARTPOS else f"position fen {start}"
    return f"{text} moves {' '.join(moves)}" if moves else text


def _ms(seconds: float) -> int:
    return max(MIN_MS, int(seconds * 1000))


@dataclass(frozen=True, slots=True)
class Limits:
    """Search limits for reproducible or weakened play (cutechess's ``nodes=``,
    ``depth=``, ``st=``): sent with every ``go``; the clock still bounds the search."""

    nodes: int | None = None
    depth: int | None = None
    movetime: float | None = None
    """Seconds per move, at most the move's real budget."""

    def __post_init__(self) -> None:
        for name in ("nodes", "depth", "movetime"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(f"--{name} must be positive")

    def words(self) -> str:
        parts = [
            f" nodes {self.nodes}" if self.nodes else "",
            f" depth {self.depth}" if self.depth else "",
        ]
        return "".join(parts)


def go_command(
    clock: ClockReading,
    seat: int,
    time_control: TimeControl | None,
    overhead: float,
    controls: Sequence[TimeControl] = (),
    limits: Limits | None = None,
) -> str:
    """``go`` with the clock of the request; seat 0 plays white. ``controls``: every
    seat's time control under time odds (the prepare's ``time_controls``), for the
    opponent's increment. ``limits`` add ``nodes`` and ``depth``; a ``movetime`` limit
    replaces the clock by that time (or the move's budget when less)."""
    if limits is not None and limits.movetime is not None:
        budget = min(limits.movetime, clock.move_time - overhead)
        return f"go movetime {_ms(budget)}{limits.words()}"
    return _go_clock(clock, seat, time_control, overhead, controls) + (
        limits.words() if limits is not None else ""
    )


def _go_clock(
    clock: ClockReading,
    seat: int,
    time_control: TimeControl | None,
    overhead: float,
    controls: Sequence[TimeControl],
) -> str:
    if isinstance(time_control, PerMove):
        return f"go movetime {_ms(clock.move_time - overhead)}"
    if isinstance(time_control, ByoYomi) and clock.remaining <= 0:
        return f"go movetime {_ms(min(clock.period, clock.move_time) - overhead)}"
    seats = list(clock.seats) if len(clock.seats) == 2 else [clock.remaining, clock.remaining]
    seats[seat] = clock.remaining
    cushion = clock.period if isinstance(time_control, ByoYomi) else 0.0
    white, black = (_ms(t + cushion - (overhead if i == seat else 0)) for i, t in enumerate(seats))
    command = f"go wtime {white} btime {black}"
    if isinstance(time_control, Fischer) or (time_control is None and clock.increment):
        incs = [clock.increment, clock.increment]
        if len(controls) == 2:
            incs = [tc.increment if isinstance(tc, Fischer) else 0.0 for tc in controls]
            incs[seat] = clock.increment
        white_inc, black_inc = (_ms(i) if i > 0 else 0 for i in incs)
        command += f" winc {white_inc} binc {black_inc}"
    return command


def parse_info(line: str) -> dict[str, Any] | None:
    """The search figures of an ``info`` line with a score, as ``MoveInfo`` fields; None
    for other lines (``currmove``, ``string``, a second line of MultiPV). Never raises."""
    words = line.split()
    if words[:1] != ["info"] or "score" not in words or "string" in words:
        return None
    found: dict[str, Any] = {}
    i = 1
    while i < len(words):
        word = words[i]
        i += 1
        if word in _COUNTS or word in ("time", "multipv"):
            if i < len(words) and words[i].isdigit():
                found[word] = int(words[i])
                i += 1
        elif word == "score" and i + 1 < len(words):
            kind, value = words[i], words[i + 1]
            i += 2
            if kind in ("cp", "mate") and value.lstrip("-").isdigit():
                found["score" if kind == "cp" else "mate"] = int(value)
        elif word == "pv":
            start = i
            while i < len(words) and words[i] not in _INFO_WORDS:
                i += 1
            found["pv"] = words[start:i][:MAX_PV]
    if found.pop("multipv", 1) != 1 or not ("score" in found or "mate" in found):
        return None
    if "time" in found:
        found["time"] = found["time"] / 1000.0
    return found


def move_info(figures: dict[str, Any] | None, log: Sequence[str]) -> MoveInfo | None:
    """What goes with a move: the last figures and the ``info string`` text, if any."""
    text = " | ".join(log)
    if len(text) > MAX_LOG:
        text = text[: MAX_LOG - 3] + "..."
    if figures is None and not text:
        return None
    return MoveInfo(**(figures or {}), log=text or None)


class UciBridge(EngineBridge):
    label = "UCI engine"
    quit_line = "quit"

    def __init__(
        self,
        command: Sequence[str],
        *,
        options: Sequence[tuple[str, str]] = (),
        move_overhead: float = 0.05,
        limits: Limits | None = None,
        book: Book | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("games", ["chess"])
        super().__init__(command, **kwargs)
        self.options = list(options)
        self.move_overhead = move_overhead
        self.limits = limits
        self.book = book
        """A polyglot book (``--book``): its moves are played without asking the engine."""
        self.engine_name: str | None = None
        self.engine_options: dict[str, str] = {}
        """The engine's options by lower-case name (UCI names are case-insensitive)."""

    async def _expect(self, engine: EngineProcess, word: str, timeout: float) -> list[str]:
        """Lines up to and including the one that starts with ``word``."""
        deadline = asyncio.get_running_loop().time() + timeout
        lines = []
        while True:
            line = await engine.read_line(deadline)
            lines.append(line)
            if line.split(maxsplit=1)[:1] == [word]:
                return lines

    async def handshake(self, engine: EngineProcess) -> None:
        await engine.send("uci")
        for line in await self._expect(engine, "uciok", self.init_timeout):
            words = line.split()
            if words[:2] == ["id", "name"]:
                self.engine_name = line.split(None, 2)[2] if len(words) > 2 else None
            elif words[:2] == ["option", "name"] and "type" in words:
                name = " ".join(words[2 : words.index("type")])
                self.engine_options[name.lower()] = name
        for name, value in self.options:
            if self.engine_options and name.lower() not in self.engine_options:
                known = ", ".join(sorted(self.engine_options.values()))
                logger.warning("%s has no option %r (it has: %s)", self.label, name, known)
            await engine.send(f"setoption name {name} value {value}")
        await self._sync(engine)
        logger.info("%s is %s", self.label, self.engine_name or "nameless")

    async def _sync(self, engine: EngineProcess) -> None:
        await engine.send("isready")
        await self._expect(engine, "readyok", self.init_timeout)

    async def new_game(
        self, engine: EngineProcess, prepare: Prepare | None, request: Request
    ) -> None:
        observation = request.observation if isinstance(request.observation, dict) else {}
        chess960 = observation.get("variant") == "chess960"
        if chess960 or "uci_chess960" in self.engine_options:  # each game: a fresh engine too
            if chess960 and "uci_chess960" not in self.engine_options:
                logger.warning("%s has no UCI_Chess960 option; castling may fail", self.label)
            await engine.send(f"setoption name UCI_Chess960 value {str(chess960).lower()}")
        await engine.send("ucinewgame")
        await self._sync(engine)

    async def think(self, engine: EngineProcess, request: Request, prepare: Prepare | None) -> Any:
        if self.book is not None and (booked := self.book.move(request)) is not None:
            return booked
        loop = asyncio.get_running_loop()
        started = loop.time()
        clock = request.clock
        await engine.send(position_command(request.observation))
        time_control = prepare.time_control if prepare is not None else None
        controls = prepare.time_controls if prepare is not None else []
        await engine.send(
            go_command(clock, request.seat, time_control, self.move_overhead, controls, self.limits)
        )
        figures: dict[str, Any] | None = None
        log: collections.deque[str] = collections.deque(maxlen=8)
        lines = self.search_lines(engine, started, clock.move_time, self.move_overhead, "stop")
        async with contextlib.aclosing(lines):
            async for line, stopped in lines:
                words = line.split()
                if words[:1] == ["bestmove"]:
                    if len(words) < 2:
                        text = f"{self.label} sent {line!r}"
                        raise EngineCrashed("bestmove without a move", text)
                    if stopped:
                        logger.warning("%s moved only after stop (%s)", self.label, words[1])
                    info = move_info(figures, log)
                    return words[1] if info is None else Answer(words[1], info)
                if words[:2] == ["info", "string"]:
                    log.append(line.split(None, 2)[2] if len(words) > 2 else "")
                elif words[:1] == ["info"]:
                    figures = parse_info(line) or figures
        raise AssertionError("search_lines ends only by raising")  # pragma: no cover

    async def recover(self, engine: EngineProcess) -> bool:
        """An interrupted search: ``stop``, drain to its ``bestmove``, then ``isready``."""
        try:
            await engine.send("stop")
            await engine.send("isready")
            await self._expect(engine, "readyok", 2.0)
        except EngineTimeout:
            return False
        return True
