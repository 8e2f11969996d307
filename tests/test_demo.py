"""``ringside demo`` as a user runs it: the page, bots playing, and Ctrl-C stopping it all."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

READY = re.compile(r"open (http://\S+)/ in a browser")
PATIENCE = 60.0
"""Seconds to wait for a state of the demo; generous, as a loaded machine is slow."""


def _session_processes(session: int) -> list[str]:
    """The live (not zombie) processes of one session, as ``pid command`` lines."""
    listing = subprocess.run(
        ["ps", "-o", "pid=,stat=,args=", "-s", str(session)],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return [line for line in listing.splitlines() if line.split()[1:2] != ["Z"]]


def _get_json(url: str) -> object:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    # A session of its own, like a terminal's foreground job: Ctrl-C goes to all of it.
    command = [sys.executable, "-m", "ringside", "demo", "--port", "0", "--tcp-port", "0"]
    process = subprocess.Popen(
        [*command, "--data-dir", str(tmp_path / "data")],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        url = None
        for line in process.stdout:
            found = READY.search(line)
            if found:
                url = found.group(1)
                break
        assert url is not None, "the demo ended without printing its URL"
        yield process, url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def test_the_demo_plays_and_ctrl_c_stops_every_process(
    demo: tuple[subprocess.Popen[str], str],
) -> None:
    process, url = demo
    with urllib.request.urlopen(f"{url}/", timeout=10) as response:
        assert b"<title>Ringside" in response.read()
    # The built-in bots join and the ladder starts matches by itself.
    deadline = time.monotonic() + PATIENCE
    while True:
        listing = _get_json(f"{url}/api/matches")
        assert isinstance(listing, dict)
        if listing["total"] > 0:
            break
        assert time.monotonic() < deadline, "no match started"
        time.sleep(0.1)
    assert len(_session_processes(process.pid)) == 6, "the demo, its server and four bots"

    started = time.monotonic()
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    assert process.wait(timeout=PATIENCE) == 0
    print(f"the demo stopped {time.monotonic() - started:.2f} s after Ctrl-C")
    deadline = time.monotonic() + PATIENCE
    while left := _session_processes(process.pid):
        assert time.monotonic() < deadline, f"still running after Ctrl-C: {left}"
        time.sleep(0.05)
