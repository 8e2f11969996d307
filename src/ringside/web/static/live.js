// The spectator socket (/ws/watch): one per page, reconnected with back-off.
// It keeps the lobby (bots online, running matches) and routes match events to
// whoever watches that match. After a reconnect every watched match is asked
// for again, so its watcher gets a fresh snapshot and misses nothing.
//
// A handler always gets a snapshot first, then the events after it. The server
// snapshots a match once per watch (a second `watch` of a match watched is
// ignored), so a handler that joins a match already watched on this socket (the
// lobby's small board, then the match view) is given the snapshot kept here and
// the events since; and an event that arrives before the snapshot (sent before
// the server read the `watch`) is in that snapshot, so it is not passed on.

// "tournament": a tournament changed (a game counted, a round paired, it ended).
const LOBBY_TYPES = new Set(["lobby", "bot_joined", "bot_left", "bot_status", "match_listed", "tournament"]);
const MIN_DELAY = 500;
const MAX_DELAY = 5000;

export class Live extends EventTarget {
  constructor() {
    super();
    this.bots = new Map(); // name -> BotInfo
    this.matches = new Map(); // id -> MatchInfo (running only)
    this.watchers = new Map(); // match id -> Map of handler -> whether it has had a snapshot
    this.history = new Map(); // match id -> { snapshot, events since } while watched
    this.state = "connecting";
    this.failures = 0;
    this.retryAt = 0;
    this.ws = null;
    this.timer = null;
    this.hasLobby = false;
  }

  start() {
    if (!this.ws && !this.timer) this.connect();
  }

  connect() {
    this.timer = null;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    let ws;
    try {
      ws = new WebSocket(`${scheme}://${location.host}/ws/watch`);
    } catch {
      this.lost();
      return;
    }
    this.ws = ws;
    ws.addEventListener("open", () => {
      this.failures = 0;
      this.setState("open");
      for (const [id, handlers] of this.watchers) {
        // A fresh snapshot is coming: until it does, the handlers get nothing.
        this.history.set(id, { snapshot: null, events: [] });
        for (const handler of handlers.keys()) handlers.set(handler, false);
        this.send({ type: "watch", match: id });
      }
    });
    ws.addEventListener("message", (msg) => {
      let event;
      try {
        event = JSON.parse(msg.data);
      } catch {
        return;
      }
      this.receive(event);
    });
    ws.addEventListener("close", () => {
      if (this.ws === ws) this.lost();
    });
  }

  lost() {
    this.ws = null;
    this.failures += 1;
    const base = Math.min(MAX_DELAY, MIN_DELAY * 2 ** (this.failures - 1));
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.retryAt = Date.now() + delay;
    this.setState("lost");
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  /** Try again now (the banner's button). */
  retryNow() {
    if (this.state !== "lost") return;
    clearTimeout(this.timer);
    this.connect();
  }

  setState(state) {
    this.state = state;
    this.dispatchEvent(new CustomEvent("status", { detail: state }));
  }

  send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  receive(event) {
    if (LOBBY_TYPES.has(event.type)) {
      this.applyLobby(event);
      this.dispatchEvent(new CustomEvent("lobby", { detail: event }));
      return;
    }
    const id = event.match;
    const handlers = typeof id === "string" ? this.watchers.get(id) : undefined;
    if (!handlers) return;
    const kept = this.history.get(id);
    if (event.type === "snapshot") {
      // A copy: a handler may keep the array it is given and add to it.
      kept.snapshot = { ...event, events: Array.isArray(event.events) ? event.events.slice() : [] };
      kept.events = [];
      for (const handler of [...handlers.keys()]) {
        handlers.set(handler, true);
        handler(event);
      }
      return;
    }
    if (event.type === "error") {
      for (const handler of [...handlers.keys()]) handler(event);
      return;
    }
    if (kept.snapshot) kept.events.push(event);
    for (const [handler, primed] of [...handlers]) if (primed) handler(event);
  }

  applyLobby(event) {
    switch (event.type) {
      case "lobby":
        this.hasLobby = true;
        this.bots = new Map(event.bots.map((b) => [b.name, b]));
        this.matches = new Map(event.matches.map((m) => [m.id, m]));
        break;
      case "bot_joined":
      case "bot_status":
        this.bots.set(event.bot.name, event.bot);
        break;
      case "bot_left":
        this.bots.delete(event.name);
        break;
      case "match_listed":
        if (event.match.status === "finished" || event.match.status === "aborted") {
          this.matches.delete(event.match.id);
        } else {
          this.matches.set(event.match.id, event.match);
        }
        break;
    }
  }

  /** Call handler with the match's snapshot, then each new event; returns the unsubscribe. */
  watch(id, handler) {
    let handlers = this.watchers.get(id);
    if (!handlers) {
      handlers = new Map();
      this.watchers.set(id, handlers);
      this.history.set(id, { snapshot: null, events: [] });
      handlers.set(handler, false);
      this.send({ type: "watch", match: id });
    } else {
      handlers.set(handler, false);
      const kept = this.history.get(id);
      // Given after the caller has its unsubscribe, as a snapshot from the server would be.
      if (kept.snapshot) queueMicrotask(() => this.replay(id, handler));
    }
    return () => {
      if (this.watchers.get(id) !== handlers || !handlers.delete(handler)) return;
      if (handlers.size === 0) {
        this.watchers.delete(id);
        this.history.delete(id);
        this.send({ type: "unwatch", match: id });
      }
    };
  }

  /** The snapshot kept and the events since, for a handler that joined a watched match. */
  replay(id, handler) {
    const handlers = this.watchers.get(id);
    const kept = this.history.get(id);
    if (!handlers || handlers.get(handler) !== false || !kept || !kept.snapshot) return;
    handlers.set(handler, true);
    handler({ ...kept.snapshot, events: kept.snapshot.events.slice() });
    for (const event of kept.events) handler(event);
  }

  /** Subscribe to an event type ("lobby", "status"); returns the unsubscribe. */
  on(type, handler) {
    const listener = (e) => handler(e.detail);
    this.addEventListener(type, listener);
    return () => this.removeEventListener(type, listener);
  }
}

export const live = new Live();

/**
 * `load` wrapped so live events can call it as often as they come: one call
 * runs at a time, and calls made meanwhile become one more run afterwards.
 */
export function refetcher(load) {
  let running = null;
  let again = false;
  const run = async () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await load();
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  };
  return run;
}
