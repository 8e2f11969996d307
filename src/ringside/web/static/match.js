// The live match view (#/match/ID): the snapshot, then every event as it comes,
// shown at most one every N ms (the spectator delay) so fast bots are watchable.

import { gameInfo } from "./api.js";
import { h } from "./dom.js";
import { live } from "./live.js";
import { applyEvent, fold, freezeClocks, newState } from "./model.js";
import { MatchPanel } from "./panel.js";

const DELAY_KEY = "ringside.delay";
const DEFAULT_DELAY = 250;
const STOPPERS = new Set(["forfeit", "round_result", "match_result"]);

/** Matches this page started: their whole log is paced, not caught up at once. */
export const startedHere = new Set();

function savedDelay() {
  try {
    const raw = localStorage.getItem(DELAY_KEY);
    const value = raw === null ? DEFAULT_DELAY : Number(raw);
    return Number.isFinite(value) && value >= 0 ? value : DEFAULT_DELAY;
  } catch {
    return DEFAULT_DELAY;
  }
}

export function mountMatch(main, params) {
  const id = params.id;
  const panel = new MatchPanel(id);
  panel.live = true;
  const paced = startedHere.has(id);
  let delay = savedDelay();
  let received = [];
  let shown = 0;
  let state = newState();
  let timer = null;
  let lastShownAt = 0;
  let seenSnapshot = false;
  let titled = false;

  const slider = h("input", { type: "range", id: "delay", min: "0", max: "2000", step: "50", value: String(delay) });
  const delayOut = h("output", { for: "delay", class: "delay-out" });
  const jump = h("button", { type: "button", class: "jump", onclick: () => showUpTo(received.length) }, "Jump to live");
  const replayLink = h("a", { href: `#/replay/${encodeURIComponent(id)}`, class: "replay-link", hidden: true }, "Open the replay");
  const problem = h("div", { class: "match-problem" });
  panel.controls.append(
    h("label", { for: "delay" }, "Spectator delay"),
    slider,
    delayOut,
    jump,
    replayLink,
  );
  main.replaceChildren(problem, panel.el);

  function showDelay() {
    delayOut.textContent = delay === 0 ? "live" : `${delay} ms a move`;
  }
  showDelay();
  slider.addEventListener("input", () => {
    delay = Number(slider.value);
    showDelay();
    try {
      localStorage.setItem(DELAY_KEY, String(delay));
    } catch {
      /* not kept */
    }
    clearTimeout(timer);
    timer = null;
    schedule();
  });

  function render() {
    panel.render(state);
    panel.syncMoves(state.moves);
    const behind = received.length - shown;
    jump.disabled = behind === 0;
    jump.textContent = behind ? `Jump to live (${behind} behind)` : "Jump to live";
    replayLink.hidden = !state.result;
    if (!titled && state.game) {
      titled = true;
      gameInfo(state.game)
        .then((info) => {
          if (info) {
            panel.gameTitle = info.title;
            panel.render(state);
          }
        })
        .catch(() => {});
    }
    document.title = `${panel.heading.textContent} · Ringside`;
  }

  function showUpTo(n) {
    for (; shown < n && shown < received.length; shown++) {
      const event = received[shown];
      if (STOPPERS.has(event.type) && state.running.length) {
        // The clocks stop where the page showed them ticking, not where the last move left them.
        freezeClocks(state, (performance.now() - panel.shownAt) / 1000);
      }
      applyEvent(state, event, shown);
    }
    lastShownAt = performance.now();
    render();
  }

  function schedule() {
    if (timer || shown >= received.length) return;
    const wait = delay === 0 ? 0 : Math.max(0, lastShownAt + delay - performance.now());
    if (wait === 0) {
      showUpTo(delay === 0 ? received.length : shown + 1);
      if (shown < received.length) timer = setTimeout(step, delay);
    } else {
      timer = setTimeout(step, wait);
    }
  }

  function step() {
    timer = null;
    schedule();
  }

  function onEvent(event) {
    if (event.type === "snapshot") {
      problem.replaceChildren();
      const events = Array.isArray(event.events) ? event.events : [];
      if (!seenSnapshot && !paced) {
        received = events;
        state = fold(events);
        shown = events.length;
        render();
      } else if (events.length >= shown) {
        received = events; // after a reconnect: the full log again, keep our place
        render();
        schedule();
      } else {
        received = events;
        state = fold(events);
        shown = events.length;
        render();
      }
      seenSnapshot = true;
      return;
    }
    if (event.type === "error") {
      if (!seenSnapshot) {
        // Nothing to watch (an unknown id): the error alone, not an empty board beside it.
        panel.el.hidden = true;
        document.title = "Match not found · Ringside";
        main.replaceChildren(h("h1", { tabindex: "-1" }, "Match not found"), problem);
      }
      problem.replaceChildren(
        h(
          "div",
          { class: "error", role: "alert" },
          h("p", {}, event.message || "This match cannot be watched."),
          h("p", {}, h("a", { href: "#/" }, "Back to the lobby"), " · ", h("a", { href: "#/history" }, "Search the history")),
        ),
      );
      return;
    }
    received.push(event);
    schedule();
  }

  render();
  const unwatch = live.watch(id, onEvent);
  // Clocks run only while the server is heard: a lost connection freezes them.
  const ticker = setInterval(() => {
    if (live.state === "open") panel.tick(performance.now());
  }, 100);
  return () => {
    unwatch();
    clearInterval(ticker);
    clearTimeout(timer);
  };
}
