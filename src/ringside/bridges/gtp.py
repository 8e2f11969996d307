"""``ringside bridge gtp``: a GTP Go engine (GNU Go, KataGo, Leela Zero...) as a Ringside bot.

What the bridge says to the engine (docs/protocol.md, *GTP engines*):

- at start: ``protocol_version``, ``name``, ``version``, ``list_commands``,
  then the rules where the engine can take them (``kata-set-rules
  koPOSITIONALscoreAREAtaxNONEsui0`` for KataGo, else ``kgs-rules chinese``);
- at each new round, as gogui-twogtp does: ``boardsize N``, ``clear_board``,
  ``komi K`` and the clock (:func:`time_settings`);
- at each move: ``play B D4`` / ``play W pass`` for the moves it has not
  seen (``clear_board`` and a full replay when the game does not continue
  the one it knows), ``time_left`` for both colours (:func:`time_left`),
  then ``genmove B|W`` — or ``kgs-genmove_cleanup`` right after the
  opponent passed, where the engine has it, so that it captures dead stones
  rather than pass (Ringside removes none). Its answer is written the way
  the game wants it (``D4``, ``pass``, ``resign``).

Every command carries a number and only the answer with that number counts,
so a late answer to an interrupted command cannot be mistaken for the next
one. GTP has no way to interrupt ``genmove``: an engine that does not move in
time is killed and restarted (see :mod:`ringside.bridges.engine`).

GTP has no analysis output: what the engine writes to stderr during ``genmove``
(KataGo and Leela Zero write their search there) goes with the move as its
``info``, a log line, when there is any.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Sequence
from typing import Any

from ringside.bridges.engine import EngineBridge, EngineCrashed, EngineError, EngineProcess
from ringside.client import Answer, ClockReading, Prepare, Request
from ringside.games.go import RULES
from ringside.protocol.messages import ByoYomi, Fischer, PerMove, TimeControl

logger = logging.getLogger("ringside.bridge")

COLOURS = ("B", "W")
MAX_LOG = 512
"""Characters of the engine's stderr sent with a move."""
KATA_FISCHER = "kata-fischer"
"""A pseudo-command: the engine's ``kata-list_time_settings`` names ``fischer``."""


class GtpError(EngineError):
    """The engine answered a command with ``? message``."""


def normalise_move(text: str) -> str:
    """An engine's vertex in the game's spelling: ``d4`` → ``D4``, ``PASS`` → ``pass``."""
    word = text.strip()
    lower = word.lower()
    return lower if lower in ("pass", "resign") else word.upper()


def seconds(value: float, fractions: bool = False) -> str:
    """Seconds for GTP, rounded down: whole ones (GTP 2 says integers) or to the millisecond."""
    if not fractions:
        return str(max(0, math.floor(value + 1e-9)))
    text = f"{max(0.0, math.floor(value * 1000 + 1e-6) / 1000):.3f}".rstrip("0")
    return text.rstrip(".")


def absolute(base: float, kgs: bool) -> str:
    """Absolute time: the whole game in ``base`` seconds."""
    return (
        f"kgs-time_settings absolute {seconds(base)}"
        if kgs
        else f"time_settings {seconds(base)} 0 0"
    )


def time_settings(
    time_control: TimeControl | None, commands: set[str], fractions: bool = False
) -> str | None:
    """The command that tells the engine the clock, or None (no clock, nothing to say).

    Per-move S seconds is Canadian overtime of one stone per S seconds with no main
    time (``time_settings 0 S 1``, gogui-twogtp's ``-time 0+S/1``). Byo-yomi is
    ``kgs-time_settings byoyomi`` where the engine has it, else Canadian one stone
    per period after the main time and all periods but one. Fischer is
    ``kata-time_settings fischer`` where the engine has it (KataGo), else
    Canadian overtime of one stone per increment after ``base - increment``, which
    :func:`time_left` keeps true: the engine is never told more time than it has.
    """
    kgs = "kgs-time_settings" in commands
    if isinstance(time_control, PerMove):
        return f"time_settings 0 {max(1, math.floor(time_control.seconds))} 1"
    if isinstance(time_control, Fischer):
        base, increment = time_control.base, time_control.increment
        if KATA_FISCHER in commands:
            return (
                f"kata-time_settings fischer {seconds(base, fractions)} "
                f"{seconds(increment, fractions)}"
            )
        if increment <= 0:
            return absolute(base, kgs)
        main = seconds(base - increment)
        word = "kgs-time_settings canadian" if kgs else "time_settings"
        return f"{word} {main} {max(1, math.floor(increment))} 1"
    if isinstance(time_control, ByoYomi):
        base, period, periods = time_control.base, time_control.period, time_control.periods
        if periods == 0:
            return absolute(base, kgs)
        if kgs:
            return f"kgs-time_settings byoyomi {seconds(base)} {seconds(period)} {periods}"
        main = seconds(base + (periods - 1) * period)
        return f"time_settings {main} {max(1, math.floor(period))} 1"
    return None


def time_left(
    time_control: TimeControl | None,
    clock: ClockReading,
    seat: int,
    commands: set[str],
    fractions: bool = False,
) -> list[str]:
    """``time_left`` for each colour whose clock is known, as :func:`time_settings` set it up.

    ``time_left C T 0`` is main time; ``time_left C T N`` is T seconds for N
    stones (Canadian) or, after ``kgs-time_settings byoyomi``, N periods left.
    """
    if time_control is None or "time_left" not in commands:
        return []
    kgs = "kgs-time_settings" in commands
    mains = clock.seats or [clock.remaining, clock.remaining]
    lines = []
    for colour, main in enumerate(mains[:2]):
        said: tuple[float, int] | None
        if isinstance(time_control, PerMove):
            said = (main, 1)
        elif isinstance(time_control, Fischer):
            increment = time_control.increment
            if KATA_FISCHER in commands or increment <= 0:
                said = (main, 0)
            else:  # Canadian: main time then one stone per increment, never more than it has
                reserve = min(main - increment, time_control.base - increment)
                said = (reserve, 0) if reserve > 0 else (main, 1)
        elif isinstance(time_control, ByoYomi):
            if main > 0 or time_control.periods == 0:
                reserve = main
                if not kgs and time_control.periods:
                    reserve += (time_control.periods - 1) * time_control.period
                said = (main if kgs else reserve, 0)
            elif colour != seat:
                said = None  # how many periods the opponent has left is not told
            elif kgs:
                said = (clock.period, clock.periods)
            elif clock.periods > 1:
                said = ((clock.periods - 1) * clock.period, 0)
            else:
                said = (clock.period, 1)
        else:
            said = None
        if said is not None:
            lines.append(f"time_left {COLOURS[colour]} {seconds(said[0], fractions)} {said[1]}")
    return lines


class GtpBridge(EngineBridge):
    label = "GTP engine"
    quit_line = "quit"

    def __init__(
        self, command: Sequence[str], *, fractions: bool | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("games", ["go"])
        super().__init__(command, **kwargs)
        self.fractions_asked = fractions
        """``time_left`` with fractions of a second: None asks KataGo's, not others."""
        self.fractions = bool(fractions)
        self.commands: set[str] = set()
        self.engine_name: str | None = None
        self.played: list[str] = []
        """The moves the engine's board has, in order."""
        self.handicap: list[str] = []
        """The handicap stones of the round (black's, before white's first move)."""
        self.size = 0
        self._next_id = 1

    async def gtp(self, engine: EngineProcess, text: str, timeout: float | None = None) -> str:
        """Send a command and return its answer (``=`` stripped); GtpError for ``?``."""
        number = self._next_id
        self._next_id += 1
        await engine.send(f"{number} {text}")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.init_timeout if timeout is None else timeout)
        while True:
            line = await engine.read_line(deadline)
            if not line.strip() or line[:1] not in "=?":
                continue  # blank lines between answers, or noise
            status, _, rest = line.partition(" ")
            body = [rest]
            while (more := await engine.read_line(deadline)).strip():
                body.append(more)
            if status[1:] != str(number):
                continue  # the answer to an earlier, interrupted command
            answer = "\n".join(body).strip()
            if status[0] == "?":
                word = text.split(maxsplit=1)[0]
                raise GtpError(f"refused {word}", f"{self.label} refused {text!r}: {answer}")
            return answer

    async def handshake(self, engine: EngineProcess) -> None:
        version = await self.gtp(engine, "protocol_version")
        if version.strip() != "2":
            raise EngineCrashed("does not speak GTP 2", f"{self.label} speaks GTP {version!r}")
        name = await self.gtp(engine, "name")
        with_version = f"{name} {await self.gtp(engine, 'version')}".strip()
        self.engine_name = with_version or None
        self.commands = set((await self.gtp(engine, "list_commands")).split())
        if "kata-list_time_settings" in self.commands:
            kinds = (await self.gtp(engine, "kata-list_time_settings")).split()
            if "fischer" in kinds and "kata-time_settings" in self.commands:
                self.commands.add(KATA_FISCHER)
        self.fractions = (
            "kata-list_time_settings" in self.commands
            if self.fractions_asked is None
            else self.fractions_asked
        )
        await self.tell_rules(engine)
        self.played = []

    async def tell_rules(self, engine: EngineProcess) -> None:
        """Ringside's rules, where the engine can take them; a refusal is only logged."""
        if "kata-set-rules" in self.commands:
            command = f"kata-set-rules {RULES}"
        elif "kgs-rules" in self.commands:
            command = "kgs-rules chinese"  # area scoring; dead stones are played out on cleanup
        else:
            return
        try:
            await self.gtp(engine, command)
        except GtpError as exc:
            logger.warning("%s", exc.detail)

    async def new_game(
        self, engine: EngineProcess, prepare: Prepare | None, request: Request
    ) -> None:
        observation = request.observation
        self.size = int(observation.get("size", 19))
        self.handicap = [str(v) for v in observation.get("handicap") or ()]
        await self.gtp(engine, f"boardsize {self.size}")
        await self.clear_board(engine)
        await self.gtp(engine, f"komi {observation.get('komi', 7.5):g}")
        control = prepare.time_control if prepare else None
        settings = time_settings(control, self.commands, self.fractions)
        if settings is not None and settings.split()[0] in self.commands:
            await self.gtp(engine, settings)

    async def clear_board(self, engine: EngineProcess) -> None:
        """An empty board, then the handicap stones as gogui-twogtp places them."""
        await self.gtp(engine, "clear_board")
        self.played = []
        if not self.handicap:
            return
        if "set_free_handicap" in self.commands:
            await self.gtp(engine, f"set_free_handicap {' '.join(self.handicap)}")
        else:
            for vertex in self.handicap:
                await self.gtp(engine, f"play B {vertex}")

    async def _replay(self, engine: EngineProcess, moves: list[str]) -> None:
        if moves[: len(self.played)] != self.played:
            await self.clear_board(engine)
        first = 1 if self.handicap else 0  # white starts after the handicap stones
        for index in range(len(self.played), len(moves)):
            await self.gtp(engine, f"play {COLOURS[(first + index) % 2]} {moves[index]}")
            self.played.append(moves[index])

    async def think(self, engine: EngineProcess, request: Request, prepare: Prepare | None) -> Any:
        moves = [str(move) for move in request.observation.get("moves", [])]
        await self._replay(engine, moves)
        colour = COLOURS[request.seat]
        clock = request.clock
        control = prepare.time_control if prepare else None
        for line in time_left(control, clock, request.seat, self.commands, self.fractions):
            await self.gtp(engine, line)
        before = engine.stderr_lines
        cleanup = moves[-1:] == ["pass"] and "kgs-genmove_cleanup" in self.commands
        genmove = "kgs-genmove_cleanup" if cleanup else "genmove"
        answer = await self.gtp(engine, f"{genmove} {colour}", clock.move_time + self.slack)
        move = normalise_move(answer)
        if move != "resign":
            self.played.append(move)
        said = " | ".join(line for line in engine.stderr_since(before) if line.strip())
        if not said:
            return move
        return Answer(move, said if len(said) <= MAX_LOG else said[: MAX_LOG - 3] + "...")
