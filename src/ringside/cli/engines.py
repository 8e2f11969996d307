"""CLI commands for programs nobody wrote for Ringside: ``ringside bridge ...`` and ``ringside export``.

``bridge uci|xboard|gtp|stdio`` runs where the engine runs: it starts the engine
given after ``--`` and connects it to the server as a bot (see
``ringside.bridges``). ``export`` writes a stored match as PGN (chess), SGF
(Go) or JSON, reading it from a server over HTTP or from the database.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec
import typer

from ringside.bridges.engine import EngineBridge, EngineError
from ringside.cli.common import (
    DEFAULT_SERVER,
    EXIT_FAILURE,
    check_bot_server,
    fail,
    log_to_stderr,
    program_app,
)
from ringside.client import BotRefused
from ringside.text import quoted

if TYPE_CHECKING:
    from ringside.bridges.book import Book
    from ringside.bridges.pool import BridgePool

__all__ = ["bridge_app", "export"]

bridge_app = typer.Typer(
    no_args_is_help=True,
    help="Play an engine on a server: `ringside bridge uci --name sf -- stockfish`.",
)


Server = Annotated[
    str,
    typer.Option(envvar="RINGSIDE_SERVER", help="ws://HOST:PORT/ws/bot or tcp://HOST:PORT."),
]
Name = Annotated[
    str | None, typer.Option(help="The bot's name on the server (default: the program's name).")
]
Token = Annotated[
    str | None,
    typer.Option(envvar="RINGSIDE_TOKEN", show_envvar=True, help="The bot's token."),
]
Verbose = Annotated[
    bool, typer.Option("--verbose", "-v", help="Log every line to and from the engine.")
]
Recover = Annotated[
    bool,
    typer.Option(
        "--recover",
        help="When the engine crashes, restart it on the game's position (not conceding).",
    ),
]
Command = Annotated[list[str], typer.Argument(help="The engine and its arguments, after --.")]
BookPath = Annotated[
    Path | None, typer.Option("--book", help="A polyglot opening book played before the engine.")
]
BookDepth = Annotated[int | None, typer.Option(help="Plies of a game the book may play.")]
BookSelection = Annotated[
    str, typer.Option(help="weighted (by the entries' weights, seeded per game) or best.")
]


def open_book(path: Path | None, depth: int | None, selection: str) -> Book | None:
    """``--book``, or None; a bad book or setting is the user's to fix."""
    if path is None:
        return None
    from ringside.bridges.book import Book

    try:
        return Book(path, depth=depth, selection=selection)  # type: ignore[arg-type]
    except ValueError as exc:
        fail(str(exc))


class EngineConfig(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """``--config FILE``: an engine's settings in TOML, as lichess-bot keeps them (options
    and limits per engine); what the command line gives wins."""

    options: dict[str, str | int | float | bool] = {}
    nodes: int | None = None
    depth: int | None = None
    movetime: float | None = None
    move_overhead: float | None = None
    book: str | None = None
    book_depth: int | None = None
    book_selection: str | None = None


def read_engine_config(path: Path) -> EngineConfig:
    """The settings of ``path``; a bad file is the user's to fix (exit 2, one line)."""
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return msgspec.convert(data, EngineConfig)
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}")
    except tomllib.TOMLDecodeError as exc:
        fail(f"{path} is no TOML: {exc}")
    except msgspec.ValidationError as exc:
        fail(f"{path}: {exc}")


def option_text(value: str | int | float | bool) -> str:
    """A TOML value as UCI's ``setoption ... value`` writes it (``true``, ``64``)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


ConfigFile = Annotated[
    Path | None,
    typer.Option("--config", help="TOML file of engine options and limits (lichess-bot style)."),
]


Concurrency = Annotated[
    int,
    typer.Option(
        min=1,
        max=64,
        help="Games at once under this one name, each with an engine of its own.",
    ),
]


def _common(command: list[str], server: str, name: str | None) -> str:
    check_bot_server(server)
    if not command:
        fail("give the engine command after --, e.g. -- stockfish")
    return name or Path(command[0]).name


def pooled(make: Callable[[], EngineBridge], concurrency: int) -> EngineBridge | BridgePool:
    """One bridge, or ``concurrency`` of them under one name (``--concurrency``)."""
    if concurrency == 1:
        return make()
    from ringside.bridges.pool import BridgePool

    return BridgePool([make() for _ in range(concurrency)])


def run_bridge(bridge: EngineBridge | BridgePool, server: str, verbose: bool) -> None:
    """Play until Ctrl-C or SIGTERM; exit 1 when the engine or the server gives up.

    A signal concedes the running match at once (the opponent need not wait out
    a reconnection grace); the bridge then exits with 128 + the signal's number,
    or 0 when it was idle and conceded nothing."""
    stopped_by: list[signal.Signals] = []
    conceded: list[str] = []

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        tasks: set[asyncio.Task[None]] = set()

        def on_signal(sig: signal.Signals) -> None:
            if stopped_by:
                stop.set()  # a second signal: stop without waiting
                return
            stopped_by.append(sig)
            tasks.add(loop.create_task(leave(sig)))

        async def leave(sig: signal.Signals) -> None:
            conceded.extend(await bridge.leave(f"the bridge was stopped ({sig.name})"))

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, on_signal, sig)
        await bridge.serve(server, stop)

    try:
        with log_to_stderr(verbose):
            asyncio.run(main())
        if stopped_by and conceded:
            raise typer.Exit(128 + stopped_by[0].value)
    except EngineError as exc:
        fail(str(exc), EXIT_FAILURE)
    except BotRefused as exc:
        fail(str(exc), EXIT_FAILURE)
    except ValueError as exc:
        fail(str(exc))


@bridge_app.command()
def uci(
    command: Command,
    server: Server = DEFAULT_SERVER,
    name: Name = None,
    token: Token = None,
    option: Annotated[
        list[str] | None,
        typer.Option("--option", help="Engine option NAME=VALUE (e.g. Threads=1); repeatable."),
    ] = None,
    move_overhead: Annotated[
        float, typer.Option(min=0.0, help="Seconds kept back from every move for the network.")
    ] = 0.05,
    nodes: Annotated[
        int | None, typer.Option(help="Nodes per move (go nodes N), for reproducible games.")
    ] = None,
    depth: Annotated[int | None, typer.Option(help="Depth per move (go depth N).")] = None,
    movetime: Annotated[
        float | None, typer.Option(help="Seconds per move (go movetime), within the clock.")
    ] = None,
    book: BookPath = None,
    book_depth: BookDepth = None,
    book_selection: BookSelection = "weighted",
    config: ConfigFile = None,
    recover: Recover = False,
    concurrency: Concurrency = 1,
    verbose: Verbose = False,
) -> None:
    """A UCI chess engine as a bot: ringside bridge uci --name sf -- stockfish."""
    from ringside.bridges.uci import Limits, UciBridge, parse_options

    bot_name = _common(command, server, name)
    if config is not None:
        settings = read_engine_config(config)
        option = [f"{k}={option_text(v)}" for k, v in settings.options.items()] + (option or [])
        nodes = nodes if nodes is not None else settings.nodes
        depth = depth if depth is not None else settings.depth
        movetime = movetime if movetime is not None else settings.movetime
        if settings.move_overhead is not None and move_overhead == 0.05:
            move_overhead = settings.move_overhead
        if book is None and settings.book is not None:
            book = (config.parent / settings.book).resolve()
        book_depth = book_depth if book_depth is not None else settings.book_depth
        if settings.book_selection is not None and book_selection == "weighted":
            book_selection = settings.book_selection
    try:
        options = parse_options(option or [])
        wanted = (nodes, depth, movetime)
        limits = Limits(*wanted) if any(v is not None for v in wanted) else None
    except ValueError as exc:
        fail(str(exc))
    opening_book = open_book(book, book_depth, book_selection)

    def make() -> EngineBridge:
        return UciBridge(
            command,
            options=options,
            move_overhead=move_overhead,
            limits=limits,
            book=opening_book,
            name=bot_name,
            token=token,
            recover=recover,
        )

    run_bridge(pooled(make, concurrency), server, verbose)


@bridge_app.command()
def xboard(
    command: Command,
    server: Server = DEFAULT_SERVER,
    name: Name = None,
    token: Token = None,
    move_overhead: Annotated[
        float, typer.Option(min=0.0, help="Seconds kept back from every move for the network.")
    ] = 0.05,
    depth: Annotated[int | None, typer.Option(help="Depth per move (sd N).")] = None,
    movetime: Annotated[
        float | None, typer.Option(help="Seconds per move (st S, whole seconds).")
    ] = None,
    book: BookPath = None,
    book_depth: BookDepth = None,
    book_selection: BookSelection = "weighted",
    recover: Recover = False,
    concurrency: Concurrency = 1,
    verbose: Verbose = False,
) -> None:
    """An XBoard/CECP chess engine as a bot: ringside bridge xboard --name crafty -- crafty."""
    from ringside.bridges.uci import Limits
    from ringside.bridges.xboard import XBoardBridge

    bot_name = _common(command, server, name)
    try:
        limits = None if depth is None and movetime is None else Limits(None, depth, movetime)
    except ValueError as exc:
        fail(str(exc))
    opening_book = open_book(book, book_depth, book_selection)

    def make() -> EngineBridge:
        return XBoardBridge(
            command,
            move_overhead=move_overhead,
            book=opening_book,
            limits=limits,
            name=bot_name,
            token=token,
            recover=recover,
        )

    run_bridge(pooled(make, concurrency), server, verbose)


@bridge_app.command()
def gtp(
    command: Command,
    server: Server = DEFAULT_SERVER,
    name: Name = None,
    token: Token = None,
    recover: Recover = False,
    concurrency: Concurrency = 1,
    verbose: Verbose = False,
) -> None:
    """A GTP Go engine as a bot: ringside bridge gtp --name gnugo -- gnugo --mode gtp
    --chinese-rules --capture-all-dead (Ringside removes no dead stones: play them out)."""
    from ringside.bridges.gtp import GtpBridge

    bot_name = _common(command, server, name)

    def make() -> EngineBridge:
        return GtpBridge(command, name=bot_name, token=token, recover=recover)

    run_bridge(pooled(make, concurrency), server, verbose)


@bridge_app.command()
def stdio(
    command: Command,
    server: Server = DEFAULT_SERVER,
    name: Name = None,
    token: Token = None,
    game: Annotated[
        list[str] | None,
        typer.Option("--game", "-g", help="A game it plays; repeatable (default: any)."),
    ] = None,
    recover: Recover = False,
    concurrency: Concurrency = 1,
    verbose: Verbose = False,
) -> None:
    """A program reading one JSON request per line and writing one JSON action per line."""
    from ringside.bridges.stdio import StdioBridge

    bot_name = _common(command, server, name)

    def make() -> EngineBridge:
        return StdioBridge(command, name=bot_name, token=token, games=game or None, recover=recover)

    run_bridge(pooled(make, concurrency), server, verbose)


# --- ringside export ------------------------------------------------------------------------

ExportFormat = Literal["auto", "pgn", "sgf", "json"]


def fetch_http(base: str, match_id: str) -> dict[str, Any]:
    """GET /api/matches/ID from a server (``http://HOST:PORT``)."""
    url = f"{base.rstrip('/')}/api/matches/{urllib.parse.quote(match_id, safe='')}"
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            detail: dict[str, Any] = json.load(response)
            return detail
    except urllib.error.HTTPError as exc:
        exc.close()  # it holds the response, and so the socket
        if exc.code == 404:
            fail(f"the server has no match {quoted(match_id, 60)}", EXIT_FAILURE)
        fail(f"{url}: HTTP {exc.code} {exc.reason}", EXIT_FAILURE)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        fail(f"cannot read {url}: {exc}", EXIT_FAILURE)


def fetch_store(database_url: str | None, data_dir: Path, match_id: str) -> dict[str, Any]:
    """The match from the database, in the shape of GET /api/matches/ID (``ringside.views``)."""
    from ringside.store import open_store, sqlite_url
    from ringside.views import as_json, match_detail

    if database_url is None and not (data_dir / "ringside.db").exists():
        fail(f"no database in {data_dir} (use --data-dir, --database-url or --server)")

    async def read() -> Any:
        store = await open_store(database_url or sqlite_url(data_dir))
        try:
            return await store.get_match(match_id)
        finally:
            await store.close()

    record = asyncio.run(read())
    if record is None:
        fail(f"no match {quoted(match_id, 60)} in the database", EXIT_FAILURE)

    return as_json(match_detail(record))


def render(detail: dict[str, Any], fmt: ExportFormat, round_number: int | None) -> str:
    """The text of the export; ``auto`` is PGN for chess, SGF for Go, JSON otherwise."""
    from ringside.export import ExportError, default_format
    from ringside.export import export as export_match

    chosen = default_format(str(detail.get("game"))) if fmt == "auto" else fmt
    if chosen is None or chosen == "json":
        return json.dumps(detail, indent=2, ensure_ascii=False) + "\n"
    started = detail.get("started_at") or detail.get("created_at")
    try:
        return export_match(
            chosen,
            detail.get("events") or [],
            started_at=datetime.fromisoformat(started) if started else None,
            round=round_number,
        )
    except ExportError as exc:
        fail(exc.message, EXIT_FAILURE)


def export(
    match_id: Annotated[str, typer.Argument(help="The match id.")],
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", help="auto (PGN for chess, SGF for Go), pgn, sgf, json."),
    ] = "auto",
    server: Annotated[
        str | None,
        typer.Option(help="Read from this server, http://HOST:PORT (else from the database)."),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(envvar="RINGSIDE_DATABASE_URL", help="SQLAlchemy URL of the store."),
    ] = None,
    data_dir: Annotated[
        Path, typer.Option(envvar="RINGSIDE_DATA_DIR", help="Where SQLite lives.")
    ] = Path("data"),
    round_number: Annotated[
        int | None, typer.Option("--round", min=1, help="Only this round.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.")
    ] = None,
) -> None:
    """Write a stored match as PGN (chess), SGF (Go) or JSON."""
    if fmt not in ("auto", "pgn", "sgf", "json"):
        fail(f"--format must be auto, pgn, sgf or json, not {quoted(fmt, 20)}")
    if server is not None and urllib.parse.urlsplit(server).scheme not in ("http", "https"):
        fail(f"--server must be http://HOST:PORT, not {quoted(server, 80)}")
    fetch: Callable[[], dict[str, Any]] = (
        (lambda: fetch_http(server, match_id))
        if server is not None
        else (lambda: fetch_store(database_url, data_dir, match_id))
    )
    text = render(fetch(), fmt, round_number)  # type: ignore[arg-type]
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)


def _standalone() -> typer.Typer:
    """``python -m ringside.cli.engines``: these commands without the rest of the CLI."""
    app = program_app()
    app.add_typer(bridge_app, name="bridge")
    app.command()(export)
    return app


if __name__ == "__main__":
    _standalone()(prog_name="ringside")
