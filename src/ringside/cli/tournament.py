"""CLI commands for ratings and tournaments: ``leaderboard``, ``ratings rebuild``, ``tournament``.

``leaderboard`` and ``tournament`` talk to a running server over its HTTP API
(``--server``, and the admin token for starting a tournament), so they work
from any machine; the tournament itself runs inside the server, which keeps
going and survives restarts even if this command is interrupted.
``ratings rebuild`` works on the database directly, like ``bots add``.

``python -m ringside.cli.tournament`` runs these commands on their own; the
``ringside`` command registers them beside the others.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ringside.cli.common import (
    EXIT_FAILURE,
    DrawOption,
    GameOptionsOption,
    MaxMovesOption,
    OpeningsOption,
    ResignOption,
    TimeControlOption,
    UsageError,
    console,
    fail,
    parse_adjudication,
    parse_openings,
    parse_options,
    parse_time_controls,
    program_app,
)
from ringside.text import quoted

DEFAULT_URL = "http://127.0.0.1:8000"
SPRT_KEYS = ("elo0", "elo1", "alpha", "beta")
SPRT_WORDS = {
    "model": ("trinomial", "pentanomial"),
    "elo_model": ("logistic", "normalized"),
}

ratings_app = typer.Typer(help="Maintain the ratings kept in the database.")

ServerUrl = Annotated[
    str,
    typer.Option("--server", envvar="RINGSIDE_URL", help="The server's HTTP address."),
]


# --- HTTP ---------------------------------------------------------------------------------


class Client:
    """A small JSON client of the server's API; refusals become one line on stderr."""

    def __init__(self, base: str, token: str | None = None, timeout: float = 15.0) -> None:
        parts = urllib.parse.urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            fail(f"--server must be http://HOST:PORT, not {quoted(base, 80)}")
        self.base = base.rstrip("/")
        self.token = token
        self.timeout = timeout

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            try:
                error = json.loads(exc.read())["error"]
                message = f"{error['code']}: {error['message']}"
            except (ValueError, KeyError, TypeError):
                message = f"HTTP {exc.code} {exc.reason}"
            fail(f"the server refused: {message}", EXIT_FAILURE)
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            fail(f"cannot reach the server at {self.base} ({reason})", EXIT_FAILURE)


# --- ringside leaderboard -------------------------------------------------------------------


def _elo(value: float | None, infinite: str) -> str:
    return infinite if value is None else f"{value:+.1f}"


def leaderboard(
    game: Annotated[str, typer.Argument(help="Game name (see `ringside games`).")],
    server: ServerUrl = DEFAULT_URL,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Rows to show.")] = 50,
    json_output: Annotated[bool, typer.Option("--json", help="Print the JSON document.")] = False,
) -> None:
    """Show a game's ratings: Elo-scale figure with its 95 % interval, mu, sigma, W/D/L."""
    board = Client(server).call(
        "GET", f"/api/leaderboard?game={urllib.parse.quote(game)}&limit={limit}"
    )
    if json_output:
        sys.stdout.write(json.dumps(board) + "\n")
        return
    if not board["rows"]:
        others = ", ".join(board["rated_games"]) or "none yet"
        console.print(f"No ratings for {game} yet (rated games: {others}).")
        return
    table = Table(title=f"{game} leaderboard", caption=f"{board['model']['name']}; order: mu − 3σ")
    for column in ("#", "bot", "Elo", "± 95 %", "μ", "σ", "μ − 3σ", "games", "W", "D", "L"):
        table.add_column(column, justify="left" if column == "bot" else "right")
    for r in board["rows"]:
        table.add_row(
            str(r["rank"]),
            r["bot"],
            f"{r['elo']:.0f}",
            f"{(r['elo_high'] - r['elo_low']) / 2:.0f}",
            f"{r['mu']:.2f}",
            f"{r['sigma']:.2f}",
            f"{r['skill']:.2f}",
            str(r["games"]),
            str(r["wins"]),
            str(r["draws"]),
            str(r["losses"]),
        )
    console.print(table)


# --- ringside ratings rebuild -----------------------------------------------------------------


@ratings_app.command("rebuild")
def ratings_rebuild(
    game: Annotated[str | None, typer.Option(help="Only this game (default: every game).")] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url", envvar="RINGSIDE_DATABASE_URL", help="SQLAlchemy URL of the store"
        ),
    ] = None,
    data_dir: Annotated[
        Path, typer.Option("--data-dir", envvar="RINGSIDE_DATA_DIR", help="Where SQLite lives")
    ] = Path("data"),
) -> None:
    """Recompute every rating from the stored matches, in the order they finished.

    The result equals the ratings the server kept up to date match by match;
    run it after an upgrade to rate matches stored before ratings existed.
    """
    from ringside.store import open_store, sqlite_url

    async def rebuild() -> tuple[int, list[str]]:
        store = await open_store(database_url or sqlite_url(data_dir))
        try:
            return await store.rebuild_ratings(game), await store.rated_games()
        finally:
            await store.close()

    count, games = asyncio.run(rebuild())
    shown = game or ", ".join(games) or "no game"
    typer.echo(f"Rebuilt ratings from {count} finished match(es): {shown}.")


# --- ringside tournament ---------------------------------------------------------------------


def parse_sprt(tokens: list[str]) -> dict[str, float | str]:
    """``elo0=0 elo1=5 alpha=0.05 beta=0.05 model=pentanomial elo_model=normalized``
    (any order, any subset, as one or several words)."""
    values: dict[str, float | str] = {}
    for token in " ".join(tokens).replace(",", " ").split():
        key, sep, raw = token.partition("=")
        if sep and key in SPRT_WORDS:
            if raw not in SPRT_WORDS[key]:
                fail(f"bad SPRT {key} {quoted(raw, 40)}; use {' or '.join(SPRT_WORDS[key])}")
            values[key] = raw
            continue
        if not sep or key not in SPRT_KEYS:
            fail(f"bad SPRT setting {quoted(token, 40)}; use elo0=0 elo1=5 alpha=0.05 beta=0.05")
        try:
            values[key] = float(raw)
        except ValueError:
            fail(f"bad SPRT number {quoted(token, 40)}")
    return values


def tournament(
    game: Annotated[str | None, typer.Option("--game", "-g", help="Game to play.")] = None,
    bots: Annotated[
        str | None, typer.Option(help="Comma-separated bot names (gauntlet: challenger first).")
    ] = None,
    format: Annotated[
        str, typer.Option("--format", "-f", help="round-robin, gauntlet or swiss.")
    ] = "round-robin",
    games_per_pair: Annotated[
        int, typer.Option(min=1, help="Games per pairing, seats alternating (SPRT: the cap).")
    ] = 2,
    rounds: Annotated[
        int | None,
        typer.Option(min=1, help="Swiss rounds (default: log2 of the field, rounded up)."),
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Games running at once.")] = 1,
    time_control: TimeControlOption = "per_move:10",
    option: GameOptionsOption = None,
    openings: OpeningsOption = None,
    resign: ResignOption = None,
    draw: DrawOption = None,
    maxmoves: MaxMovesOption = None,
    sprt: Annotated[
        str | None,
        typer.Option(
            help="SPRT on a two-bot gauntlet: elo0=0 elo1=5 alpha=0.05 beta=0.05"
            " [model=pentanomial] [elo_model=normalized]"
        ),
    ] = None,
    absent_timeout: Annotated[
        float, typer.Option(help="Seconds a bot may be away before its games are forfeited.")
    ] = 60.0,
    name: Annotated[str | None, typer.Option(help="A name for the tournament.")] = None,
    watch: Annotated[
        str | None, typer.Option(help="Follow an existing tournament by id instead.")
    ] = None,
    detach: Annotated[
        bool, typer.Option("--detach", help="Start it and print its id; do not wait.")
    ] = False,
    json_output: Annotated[
        bool, typer.Option("--json", help="No progress bar; print the final JSON document.")
    ] = False,
    server: ServerUrl = DEFAULT_URL,
    admin_token: Annotated[
        str | None,
        typer.Option(envvar="RINGSIDE_ADMIN_TOKEN", help="The server's admin token."),
    ] = None,
    poll: Annotated[float, typer.Option(min=0.05, help="Seconds between progress checks.")] = 0.5,
    rest: Annotated[list[str] | None, typer.Argument(hidden=True)] = None,
) -> None:
    """Run a tournament on a server with a progress bar; print standings and the cross table.

    The tournament runs inside the server (it goes on if this command stops).
    For an SPRT, make a two-bot gauntlet whose --games-per-pair is the most
    games to play, and add --sprt elo0=0 elo1=5 alpha=0.05 beta=0.05
    (model=pentanomial counts seat-swapped pairs as fishtest does).
    """
    import msgspec

    if rest and sprt is None:
        fail(f"unexpected argument {quoted(rest[0], 40)}")
    client = Client(server, admin_token)
    if watch is None:
        if game is None or bots is None:
            fail("--game and --bots are required (or --watch ID)")
        names = [b.strip() for b in bots.split(",") if b.strip()]
        try:
            controls = [
                msgspec.to_builtins(tc) for tc in parse_time_controls(time_control, len(names))
            ]
            body: dict[str, Any] = {
                "game": game,
                "bots": names,
                "format": format,
                "games_per_pair": games_per_pair,
                "rounds": rounds,
                "concurrency": concurrency,
                "time_control": controls[0],
                "options": parse_options(option or []),
                "absent_timeout": absent_timeout,
                "name": name,
            }
        except UsageError as exc:
            fail(str(exc))
        try:
            adjudication = parse_adjudication(resign, draw, maxmoves)
        except UsageError as exc:
            fail(str(exc))
        if adjudication is not None:
            body["adjudication"] = adjudication
        if openings is not None:
            try:
                suite = parse_openings(openings, (games_per_pair + 1) // 2, secrets.randbits(31))
            except UsageError as exc:
                fail(str(exc))
            body["options"].update(suite)
        if any(tc != controls[0] for tc in controls):
            body["time_controls"] = dict(zip(names, controls, strict=True))
        if sprt is not None:
            body["sprt"] = parse_sprt([sprt, *(rest or [])])
        created = client.call("POST", "/api/tournaments", body)
        watch = str(created["id"])
        if detach or not json_output:
            typer.echo(f"Tournament {watch} started: {server.rstrip('/')}/api/tournaments/{watch}")
        if detach:
            return
    try:
        detail = follow(client, watch, poll, quiet=json_output)
    except KeyboardInterrupt:
        typer.echo(f"\nStill running on the server; follow it again with --watch {watch}", err=True)
        raise typer.Exit(130) from None
    if json_output:
        sys.stdout.write(json.dumps(detail) + "\n")
    else:
        print_tournament(console, detail)


def follow(client: Client, tid: str, poll: float, quiet: bool = False) -> dict[str, Any]:
    """Poll the tournament until it ends, with a progress bar; returns its final detail."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, disable=quiet, transient=False) as progress:
        task = progress.add_task("games", total=None)
        while True:
            detail: dict[str, Any] = client.call("GET", f"/api/tournaments/{tid}")
            progress.update(
                task,
                completed=detail["played"],
                total=max(detail["total"], detail["played"], 1),
                description=_progress_text(detail),
            )
            if detail["status"] != "running":
                return detail
            time.sleep(poll)


def _progress_text(detail: dict[str, Any]) -> str:
    text = f"{detail['game']} {detail['format']}"
    if detail["running"]:
        text += f", {detail['running']} running"
    sprt = detail.get("sprt")
    if sprt is not None:
        text += f", LLR {sprt['llr']:.2f} [{sprt['lower']:.2f}, {sprt['upper']:.2f}]"
    elif detail["leader"]:
        text += f", leader {detail['leader']}"
    return text


def print_tournament(out: Console, detail: dict[str, Any]) -> None:
    """Standings, cross table and, for an SPRT, the verdict with the Elo difference."""
    title = detail["name"] or f"{detail['game']} {detail['format']}"
    out.print(
        f"\n[bold]{title}[/bold] ({detail['id']}): {detail['status']}, "
        f"{detail['played']} game(s) played"
    )
    if detail.get("failure"):
        out.print(f"Given up: {detail['failure']}", style="red", markup=False, highlight=False)
    standings = Table(title="Standings")
    swiss = detail["format"] == "swiss"
    headers = ["#", "bot", "points", "games", "W", "D", "L"]
    headers += ["byes"] if swiss else []
    headers += ["forfeits", "Buchholz" if swiss else "SB"]
    for header in headers:
        standings.add_column(header, justify="left" if header == "bot" else "right")
    for row in detail["standings"]:
        cells = [str(row["rank"]), row["bot"], f"{row['points']:g}", str(row["games"])]
        cells += [str(row["wins"]), str(row["draws"]), str(row["losses"])]
        cells += [str(row["byes"])] if swiss else []
        cells += [str(row["forfeits"])]
        cells += [f"{row['buchholz']:g}" if swiss else f"{row['sonneborn_berger']:g}"]
        standings.add_row(*cells)
    out.print(standings)
    cross = Table(title="Cross table: points/games of each row against each column")
    order = [row["bot"] for row in detail["cross_table"]]
    cross.add_column("bot")
    for i, _ in enumerate(order, start=1):
        cross.add_column(str(i), justify="center")
    cross.add_column("total", justify="right")
    for i, row in enumerate(detail["cross_table"], start=1):
        cells = []
        for other in order:
            cell = row["cells"].get(other)
            if other == row["bot"]:
                cells.append("·")
            elif cell is None:
                cells.append("")
            else:
                cells.append(f"{cell['points']:g}/{cell['games']}")
        cross.add_row(f"{i} {row['bot']}", *cells, f"{row['points']:g}/{row['games']}")
    out.print(cross)
    notes = [g for g in detail["games"] if g["status"] == "forfeit" or g["attempts"] > 1]
    for game in notes[:20]:
        out.print(f"game {game['no']} ({' v '.join(game['bots'])}): {game['note']}")
    if detail["sprt"] is not None:
        print_sprt(out, detail)


def print_sprt(out: Console, detail: dict[str, Any]) -> None:
    s = detail["sprt"]
    first, second = detail["bots"][:2]
    if s["verdict"] == "H1":
        verdict = f"H1 accepted: {first} is stronger than {second} (≥ {s['elo1']:g} Elo)"
    elif s["verdict"] == "H0":
        verdict = f"H0 accepted: {first} is not stronger than {second} by {s['elo1']:g} Elo"
    else:
        verdict = "no decision: the game limit came first"
    settings = f"elo0={s['elo0']:g} elo1={s['elo1']:g} alpha={s['alpha']:g} beta={s['beta']:g}"
    if s.get("model", "trinomial") != "trinomial" or s.get("elo_model", "logistic") != "logistic":
        settings += f" model={s['model']} elo_model={s['elo_model']}"
    out.print(f"[bold]SPRT[/bold] {settings}")
    out.print(f"  {verdict}")
    out.print(f"  LLR {s['llr']:.3f} (bounds {s['lower']:.3f}, {s['upper']:.3f})")
    point = _elo(s["elo"], "+∞" if s["wins"] > s["losses"] else "-∞")
    low, high = _elo(s["elo_low"], "-∞"), _elo(s["elo_high"], "+∞")
    out.print(f"  Elo difference {point} [{low}, {high}] (95 %)")
    out.print(f"  games {s['games']}: +{s['wins']} ={s['draws']} -{s['losses']}")
    if s.get("pentanomial") is not None:
        counts = ", ".join(str(c) for c in s["pentanomial"])
        out.print(f"  pairs {s['pairs']}: Ptnml(0-2) {counts}")


# --- standalone -----------------------------------------------------------------------------


def _standalone() -> typer.Typer:
    """``python -m ringside.cli.tournament``: these commands without the rest of the CLI."""
    app = program_app("Ringside ratings and tournaments.")
    app.command()(leaderboard)
    app.command()(tournament)
    app.add_typer(ratings_app, name="ratings")
    return app


if __name__ == "__main__":
    _standalone()(prog_name="ringside")
