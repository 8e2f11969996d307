"""The ``ringside`` typer app, assembled from the command modules.

This is the one module that imports them all, so they never import each
other. Commands are registered in the order ``ringside --help`` lists them
(typer lists commands first, then the groups, each in registration order).
"""

from __future__ import annotations

from ringside.cli.bot import bot
from ringside.cli.common import program_app
from ringside.cli.engines import bridge_app, export
from ringside.cli.play import games, play
from ringside.cli.server import bots_app, demo, serve
from ringside.cli.tournament import leaderboard, ratings_app, tournament

__all__ = ["app"]

app = program_app("Ringside: a match server for AI programs. Try `ringside games`.")

app.command()(games)
app.command()(play)

app.command()(serve)
app.command()(demo)
app.add_typer(bots_app, name="bots")

app.command()(bot)

app.add_typer(bridge_app, name="bridge")
app.command()(export)

app.command()(leaderboard)
app.command()(tournament)
app.add_typer(ratings_app, name="ratings")
