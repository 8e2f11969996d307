"""The ``ringside`` command line.

One typer app with a subcommand per job. ``games`` and ``play`` work without
any server: ``play`` runs a match in this process through the real referee
on simulated time (``ringside.local``), which is the quickest way to try a
game or a bot. Later subcommands (serve, bot, bridge...) are added the same
way: a function decorated with ``@app.command()``.

Errors a user can fix (unknown game, bad time control...) print one line on
stderr and exit with status 2, like a usage error, never a traceback.
"""

from __future__ import annotations

import json
import re
import secrets
import sys
from collections import Counter
from typing import Annotated, Any, Literal, NoReturn

import msgspec
import typer
from rich.console import Console
from rich.table import Table

from ringside.bots import (
    StrategyError,
    StrategyFailed,
    UnknownStrategy,
    get_strategy,
    strategies_for,
)
from ringside.bots.base import strategy_spec
from ringside.bots.player import TimedChooser, derive_seed, strategy_player
from ringside.games.registry import UnknownGame, catalogue, get_game
from ringside.local import LocalBot, Simulation
from ringside.protocol.messages import (
    ByoYomi,
    Fischer,
    MatchEvent,
    MatchResult,
    PerMove,
    RoundResult,
    TimeControl,
    Verdict,
)
from ringside.referee import Match, MatchConfig, MatchConfigError

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Ringside: a match server for AI programs. Try `ringside games`.",
)

EXIT_USAGE = 2


class UsageError(ValueError):
    """Something on the command line that the user must change."""


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print one line on stderr and exit; for errors the user can fix."""
    typer.echo(f"ringside: error: {message}", err=True)
    raise typer.Exit(code)


def main() -> None:
    """Entry point of the ``ringside`` script (see pyproject.toml)."""
    app(prog_name="ringside")


# --- ringside games -----------------------------------------------------------------------


@app.command()
def games() -> None:
    """List the games of the catalogue and the built-in bots that play them."""
    table = Table(title="Games", show_lines=True)
    table.add_column("name", style="bold")
    table.add_column("players", justify="center")
    table.add_column("simultaneous", justify="center")
    table.add_column("built-in bots")
    table.add_column("rules")
    for game in sorted(catalogue(), key=lambda g: g.name):
        lo, hi = game.players.start, game.players.stop - 1
        table.add_row(
            game.name,
            str(lo) if lo == hi else f"{lo}-{hi}",
            "yes" if game.simultaneous else "no",
            ", ".join(strategies_for(game.name)),
            " ".join(game.rules.split()),
        )
    Console().print(table)


# --- ringside play ------------------------------------------------------------------------

_NUMBER = r"(\d+(?:\.\d*)?|\.\d+)"
_TIME_CONTROLS = {
    "per_move": (re.compile(rf"{_NUMBER}"), "per_move:SECONDS, e.g. per_move:5"),
    "fischer": (re.compile(rf"{_NUMBER}\+{_NUMBER}"), "fischer:BASE+INCREMENT, e.g. fischer:60+1"),
    "byoyomi": (
        re.compile(rf"{_NUMBER}\+(\d+)x{_NUMBER}"),
        "byoyomi:BASE+PERIODSxPERIOD, e.g. byoyomi:30+3x5",
    ),
}


def parse_time_control(text: str) -> TimeControl:
    """``per_move:5``, ``fischer:60+1`` or ``byoyomi:30+3x5`` (30 s, then 3 periods of 5 s)."""
    kind, _, figures = text.strip().partition(":")
    known = _TIME_CONTROLS.get(kind)
    if known is None:
        choices = ", ".join(form for _, form in _TIME_CONTROLS.values())
        raise UsageError(f"unknown time control {text!r:.40}; use {choices}")
    pattern, form = known
    match = pattern.fullmatch(figures.strip())
    if match is None:
        raise UsageError(f"bad time control {text!r:.40}; use {form}")
    values = match.groups()
    if kind == "per_move":
        return PerMove(float(values[0]))
    if kind == "fischer":
        return Fischer(float(values[0]), float(values[1]))
    return ByoYomi(float(values[0]), int(values[1]), float(values[2]))


def parse_options(pairs: list[str]) -> dict[str, Any]:
    """``key=value`` pairs; a value is read as JSON when it is JSON, else kept as text."""
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"bad option {pair!r:.40}; use --option key=value")
        try:
            options[key] = json.loads(raw)
        except ValueError:
            options[key] = raw
    return options


def unique_names(strategies: list[str]) -> list[str]:
    """Bot names for a match: repeated strategies are numbered ("random-1", "random-2")."""
    counts = Counter(strategies)
    seen: Counter[str] = Counter()
    names = []
    for name in strategies:
        seen[name] += 1
        names.append(f"{name}-{seen[name]}" if counts[name] > 1 else name)
    return names


def build_players(
    game: str, strategies: list[str], seed: int, depth: int | None
) -> tuple[list[LocalBot], list[TimedChooser]]:
    """One local player per strategy, each with its own generator derived from ``seed``."""
    if depth is not None and not any(
        "depth" in strategy_spec(name, game).params for name in strategies
    ):
        raise UsageError("--depth applies to none of these bots")
    players: list[LocalBot] = []
    choosers: list[TimedChooser] = []
    for index, name in enumerate(strategies):
        params: dict[str, Any] = {}
        if depth is not None and "depth" in strategy_spec(name, game).params:
            params["depth"] = depth
        strategy = get_strategy(name, game, **params)
        player, chooser = strategy_player(strategy, derive_seed(seed, f"bot:{index}"))
        players.append(player)
        choosers.append(chooser)
    return players, choosers


def verdict_json(verdict: Verdict | None) -> dict[str, Any] | None:
    return None if verdict is None else msgspec.to_builtins(verdict)


def result_json(result: MatchResult, seed: int) -> dict[str, Any]:
    """The match result as plain JSON, keyed by bot name where a name is clearer than a seat."""
    rounds = []
    for rs in result.rounds:
        seats = [result.bots[p] for p in rs.players]
        rounds.append(
            {
                "round": rs.round,
                "seats": seats,
                "scores": dict(zip(seats, rs.scores, strict=True)),
                "verdicts": [verdict_json(v) for v in rs.verdicts],
            }
        )
    return {
        "match": result.match,
        "game": result.game,
        "status": result.status,
        "seed": seed,
        "bots": list(result.bots),
        "rounds": rounds,
        "scores": dict(zip(result.bots, result.scores, strict=True)),
        "winner": result.winner,
        "verdict": verdict_json(result.verdict),
        "reason": result.reason,
    }


def _score(value: float) -> str:
    return f"{value:g}"


class RoundPrinter:
    """Prints each round result as the referee publishes it."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def __call__(self, event: MatchEvent) -> None:
        if not isinstance(event, RoundResult):
            return
        seats = ", ".join(
            f"seat {seat}: [bold]{bot}[/bold] {_score(score)}"
            for seat, (bot, score) in enumerate(zip(event.bots, event.scores, strict=True))
        )
        self.console.print(f"round {event.round}  {seats}")
        for v in event.verdicts:
            self.console.print(f"  [red]{v.code}[/red] {v.bot} (seat {v.seat}): {v.message}")


def print_result(console: Console, result: MatchResult, choosers: list[TimedChooser]) -> None:
    table = Table(title=f"{result.game}: {len(result.rounds)} round(s)")
    table.add_column("bot", style="bold")
    table.add_column("score", justify="right")
    table.add_column("moves", justify="right")
    table.add_column("thinking", justify="right")
    for bot, score, chooser in zip(result.bots, result.scores, choosers, strict=True):
        per_move = chooser.thinking / chooser.moves if chooser.moves else 0.0
        table.add_row(bot, _score(score), str(chooser.moves), f"{per_move * 1000:.1f} ms/move")
    console.print(table)
    if result.status == "aborted":
        console.print(f"[red]aborted[/red]: {result.reason}")
    elif result.winner is not None:
        console.print(f"winner: [bold green]{result.winner}[/bold green]")
    else:
        console.print("draw")
    if result.verdict is not None:
        v = result.verdict
        console.print(f"verdict: [red]{v.code}[/red] against {v.bot}: {v.message}")


@app.command()
def play(
    game: Annotated[str, typer.Argument(help="Game name (see `ringside games`).")],
    bots: Annotated[
        str, typer.Option(help="Comma-separated built-in bots, one per player.")
    ] = "random,random",
    rounds: Annotated[int, typer.Option(help="Rounds; seats rotate each round.")] = 1,
    seed: Annotated[
        int | None, typer.Option(help="Master seed of the referee and the bots (default: random).")
    ] = None,
    time_control: Annotated[
        str, typer.Option(help="per_move:S | fischer:BASE+INC | byoyomi:BASE+NxPERIOD")
    ] = "per_move:10",
    option: Annotated[
        list[str] | None, typer.Option(help="Game option key=value (JSON value); repeatable.")
    ] = None,
    forfeit: Annotated[
        str, typer.Option(help="What a verdict costs: the whole match or the round.")
    ] = "match",
    json_output: Annotated[
        bool, typer.Option("--json", help="Print only the match result as one JSON object.")
    ] = False,
    depth: Annotated[
        int | None, typer.Option(help="Search depth for bots that search (alphabeta).")
    ] = None,
) -> None:
    """Play a match between built-in bots in this process, on simulated time."""
    if seed is None:
        seed = secrets.randbits(31)
    try:
        if forfeit not in ("match", "round"):
            raise UsageError(f"--forfeit must be match or round, not {forfeit!r:.20}")
        get_game(game)
        strategies = [name.strip() for name in bots.split(",") if name.strip()]
        config = MatchConfig(
            game=game,
            bots=unique_names(strategies),
            rounds=rounds,
            time_control=parse_time_control(time_control),
            options=parse_options(option or []),
            forfeit=_forfeit(forfeit),
            seed=seed,
        )
        match = Match("local", config)
        players, choosers = build_players(game, strategies, seed, depth)
    except (UsageError, UnknownGame, UnknownStrategy, MatchConfigError, StrategyError) as exc:
        fail(str(exc.args[0]) if exc.args else str(exc))
    console = Console()
    on_event = None
    if not json_output:
        on_event = RoundPrinter(console)
        console.print(
            f"[bold]{game}[/bold]: {' vs '.join(config.bots)}, {rounds} round(s), "
            f"{time_control}, seed {seed}"
        )
    try:
        result = Simulation(match, players, on_event).run()
    except StrategyFailed as exc:
        fail(f"a bot failed: {exc}", code=1)
    if json_output:
        sys.stdout.write(json.dumps(result_json(result, seed)) + "\n")
    else:
        print_result(console, result, choosers)


def _forfeit(value: str) -> Literal["match", "round"]:
    return "round" if value == "round" else "match"


# --- server side (ringside/cli_server.py) ------------------------------------------------

from ringside.cli_server import bots_app, demo, serve  # noqa: E402

app.command()(serve)
app.command()(demo)
app.add_typer(bots_app, name="bots")

from ringside.cli_bot import bot as bot_command  # noqa: E402

app.command(name="bot")(bot_command)

from ringside.cli_engines import bridge_app, export  # noqa: E402

app.add_typer(bridge_app, name="bridge")
app.command()(export)

from ringside.cli_tournament import leaderboard, ratings_app, tournament  # noqa: E402

app.command()(leaderboard)
app.command()(tournament)
app.add_typer(ratings_app, name="ratings")
