"""Start, serve and stop: the aiohttp application, the TCP listener, the store."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from html import escape
from pathlib import Path

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

import ringside.server.api_bots  # (registers the bot page route)
import ringside.server.api_export  # noqa: F401  (registers the export routes)
from ringside.server import api_tournaments  # noqa: F401  (registers the rating and tournament routes)
from ringside.server.api import add_routes, errors_middleware, game_board
from ringside.server.app import Server, Settings, build_server
from ringside.server.bench import COLLECTOR_PAUSES, BenchMatchRunner, bench_latency, bench_switches
from ringside.server.bot_ws import BotWebSockets
from ringside.server.directory import BEAT_EVERY, NODE_TTL
from ringside.server.http_guard import GUARD_KEY, GuardedHttp, guard_middleware, json_failures
from ringside.server.keys import SERVER_KEY
from ringside.server.limits import ConnectionGate, Limits, MemoryReturn, raise_file_limit
from ringside.server.settings import NodeIdInUse, hold_node_id, node_id
from ringside.server.transports import GATE_KEY, TcpBots, bot_websocket, watch_websocket
from ringside.store import Store, StoreError, open_store, sqlite_url
from ringside.store.errors import why_cannot_open
from ringside.store.leases import DEFAULT_TERMS, LeaseTerms

CLUSTER_TERMS = LeaseTerms(seconds=NODE_TTL, renew_every=BEAT_EVERY)
"""A cluster node's database leases: as long as its life in Redis, renewed each beat."""

log = logging.getLogger("ringside.server")


async def status_page(request: web.Request) -> web.StreamResponse:
    """Who is online and what is playing, as plain HTML without scripts (at /status;
    at / when the web page is not installed)."""
    lobby = request.app[SERVER_KEY].lobby
    bots = "".join(
        f"<li>{escape(b.name)} — {escape(b.status)} ({escape(', '.join(b.games or ['any game']))})</li>"
        for b in lobby.online()
    )
    matches = "".join(
        f"<li>{escape(m.game)}: {escape(' vs '.join(m.bots))}, round {m.round}/{m.rounds}</li>"
        for m in lobby.running()
    )
    html = (
        "<!doctype html><html lang=en><meta charset=utf-8><title>Ringside</title>"
        "<h1>Ringside</h1>"
        f"<h2>Bots online</h2><ul>{bots or '<li>none</li>'}</ul>"
        f"<h2>Matches running</h2><ul>{matches or '<li>none</li>'}</ul>"
        '<p><a href="/api/docs">API reference</a> · <a href="/api/openapi.json">OpenAPI</a></p>'
    )
    return web.Response(text=html, content_type="text/html")


API_DOCS = """<!doctype html><html lang=en><meta charset=utf-8><title>Ringside API</title>
<meta name=viewport content="width=device-width, initial-scale=1">
<style>body{font:15px system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
code,pre{background:#f4f4f4;padding:.1rem .3rem}
pre{padding:.6rem;overflow:auto;white-space:pre-wrap;overflow-wrap:anywhere}
h3{margin-bottom:.2rem;overflow-wrap:anywhere}nav{margin-bottom:1rem}</style>
<nav><a href="/" class=back>← Back to Ringside</a></nav>
<h1>Ringside HTTP API</h1><p>Generated from <a href="/api/openapi.json">openapi.json</a>.</p>
<div id=ops>Loading…</div>
<script>
fetch('/api/openapi.json').then(r => r.json()).then(doc => {
  const root = document.getElementById('ops'); root.textContent = '';
  for (const [path, ops] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(ops)) {
    const h = document.createElement('h3'); h.textContent = method.toUpperCase() + ' ' + path;
    const p = document.createElement('p'); p.textContent = op.summary + (op.security ? ' (admin token)' : '');
    root.append(h, p);
    for (const prm of op.parameters || []) {
      const li = document.createElement('div');
      li.textContent = '· ' + prm.name + ' (' + prm.in + '): ' + (prm.description || ''); root.append(li);
    }
    for (const [status, resp] of Object.entries(op.responses)) {
      const pre = document.createElement('pre');
      pre.textContent = status + ' ' + JSON.stringify(resp.content['application/json'].schema);
      root.append(pre);
    }
  }
  const h = document.createElement('h2'); h.textContent = 'Schemas'; root.append(h);
  const pre = document.createElement('pre'); pre.textContent = JSON.stringify(doc.components.schemas, null, 2);
  root.append(pre);
}).catch(e => { document.getElementById('ops').textContent = 'Could not load the API document: ' + e; });
</script>"""


async def api_docs(request: web.Request) -> web.StreamResponse:
    return web.Response(text=API_DOCS, content_type="text/html")


async def metrics_page(request: web.Request) -> web.StreamResponse:
    """This node's metrics in Prometheus' text format (``server/metrics.py``)."""
    body = request.app[SERVER_KEY].metrics.exposition()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


WEB_ROOT = Path(__file__).resolve().parent.parent / "web"


async def index_page(request: web.Request) -> web.StreamResponse:
    """The web page's single HTML file; every view is a client-side route of it."""
    return web.FileResponse(WEB_ROOT / "index.html", headers={"Cache-Control": "no-cache"})


def build_app(
    server: Server, gate: ConnectionGate | None = None, guard: GuardedHttp | None = None
) -> web.Application:
    """The web application; ``gate`` counts and caps connections (one per process, shared
    with the TCP listener), ``guard`` is the HTTP listener's header deadline, if any."""
    app = web.Application(
        middlewares=[json_failures, guard_middleware, errors_middleware],
        client_max_size=1024 * 1024,
    )
    app[SERVER_KEY] = server
    app[GATE_KEY] = gate if gate is not None else ConnectionGate(server.settings.limits)
    if guard is not None:
        app[GUARD_KEY] = guard
    add_routes(app)
    app.router.add_get("/api/docs", api_docs)
    app.router.add_get("/ws/bot", bot_websocket)
    app.router.add_get("/ws/watch", watch_websocket)
    app.router.add_get("/metrics", metrics_page)
    if server.settings.bench:
        app.router.add_get("/api/bench/latency", bench_latency)
        COLLECTOR_PAUSES.install()
    if (WEB_ROOT / "index.html").exists():
        app.router.add_get("/", index_page)
        app.router.add_static("/static/", WEB_ROOT / "static", append_version=False)
        app.router.add_get("/games/{name}/{file}", game_board)
        app.router.add_get("/status", status_page)
    else:
        app.router.add_get("/", status_page)
    return app


class StartupError(Exception):
    """The server cannot start; the message is one line naming what and why."""


async def open_for_serving(settings: Settings, node: str) -> Store:
    """The migrated store, its live rows owned by ``node``.

    Raises ``StartupError`` naming the database (its folder or URL) and the
    cause when it cannot be opened or migrated.
    """
    url = settings.database_url or sqlite_url(settings.data_dir)
    store: Store | None = None
    try:
        # A cluster's nodes renew their leases each beat, so a lost node's matches end
        # within seconds; a single server keeps the longer default.
        terms = CLUSTER_TERMS if settings.redis_url is not None else DEFAULT_TERMS
        store = await open_store(url, node=node, terms=terms)
    except (StoreError, SQLAlchemyError, OSError) as exc:
        if store is not None:
            with contextlib.suppress(Exception):
                await store.close()
        raise StartupError(why_cannot_open(url, exc)) from exc
    return store


@contextlib.asynccontextmanager
async def _first_writes(settings: Settings) -> AsyncIterator[None]:
    """Start-up's first writes (the journal's results, this node's rows) name the database
    and the cause when they fail: a read-only or full disk shows up here."""
    try:
        yield
    except (StoreError, SQLAlchemyError, OSError) as exc:
        url = settings.database_url or sqlite_url(settings.data_dir)
        raise StartupError(why_cannot_open(url, exc)) from exc


@contextlib.asynccontextmanager
async def _joining(settings: Settings) -> AsyncIterator[None]:
    """A node that cannot reach the cluster's Redis at start-up says so in one line."""
    try:
        yield
    except (RedisError, OSError) as exc:
        if settings.redis_url is None:
            raise
        raise StartupError(
            f"cannot reach the cluster's Redis at {settings.redis_url}: {exc}"
        ) from exc


@contextlib.contextmanager
def _listening_on(host: str, port: int) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        shown = f"[{host}]" if ":" in host else host
        cause = (os.strerror(exc.errno) if exc.errno else str(exc)).lower()
        raise StartupError(f"cannot listen on {shown}:{port}: {cause}") from exc


async def serve(
    settings: Settings,
    ready: Callable[[str, int, int], None] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Run until ``stop`` is set or SIGINT/SIGTERM arrives, then shut down cleanly."""
    try:
        node = node_id(settings)
        held = hold_node_id(settings, node)
    except NodeIdInUse as exc:
        raise StartupError(str(exc)) from exc
    except OSError as exc:  # the data directory cannot keep the node id: read-only, full...
        url = settings.database_url or sqlite_url(settings.data_dir)
        raise StartupError(why_cannot_open(url, exc)) from exc
    if settings.redis_url is not None and not (settings.database_url or "").startswith(
        "postgresql"
    ):
        raise StartupError(
            "a node of a cluster (--redis-url) needs the PostgreSQL database every node shares: "
            "give --database-url postgresql+asyncpg://..."
        )
    store = await open_for_serving(settings, node)
    log.info("serving as node %s", node)
    server = build_server(settings, store)
    try:
        async with _first_writes(settings):
            await server.replay_journal()  # first: a journaled result finishes its match
    except StartupError:
        await store.close()
        held.close()
        raise
    if settings.bench:
        server.matches.runner_type = BenchMatchRunner
    limits = settings.limits
    file_limit = raise_file_limit()
    gate = ConnectionGate(limits, file_limit)
    server.metrics.watch_gate(gate)
    memory = MemoryReturn(gate)
    log.info(
        "open files: limit %d, %d reserved for the API and admitted bots; per address: "
        "%d bot connections before welcome, %d spectators",
        file_limit,
        limits.fd_reserve,
        limits.max_prehello_per_address,
        limits.max_spectators_per_address,
    )

    def aiohttp_protocol() -> asyncio.Protocol:
        handler = runner.server
        assert handler is not None, "set up before listening"
        return handler()

    # Bot WebSockets are served by Ringside once their handshake is read (server/bot_ws.py).
    bot_sockets = BotWebSockets(server, gate)
    guard = GuardedHttp(aiohttp_protocol, gate, limits.http_header_timeout, bot_sockets.take)
    app = build_app(server, gate, guard)
    runner = web.AppRunner(
        app,
        handle_signals=False,
        shutdown_timeout=5,
        keepalive_timeout=limits.http_header_timeout,
    )
    await runner.setup()
    tcp = TcpBots(server, gate)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    listener: asyncio.Server | None = None
    try:
        with _listening_on(settings.host, settings.port):
            listener = await loop.create_server(
                guard, settings.host, settings.port, reuse_address=True, backlog=1024
            )
        port = listener.sockets[0].getsockname()[1]
        with _listening_on(settings.host, settings.tcp_port):
            tcp_port = await tcp.start(settings.host, settings.tcp_port)
        async with _first_writes(settings), _joining(settings):
            await server.start()
        # What start-up built (modules, the game catalogue, OpenSpiel's games: about 120,000
        # objects) lives as long as the process. Out of the collector's sight, a full
        # collection walks only what the matches make: at figure 3's load of the bench,
        # full collections paused every match for 100-400 ms.
        gc.collect()
        gc.freeze()
        # A young collection after 10,000 new objects rather than 700: what a move makes
        # dies young, and fewer survivors reach the old generation, whose collections (a
        # walk of every match's objects) then come every minute or two instead of every
        # few seconds. Bench figure 3: collector time per 5 s window 200-300 ms -> 50-70 ms.
        gc.set_threshold(10_000, 10, 10)
        if ready is not None:
            ready(settings.host, port, tcp_port)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 5.0)
            memory.tick()  # an attack's freed buffers back to the system
    finally:
        await server.shutdown(drain=settings.drain)
        await tcp.stop()
        await bot_sockets.stop()
        if listener is not None:
            listener.close()
        await runner.cleanup()
        await store.close()
        held.close()


def print_ready(host: str, port: int, tcp_port: int) -> None:
    shown = f"[{host}]" if ":" in host else host
    print(
        f"Ringside is serving http://{shown}:{port}/  "
        f"(bots: ws://{shown}:{port}/ws/bot or tcp://{shown}:{tcp_port})",
        flush=True,
    )


def run(settings: Settings) -> None:
    try:
        import uvloop

        runner: Callable[..., None] = uvloop.run
    except ImportError:  # pragma: no cover - uvloop is a dependency
        runner = asyncio.run
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    try:
        settings.limits = Limits.from_env()
    except ValueError as exc:
        raise StartupError(str(exc)) from exc
    runner(serve(bench_switches(settings), print_ready))
