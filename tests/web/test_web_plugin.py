"""A game from another package, the whole way: examples/nim is built into a wheel,
installed into a directory of its own, and a real server finds it through its
entry point, lists it, plays it over the network and the page draws it with the
example's own board.js. No Ringside file names the game."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_helpers import BotFleet, http_json, play_match

from ringside.testing.wire import ServerProcess

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "nim"


@pytest.fixture(scope="module")
def nim_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """PYTHONPATH for a child process that has the example installed.

    The wheel is built by the project's own build backend (PEP 517, offline, from a
    copy so the checkout stays clean) and unpacked the way an installer lays it out:
    the package and its .dist-info, entry_points.txt included, in a site directory.
    """
    tmp = tmp_path_factory.mktemp("nim")
    source = tmp / "source"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    built = subprocess.run(
        [
            sys.executable,
            "-c",
            "from setuptools import build_meta as b; print(b.build_wheel('../dist'))",
        ],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert built.returncode == 0, built.stderr
    wheel = tmp / "dist" / built.stdout.split()[-1]
    site = tmp / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    assert (site / "ringside_nim-0.1.0.dist-info" / "entry_points.txt").is_file()
    path = [str(site), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {"PYTHONPATH": os.pathsep.join(path)}


@pytest.fixture(scope="module")
def nim_server(
    tmp_path_factory: pytest.TempPathFactory, nim_env: dict[str, str]
) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("nim-server"), ["--open"], env=nim_env)
    process.start()
    yield process
    process.stop()


def test_ringside_games_lists_the_installed_game(nim_env: dict[str, str]) -> None:
    listed = subprocess.run(
        [sys.executable, "-m", "ringside", "games"],
        env={**os.environ, **nim_env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    row = next(line for line in listed.splitlines() if " nim " in line)
    assert "Two players take turns removing objects" in row
    assert "connect4" in listed, "the built-ins are still there"


def test_the_catalogue_gives_the_game_and_serves_its_board(nim_server: ServerProcess) -> None:
    status, body = http_json("GET", f"{nim_server.http}/api/games")
    assert status == 200
    nim = next(g for g in body["games"] if g["name"] == "nim")
    assert (nim["title"], nim["min_players"], nim["max_players"]) == ("Nim", 2, 2)
    assert nim["seats"] == ["First", "Second"]
    assert nim["options_schema"]["$defs"]["NimOptions"]["properties"]["heaps"]["default"] == [
        3,
        4,
        5,
    ]
    assert nim["board"] == "/games/nim/board.js"
    with urllib.request.urlopen(nim_server.http + nim["board"], timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/javascript")
        assert response.read() == (EXAMPLE / "ringside_nim" / "board.js").read_bytes()
    for other in ("/games/nim/__init__.py", "/games/nim/..%2F__init__.py", "/games/nope/board.js"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(nim_server.http + other, timeout=10)
        assert refused.value.code == 404, other
        refused.value.close()


def test_the_game_is_played_over_the_network_and_drawn_in_the_page(
    page: Any, nim_server: ServerProcess, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    fleet = BotFleet()
    try:
        fleet.add(nim_server.ws_bot, "nim-ws", games=["nim"], seed=1)
        fleet.add(nim_server.tcp_bot, "nim-tcp", games=["nim"], seed=2)
        record = play_match(
            nim_server, {"game": "nim", "bots": ["nim-ws", "nim-tcp"], "options": {"heaps": [2, 3]}}
        )
    finally:
        fleet.close()
    assert record["status"] == "finished" and record["winner"] in ("nim-ws", "nim-tcp")
    moves = [e for e in record["events"] if e["type"] == "move"]
    assert sum(m["action"][1] for m in moves) == 5, "every object was taken"
    assert moves[-1]["view"]["to_act"] == []

    page.goto(f"{nim_server.http}/#/replay/{record['id']}")
    page.get_by_role("button", name="« First").click()  # it opens on the end
    board = page.locator(".board-box svg.board-svg.nim")
    expect(board).to_be_visible()
    expect(board.locator(".stick.piece")).to_have_count(5)  # the start: 2 and 3
    expect(page.locator(".view-json")).to_have_count(0)
    page.get_by_role("button", name="Last »").click()
    expect(board.locator(".stick.piece")).to_have_count(0)
    winner = record["winner"]
    seat = record["bots"].index(winner)  # one round: players sit in order
    label = ["First", "Second"][seat]
    expect(page.locator(".board-caption")).to_contain_text(
        f"{winner} ({label}) took the last one and wins."
    )
    last = moves[-1]["action"]
    expect(page.locator(".moves li.move").last).to_contain_text(
        f"takes {last[1]} from heap {last[0]}"
    )
    expect(page.locator(f'.player[data-seat="{seat}"] .seat-label')).to_have_text(label)
    page.screenshot(path=str(artifacts / "plugin-nim.png"))

    page.goto(f"{nim_server.http}/#/games")
    card = page.locator('.game-card[data-game="nim"]')
    expect(card.locator("svg.nim .stick.piece")).to_have_count(8)  # the sample: 1, 4 and 3
    expect(card).to_contain_text(re.compile(r"Nim.*nim · 2 players", re.S))
