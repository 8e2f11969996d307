"""``ringside bridge uci --config FILE``: options and limits from a TOML file (lichess-bot
style), the command line winning. The bridge is built by the real command; only its run
(which would connect to a server) is replaced by keeping the bridge built."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from bridge_helpers import HERE
from typer.testing import CliRunner

from ringside.bridges.uci import Limits, UciBridge
from ringside.cli import engines
from ringside.cli.app import app

pytest.importorskip("chess", reason="books need python-chess")

runner = CliRunner()
FAKE_UCI = [sys.executable, str(HERE / "fake_uci.py")]


def built(monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, Any, str]:
    kept: list[Any] = []
    monkeypatch.setattr(engines, "run_bridge", lambda bridge, server, verbose: kept.append(bridge))
    result = runner.invoke(app, ["bridge", "uci", *args, "--", *FAKE_UCI])
    return result.exit_code, kept[0] if kept else None, result.output


def test_a_config_file_gives_options_and_limits(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "book.bin").write_bytes(b"")
    config = tmp_path / "sf.toml"
    config.write_text(
        'nodes = 1000\nmove_overhead = 0.2\nbook = "book.bin"\nbook_selection = "best"\n'
        "[options]\nThreads = 1\nHash = 64\nPonder = false\n",
        encoding="utf-8",
    )
    code, bridge, output = built(monkeypatch, "--config", str(config), "--option", "Hash=16")
    assert code == 0, output
    assert isinstance(bridge, UciBridge)
    assert bridge.options == [("Threads", "1"), ("Hash", "64"), ("Ponder", "false"), ("Hash", "16")]
    assert bridge.limits == Limits(nodes=1000)
    assert bridge.move_overhead == 0.2
    assert bridge.book is not None and bridge.book.selection == "best"
    code, bridge, _ = built(monkeypatch, "--config", str(config), "--nodes", "50")
    assert bridge.limits == Limits(nodes=50)


def test_a_bad_config_file_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("nodes = 'many'\n", encoding="utf-8")
    code, bridge, output = built(monkeypatch, "--config", str(config))
    assert code == 2 and bridge is None
    assert "bad.toml" in output and "nodes" in output
    config.write_text("speed = 3\n", encoding="utf-8")
    code, _, output = built(monkeypatch, "--config", str(config))
    assert code == 2 and "speed" in output
