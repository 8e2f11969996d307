"""``ringside games`` and ``ringside play``: the commands that need no server.

``play`` runs a match in this process through the real referee on simulated
time (``ringside.local``), which is the quickest way to try a game or a bot.
Errors a user can fix (unknown game, bad time control...) print one line on
stderr and exit with status 2, like a usage error, never a traceback.
"""

from __future__ import annotations

import json
import secrets
import sys
from collections import Counter
from typing import Annotated, Any, Literal

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
from ringside.cli.common import (
    EXIT_FAILURE,
    DrawOption,
    GameOptionsOption,
    MaxMovesOption,
    OpeningsOption,
    ResignOption,
    TimeControlOption,
    UsageError,
    fail,
    parse_adjudication,
    parse_openings,
    parse_options,
    parse_time_controls,
)
from ringside.games.registry import UnknownGame, catalogue, get_game, unavailable_games
from ringside.local import LocalBot, Simulation
from ringside.protocol.messages import MatchEvent, MatchResult, RoundResult, Verdict
from ringside.referee import Match, MatchConfig, MatchConfigError
from ringside.referee.adjudication import Adjudication
from ringside.text import quoted

# --- ringside games -----------------------------------------------------------------------


def bot_list(names: list[str]) -> str:
    """Strategy names for the table, a family of numbered variants as one entry
    (``roshambo-<name>``: the 43 RoShamBo competition bots)."""
    shown: list[str] = []
    families: Counter[str] = Counter()
    for name in names:
        head, dash, _ = name.partition("-")
        if dash and head in names:
            families[head] += 1
        else:
            shown.append(name)
    return ", ".join(
        f"{name} ({name}-<name>: {families[name]} bots)" if families[name] else name
        for name in shown
    )


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
            bot_list(strategies_for(game.name)),
            " ".join(game.rules.split()),
        )
    console = Console()
    console.print(table)
    unavailable = unavailable_games()
    if unavailable:
        missing = Table(title="Known but not playable here", show_lines=True)
        missing.add_column("name", style="bold")
        missing.add_column("why")
        for name, why in sorted(unavailable.items()):
            missing.add_row(name, why)
        console.print(missing)


# --- ringside play ------------------------------------------------------------------------


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


def play(
    game: Annotated[str, typer.Argument(help="Game name (see `ringside games`).")],
    bots: Annotated[
        str, typer.Option(help="Comma-separated built-in bots, one per player.")
    ] = "random,random",
    rounds: Annotated[int, typer.Option(help="Rounds; seats rotate each round.")] = 1,
    seed: Annotated[
        int | None, typer.Option(help="Master seed of the referee and the bots (default: random).")
    ] = None,
    time_control: TimeControlOption = "per_move:10",
    option: GameOptionsOption = None,
    openings: OpeningsOption = None,
    resign: ResignOption = None,
    draw: DrawOption = None,
    maxmoves: MaxMovesOption = None,
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
            raise UsageError(f"--forfeit must be match or round, not {quoted(forfeit, 20)}")
        get_game(game)
        strategies = [name.strip() for name in bots.split(",") if name.strip()]
        controls = parse_time_controls(time_control, len(strategies))
        adjudication = parse_adjudication(resign, draw, maxmoves)
        config = MatchConfig(
            game=game,
            bots=unique_names(strategies),
            rounds=rounds,
            time_control=controls[0],
            time_controls=controls if any(tc != controls[0] for tc in controls) else None,
            options={
                **parse_options(option or []),
                **(parse_openings(openings, (rounds + 1) // 2, seed) if openings else {}),
            },
            forfeit=_forfeit(forfeit),
            adjudication=msgspec.convert(adjudication, Adjudication) if adjudication else None,
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
        fail(f"a bot failed: {exc}", EXIT_FAILURE)
    if json_output:
        sys.stdout.write(json.dumps(result_json(result, seed)) + "\n")
    else:
        print_result(console, result, choosers)


def _forfeit(value: str) -> Literal["match", "round"]:
    return "round" if value == "round" else "match"
