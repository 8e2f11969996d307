// The spectator socket (/ws/watch): one per page, reconnected with back-off.
// It keeps the lobby (bots online, running matches) and routes match events to
// whoever watches that match. After a reconnect every watched match is asked
// for again, so its watcher gets a fresh snapshot and misses nothing.

// "tournament": a tournament changed (a game counted, a round paired, it ended).
const LOBBY_TYPES = new Set(["lobby", "bot_joined", "bot_left", "bot_status", "match_listed", "tournament"]);
const MIN_DELAY = 500;
const MAX_DELAY = 5000;

class Live extends EventTarget {
  constructor() {
    super();
    this.bots = new Map(); // name -> BotInfo
    this.matches = new Map(); // id -> MatchInfo (running only)
    this.watchers = new Map(); // match id -> Set of handlers
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
      for (const id of this.watchers.keys()) this.send({ type: "watch", match: id });
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
    if (typeof id !== "string") return;
    for (const handler of this.watchers.get(id) || []) handler(event);
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
    let set = this.watchers.get(id);
    if (!set) {
      set = new Set();
      this.watchers.set(id, set);
    }
    set.add(handler);
    this.send({ type: "watch", match: id });
    return () => {
      set.delete(handler);
      if (set.size === 0) {
        this.watchers.delete(id);
        this.send({ type: "unwatch", match: id });
      }
    };
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
