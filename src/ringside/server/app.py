"""The composition root: every service of a server, made and wired in one place.

``build_server`` creates the bus, the registries and the services and hands
each what it needs; no service imports another to find it at run time, and
no module of ``server/`` imports this one (the web application and the
command line do). Transports are started by ``main.serve``.
"""

from __future__ import annotations

import asyncio

from ringside.server.bus import EventBus, LocalBus, SharedBus
from ringside.server.cluster import ClusterNode
from ringside.server.ladder import Ladder
from ringside.server.leases import LeaseKeeper
from ringside.server.lobby import LobbyHub
from ringside.server.match_queue import MatchQueue
from ringside.server.matches import Matches
from ringside.server.metrics import Metrics
from ringside.server.ports import Clock
from ringside.server.reconnects import Reconnects
from ringside.server.runner import MatchRunner
from ringside.server.services import Server
from ringside.server.session import Roster
from ringside.server.settings import Settings
from ringside.server.tournaments import TournamentManager
from ringside.store.journal import ResultJournal
from ringside.store.repository import Store


def build_server(
    settings: Settings,
    store: Store,
    *,
    bus: EventBus | None = None,
    clock: Clock | None = None,
) -> Server:
    """A server's services over ``store``; ``clock`` (default: the event loop) drives every timer.

    Results the database does not take wait in the journal in ``settings.data_dir``;
    main calls ``Server.replay_journal`` at start-up, before anything is aborted."""
    if bus is None:
        bus = SharedBus() if settings.redis_url is not None else LocalBus()
    clock = clock if clock is not None else asyncio.get_running_loop()
    journal = ResultJournal.in_dir(settings.data_dir)
    store.db.results_synchronous = settings.sqlite_synchronous
    store.db.group_commits()  # matches' writes of many matches per transaction (SQLite)
    reconnects: Reconnects[MatchRunner] = Reconnects()
    roster = Roster(settings, store, bus, reconnects, clock)
    lobby = LobbyHub(bus)
    matches = Matches(
        store, bus, roster, reconnects, record=settings.record, clock=clock, journal=journal
    )
    tournaments = TournamentManager(store, bus, roster, matches)
    queue = MatchQueue(bus, roster, matches, clock)
    ladder = Ladder(store, bus, roster, matches, tournaments) if settings.ladder else None
    if ladder is not None:
        ladder.held = queue.held  # a person's request comes first
    leases = LeaseKeeper(store, clock)
    leases.sweeps.append(tournaments.resume)  # take over the tournaments of lost nodes
    metrics = Metrics(
        bus=bus,
        roster=roster,
        lobby=lobby,
        matches=matches,
        leases=leases,
        journal=journal,
        clock=clock,
    )
    matches.timings = metrics  # store write times and sampled relay times, per runner
    server = Server(
        settings,
        store,
        bus,
        roster,
        lobby,
        matches,
        tournaments,
        ladder,
        clock,
        leases,
        journal,
        metrics,
    )
    server.queue = queue
    leases.lost.append(server.announce_lost)
    if settings.redis_url is not None:
        if not isinstance(bus, SharedBus):
            raise TypeError("a node of a cluster needs a SharedBus")
        server.cluster = ClusterNode(
            settings.redis_url,
            leases.node,
            bus=bus,
            roster=roster,
            lobby=lobby,
            matches=matches,
            reconnects=reconnects,
            store=store,
            clock=clock,
        )
        server.cluster.metrics = metrics
        server.readiness["cluster"] = server.cluster.ready
        if ladder is not None:
            node = server.cluster
            ladder.may_run = lambda: node.holds_ladder
    return server


__all__ = ["Server", "Settings", "build_server"]
