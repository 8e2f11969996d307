"""One node of a cluster: the same server, joined to the others through Redis.

``build_server`` adds a ``ClusterNode`` when ``--redis-url`` is given; without
one nothing here runs and the single process is what it was. The node:

- forwards its bus (``SharedBus``) to every node and delivers theirs, so every
  lobby shows every bot and match, and tournaments hear every result;
- writes its own bots' presence and claims their names cluster-wide
  (``directory.Directory``), beating every ``BEAT_EVERY`` s;
- places each new match on the node holding most of its bots, after
  reserving all of them in one atomic step, and asks that node to run it;
- relays moves between a bot's node and the match's owner, and a match's
  events to the nodes that have watchers of it (``relay``), in one Redis
  channel per node (its inbox), through the thin ``redis_wire`` client;
- notices lost nodes (their bots leave the lobby; their seats in matches run
  here start their reconnect grace) and re-attaches a bot that comes back
  through any node;
- survives Redis going away: new matches are refused (``ClusterUnavailable``),
  seats of other nodes start their grace, and everything is set up again
  when Redis answers.

The database, not Redis, decides what a lost node's matches become: the
lease sweep (``LeaseKeeper``) of a surviving node records them aborted
(``node_lost``) and publishes ``MatchLost``; this node tells the bots and
watchers it has of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import ClassVar

import msgspec
from redis.asyncio import Redis
from redis.exceptions import RedisError

from ringside.protocol.codec import ProtocolError, encode, parse_bot_message
from ringside.protocol.messages import (
    BotInfo,
    BotJoined,
    BotLeft,
    BotStatus,
    Error,
    MatchListed,
    MatchSnapshot,
)
from ringside.referee.config import MatchConfig
from ringside.referee.match import Match
from ringside.server.bus import MatchEnded, MatchLost, SharedBus
from ringside.server.directory import BEAT_EVERY, NODE_TTL, Directory
from ringside.server.errors import (
    BotUnavailable,
    GameNotFound,
    InvalidRequest,
    Refused,
    Unavailable,
)
from ringside.server.lobby import LobbyHub
from ringside.server.matches import Matches
from ringside.server.metrics import Metrics
from ringside.server.ports import Clock, Outbox, Seat
from ringside.server.reconnects import Reconnects
from ringside.server.redis_wire import RedisLink, RedisSubscription
from ringside.server.relay import (
    ABORT,
    ACTION,
    CREATE,
    CREATED,
    DISCONNECTED,
    ENDED,
    JOIN,
    PROTOCOL_ERROR,
    SEP,
    TO_BOT,
    UNWATCH,
    WATCH,
    WATCHED,
    MatchFeed,
    RemoteMatch,
    RemoteSeat,
    RemoteWatch,
    fields_of,
    frame,
)
from ringside.server.runner import MatchRunner
from ringside.server.session import Roster
from ringside.store.repository import Store

log = logging.getLogger("ringside.cluster")

EVENTS = b"ringside:events"
"""The channel every node's bus events go through (origin node, then the event)."""
RETRY_FIRST = 0.2
RETRY_MAX = 2.0
"""Seconds between attempts to reach Redis again: doubling from the first to the most."""
CALL_TIMEOUT = 10.0
"""Seconds a node waits for another to answer a request to start a match."""

_REFUSALS = {
    "bot_offline": "bot {bot!r} is not connected",
    "bot_wrong_game": "bot {bot!r} does not play {game}",
    "bot_busy": "bot {bot!r} is already playing its limit of matches",
}


class ClusterUnavailable(Unavailable):
    """Redis cannot be reached: this node cannot start matches with the others now."""

    def __init__(self, why: str) -> None:
        super().__init__(
            "cluster_unavailable",
            f"the cluster's Redis cannot be reached ({why}); new matches are refused until it "
            "answers again",
        )


def inbox(node: str) -> bytes:
    return b"ringside:inbox:" + node.encode()


@dataclass(eq=False)
class RemoteHandle:
    """A match this node asked another to run (the caller's handle on it)."""

    id: str
    tournament_id: str | None
    owner: str
    cluster: ClusterNode
    finished: bool = False

    def abort(self, reason: str) -> None:
        self.cluster.send(self.owner, frame(ABORT, self.id.encode(), reason.encode()))


@dataclass(eq=False)
class _Call:
    future: asyncio.Future[tuple[str, str]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class ClusterNode:
    def __init__(
        self,
        url: str,
        node: str,
        *,
        bus: SharedBus,
        roster: Roster,
        lobby: LobbyHub,
        matches: Matches,
        reconnects: Reconnects[MatchRunner],
        store: Store,
        clock: Clock,
    ) -> None:
        self.url = url
        self.node = node
        self.bus = bus
        self.roster = roster
        self.lobby = lobby
        self.matches = matches
        self.reconnects = reconnects
        self.store = store
        self.clock = clock
        self.redis: Redis = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        self.directory = Directory(self.redis, node)
        self.link: RedisLink | None = None
        self.subscription: RedisSubscription | None = None
        self.connected = False
        """Redis answers, and this node is registered and subscribed."""
        self.alive: set[str] = set()
        """Other nodes alive at the last beat."""
        self.bot_nodes: dict[str, str] = {}
        """Bots connected to other nodes (as their events said): name -> node."""
        self.feeds: dict[str, MatchFeed] = {}
        """Matches of other nodes watched from here."""
        self.watches: dict[tuple[str, str], RemoteWatch] = {}
        """Nodes watching matches run here: (match, node) -> its outbox."""
        self.handles: dict[str, RemoteHandle] = {}
        self.holds_ladder = False
        self._calls: dict[str, _Call] = {}
        self._control: asyncio.Queue[Callable[[], Awaitable[object]]] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self._up_event = asyncio.Event()
        self._reconnecting: asyncio.Task[None] | None = None
        self.frames_in = 0
        self.frames_out = 0
        """Frames received and sent (moves, requests, watch events between nodes)."""
        self._frames_counted = 0
        self.metrics: Metrics | None = None
        bus.subscribe(BotJoined, self._bot_joined)
        bus.subscribe(BotStatus, self._bot_status)
        bus.subscribe(BotLeft, self._bot_left)
        bus.subscribe(MatchListed, self._match_listed)
        bus.subscribe(MatchEnded, self._match_ended)
        bus.subscribe(MatchLost, self._match_lost)
        matches.placement = self
        roster.claims = self
        roster.elsewhere = self._elsewhere
        roster.elsewhere_all = self._all_elsewhere

    # --- life ------------------------------------------------------------------------

    async def start(self) -> None:
        """Join the cluster; raises ``RedisError``/``OSError`` when Redis cannot be reached."""
        loop = asyncio.get_running_loop()
        self._tasks.append(loop.create_task(self._run_control()))
        await self._connect()
        self._tasks.append(loop.create_task(self._beat_forever()))

    async def stop(self) -> None:
        self._stopping = True
        if self._reconnecting is not None:
            self._reconnecting.cancel()
        if self.connected:
            try:
                await self.directory.leave()
                for name in list(self.roster.bots):
                    await self.directory.release(name)
            except (RedisError, OSError) as exc:
                log.warning("node %s: leaving the cluster failed: %s", self.node, exc)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._close_links()
        await self.redis.aclose()

    async def _connect(self) -> None:
        """Open the links, register, subscribe, and draw the lobby from the others' presence."""
        self.link = await RedisLink.open(self.url, on_lost=self._lost_redis)
        self.subscription = await RedisSubscription.open(
            self.url, self._received, on_lost=self._lost_redis
        )
        await self.subscription.subscribe(inbox(self.node), EVENTS)
        await self.directory.register()
        await self.directory.beat(first=False)
        for session in list(self.roster.bots.values()):
            if session.state != "ready":
                continue
            holder = await self.directory.claim(session.info(), self.clock.time())
            if holder is not None:
                text = f"bot {session.name!r} connected again through node {holder}"
                session.fail("name_taken", text)
                session.closed()
                continue
            await self.directory.show(session.info())
        self.connected = True
        self.bus.forward = self._forward
        self.alive = await self.directory.alive_nodes() - {self.node}
        await self._draw_lobby()
        # Tell the others who is here: owners re-attach bots they were waiting for.
        for session in list(self.roster.bots.values()):
            if session.state == "ready":
                self._forward(msgspec.json.encode(BotJoined(session.info())))
        self._up_event.set()
        log.info("node %s joined the cluster (%d other node(s) alive)", self.node, len(self.alive))

    async def _close_links(self) -> None:
        for link in (self.link, self.subscription):
            if link is not None:
                with contextlib.suppress(Exception):  # already broken: nothing to close
                    await link.close()
        self.link = None
        self.subscription = None

    async def _draw_lobby(self) -> None:
        """The other nodes' bots and matches, from Redis (start-up, or Redis back)."""
        present: dict[str, tuple[str, BotInfo]] = {}
        for node in sorted(self.alive):
            for info in await self.directory.presence(node):
                present[info.name] = (node, info)
        for name in list(self.bot_nodes):
            if name not in present:
                self._deliver_here(self.bot_nodes.pop(name), BotLeft(name))
        for name, (node, info) in present.items():
            if name in self.roster.bots:
                continue
            self.bot_nodes[name] = node
            self._deliver_here(node, BotJoined(info))
        for match in await self.directory.running():
            if match.id not in self.lobby.matches and self.matches.get(match.id) is None:
                self._deliver_here("?", MatchListed(match))

    def _deliver_here(self, origin: str, event: BotJoined | BotLeft | MatchListed) -> None:
        self.bus.deliver(origin, msgspec.json.encode(event))

    # --- Redis lost and back ------------------------------------------------------------

    def _lost_redis(self, exc: Exception | None) -> None:
        if not self.connected or self._stopping:
            return
        self.connected = False
        self._up_event.clear()
        self.bus.forward = None
        log.warning("node %s: Redis lost (%s); matches with other nodes' bots wait", self.node, exc)
        for node in list(self.alive):
            self._node_gone(node)
        self.alive.clear()
        for session in list(self.roster.bots.values()):
            for entry in list(session.matches.values()):
                if isinstance(entry, RemoteMatch):
                    text = f"the node running match {entry.id} cannot be reached"
                    session.peer.send(encode(Error("node_unreachable", text, entry.id)))
                    entry.finished = True
                    session.match_ended(entry.id)
        asyncio.get_running_loop().create_task(self._close_links())
        self._reconnecting = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        delay = RETRY_FIRST
        while not self._stopping:
            await asyncio.sleep(delay)
            try:
                await self._close_links()
                await self._connect()
                return
            except (RedisError, OSError, ConnectionError) as exc:
                log.info("node %s: Redis still unreachable: %s", self.node, exc)
                delay = min(delay * 2, RETRY_MAX)

    # --- the beat ---------------------------------------------------------------------------

    async def _beat_forever(self) -> None:
        """Beat on a fixed schedule: a slow beat (a busy event loop) does not push the next
        one later, so the key is renewed every ``BEAT_EVERY`` s however long a beat takes."""
        loop = asyncio.get_running_loop()
        due = loop.time()
        while True:
            due += BEAT_EVERY
            now = loop.time()
            if due < now:
                due = now  # far behind: beat at once, and count from here
            await asyncio.sleep(due - now)
            if not self.connected:
                continue
            try:
                await self._beat()
            except (RedisError, OSError, ConnectionError) as exc:
                log.warning("node %s: beat failed: %s", self.node, exc)
            except Exception:
                log.exception("node %s: beat failed", self.node)

    async def _beat(self) -> None:
        if not await self.directory.beat(first=False):
            # Our key expired: we were paused or cut off past NODE_TTL, and counted lost.
            await self._was_lost()
            return
        alive = await self.directory.alive_nodes() - {self.node}
        for node in self.alive - alive:
            log.warning("node %s: node %s is lost", self.node, node)
            self._node_gone(node)
        for node in alive - self.alive:
            # New, or back after it was counted lost: its bots join this lobby.
            for info in await self.directory.presence(node):
                if info.name not in self.roster.bots:
                    self.bot_nodes[info.name] = node
                    self._deliver_here(node, BotJoined(info))
        self.alive = alive
        self.holds_ladder = await self.directory.hold("ladder", NODE_TTL)
        await self._measure()

    async def _measure(self) -> None:
        """Once a beat: the round trip to Redis, and the frames relayed since the last beat."""
        metrics = self.metrics
        if metrics is None:
            return
        started = time.perf_counter()
        link = self.link
        if link is not None:
            await link.command("PING")
            metrics.bus_round_trip.observe(time.perf_counter() - started)
        metrics.relay_cross_node.inc(self.frames_out - self._frames_counted)
        self._frames_counted = self.frames_out

    async def ready(self) -> None:
        """A readiness check (``GET /readyz``): Redis answers and this node is in the cluster."""
        if not self.connected:
            raise ClusterUnavailable("this node is not connected to it")

    async def _was_lost(self) -> None:
        """This node came back after the others counted it lost: what it ran was ended.

        A match another node has recorded aborted meanwhile (the database's
        lease sweep) is aborted here too, and its late result is refused by the
        store (fencing by epoch). One nobody ended (a node alone, or back
        before the sweep) plays on: its lease is renewed again."""
        log.error(
            "node %s: counted lost by the cluster (paused or cut off); its matches that "
            "another node ended are ended here too",
            self.node,
        )
        for runner in list(self.matches.runners.values()):
            if runner.finished:
                continue
            record = await self.store.get_match(runner.id)
            if record is None or record.status not in ("pending", "running"):
                runner.abort(f"node_lost: server node {self.node!r} was counted lost")
        self.connected = False
        await self._close_links()
        await self._connect()

    def _node_gone(self, node: str) -> None:
        """Node ``node`` stopped beating: its bots leave, its seats here start their grace."""
        for name, where in list(self.bot_nodes.items()):
            if where == node and name not in self.roster.bots:
                del self.bot_nodes[name]
                self._deliver_here(node, BotLeft(name))
        for runner in list(self.matches.runners.values()):
            if runner.finished:
                continue
            for player, seat in enumerate(runner.sessions):
                if isinstance(seat, RemoteSeat) and seat.node == node:
                    runner.disconnected(player)
                    self.reconnects.detach(seat.name, None, [runner], any_token=True)
        for key, watch in list(self.watches.items()):
            if watch.node == node:
                del self.watches[key]
                watched = self.matches.get(key[0])
                if watched is not None:
                    watched.unwatch(watch.peer)

    # --- sending ----------------------------------------------------------------------------

    def send(self, node: str, data: bytes) -> None:
        """A frame to ``node``'s inbox; dropped while Redis is away (grace rules apply)."""
        link = self.link
        if link is not None and self.connected:
            self.frames_out += 1
            link.publish(inbox(node), data)

    def _forward(self, event: bytes) -> None:
        link = self.link
        if link is not None:
            link.publish(EVENTS, self.node.encode() + SEP + event)

    def _later(self, work: Callable[[], Awaitable[object]]) -> None:
        """Control-plane writes, one after another in the order asked."""
        if self.connected:
            self._control.put_nowait(work)

    async def _run_control(self) -> None:
        while True:
            work = await self._control.get()
            try:
                await work()
            except (RedisError, OSError, ConnectionError) as exc:
                log.warning("node %s: a write to Redis failed: %s", self.node, exc)
            except Exception:
                log.exception("node %s: a write to Redis failed", self.node)

    # --- receiving --------------------------------------------------------------------------

    def _received(self, channel: bytes, data: bytes) -> None:
        self.frames_in += 1
        if channel == EVENTS:
            origin, _, event = data.partition(SEP)
            node = origin.decode()
            if node != self.node:
                self.bus.deliver(node, event)
            return
        kind = data[:1]
        try:
            handler = self._handlers[kind]
        except KeyError:
            log.error("node %s: a frame of unknown kind %r", self.node, kind)
            return
        try:
            handler(self, data)
        except Exception:
            log.exception("node %s: a %r frame failed", self.node, kind)

    def _on_action(self, data: bytes) -> None:
        match_id, player, payload = fields_of(data, 3)
        runner = self.matches.get(match_id.decode())
        if runner is None:
            return
        message = parse_bot_message(payload)
        if isinstance(message, ProtocolError):  # read once by the bot's node: cannot happen
            runner.protocol_error(int(player), message.message)
        else:
            runner.receive(int(player), message)

    def _on_protocol_error(self, data: bytes) -> None:
        match_id, player, detail = fields_of(data, 3)
        runner = self.matches.get(match_id.decode())
        if runner is not None and runner.owes_answer(int(player)):
            runner.protocol_error(int(player), detail.decode(errors="replace"))

    def _on_disconnected(self, data: bytes) -> None:
        match_id, player, _ = fields_of(data, 3)
        runner = self.matches.get(match_id.decode())
        if runner is None or runner.finished:
            return
        seat = int(player)
        if isinstance(runner.sessions[seat], RemoteSeat):
            runner.disconnected(seat)
            self.reconnects.detach(runner.names[seat], None, [runner], any_token=True)

    def _on_to_bot(self, data: bytes) -> None:
        name, match_id, payload = fields_of(data, 3)
        session = self.roster.bots.get(name.decode())
        if session is not None and match_id.decode() in session.matches:
            session.peer.send(payload)

    def _on_ended(self, data: bytes) -> None:
        name, match_id = fields_of(data, 2)
        session = self.roster.bots.get(name.decode())
        if session is None:
            return
        entry = session.matches.get(match_id.decode())
        if isinstance(entry, RemoteMatch):
            entry.finished = True
            session.match_ended(entry.id)

    def _on_join(self, data: bytes) -> None:
        name, match_id, player, owner = fields_of(data, 4)
        entry = RemoteMatch(self, owner.decode(), match_id.decode(), int(player))
        session = self.roster.ready(name.decode())
        if session is None:  # gone meanwhile: the owner starts its grace
            entry.disconnected(entry.player)
            return
        session.match_started(entry)

    def _on_watch(self, data: bytes) -> None:
        match_id, node = (f.decode() for f in fields_of(data, 2))
        runner = self.matches.get(match_id)
        if runner is None:
            asyncio.get_running_loop().create_task(self._send_stored(match_id, node))
            return
        watch = self.watches.get((match_id, node))
        if watch is None:
            watch = self.watches[(match_id, node)] = RemoteWatch(self, node, match_id)
        runner.watch(watch.peer)

    async def _send_stored(self, match_id: str, node: str) -> None:
        """A watch for a match that ended meanwhile: its stored log (ends with its result)."""
        record = await self.store.get_match(match_id)
        events = [] if record is None else list(record.events)
        self.send(node, frame(WATCHED, match_id.encode(), encode(MatchSnapshot(match_id, events))))

    def _on_unwatch(self, data: bytes) -> None:
        match_id, node = (f.decode() for f in fields_of(data, 2))
        watch = self.watches.pop((match_id, node), None)
        runner = self.matches.get(match_id)
        if watch is not None and runner is not None:
            runner.unwatch(watch.peer)

    def _on_watched(self, data: bytes) -> None:
        match_id, payload = fields_of(data, 2)
        feed = self.feeds.get(match_id.decode())
        if feed is not None:
            feed.received(payload)
            if feed.ended:
                del self.feeds[feed.match_id]

    def _on_create(self, data: bytes) -> None:
        call, origin, match_id, tournament, nodes, config = (f.decode() for f in fields_of(data, 6))
        asyncio.get_running_loop().create_task(
            self._create_here(call, origin, match_id, tournament or None, nodes.split(","), config)
        )

    async def _create_here(
        self,
        call: str,
        origin: str,
        match_id: str,
        tournament: str | None,
        nodes: list[str],
        config: str,
    ) -> None:
        try:
            match = Match(match_id, msgspec.json.decode(config, type=MatchConfig))
            await self.start_here(match, nodes, tournament)
        except Refused as exc:
            answer = frame(
                CREATED,
                call.encode(),
                type(exc).__name__.encode(),
                exc.code.encode(),
                exc.message.encode(),
            )
        except Exception as exc:
            log.exception(
                "node %s: starting match %s for node %s failed", self.node, match_id, origin
            )
            answer = frame(
                CREATED,
                call.encode(),
                b"InvalidRequest",
                b"start_failed",
                f"the match could not start on node {self.node}: {exc}".encode(),
            )
        else:
            answer = frame(CREATED, call.encode(), b"ok", b"", b"")
        self.send(origin, answer)

    def _on_created(self, data: bytes) -> None:
        call, kind, code, text = (f.decode() for f in fields_of(data, 4))
        pending = self._calls.pop(call, None)
        if pending is not None and not pending.future.done():
            pending.future.set_result((kind, f"{code}\n{text}"))

    def _on_abort(self, data: bytes) -> None:
        match_id, reason = fields_of(data, 2)
        runner = self.matches.get(match_id.decode())
        if runner is not None and not runner.finished:
            runner.abort(reason.decode())

    _handlers: ClassVar[dict[bytes, Callable[[ClusterNode, bytes], None]]] = {
        ACTION: _on_action,
        PROTOCOL_ERROR: _on_protocol_error,
        DISCONNECTED: _on_disconnected,
        TO_BOT: _on_to_bot,
        ENDED: _on_ended,
        JOIN: _on_join,
        WATCH: _on_watch,
        UNWATCH: _on_unwatch,
        WATCHED: _on_watched,
        CREATE: _on_create,
        CREATED: _on_created,
        ABORT: _on_abort,
    }

    # --- placing matches (Matches.placement) ----------------------------------------------

    async def place(self, match: Match, tournament_id: str | None) -> MatchRunner | RemoteHandle:
        """Reserve the bots of ``match`` cluster-wide and start it on the node with most of them."""
        if not self.connected:
            raise ClusterUnavailable("not connected")
        config = match.config
        bots = list(config.bots)
        try:
            reservation = await self.directory.reserve(match.id, config.game, bots)
        except (RedisError, OSError, ConnectionError) as exc:
            raise ClusterUnavailable(str(exc)) from None
        if reservation.refusal is not None:
            text = _REFUSALS[reservation.refusal].format(bot=reservation.bot, game=config.game)
            raise BotUnavailable(reservation.refusal, text)
        nodes = reservation.nodes
        owner = choose_owner(nodes, self.node)
        try:
            if owner == self.node:
                return await self.start_here(match, nodes, tournament_id)
            await self._ask(owner, match, nodes, tournament_id)
        except BaseException:
            self._later(lambda: self.directory.unreserve(match.id, bots))
            raise
        handle = RemoteHandle(match.id, tournament_id, owner, self)
        self.handles[match.id] = handle
        return handle

    async def _ask(
        self, owner: str, match: Match, nodes: list[str], tournament_id: str | None
    ) -> None:
        call_id = secrets.token_hex(6)
        call = self._calls[call_id] = _Call()
        self.send(
            owner,
            frame(
                CREATE,
                call_id.encode(),
                self.node.encode(),
                match.id.encode(),
                (tournament_id or "").encode(),
                ",".join(nodes).encode(),
                msgspec.json.encode(match.config),
            ),
        )
        try:
            kind, answer = await asyncio.wait_for(call.future, CALL_TIMEOUT)
        except TimeoutError:
            raise ClusterUnavailable(f"node {owner} did not answer in {CALL_TIMEOUT:g} s") from None
        finally:
            self._calls.pop(call_id, None)
        if kind != "ok":
            code, _, text = answer.partition("\n")
            error = {"BotUnavailable": BotUnavailable, "GameNotFound": GameNotFound}.get(
                kind, InvalidRequest
            )
            raise error(code, text)

    async def start_here(
        self, match: Match, nodes: list[str], tournament_id: str | None
    ) -> MatchRunner:
        """Run ``match`` on this node: local bots seated as usual, the others through the relay."""
        seats: list[Seat | None] = []
        for name, node in zip(match.config.bots, nodes, strict=True):
            if node == self.node:
                seats.append(self.roster.ready(name))
            else:
                seats.append(RemoteSeat(self, node, name, match.id))
        runner = await self.matches.start(match, seats, tournament_id, self._joined)
        # Known to run here before anyone hears of it: a watcher on any node finds it.
        try:
            await self.directory.owned(runner.id, runner.info())
        except (RedisError, OSError, ConnectionError) as exc:
            log.warning("node %s: match %s not listed in Redis: %s", self.node, runner.id, exc)
        return runner

    def _joined(self, runner: MatchRunner) -> None:
        """The match is recorded: tell the other nodes' bots to join it, then it begins."""
        for player, seat in enumerate(runner.sessions):
            if isinstance(seat, RemoteSeat):
                data = frame(
                    JOIN,
                    seat.name.encode(),
                    runner.id.encode(),
                    str(player).encode(),
                    self.node.encode(),
                )
                self.send(seat.node, data)

    # --- watching (Matches.placement) --------------------------------------------------------

    async def watch(self, match_id: str, peer: Outbox) -> bool:
        """Watch a match another node runs; False when no node runs it."""
        feed = self.feeds.get(match_id)
        if feed is None:
            if not self.connected:
                return False
            try:
                owner = await self.directory.owner(match_id)
            except (RedisError, OSError, ConnectionError):
                return False
            if owner is None or owner == self.node:
                return False
            feed = self.feeds.get(match_id)
            if feed is None:
                feed = self.feeds[match_id] = MatchFeed(match_id, owner)
                self.send(owner, frame(WATCH, match_id.encode(), self.node.encode()))
        feed.add(peer)
        return True

    def unwatch(self, match_id: str, peer: Outbox) -> None:
        feed = self.feeds.get(match_id)
        if feed is None:
            return
        feed.remove(peer)
        if feed.empty:
            del self.feeds[match_id]
            self.send(feed.owner, frame(UNWATCH, match_id.encode(), self.node.encode()))

    def watching(self, match_id: str) -> bool:
        return match_id in self.feeds

    # --- names (Roster.claims) ---------------------------------------------------------------

    async def claim(self, info: BotInfo) -> str | None:
        """Claim a bot's name cluster-wide; the node that holds it, if another does."""
        if not self.connected:
            return None  # alone until Redis is back: the claim is made again then
        try:
            return await self.directory.claim(info, self.clock.time())
        except (RedisError, OSError, ConnectionError):
            return None

    def _elsewhere(self, name: str) -> BotInfo | None:
        """A bot connected to another node, as the lobby shows it."""
        return self.lobby.bots.get(name) if name in self.bot_nodes else None

    def _all_elsewhere(self) -> list[BotInfo]:
        bots = self.lobby.bots
        return [bots[name] for name in self.bot_nodes if name in bots]

    # --- bus events --------------------------------------------------------------------------

    def _bot_joined(self, event: BotJoined) -> None:
        origin = self.bus.origin
        info = event.bot
        if origin is None:
            # Connected here now: no longer the bot of whichever node it was on before.
            self.bot_nodes.pop(info.name, None)
            self._later(lambda: self.directory.show(info))
            return
        self.bot_nodes[info.name] = origin
        self._moved(info.name, origin)
        if self.reconnects.waiting(info.name):
            self._reattach(info.name, origin)

    def _moved(self, name: str, node: str) -> None:
        """Bot ``name`` connected through ``node`` while a match here still seats it at
        another (its node died and this node has not noticed yet): that seat dropped."""
        for runner in list(self.matches.runners.values()):
            player = runner.player_by_name.get(name)
            if player is None or runner.finished:
                continue
            seat = runner.sessions[player]
            if isinstance(seat, RemoteSeat) and seat.node != node:
                runner.disconnected(player)
                self.reconnects.detach(name, None, [runner], any_token=True)

    def _reattach(self, name: str, node: str) -> None:
        """A bot whose match runs here came back through node ``node``."""
        for runner in self.reconnects.reattach(name):
            player = runner.player_of(name)
            self.send(
                node,
                frame(
                    JOIN,
                    name.encode(),
                    runner.id.encode(),
                    str(player).encode(),
                    self.node.encode(),
                ),
            )
            if not runner.reconnected(player, RemoteSeat(self, node, name, runner.id)):
                self.send(node, frame(ENDED, name.encode(), runner.id.encode()))

    def _bot_status(self, event: BotStatus) -> None:
        if self.bus.origin is None:
            info = event.bot
            self._later(lambda: self.directory.show(info))
        else:
            self.bot_nodes[event.bot.name] = self.bus.origin

    def _bot_left(self, event: BotLeft) -> None:
        name = event.name
        if self.bus.origin is None:
            self._later(lambda: self._gone(name))
        else:
            self.bot_nodes.pop(name, None)

    async def _gone(self, name: str) -> None:
        await self.directory.hide(name)
        await self.directory.release(name)

    def _match_listed(self, event: MatchListed) -> None:
        info = event.match
        if self.bus.origin is None and info.status == "running" and self.matches.get(info.id):
            self._later(lambda: self.directory.owned(info.id, info))

    def _match_ended(self, event: MatchEnded) -> None:
        handle = self.handles.pop(event.match_id, None)
        if handle is not None:
            handle.finished = True
        if self.bus.origin is None:
            match_id, bots = event.match_id, list(event.bots)
            self._later(lambda: self.directory.ended(match_id, bots))
            for key in [k for k in self.watches if k[0] == match_id]:
                del self.watches[key]

    def _match_lost(self, event: MatchLost) -> None:
        """A match of a lost node was recorded aborted: tell its bots and watchers here."""
        data = encode(event.result)
        for session in list(self.roster.bots.values()):
            entry = session.matches.get(event.match_id)
            if isinstance(entry, RemoteMatch):
                session.peer.send(data)
                entry.finished = True
                session.match_ended(event.match_id)
        feed = self.feeds.pop(event.match_id, None)
        if feed is not None:
            feed.end(data)
        if self.bus.origin is None:
            bots = list(event.result.bots)
            self._later(lambda: self.directory.ended(event.match_id, bots))


def choose_owner(nodes: list[str], here: str) -> str:
    """The node holding most of a match's bots; among equals, this one, else the first by name."""
    counts = Counter(nodes)
    most = max(counts.values())
    best = sorted(n for n, c in counts.items() if c == most)
    return here if here in best else best[0]


__all__ = ["ClusterNode", "ClusterUnavailable", "RemoteHandle", "choose_owner", "inbox"]
