"""The server: lobby, running matches, store, and their lifecycle."""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ringside.protocol.codec import encode
from ringside.protocol.messages import Error, MatchResult
from ringside.referee.config import MatchConfig
from ringside.referee.match import Match, MatchConfigError, UnknownGameError
from ringside.server.errors import (
    BotUnavailable,
    GameNotFound,
    InvalidRequest,
    ShuttingDown,
)
from ringside.server.hello_limit import FailedHellos
from ringside.server.lobby import LobbyHub
from ringside.server.runner import MatchRunner
from ringside.store.repository import Store

if TYPE_CHECKING:
    from ringside.server.tournaments import TournamentManager

log = logging.getLogger("ringside.server")


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    tcp_port: int = 8001
    database_url: str | None = None
    data_dir: Path = Path("data")
    open: bool = False
    admin_token: str | None = None
    max_message_bytes: int = 64 * 1024
    heartbeat: float = 20.0
    ladder: bool = False
    bench: bool = False
    """Bench only (``RINGSIDE_BENCH=1``): measure relay latency, serve ``/api/bench/latency``."""
    record: bool = True
    """Bench only (``RINGSIDE_BENCH_NO_RECORD=1``): False skips every store write of matches."""


@dataclass
class Detached:
    """A bot whose connection dropped while it had matches in their grace period."""

    token: str | None
    runners: set[MatchRunner] = field(default_factory=set)


class Server:
    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.lobby = LobbyHub()
        self.runners: dict[str, MatchRunner] = {}
        self.detached: dict[str, Detached] = {}
        self.failed_hellos = FailedHellos()
        self.closing = False
        self.tournaments: TournamentManager | None = None
        """Set by ``main.serve``: runs tournaments and is told of every stored result."""
        self.runner_type: type[MatchRunner] = MatchRunner
        """The bench switch puts an instrumented subclass here."""

    # --- matches -----------------------------------------------------------------

    async def create_match(
        self, config: MatchConfig, tournament_id: str | None = None
    ) -> MatchRunner:
        """Check, reserve the bots and start a match; a ``Refused`` error says what is wrong."""
        if self.closing:
            raise ShuttingDown()
        match_id = secrets.token_hex(6)
        try:
            match = Match(match_id, config)
        except UnknownGameError as exc:
            raise GameNotFound(exc.code, str(exc)) from None
        except MatchConfigError as exc:
            raise InvalidRequest(exc.code, str(exc)) from None
        sessions = []
        for name in config.bots:
            session = self.lobby.bots.get(name)
            if session is None or session.state != "ready":
                raise BotUnavailable("bot_offline", f"bot {name!r} is not connected")
            if not session.plays(config.game):
                raise BotUnavailable("bot_wrong_game", f"bot {name!r} does not play {config.game}")
            if session.free_slots() <= 0:
                raise BotUnavailable(
                    "bot_busy",
                    f"bot {name!r} is already playing {len(session.matches)} match(es), its limit",
                )
            sessions.append(session)
        for session in sessions:
            session.reserved += 1
        runner = self.runner_type(self, match, sessions)
        self.runners[match_id] = runner
        try:
            await runner.start_recording(tournament_id)
        except BaseException:
            for session in sessions:
                session.reserved = max(0, session.reserved - 1)
            self.runners.pop(match_id, None)
            raise
        for session in sessions:
            session.match_started(runner)
        if any(s.state != "ready" for s in sessions):
            # A bot left while the match was being recorded: its grace starts now.
            for player, session in enumerate(sessions):
                if session.state != "ready":
                    session.matches.pop(match_id, None)
                    self.detach(session.name, session.token, [runner])
                    runner.disconnected(player)
        runner.begin()
        return runner

    def match_ended(self, runner: MatchRunner) -> None:
        self.runners.pop(runner.id, None)
        for name in runner.names:
            detached = self.detached.get(name)
            if detached is not None:
                detached.runners.discard(runner)
                if not detached.runners:
                    del self.detached[name]

    async def on_match_stored(self, runner: MatchRunner, result: MatchResult) -> None:
        """Called once a result is committed (with its rating change, by ``finish_match``)."""
        if self.tournaments is not None:
            await self.tournaments.match_stored(runner, result)

    # --- reconnects -----------------------------------------------------------------

    def detach(self, name: str, token: str | None, runners: list[MatchRunner]) -> None:
        entry = self.detached.setdefault(name, Detached(token))
        entry.runners.update(r for r in runners if not r.finished)
        if not entry.runners:
            del self.detached[name]

    def reattach(self, name: str) -> list[MatchRunner]:
        entry = self.detached.pop(name, None)
        return [] if entry is None else [r for r in entry.runners if not r.finished]

    # --- shutdown -------------------------------------------------------------------

    async def shutdown(self, reason: str = "the server is shutting down") -> None:
        """Abort running matches (recorded as aborted), tell everyone, close the store."""
        self.closing = True
        runners = list(self.runners.values())
        for runner in runners:
            runner.abort(reason)
        if runners:
            await asyncio.wait([r.done for r in runners], timeout=10)
        goodbye = encode(Error("server_shutdown", reason, None, True))
        peers = [s.peer for s in self.lobby.bots.values()]
        peers += [s.peer for s in self.lobby.spectators]
        for peer in peers:
            peer.send(goodbye)
            peer.close_soon()
        if peers:
            await asyncio.wait([asyncio.ensure_future(p.flushed()) for p in peers], timeout=5)
