"""``GET /metrics``: what one node is doing, in Prometheus' text format.

Each server has its own ``CollectorRegistry`` (never the library's global
one: tests run several servers in one process, and a cluster node's figures
must be its own). Nothing here touches the per-move path:

- what the services already hold (bots, matches, spectators, the journal,
  the store queues, the lease keeper, the moves played) is read when the
  metrics are scraped, by a collector, so it costs nothing between scrapes;
- moves are counted by the runners once per store write, not per move
  (``MatchRunner.moves``), and an ended runner's count is kept by ``Matches``;
- finished matches are counted from the bus (``MatchListed`` with a final
  status), which happens once a match;
- store writes are timed once a write; relaying is timed for one action in
  ``runner.TIME_ONE_IN`` per runner, a sample.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest

from ringside.protocol.messages import MatchListed, MatchResult, VerdictCode
from ringside.server.bus import EventBus, MatchEnded
from ringside.server.leases import LeaseKeeper
from ringside.server.limits import ConnectionGate
from ringside.server.lobby import LIVE, LobbyHub
from ringside.server.matches import Matches
from ringside.server.ports import Clock
from ringside.server.runner import TIME_ONE_IN
from ringside.server.session import Roster
from ringside.store.journal import ResultJournal

STATUSES = ("finished", "aborted")
"""A finished match's ``status`` label (``MatchResult.status``)."""
VERDICTS = ("none", *typing.get_args(VerdictCode))
"""A finished match's ``verdict`` label: the code of its first verdict, or ``none``."""
OTHER = "other"
"""A label value outside the lists above (a code added later): the label set stays bounded."""

LATENCY_BUCKETS = (
    0.00001,
    0.000025,
    0.00005,
    0.0001,
    0.00025,
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
)
"""Relaying a move costs tens of microseconds; the default buckets start at 5 ms."""
STORE_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""A commit takes milliseconds; a result past ``JOURNAL_AFTER`` (2 s) went to the journal."""


def verdict_of(result: MatchResult | None) -> str:
    """How a match ended, as a bounded label: its first verdict's code, or ``none``.

    With ``forfeit="match"`` the match verdict is the first one given; with
    ``forfeit="round"`` the match has none, and the first round verdict says
    that it did not end by the rules alone."""
    if result is None:
        return "none"
    verdict = result.verdict
    if verdict is None:
        verdict = next((v for r in result.rounds for v in r.verdicts), None)
    if verdict is None:
        return "none"
    return verdict.code if verdict.code in VERDICTS else OTHER


class Metrics:
    """One server's registry, its few instruments, and the collector of what exists already.

    ``build_server`` makes it and hands it to ``Matches`` as the runners'
    ``Timings``; ``main.build_app`` serves ``exposition`` at ``/metrics``.
    """

    def __init__(
        self,
        *,
        bus: EventBus,
        roster: Roster,
        lobby: LobbyHub,
        matches: Matches,
        leases: LeaseKeeper,
        journal: ResultJournal,
        clock: Clock,
    ) -> None:
        self.registry = CollectorRegistry()
        self.matches_finished = Counter(
            "ringside_matches_finished",
            "Matches this node ended, by status and the code of their first verdict (none: "
            "ended by the rules of the game).",
            ["status", "verdict"],
            registry=self.registry,
        )
        for status in STATUSES:
            for verdict in VERDICTS:
                self.matches_finished.labels(status, verdict)  # 0 until one ends: rate() works
        self.relay_latency = Histogram(
            "ringside_relay_latency_seconds",
            f"The server's own cost of a move: from a bot's action reaching its match to the "
            f"next messages handed to the connections; one action in {TIME_ONE_IN} per match.",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.store_write = Histogram(
            "ringside_store_write_seconds",
            "Store writes of matches: a batch of events appended (kind=events), or a result "
            "committed, retries included (kind=result).",
            ["kind"],
            buckets=STORE_BUCKETS,
            registry=self.registry,
        )
        self._events_written = self.store_write.labels("events")
        self._result_stored = self.store_write.labels("result")
        self.bus_round_trip = Histogram(
            "ringside_bus_round_trip_seconds",
            "Time for an event this node published to come back over the cluster's bus "
            "(fed by the cluster layer: metrics.bus_round_trip.observe(seconds); 0 on one node).",
            buckets=STORE_BUCKETS,
            registry=self.registry,
        )
        self.relay_cross_node = Counter(
            "ringside_relay_cross_node",
            "Bot messages relayed to or from a match running on another node (fed by the "
            "cluster layer: metrics.relay_cross_node.inc(); 0 on one node).",
            registry=self.registry,
        )
        self.registry.register(
            _Existing(roster, lobby, matches, leases, journal, clock)  # read at scrape time
        )
        self._matches = matches
        self._counted: set[str] = set()
        """Matches counted as finished whose runner has not ended yet (a repeated event)."""
        bus.subscribe(MatchListed, self._listed)
        bus.subscribe(MatchEnded, self._ended)

    # --- what the runners report (Timings) ----------------------------------------------

    def relayed(self, seconds: float) -> None:
        self.relay_latency.observe(seconds)

    def events_written(self, seconds: float) -> None:
        self._events_written.observe(seconds)

    def result_stored(self, seconds: float) -> None:
        self._result_stored.observe(seconds)

    # --- bus events --------------------------------------------------------------------

    def _listed(self, event: MatchListed) -> None:
        """A final status for a match running here counts it once (another node's match,
        heard over a cluster's bus, is that node's to count)."""
        info = event.match
        if info.status in LIVE or info.id in self._counted:
            return
        runner = self._matches.get(info.id)
        if runner is None:
            return
        self._counted.add(info.id)
        status = info.status if info.status in STATUSES else OTHER
        self.matches_finished.labels(status, verdict_of(runner.match.result)).inc()

    def _ended(self, event: MatchEnded) -> None:
        self._counted.discard(event.match_id)

    # --- exposition -------------------------------------------------------------------

    def watch_gate(self, gate: ConnectionGate) -> None:
        """Expose the ``ConnectionGate``'s figures (``main.serve`` calls this once)."""
        self.registry.register(_Gate(gate))

    def exposition(self) -> bytes:
        """The text format of ``GET /metrics`` (``main.metrics_page``), made on the event loop:
        the collector reads the services' live state, which only the loop may touch."""
        return generate_latest(self.registry)


class _Existing:
    """The figures the services keep anyway, read at each scrape (a custom collector)."""

    def __init__(
        self,
        roster: Roster,
        lobby: LobbyHub,
        matches: Matches,
        leases: LeaseKeeper,
        journal: ResultJournal,
        clock: Clock,
    ) -> None:
        self.roster = roster
        self.lobby = lobby
        self.matches = matches
        self.leases = leases
        self.journal = journal
        self.clock = clock

    def collect(self) -> Iterable[Metric]:
        node = self.leases.node
        runners = list(self.matches.runners.values())
        yield _gauge("ringside_node_info", "This node; its id is the label.", 1, node=node)
        yield _gauge("ringside_bots_online", "Bots connected to this node.", len(self.roster.bots))
        yield _gauge(
            "ringside_lobby_bots_online",
            "Bots online as the lobby sees them (every node's, in a cluster).",
            len(self.lobby.bots),
        )
        yield _gauge("ringside_matches_running", "Matches held by this node.", len(runners))
        yield _gauge(
            "ringside_lobby_matches_running",
            "Matches running as the lobby sees them (every node's, in a cluster).",
            len(self.lobby.matches),
        )
        yield _gauge(
            "ringside_spectators_connected",
            "Spectator connections (lobby stream) to this node.",
            len(self.lobby.spectators),
        )
        yield _gauge(
            "ringside_journal_results_waiting",
            "Results announced from the journal that the database does not have yet.",
            len(self.journal.pending()),
        )
        yield _gauge(
            "ringside_store_queue_depth",
            "Batches of events waiting for their match's store writer, all matches together.",
            sum(r.writes_queued for r in runners),
        )
        moves = CounterMetricFamily(
            "ringside_moves_relayed",
            "Moves played in matches run by this node since it started (counted per store "
            "write, not per move).",
            value=self.matches.moves_relayed(),
        )
        yield moves
        leases = self.leases
        renewals = CounterMetricFamily(
            "ringside_node_lease_renewals",
            "Rounds of the lease keeper done (renewed and swept, or failed).",
            labels=["node"],
        )
        renewals.add_metric([node], leases.renewals)
        yield renewals
        failures = CounterMetricFamily(
            "ringside_node_lease_failures",
            "Rounds of the lease keeper that failed (tried again next period).",
            labels=["node"],
        )
        failures.add_metric([node], leases.failures)
        yield failures
        if leases.renewed_at is not None:
            yield _gauge(
                "ringside_node_lease_age_seconds",
                "Seconds since this node's leases were last renewed (or the keeper started); "
                "past the lease term, other nodes abort its matches.",
                self.clock.time() - leases.renewed_at,
                node=node,
            )
        yield _gauge(
            "ringside_node_lease_term_seconds",
            "How long a lease lasts without renewal.",
            leases.store.lease.terms.seconds,
            node=node,
        )


class _Gate:
    """Sockets, the file limit and refused connections, read at each scrape."""

    def __init__(self, gate: ConnectionGate) -> None:
        self.gate = gate

    def collect(self) -> Iterable[Metric]:
        gate = self.gate
        yield _gauge(
            "ringside_connections_open",
            "Client sockets (HTTP, WebSocket, TCP) open on this node.",
            gate.sockets,
        )
        yield _gauge(
            "ringside_open_files_limit",
            "The process's limit on open files (raised to the hard limit at start).",
            gate.file_limit,
        )
        refused = CounterMetricFamily(
            "ringside_connections_refused",
            "Bot (before welcome) and spectator connections refused with too_many_connections: "
            "their address held its cap (per_address), or the file reserve was reached (reserve).",
            labels=["reason"],
        )
        for reason in ("per_address", "reserve"):
            refused.add_metric([reason], gate.refused[reason])
        yield refused


def _gauge(name: str, documentation: str, value: float, **labels: str) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=list(labels))
    family.add_metric(list(labels.values()), value)
    return family


__all__ = ["Metrics", "verdict_of"]
