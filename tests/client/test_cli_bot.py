"""``ringside bot``: a built-in strategy as a networked bot."""

from __future__ import annotations

import json
import runpy
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from scripted_peer import ScriptedServer, prepare, request, running, welcome
from typer.testing import CliRunner

from ringside.bots import get_strategy
from ringside.cli.bot import StrategyBot, bot

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

app = typer.Typer()
app.command("bot")(bot)


@app.callback()
def _root() -> None:
    """Makes ``bot`` a subcommand, as in the real ``ringside`` app."""


def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, ["bot", *args], env=env)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--game", "tictactoe", "--strategy", "nope"], "no bot 'nope' for tictactoe"),
        (["--game", "tictactoe", "--depth", "3"], "does not take depth"),
        (["--game", "tictactoe", "--server", "http://127.0.0.1:1/ws/bot"], "--server must be"),
        (["--game", "tictactoe", "--server", "ws://h:1/ws/bot?token=x"], "never in the server URL"),
    ],
)
def test_usage_errors_exit_2_with_one_line(args: list[str], words: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("ringside: error: ")
    assert words in lines[0]


@pytest.fixture
def refusing_server() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A TCP peer in a thread that refuses the first hello (the CLI runs its own loop)."""
    hellos: list[dict[str, Any]] = []
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(10)

    def serve() -> None:
        with listener, listener.accept()[0] as conn, conn.makefile("rwb") as stream:
            hellos.append(json.loads(stream.readline()))
            error = {"type": "error", "code": "bad_token", "message": "wrong token", "fatal": True}
            stream.write(json.dumps(error).encode() + b"\n")
            stream.flush()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"tcp://127.0.0.1:{listener.getsockname()[1]}", hellos
    thread.join(10)


def test_refusal_exits_1_and_the_token_comes_from_the_environment(
    refusing_server: tuple[str, list[dict[str, Any]]],
) -> None:
    url, hellos = refusing_server
    result = invoke(
        "--game", "connect4", "--server", url, "--max-matches", "3", env={"RINGSIDE_TOKEN": "tok"}
    )
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == (
        "ringside: error: the server refused the bot: bad_token: wrong token"
    )
    assert hellos == [
        {
            "type": "hello",
            "name": "random-connect4",
            "token": "tok",
            "games": ["connect4"],
            "max_matches": 3,
        }
    ]


async def test_strategy_bot_plays_reproducibly_per_match(server: ScriptedServer) -> None:
    def make() -> StrategyBot:
        return StrategyBot(
            lambda: get_strategy("random", "tictactoe"), seed=7, name="rnd", max_matches=2
        )

    legal = list(range(9))
    answers: list[list[Any]] = []
    for _ in range(2):
        async with running(make(), server.url):
            peer = await server.accept()
            await peer.expect("hello")
            await peer.send(welcome("rnd"))
            actions = []
            for match in ("m1", "m2"):
                await peer.send(prepare(match, 1, game="tictactoe"))
                await peer.expect("ready")
            for id in (2, 3, 4):
                for match in ("m1", "m2"):
                    await peer.send(request(match, id, legal))
                    answer = await peer.expect("action")
                    assert (answer["match"], answer["id"]) == (match, id)
                    actions.append(answer["action"])
            answers.append(actions)
            await peer.close()
    assert all(action in legal for action in answers[0])
    assert answers[0] == answers[1]  # same seed, same match ids: same moves
    assert answers[0][0::2] != answers[0][1::2]  # each match has its own generator


async def test_the_example_bot_plays_any_game(server: ScriptedServer) -> None:
    example = runpy.run_path(str(EXAMPLES / "random_bot.py"), run_name="example")
    random_bot = example["RandomBot"]()
    async with running(random_bot, server.url):
        peer = await server.accept()
        hello = await peer.expect("hello")
        assert hello["name"] == "random-py"
        await peer.send(welcome("random-py"))
        await peer.send(prepare("m1", 1, game="rps"))
        await peer.expect("ready")
        await peer.send(request("m1", 2, ["rock", "paper", "scissors"]))
        answer = await peer.expect("action")
        assert answer["action"] in ("rock", "paper", "scissors")
