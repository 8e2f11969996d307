"""The ``ringside`` command line: games, play, errors, and the installed entry point."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ringside.bots.base import StrategyFailed, StrategySpec, _specs
from ringside.cli.app import app
from ringside.cli.common import parse_options, parse_time_control
from ringside.cli.play import unique_names
from ringside.games import catalogue
from ringside.games.registry import unavailable_games
from ringside.protocol.messages import ByoYomi, Fischer, PerMove, Request

runner = CliRunner()


def play_json(*args: str) -> dict[str, object]:
    result = runner.invoke(app, ["play", *args, "--json"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    parsed = json.loads(result.stdout)
    assert isinstance(parsed, dict)
    return parsed


def test_games_lists_the_whole_catalogue() -> None:
    result = runner.invoke(app, ["games"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for game in catalogue():
        assert game.name in result.stdout
    assert "2-8" in result.stdout  # baskin31's player range
    assert "alphabeta" in result.stdout
    for name in unavailable_games():  # listed with the reason, not hidden
        assert name in result.stdout


def test_play_json_has_the_result_fields() -> None:
    out = play_json("connect4", "--bots", "random,random", "--rounds", "2", "--seed", "7")
    assert out["game"] == "connect4"
    assert out["bots"] == ["random-1", "random-2"]
    assert out["seed"] == 7
    rounds = out["rounds"]
    assert isinstance(rounds, list) and len(rounds) == 2
    assert rounds[0]["seats"] == ["random-1", "random-2"]
    assert rounds[1]["seats"] == ["random-2", "random-1"]  # seats rotate
    scores = out["scores"]
    assert isinstance(scores, dict) and set(scores) == {"random-1", "random-2"}
    assert sum(scores.values()) == 2.0
    assert out["winner"] in (None, "random-1", "random-2")
    assert out["verdict"] is None
    assert out["status"] == "finished"


def test_play_is_reproducible_from_its_seed() -> None:
    args = ("connect4", "--bots", "random,random", "--rounds", "2", "--seed", "7")
    first = play_json(*args)
    assert play_json(*args) == first
    others = [play_json("connect4", "--rounds", "2", "--seed", str(s)) for s in range(8, 12)]
    assert any(o["rounds"] != first["rounds"] or o["scores"] != first["scores"] for o in others)


def test_play_with_alphabeta_and_options() -> None:
    out = play_json("tictactoe", "--bots", "alphabeta,random", "--seed", "1", "--depth", "9")
    assert out["bots"] == ["alphabeta", "random"]
    assert out["winner"] in ("alphabeta", None)
    out = play_json("rps", "--option", "throws=5", "--seed", "2", "--time-control", "fischer:5+1")
    assert out["game"] == "rps"
    out = play_json(
        "gomoku", "--option", "size=9", "--option", "exactly_five=true", "--seed", "3",
        "--time-control", "byoyomi:30+3x5", "--forfeit", "round",
    )  # fmt: skip
    assert out["game"] == "gomoku"
    out = play_json("baskin31", "--bots", "random,random,random", "--rounds", "3", "--seed", "4")
    assert out["bots"] == ["random-1", "random-2", "random-3"]


def test_play_prints_rounds_and_the_result() -> None:
    result = runner.invoke(
        app, ["play", "connect4", "--bots", "alphabeta,random", "--rounds", "2", "--seed", "5"]
    )
    assert result.exit_code == 0, result.output
    assert "round 1" in result.stdout and "round 2" in result.stdout
    assert "seat 0: alphabeta" in result.stdout and "seat 0: random" in result.stdout
    assert "winner: alphabeta" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "unknown game 'nope'; known games: "),
        (["connect4", "--bots", "random,minimax"], "no bot 'minimax' for connect4"),
        (["rps", "--bots", "alphabeta,random"], "no bot 'alphabeta' for rps"),
        (["connect4", "--time-control", "fischer:abc"], "bad time control"),
        (["connect4", "--time-control", "blitz:5"], "unknown time control"),
        (["connect4", "--time-control", "per_move:0"], "time budget must be positive"),
        (["rps", "--option", "throws=0"], "throws must be from 1 to 1001"),
        (["rps", "--option", "colour=red"], "unknown field `colour`"),
        (["rps", "--option", "throws"], "bad option 'throws'"),
        (["connect4", "--bots", "random"], "played by 2 players, not 1"),
        (["connect4", "--rounds", "0"], "rounds must be from 1 to 1000"),
        (["connect4", "--depth", "3"], "--depth applies to none of these bots"),
        (["connect4", "--bots", "alphabeta,random", "--depth", "0"], "depth must be an integer"),
        (["connect4", "--forfeit", "never"], "--forfeit must be match or round"),
    ],
)
def test_play_errors_are_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["play", *args])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ringside: error: ")
    assert message in lines[0]


class Cheat:
    """Plays column 9 of connect4, which does not exist."""

    def choose(self, request: Request, rng: random.Random) -> object:
        return 9


class Crash:
    def choose(self, request: Request, rng: random.Random) -> object:
        raise StrategyFailed("cannot read this observation")


def test_a_verdict_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(_specs, "cheat", StrategySpec("cheat", lambda game: Cheat(), "test"))
    out = play_json("connect4", "--bots", "random,cheat", "--rounds", "3", "--seed", "1")
    verdict = out["verdict"]
    assert isinstance(verdict, dict)
    assert (verdict["code"], verdict["bot"]) == ("illegal_action", "cheat")
    assert "column 9 is out of range" in verdict["message"]
    assert out["winner"] == "random"
    assert len(out["rounds"]) == 1  # type: ignore[arg-type]

    result = runner.invoke(app, ["play", "connect4", "--bots", "cheat,random", "--seed", "1"])
    assert result.exit_code == 0
    assert "verdict: illegal_action against cheat" in result.stdout


def test_a_failing_bot_is_an_error_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(_specs, "crash", StrategySpec("crash", lambda game: Crash(), "test"))
    result = runner.invoke(app, ["play", "connect4", "--bots", "crash,random"])
    assert result.exit_code == 1
    assert result.stderr.strip() == "ringside: error: a bot failed: cannot read this observation"


def test_parsers() -> None:
    assert parse_time_control("per_move:5") == PerMove(5.0)
    assert parse_time_control("per_move:0.5") == PerMove(0.5)
    assert parse_time_control("fischer:60+1") == Fischer(60.0, 1.0)
    assert parse_time_control("byoyomi:30+3x5") == ByoYomi(30.0, 3, 5.0)
    assert parse_options(["throws=5", "exactly_five=true", "name=Ann", "x=", "eq=a=b"]) == {
        "throws": 5,
        "exactly_five": True,
        "name": "Ann",
        "x": "",
        "eq": "a=b",
    }
    assert unique_names(["random", "alphabeta"]) == ["random", "alphabeta"]
    assert unique_names(["random", "alphabeta", "random"]) == ["random-1", "alphabeta", "random-2"]


def test_no_arguments_shows_help() -> None:
    result = runner.invoke(app, [])
    assert "games" in result.output and "play" in result.output


def test_the_module_entry_point_runs() -> None:
    """A real process, as a user would start it."""
    args = [
        "play",
        "tictactoe",
        "--bots",
        "random,random",
        "--rounds",
        "2",
        "--seed",
        "3",
        "--json",
    ]
    runs = [
        subprocess.run(
            [sys.executable, "-m", "ringside", *args], capture_output=True, text=True, timeout=60
        )
        for _ in range(2)
    ]
    for run in runs:
        assert run.returncode == 0, run.stderr
    assert runs[0].stdout == runs[1].stdout
    out = json.loads(runs[0].stdout)
    assert out["game"] == "tictactoe" and len(out["rounds"]) == 2
    bad = subprocess.run(
        [sys.executable, "-m", "ringside", "play", "nope"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2
    assert bad.stderr.startswith("ringside: error: unknown game") and "Traceback" not in bad.stderr


def test_the_installed_script_runs() -> None:
    script = Path(sys.executable).with_name("ringside")
    if not script.exists():
        pytest.skip("the ringside script is not installed next to this interpreter")
    run = subprocess.run([str(script), "games"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "connect4" in run.stdout


def test_the_lobbys_hint_runs_and_url_names_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """The empty lobby says ``ringside bot --game GAME --server ws://HOST/ws/bot``;
    ``--url`` is accepted for ``--server`` too."""
    from ringside.cli import bot as bot_cli

    servers: list[str] = []
    monkeypatch.setattr(bot_cli.StrategyBot, "run", lambda self, url: servers.append(url))
    for option in ("--server", "--url"):
        result = runner.invoke(
            app, ["bot", "--game", "tictactoe", option, "ws://127.0.0.1:9/ws/bot"]
        )
        assert result.exit_code == 0, result.output
    assert servers == ["ws://127.0.0.1:9/ws/bot"] * 2
    web = Path(bot_cli.__file__).parents[1] / "web" / "static" / "lobby.js"
    assert "ringside bot --game " in web.read_text()
    assert "random --url" not in web.read_text()
