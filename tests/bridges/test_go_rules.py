"""GNU Go run as the docs suggest plays dead stones out: Ringside's area count is GNU Go's.

Ringside removes no dead stones (Tromp-Taylor). A program that passes after a
few scattered stones leaves them dead on the board; GNU Go must capture them
before the game ends, else the passer would win by the stones nobody took.
GNU Go then reads the SGF back: no dead stones, and its own Chinese count
equals the stored result.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from bridge_helpers import HERE, find_engine, play, running
from sgf_check import parse_sgf

from ringside.bridges import GtpBridge
from ringside.games.go import RULES
from ringside.testing.wire import ServerProcess

SUGGESTED = ["--mode", "gtp", "--chinese-rules", "--capture-all-dead"]
STONES = "C3,G7,C7,G3,E5,E3"
"""The passer's six stones, spread so that GNU Go can kill them all on 9x9."""


def gnugo_says(gnugo: str, sgf: Path, *commands: str) -> list[str]:
    script = "\n".join([f"loadsgf {sgf}", *commands, "quit"]) + "\n"
    out = subprocess.run(
        [gnugo, "--mode", "gtp", "--chinese-rules"],
        input=script,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    answers = [a.strip() for a in out.split("\n\n") if a.strip()]
    assert all(a.startswith("=") for a in answers), answers
    return [a.lstrip("=").strip() for a in answers[1 : 1 + len(commands)]]


@pytest.mark.parametrize(
    ("flags", "passer_seat", "handicap"),
    # Two games of ~19 s each, for the suite's time. When this was written, GNU Go as black
    # (B+73.5) and the plain command relying on the bridge's cleanup move alone (W+88.5)
    # also ended with no dead stone left and GNU Go's own score equal to Ringside's.
    [(SUGGESTED, 0, 0), (SUGGESTED, 0, 2)],
    ids=["suggested-white", "suggested-white-handicap"],
)
async def test_gnu_go_leaves_no_dead_stones(
    server: ServerProcess,
    http: aiohttp.ClientSession,
    tmp_path: Path,
    flags: list[str],
    passer_seat: int,
    handicap: int,
) -> None:
    """The plain command relies on the bridge's ``kgs-genmove_cleanup`` after a pass alone.

    With handicap the passer (black) has two more stones, set with ``set_free_handicap``.
    """
    gnugo = find_engine("gnugo")
    name = f"gnugo-{len(flags)}-{passer_seat}-{handicap}"
    engine = GtpBridge([gnugo, *flags, "--level", "1"], name=name)
    passer = GtpBridge(
        [sys.executable, str(HERE / "fake_gtp.py"), "--quiet", "--stones", STONES],
        name=f"passer-{len(flags)}-{passer_seat}-{handicap}",
    )
    bots = [passer.name, name] if passer_seat == 0 else [name, passer.name]
    async with running(http, server, engine, passer):
        record = await play(
            http,
            server,
            {
                "game": "go",
                "bots": bots,
                "time_control": {"type": "per_move", "seconds": 10},
                "options": {"size": 9, "komi": 0.5 if handicap else 7.5, "handicap": handicap},
            },
            timeout=240,
        )
    assert record["status"] == "finished", record["result"]
    moves = [e["action"] for e in record["events"] if e["type"] == "move"]
    assert moves[-2:] == ["pass", "pass"], moves
    final = next(e["view"] for e in record["events"] if e["type"] == "round_result")
    gnugo_colour = "BW"[1 - passer_seat]
    assert final["result"].startswith(f"{gnugo_colour}+"), final["result"]
    assert not any(cell == passer_seat for row in final["board"] for cell in row), final

    async with http.get(f"{server.http}/api/matches/{record['id']}/sgf") as response:
        sgf = await response.text()
    (tree,) = parse_sgf(sgf)
    assert tree[0]["RU"] == [RULES]
    if handicap:
        assert (tree[0]["HA"], tree[0]["AB"]) == (["2"], ["cg", "gc"])
    assert "every stone on the board counts as alive" in tree[0]["GC"][0]
    path = tmp_path / "game.sgf"
    path.write_text(sgf)
    dead, score = gnugo_says(gnugo, path, "final_status_list dead", "final_score")
    print(f"{len(moves)} moves, Ringside {final['result']}, GNU Go {score}, dead: {dead!r}")
    assert dead == ""
    assert score == final["result"]
