"""CLI commands of the server side: ``ringside serve``, ``ringside demo`` and ``ringside bots``."""

from __future__ import annotations

import asyncio
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from ringside.cli.common import EXIT_FAILURE, EXIT_USAGE, console, fail
from ringside.server.settings import Settings

if TYPE_CHECKING:
    from ringside.store import Store


class Synchronous(StrEnum):
    normal = "normal"
    full = "full"


bots_app = typer.Typer(help="Register and list bots (tokens are stored only as hashes).")


def _database_url(database_url: str | None, data_dir: Path) -> str:
    from ringside.store import sqlite_url

    return database_url or sqlite_url(data_dir)


async def _open_store(url: str) -> Store:
    """The store at ``url``, or one line naming it and why it cannot be opened."""
    from sqlalchemy.exc import SQLAlchemyError

    from ringside.store import StoreError, open_store
    from ringside.store.errors import why_cannot_open

    try:
        return await open_store(url)
    except (StoreError, SQLAlchemyError, OSError) as exc:
        fail(why_cannot_open(url, exc), EXIT_FAILURE)


DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="RINGSIDE_DATABASE_URL",
        help="SQLAlchemy URL, e.g. postgresql+asyncpg://user@host/db (default: SQLite in the data dir)",
    ),
]
DataDir = Annotated[
    Path, typer.Option("--data-dir", envvar="RINGSIDE_DATA_DIR", help="Where SQLite lives")
]


def serve(
    host: Annotated[str, typer.Option(envvar="RINGSIDE_HOST", help="Address to listen on")] = (
        "127.0.0.1"
    ),
    port: Annotated[
        int, typer.Option(envvar="RINGSIDE_PORT", help="HTTP and WebSocket port (0: any free)")
    ] = 8000,
    tcp_port: Annotated[
        int, typer.Option(envvar="RINGSIDE_TCP_PORT", help="TCP port for JSON-lines bots")
    ] = 8001,
    database_url: DatabaseUrl = None,
    data_dir: DataDir = Path("data"),
    open_mode: Annotated[
        bool,
        typer.Option(
            "--open",
            envvar="RINGSIDE_OPEN",
            help="Let any name join as a guest and start matches without an admin token",
        ),
    ] = False,
    admin_token: Annotated[
        str | None,
        typer.Option(
            envvar="RINGSIDE_ADMIN_TOKEN", help="Token required to start matches over HTTP"
        ),
    ] = None,
    heartbeat: Annotated[
        float, typer.Option(envvar="RINGSIDE_HEARTBEAT", help="Seconds between pings")
    ] = 20.0,
    ladder: Annotated[
        bool,
        typer.Option(
            "--ladder",
            envvar="RINGSIDE_LADDER",
            help="Ladder mode: keep pairing idle bots of similar rating that share a game",
        ),
    ] = False,
    node_id: Annotated[
        str | None,
        typer.Option(
            "--node-id",
            envvar="RINGSIDE_NODE_ID",
            help="This server's name on a shared database (default: kept in the data dir)",
        ),
    ] = None,
    drain: Annotated[
        float,
        typer.Option(
            "--drain",
            envvar="RINGSIDE_DRAIN",
            min=0.0,
            help="On SIGTERM, let running matches finish for up to SECONDS "
            "(default 0: leave them to the restart)",
        ),
    ] = 0.0,
    redis_url: Annotated[
        str | None,
        typer.Option(
            "--redis-url",
            envvar="RINGSIDE_REDIS_URL",
            help="Run as one node of a cluster: the cluster's Redis (redis://host:port/0); "
            "needs a PostgreSQL --database-url shared by every node",
        ),
    ] = None,
    sqlite_synchronous: Annotated[
        Synchronous,
        typer.Option(
            envvar="RINGSIDE_SQLITE_SYNCHRONOUS",
            help="SQLite: 'full' fsyncs each result's commit (survives a power cut); "
            "'normal' survives a crash of the server only, for less disk work",
        ),
    ] = Synchronous.full,
    max_tournament_games: Annotated[
        int,
        typer.Option(
            "--max-tournament-games",
            envvar="RINGSIDE_MAX_TOURNAMENT_GAMES",
            min=1,
            help="The most games one tournament may plan (a bigger one is refused)",
        ),
    ] = 100_000,
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(
            "--trusted-proxy",
            envvar="RINGSIDE_TRUSTED_PROXIES",
            help="Address or network (10.0.0.0/8) of a reverse proxy whose X-Forwarded-For "
            "names the client; repeat for several (default: none, the socket's address counts)",
        ),
    ] = None,
) -> None:
    """Run the match server: HTTP API, WebSocket for bots and spectators, TCP for bots."""
    from ringside.server.hello_limit import trusted_networks
    from ringside.server.main import StartupError, run

    if not open_mode and not admin_token:
        console.print(
            "[yellow]No --admin-token and not --open: matches can only be started "
            "by a later admin token or the ladder.[/]",
            highlight=False,
        )
    try:
        trusted_networks(tuple(trusted_proxy or ()))
    except ValueError as exc:
        fail(f"--trusted-proxy: {exc}", EXIT_USAGE)
    settings = Settings(
        host=host,
        port=port,
        tcp_port=tcp_port,
        database_url=database_url,
        data_dir=data_dir,
        open=open_mode,
        admin_token=admin_token,
        heartbeat=heartbeat,
        ladder=ladder,
        node_id=node_id,
        drain=drain,
        redis_url=redis_url,
        sqlite_synchronous=sqlite_synchronous.value,
        max_tournament_games=max_tournament_games,
        trusted_proxies=tuple(trusted_proxy or ()),
    )
    try:
        run(settings)
    except StartupError as exc:  # one line naming what and why, not a traceback
        fail(str(exc), EXIT_FAILURE)


@bots_app.command("add")
def bots_add(
    name: str,
    database_url: DatabaseUrl = None,
    data_dir: DataDir = Path("data"),
) -> None:
    """Register a bot and print its token once; only a hash is kept."""
    from ringside.store.records import BotExists

    async def add() -> str:
        store = await _open_store(_database_url(database_url, data_dir))
        try:
            return await store.add_bot(name)
        finally:
            await store.close()

    try:
        token = asyncio.run(add())
    except BotExists:
        typer.echo(f"error: a bot named {name!r} is already registered", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    typer.echo(f"Registered {name}. Its token (shown only now): {token}")


@bots_app.command("list")
def bots_list(database_url: DatabaseUrl = None, data_dir: DataDir = Path("data")) -> None:
    """List registered bots."""

    async def fetch() -> list[tuple[str, str]]:
        store = await _open_store(_database_url(database_url, data_dir))
        try:
            return [(b.name, b.created_at.isoformat()) for b in await store.list_bots()]
        finally:
            await store.close()

    table = Table("name", "registered")
    for name, created in asyncio.run(fetch()):
        table.add_row(name, created)
    console.print(table)


def demo(
    data_dir: DataDir = Path("data"),
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="HTTP port")] = 8000,
    tcp_port: Annotated[int, typer.Option(help="TCP port for bots")] = 8001,
) -> None:
    """Start a server with four built-in bots and keep matches going (Ctrl-C stops)."""
    from ringside.demo import main as run_demo

    run_demo(data_dir, host, port, tcp_port)
