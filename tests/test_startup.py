"""Start-up failures print one line naming the path or URL and the cause, and exit non-zero.

The real command runs in a subprocess against real file systems: a read-only
directory, a full one, a path under a regular file, a database that cannot be
reached, a port already taken. ``chmod`` does not stop root, so as root the
read-only directory is a read-only bind mount and the full one a tiny tmpfs;
where mounting is not allowed either, those cases are skipped with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import ringside as ringside_package
from ringside.store import open_store, sqlite_url
from ringside.testing.postgres import free_port

ROOT = os.geteuid() == 0


def ringside(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``ringside ARGS`` as a user runs it; the server must fail before it serves."""
    source = str(Path(ringside_package.__file__).resolve().parents[1])
    path = os.pathsep.join([source, *filter(None, [os.environ.get("PYTHONPATH")])])
    env = {**os.environ, "PYTHONPATH": path}
    for name in [n for n in env if n.startswith("RINGSIDE_")]:
        del env[name]
    return subprocess.run(
        [sys.executable, "-m", "ringside", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env=env,
        check=False,
    )


def serve(data_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return ringside(
        "serve", "--open", "--port", "0", "--tcp-port", "0", "--data-dir", str(data_dir), *extra,
        cwd=data_dir.parent,
    )  # fmt: skip


def error_lines(done: subprocess.CompletedProcess[str]) -> list[str]:
    assert done.returncode != 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    return done.stderr.strip().splitlines()


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """``folder`` read-only for this user: chmod, or as root a read-only bind mount."""
    if not ROOT:
        folder.chmod(0o555)
        for child in folder.iterdir():
            child.chmod(0o444)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    try:
        _mount("--bind", str(folder), str(folder))
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"running as root, where chmod does not stop writes, and mount fails: {exc}")
    try:
        _mount("-o", "remount,ro,bind", str(folder))
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True, capture_output=True)


@contextlib.contextmanager
def full_disk(folder: Path, size_kib: int) -> Iterator[None]:
    """``folder`` on a tmpfs of ``size_kib``, then filled to the last byte."""
    folder.mkdir()
    try:
        _mount("-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", str(folder))
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"a full file system needs a small tmpfs, and mount fails: {exc}")
    try:
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True, capture_output=True)


def fill(folder: Path) -> None:
    with contextlib.suppress(OSError), (folder / "filler").open("wb") as filler:
        while True:
            filler.write(b"\0" * 4096)
            filler.flush()


def make_database(data_dir: Path) -> None:
    async def make() -> None:
        async with await open_store(sqlite_url(data_dir)) as store:
            await store.add_bot("somebot")

    with ThreadPoolExecutor(1) as thread:  # whatever loop this thread may run already
        thread.submit(asyncio.run, make()).result()
    assert (data_dir / "ringside.db").exists()


def test_a_read_only_data_directory(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with read_only(data):
        lines = error_lines(serve(data))
    assert (
        lines[-1]
        == f"ringside: error: cannot open the database in {data}: the directory is read-only"
    )
    assert len([line for line in lines if line.startswith("ringside:")]) == 1


def test_a_read_only_directory_with_a_database_in_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    make_database(data)
    with read_only(data):
        lines = error_lines(serve(data))
    assert (
        lines[-1]
        == f"ringside: error: cannot open the database in {data}: the directory is read-only"
    )
    assert "unable to open database file" not in "\n".join(lines)


def test_a_data_directory_under_a_regular_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    data = tmp_path / "file" / "data"
    lines = error_lines(ringside("serve", "--open", "--data-dir", str(data), cwd=tmp_path))
    assert lines[-1] == (
        f"ringside: error: cannot open the database in {data}: {tmp_path / 'file'} is a file,"
        " not a directory"
    )


@pytest.mark.skipif(not ROOT, reason="a small tmpfs needs mount, which needs root")
def test_a_full_data_directory(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with full_disk(data, 64):
        fill(data)
        lines = error_lines(serve(data))
    assert lines[-1] == f"ringside: error: cannot open the database in {data}: the disk is full"


@pytest.mark.skipif(not ROOT, reason="a small tmpfs needs mount, which needs root")
def test_a_full_data_directory_with_a_database_in_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with full_disk(data, 512):
        make_database(data)
        fill(data)
        lines = error_lines(serve(data))
    assert lines[-1] == f"ringside: error: cannot open the database in {data}: the disk is full"


def test_a_database_that_cannot_be_reached(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://ringside:s3cret@127.0.0.1:{free_port()}/ringside"
    lines = error_lines(serve(tmp_path / "data", "--database-url", url))
    shown = url.replace("s3cret", "***")
    assert lines[-1] == f"ringside: error: cannot reach the database at {shown}: connection refused"
    assert "s3cret" not in "\n".join(lines)


def test_a_port_already_taken(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = ringside(
            "serve", "--open", "--port", str(port), "--tcp-port", "0",
            "--data-dir", str(tmp_path / "data"), cwd=tmp_path,
        )  # fmt: skip
    lines = error_lines(done)
    assert (
        lines[-1] == f"ringside: error: cannot listen on 127.0.0.1:{port}: address already in use"
    )


def test_bots_add_on_a_read_only_directory(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with read_only(data):
        lines = error_lines(ringside("bots", "add", "x", "--data-dir", str(data), cwd=tmp_path))
    assert lines == [
        f"ringside: error: cannot open the database in {data}: the directory is read-only"
    ]
