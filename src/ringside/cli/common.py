"""What the command modules share: exit codes, the one-line error, the option parsers.

Every command module imports this module and no other part of the CLI, so the
command modules never import each other and only ``ringside.cli.app`` knows
them all. Whatever two command modules both need lives here, once.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn
from urllib.parse import urlsplit

import typer
from rich.console import Console

from ringside.protocol.messages import ByoYomi, Fischer, PerMove, TimeControl
from ringside.text import quoted

__all__ = [
    "DEFAULT_SERVER",
    "EXIT_FAILURE",
    "EXIT_USAGE",
    "UsageError",
    "check_bot_server",
    "console",
    "fail",
    "log_to_stderr",
    "parse_adjudication",
    "parse_openings",
    "parse_options",
    "parse_time_control",
    "parse_time_controls",
]

EXIT_FAILURE = 1
"""Exit status when the command was right but something outside failed (server, engine, bot)."""
EXIT_USAGE = 2
"""Exit status for an error the user can fix on the command line, like click's usage errors."""

DEFAULT_SERVER = "ws://127.0.0.1:8000/ws/bot"
"""Where ``ringside bot`` and ``ringside bridge`` connect when given no ``--server``."""

console = Console()
"""Standard output for the commands that print tables outside a match (``bots``, tournaments)."""


class UsageError(ValueError):
    """Something on the command line that the user must change."""


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print one line on stderr and exit; for errors the user can fix, never a traceback."""
    typer.echo(f"ringside: error: {message}", err=True)
    raise typer.Exit(code)


def check_bot_server(url: str) -> None:
    """Refuse a ``--server`` a bot cannot connect to before anything starts."""
    if urlsplit(url).scheme.lower() not in ("ws", "wss", "tcp"):
        fail(f"--server must be ws://HOST:PORT/ws/bot or tcp://HOST:PORT, not {quoted(url, 80)}")


@contextmanager
def log_to_stderr(verbose: bool) -> Iterator[None]:
    """Show the ``ringside`` loggers on stderr while a bot plays, then put them back as they were."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
    logger = logging.getLogger("ringside")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


# --- parsers of options that several commands take ------------------------------------------

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
        raise UsageError(f"unknown time control {quoted(text, 40)}; use {choices}")
    pattern, form = known
    match = pattern.fullmatch(figures.strip())
    if match is None:
        raise UsageError(f"bad time control {quoted(text, 40)}; use {form}")
    values = match.groups()
    if kind == "per_move":
        return PerMove(float(values[0]))
    if kind == "fischer":
        return Fischer(float(values[0]), float(values[1]))
    return ByoYomi(float(values[0]), int(values[1]), float(values[2]))


def parse_time_controls(text: str, bots: int) -> list[TimeControl]:
    """``--time-control``: one for every bot, or one per bot separated by commas (time
    odds, as cutechess-cli's per-engine ``tc=``), in the order the bots are named."""
    parts = [part for part in text.split(",") if part.strip()] or [text]
    if len(parts) not in (1, bots):
        raise UsageError(
            f"--time-control has {len(parts)} clocks for {bots} bots: give one, or one per bot"
        )
    controls = [parse_time_control(part) for part in parts]
    return controls * bots if len(controls) == 1 else controls


def parse_options(pairs: list[str]) -> dict[str, Any]:
    """``key=value`` pairs; a value is read as JSON when it is JSON, else kept as text."""
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"bad option {quoted(pair, 40)}; use --option key=value")
        try:
            options[key] = json.loads(raw)
        except ValueError:
            options[key] = raw
    return options


def _rule_settings(flag: str, text: str, rule: type[Any]) -> dict[str, Any]:
    """``key=value`` settings of one adjudication rule, checked by its struct."""
    import msgspec

    fields = {f.name for f in msgspec.structs.fields(rule)}
    settings: dict[str, Any] = {}
    for token in text.replace(",", " ").split():
        key, sep, raw = token.partition("=")
        if not sep or key not in fields:
            raise UsageError(
                f"bad {flag} setting {quoted(token, 40)}; use {', '.join(sorted(fields))}"
            )
        lowered = raw.lower()
        if lowered in ("true", "false"):
            settings[key] = lowered == "true"
            continue
        try:
            settings[key] = json.loads(raw)
        except ValueError:
            raise UsageError(f"bad {flag} value {quoted(token, 40)}: a number") from None
    try:
        return dict(msgspec.to_builtins(msgspec.convert(settings, rule)))
    except msgspec.ValidationError as exc:
        raise UsageError(f"bad {flag}: {exc}") from None


def parse_adjudication(
    resign: str | None, draw: str | None, maxmoves: int | None
) -> dict[str, Any] | None:
    """cutechess-cli's ``-resign movecount=3 score=600 [twosided=true]``, ``-draw
    movenumber=40 movecount=8 score=10`` and ``-maxmoves N`` (full moves: 2N plies) as
    a match's ``adjudication``; None when none is given."""
    from ringside.referee.adjudication import DrawRule, ResignRule

    rules: dict[str, Any] = {}
    if resign is not None:
        rules["resign"] = _rule_settings("--resign", resign, ResignRule)
    if draw is not None:
        rules["draw"] = _rule_settings("--draw", draw, DrawRule)
    if maxmoves is not None:
        if maxmoves < 1:
            raise UsageError("--maxmoves must be 1 or more")
        rules["max_plies"] = 2 * maxmoves
    return rules or None


ResignOption = Annotated[
    str | None,
    typer.Option(help="Resign adjudication, as cutechess: movecount=3 score=600 [twosided=true]"),
]
DrawOption = Annotated[
    str | None,
    typer.Option(help="Draw adjudication, as cutechess: movenumber=40 movecount=8 score=10"),
]
MaxMovesOption = Annotated[
    int | None,
    typer.Option("--maxmoves", help="Full moves before a game is adjudicated (cutechess)."),
]


OPENING_KEYS = ("file", "format", "order", "plies", "start", "seed", "variant")


def parse_openings(text: str, count: int | None, seed: int) -> dict[str, Any]:
    """``--openings file=book.epd [format=epd|pgn|chess960] [order=sequential|random]
    [plies=N] [start=K] [seed=S] [variant=chess960]`` (cutechess-cli's ``-openings``) as
    chess options: the
    ``openings`` list, ``count`` of them at most, and ``variant`` for Chess960.
    ``seed`` shuffles a random order unless the spec names its own."""
    spec: dict[str, str] = {}
    for token in text.replace(",", " ").split():
        key, sep, value = token.partition("=")
        if not sep or key not in OPENING_KEYS:
            raise UsageError(
                f"bad --openings setting {quoted(token, 40)}; use {'=… '.join(OPENING_KEYS)}=…"
            )
        spec[key] = value
    path = spec.get("file")
    fmt = spec.get("format") or (Path(path).suffix.lstrip(".").lower() if path else "chess960")
    order = spec.get("order", "sequential")
    if fmt == "sgf":
        return {"openings": _go_suite(path, order, spec, count, seed)}
    try:
        from ringside.games.chess import openings as suites
    except ImportError:
        raise UsageError("--openings needs python-chess: pip install 'ringside[engines]'") from None
    if fmt not in suites.FORMATS:
        raise UsageError(
            f"--openings format must be {', '.join(suites.FORMATS)} or sgf (Go), not {fmt!r}"
        )
    if order not in suites.ORDERS:
        raise UsageError(f"--openings order must be sequential or random, not {order!r}")
    try:
        numbers = {k: int(spec[k]) for k in ("plies", "start", "seed") if k in spec}
    except ValueError:
        raise UsageError("--openings plies, start and seed are whole numbers") from None
    chess960 = fmt == "chess960" or spec.get("variant") == "chess960"
    if spec.get("variant", "chess960") != "chess960":
        raise UsageError("--openings variant can only be chess960 (standard needs none)")
    body = "" if fmt == "chess960" else _suite_text(path)
    try:
        found = suites.suite(
            body,
            fmt,
            order=order,
            seed=numbers.get("seed", seed),
            plies=numbers.get("plies"),
            start=numbers.get("start", 1),
            count=count,
            chess960=chess960,
        )
    except suites.OpeningError as exc:
        raise UsageError(f"--openings {path or fmt}: {exc}") from None
    options: dict[str, Any] = {"openings": found}
    if chess960:
        options["variant"] = "chess960"
    return options


def _suite_text(path: str | None) -> str:
    if path is None:
        raise UsageError("--openings needs file=PATH (or format=chess960)")
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise UsageError(f"cannot read the openings file {path}: {exc.strerror}") from None


def _go_suite(
    path: str | None, order: str, spec: dict[str, str], count: int | None, seed: int
) -> list[str]:
    """``--openings file=games.sgf``: Go openings from the main lines of an SGF collection."""
    from ringside.games.go.openings import SgfError, suite

    if order not in ("sequential", "random"):
        raise UsageError(f"--openings order must be sequential or random, not {order!r}")
    try:
        numbers = {k: int(spec[k]) for k in ("plies", "start", "seed") if k in spec}
        return suite(
            _suite_text(path),
            order="random" if order == "random" else "sequential",
            seed=numbers.get("seed", seed),
            plies=numbers.get("plies"),
            start=numbers.get("start", 1),
            count=count,
        )
    except ValueError as exc:
        if isinstance(exc, SgfError):
            raise UsageError(f"--openings {path}: {exc}") from None
        raise UsageError("--openings plies, start and seed are whole numbers") from None


OpeningsOption = Annotated[
    str | None,
    typer.Option(
        help="Opening suite, as cutechess's -openings: file=PATH [format=epd|pgn|chess960|sgf]"
        " [order=sequential|random] [plies=N] [start=K] [seed=S] [variant=chess960];"
        " each opening is played"
        " twice, colours reversed"
    ),
]
"""``--openings``, as ``play`` and ``tournament`` take it (``parse_openings``)."""


TimeControlOption = Annotated[
    str,
    typer.Option(
        help="per_move:S | fischer:BASE+INC | byoyomi:BASE+NxPERIOD;"
        " comma-separated, one per bot, for time odds"
    ),
]
"""``--time-control``, as ``play`` and ``tournament`` take it (``parse_time_control``)."""

GameOptionsOption = Annotated[
    list[str] | None, typer.Option(help="Game option key=value (JSON value); repeatable.")
]
"""``--option``, repeatable, as ``play`` and ``tournament`` take it (``parse_options``)."""


def program_app(help_text: str | None = None) -> typer.Typer:
    """A typer app run as a program of its own (``ringside``, ``python -m ringside.cli.X``)."""
    return typer.Typer(
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        help=help_text,
    )
