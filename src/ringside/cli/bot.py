"""``ringside bot``: play a built-in strategy on a server, as a networked bot.

The strategy sees exactly what it sees in ``ringside play``; here the client
SDK carries its moves over a WebSocket or a TCP connection. Each match gets
its own strategy object and random generator (seeded from ``--seed`` and the
match id, so a match replays the same way whatever else the bot is playing).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlsplit

import typer

from ringside.bots import Strategy, StrategyError, get_strategy
from ringside.bots.player import derive_seed
from ringside.cli.common import (
    DEFAULT_SERVER,
    EXIT_FAILURE,
    check_bot_server,
    fail,
    log_to_stderr,
)
from ringside.client import Bot, BotRefused, MatchResult, Request
from ringside.games.registry import catalogue_names
from ringside.text import quoted

__all__ = ["DEFAULT_SERVER", "StrategyBot", "bot"]


class StrategyBot(Bot):
    """A built-in strategy behind the SDK.

    ``make_strategy`` builds one strategy per match (strategies may keep state
    between moves); moves are chosen in a worker thread so a long search never
    stalls pings or the other matches.
    """

    threaded = True

    def __init__(
        self, make_strategy: Callable[[], Strategy], *, seed: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.make_strategy = make_strategy
        self.seed = seed
        self._matches: dict[str, tuple[Strategy, random.Random, threading.Lock]] = {}
        self._guard = threading.Lock()

    def decide(self, request: Request) -> Any:
        strategy, rng, lock = self._match(request.match)
        with lock:  # a request re-sent after a reconnection may overlap the first one
            return strategy.choose(request, rng)

    def on_match_result(self, result: MatchResult) -> None:
        with self._guard:
            self._matches.pop(result.match, None)

    def _match(self, match: str) -> tuple[Strategy, random.Random, threading.Lock]:
        with self._guard:
            found = self._matches.get(match)
            if found is None:
                rng = random.Random(None if self.seed is None else derive_seed(self.seed, match))
                found = self._matches[match] = (self.make_strategy(), rng, threading.Lock())
            return found


def _check_url(url: str) -> None:
    check_bot_server(url)
    parts = urlsplit(url)
    if parts.password or any(key.lower() == "token" for key, _ in parse_qsl(parts.query)):
        fail("put the token in --token or RINGSIDE_TOKEN, never in the server URL")


def bot(
    game: Annotated[str, typer.Option("--game", "-g", help="Game to play (see `ringside games`).")],
    strategy: Annotated[
        str, typer.Option("--strategy", "-s", help="Built-in bot (see `ringside games`).")
    ] = "random",
    name: Annotated[
        str | None, typer.Option(help="Name on the server (default: STRATEGY-GAME).")
    ] = None,
    server: Annotated[
        str,
        typer.Option(
            "--server",
            "--url",
            envvar="RINGSIDE_SERVER",
            help="ws://HOST:PORT/ws/bot or tcp://HOST:PORT (--url says the same).",
        ),
    ] = DEFAULT_SERVER,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="RINGSIDE_TOKEN",
            show_envvar=True,
            help="The bot's token (better from the environment than on the command line).",
        ),
    ] = None,
    max_matches: Annotated[int, typer.Option(min=1, help="Matches played at once.")] = 1,
    seed: Annotated[
        int | None, typer.Option(help="Seed of the bot's choices, per match (default: random).")
    ] = None,
    depth: Annotated[
        int | None, typer.Option(help="Search depth for bots that search (alphabeta).")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every message.")] = False,
) -> None:
    """Play a built-in bot on a server until interrupted (Ctrl-C); reconnects when dropped."""
    _check_url(server)
    params: dict[str, Any] = {} if depth is None else {"depth": depth}
    try:
        get_strategy(strategy, game, **params)  # report a bad bot or parameter now, not per match
    except (LookupError, StrategyError) as exc:
        fail(str(exc.args[0]) if exc.args else str(exc))
    if game not in catalogue_names():
        typer.echo(
            f"ringside: warning: {quoted(game, 40)} is not a game this installation knows", err=True
        )

    player = StrategyBot(
        lambda: get_strategy(strategy, game, **params),
        seed=seed,
        name=name or f"{strategy}-{game}",
        token=token or None,
        games=[game],
        max_matches=max_matches,
    )
    try:
        with log_to_stderr(verbose):
            player.run(server)
    except BotRefused as exc:
        fail(str(exc), EXIT_FAILURE)
    except ValueError as exc:
        fail(str(exc))
