"""What the GTP bridge says to an engine, command by command, for each clock and engine kind.

A scripted fake engine (fake_gtp.py) logs every command it reads. The clock
commands are those of gogui-twogtp (``time_settings main overtime stones``,
sent after ``boardsize``, ``clear_board`` and ``komi``; GoGui's ``time_left C
seconds stones``) wherever GTP 2 can say the clock; KGS's and KataGo's
extensions say what it cannot (Japanese byo-yomi, Fischer).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from bridge_helpers import HERE

from ringside.bridges import GtpBridge
from ringside.bridges.gtp import seconds, time_left, time_settings
from ringside.client import ClockReading, Prepare, Request
from ringside.games.go import RULES
from ringside.protocol.messages import ByoYomi, Fischer, PerMove, TimeControl

FAKE_GTP = [sys.executable, str(HERE / "fake_gtp.py"), "--quiet"]
GNUGO = "time_settings,time_left,kgs-genmove_cleanup"
"""What GNU Go 3.8 lists of these: GTP 2 clocks only, and KGS's cleanup move."""
KGS = "time_settings,time_left,kgs-time_settings,kgs-rules,kgs-genmove_cleanup"
KATAGO = f"{KGS},kata-set-rules,kata-list_time_settings,kata-time_settings"
HANDSHAKE = ["protocol_version", "name", "version", "list_commands"]
RULES_SAID = {
    GNUGO: [],
    KGS: ["kgs-rules chinese"],
    KATAGO: ["kata-list_time_settings", f"kata-set-rules {RULES}"],
}


async def commands_sent(
    tmp_path: Path,
    listed: str,
    control: TimeControl | None,
    clock: ClockReading,
    moves: list[str],
    seat: int,
    refuse: str = "",
    handicap: list[str] | None = None,
) -> list[str]:
    """Every command the bridge sends for one move of a new 9x9 round."""
    log = tmp_path / "commands.log"
    log.unlink(missing_ok=True)
    argv = [*FAKE_GTP, "--log", str(log), "--commands", listed, "--refuse", refuse]
    bridge = GtpBridge(argv, name="fake-go")
    observation = {"moves": moves, "size": 9, "komi": 7.5, "handicap": handicap or []}
    prepare = None
    if control is not None:
        prepare = Prepare("m1", 1, "go", seat, 2, 1, 1, control, {"size": 9})
    request = Request("m1", 2, 1, seat, observation, None, clock)
    engine = await bridge.open_engine()
    try:
        await bridge.new_game(engine, prepare, request)
        assert await bridge.think(engine, request, prepare) == "pass"
    finally:
        await bridge.close_engine()
    return log.read_text().splitlines()[:-1]  # without the closing quit


def reading(remaining: float, seats: list[float], **kw: float) -> ClockReading:
    return ClockReading(remaining, remaining, seats=seats, **kw)  # type: ignore[arg-type]


PER_MOVE = (PerMove(10), reading(10.0, [10.0, 10.0]))
FISCHER = (Fischer(300, 5), reading(300.0, [297.25, 300.0], increment=5.0))
BYO_MAIN = (ByoYomi(600, 5, 30), reading(600.0, [590.5, 600.0], periods=5, period=30.0))
BYO_IN = (ByoYomi(600, 5, 30), reading(0.0, [0.0, 0.0], periods=3, period=30.0))
BYO_LAST = (ByoYomi(600, 5, 30), reading(0.0, [0.0, 0.0], periods=1, period=30.0))


@pytest.mark.parametrize(
    ("listed", "case", "clock_commands"),
    [
        # per move, S seconds: no main time, S seconds per stone (gogui-twogtp -time 0+10s/1)
        (GNUGO, PER_MOVE, ["time_settings 0 10 1", "time_left B 10 1", "time_left W 10 1"]),
        (KATAGO, PER_MOVE, ["time_settings 0 10 1", "time_left B 10 1", "time_left W 10 1"]),
        # Fischer 300+5: Canadian one stone per 5 s after 295 s; never more than the truth
        (GNUGO, FISCHER, ["time_settings 295 5 1", "time_left B 292 0", "time_left W 295 0"]),
        (
            KGS,
            FISCHER,
            ["kgs-time_settings canadian 295 5 1", "time_left B 292 0", "time_left W 295 0"],
        ),
        (
            KATAGO,
            FISCHER,
            ["kata-time_settings fischer 300 5", "time_left B 297.25 0", "time_left W 300 0"],
        ),
        # byo-yomi 600 + 5x30: GTP 2 can only say Canadian (gogui-twogtp -time 12m+30s/1) ...
        (GNUGO, BYO_MAIN, ["time_settings 720 30 1", "time_left B 710 0", "time_left W 720 0"]),
        (GNUGO, BYO_IN, ["time_settings 720 30 1", "time_left W 60 0"]),
        (GNUGO, BYO_LAST, ["time_settings 720 30 1", "time_left W 30 1"]),
        # ... KGS's extension says it as it is, periods left in time_left's last figure
        (
            KGS,
            BYO_MAIN,
            ["kgs-time_settings byoyomi 600 30 5", "time_left B 590 0", "time_left W 600 0"],
        ),
        (KGS, BYO_IN, ["kgs-time_settings byoyomi 600 30 5", "time_left W 30 3"]),
        (
            KATAGO,
            BYO_MAIN,
            ["kgs-time_settings byoyomi 600 30 5", "time_left B 590.5 0", "time_left W 600 0"],
        ),
        # absolute time (byo-yomi without periods)
        (
            GNUGO,
            (ByoYomi(60, 0, 0), reading(60.0, [59.9, 60.0])),
            ["time_settings 60 0 0", "time_left B 59 0", "time_left W 60 0"],
        ),
        (
            KGS,
            (ByoYomi(60, 0, 0), reading(60.0, [59.9, 60.0])),
            [
                "kgs-time_settings absolute 60",
                "time_left B 59 0",
                "time_left W 60 0",
            ],
        ),
    ],
)
async def test_the_clock_as_each_engine_is_told_it(
    tmp_path: Path,
    listed: str,
    case: tuple[TimeControl, ClockReading],
    clock_commands: list[str],
) -> None:
    control, clock = case
    sent = await commands_sent(tmp_path, listed, control, clock, ["D4"], 1)
    settings, *lefts = clock_commands
    assert sent == [
        *HANDSHAKE,
        *RULES_SAID[listed],
        "boardsize 9",
        "clear_board",
        "komi 7.5",
        settings,
        "play B D4",
        *lefts,
        "genmove W",
    ]


async def test_an_engine_without_clock_commands_hears_of_no_clock(tmp_path: Path) -> None:
    sent = await commands_sent(tmp_path, "", FISCHER[0], FISCHER[1], [], 0)
    assert sent == [*HANDSHAKE, "boardsize 9", "clear_board", "komi 7.5", "genmove B"]
    sent = await commands_sent(tmp_path, GNUGO, None, reading(5.0, [5.0, 5.0]), [], 0)
    assert sent[-4:] == ["boardsize 9", "clear_board", "komi 7.5", "genmove B"]


async def test_after_a_pass_the_engine_is_asked_to_clean_up(tmp_path: Path) -> None:
    """``kgs-genmove_cleanup`` captures dead stones instead of passing: nothing is removed."""
    sent = await commands_sent(tmp_path, GNUGO, None, reading(5.0, []), ["D4", "pass"], 0)
    assert sent[-3:] == ["play B D4", "play W pass", "kgs-genmove_cleanup B"]
    sent = await commands_sent(tmp_path, "", None, reading(5.0, []), ["D4", "pass"], 0)
    assert sent[-1] == "genmove B"


async def test_a_refused_rules_command_is_not_fatal(tmp_path: Path) -> None:
    sent = await commands_sent(tmp_path, KGS, None, reading(5.0, []), [], 0, refuse="kgs-rules")
    assert sent[4:6] == ["kgs-rules chinese", "boardsize 9"]


def test_seconds_are_rounded_down() -> None:
    assert [seconds(t) for t in (0.0, 0.999, 1.0, 59.99, -3.0)] == ["0", "0", "1", "59", "0"]
    assert [seconds(t, True) for t in (0.0, 0.5, 1.0, 59.9999, 12.3456)] == [
        "0", "0.5", "1", "59.999", "12.345",
    ]  # fmt: skip


def test_time_is_never_overstated() -> None:
    """Fischer through Canadian overtime: what the engine may spend never exceeds the clock."""
    control = Fischer(60, 2)
    for left in (0.5, 2.0, 2.5, 30.0, 58.0, 60.0, 75.0):
        clock = reading(left, [left, left], increment=2.0)
        for line in time_left(control, clock, 0, {"time_left"}):
            _, _, figure, stones = line.split()
            # main time plus one period of 2 s, or the period alone
            budget = int(figure) + (2 if stones == "0" else 0)
            assert budget <= left, (left, line)
    setting = time_settings(control, {"time_settings"})
    assert setting == "time_settings 58 2 1"


async def test_handicap_stones_are_set_and_white_moves_first(tmp_path: Path) -> None:
    stones = ["C3", "G7"]
    clock = reading(5.0, [])
    sent = await commands_sent(
        tmp_path, f"{GNUGO},set_free_handicap", None, clock, ["E5"], 0, handicap=stones
    )
    assert sent[-5:] == [
        "clear_board", "set_free_handicap C3 G7", "komi 7.5", "play W E5", "genmove B",
    ]  # fmt: skip
    sent = await commands_sent(tmp_path, "", None, clock, ["E5"], 0, handicap=stones)
    assert sent[-6:] == [
        "clear_board", "play B C3", "play B G7", "komi 7.5", "play W E5", "genmove B",
    ]  # fmt: skip
