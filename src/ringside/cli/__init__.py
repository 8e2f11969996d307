"""The ``ringside`` command line: one typer app with a subcommand per job.

``ringside.cli.app`` assembles the app from one module per command group
(``play``, ``server``, ``bot``, ``engines``, ``tournament``); what those
modules share (exit codes, the one-line error, option parsers) is in
``ringside.cli.common``, the only CLI module they import. Errors a user can
fix print one line on stderr and exit with status 2, never a traceback.
"""

from __future__ import annotations

__all__ = ["main"]


def main() -> None:
    """Entry point of the ``ringside`` script (see pyproject.toml) and of ``python -m ringside``.

    The app is imported here rather than at the top so that importing this
    package loads no command module: ``python -m ringside.cli.tournament`` then
    runs that module once, without runpy's warning that it was already imported.
    """
    from ringside.cli.app import app

    app(prog_name="ringside")
