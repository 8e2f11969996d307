// History (#/history) and the replay viewer (#/replay/ID): the stored event
// log of a match played back, step by step, at a chosen speed, or to any move.

import { games, match as fetchMatch, matches as fetchMatches } from "./api.js";
import { append, botLink, errorBox, fmtDate, fmtScore, h } from "./dom.js";
import { fold } from "./model.js";
import { MatchPanel } from "./panel.js";

const PAGE = 25;
const SPEEDS = [["1000", "Slow (1 s)"], ["500", "Normal (0.5 s)"], ["200", "Fast (0.2 s)"], ["50", "Very fast"]];

function resultText(m) {
  if (m.status === "aborted") return "aborted";
  if (m.status !== "finished") return m.status;
  const scores = m.seats.map((s) => `${s.bot} ${s.score === null ? "–" : fmtScore(s.score)}`).join(" · ");
  return `${m.winner ? `${m.winner} won` : "draw"} (${scores})`;
}

export function mountHistory(main, params) {
  document.title = "History · Ringside";
  const query = new URLSearchParams(params.query || "");
  const filters = {
    game: query.get("game") || "",
    bot: query.get("bot") || "",
    status: query.get("status") || "finished",
    // A page is reached by the cursor of its neighbour: older than `before`, newer than `after`.
    before: query.get("before") || "",
    after: query.get("after") || "",
  };
  const gameSelect = h("select", { id: "h-game", name: "game" }, h("option", { value: "" }, "All games"));
  const botInput = h("input", { type: "search", id: "h-bot", name: "bot", value: filters.bot, placeholder: "exact name" });
  const statusSelect = h(
    "select",
    { id: "h-status", name: "status" },
    [["finished", "Finished"], ["aborted", "Aborted"], ["running", "Running"], ["all", "All"]].map(([v, t]) => h("option", { value: v, selected: v === filters.status }, t)),
  );
  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Filter matches" },
    h("div", { class: "field" }, h("label", { for: "h-game" }, "Game"), gameSelect),
    h("div", { class: "field" }, h("label", { for: "h-bot" }, "Bot"), botInput),
    h("div", { class: "field" }, h("label", { for: "h-status" }, "Status"), statusSelect),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Filter")),
  );
  const results = h("div", { class: "results", "aria-live": "polite" }, h("p", { class: "muted" }, "Loading…"));
  main.replaceChildren(h("h1", { tabindex: "-1" }, "History"), form, results);

  function go(cursor) {
    const q = new URLSearchParams();
    if (gameSelect.value) q.set("game", gameSelect.value);
    if (botInput.value.trim()) q.set("bot", botInput.value.trim());
    q.set("status", statusSelect.value);
    if (cursor) q.set(...cursor);
    location.hash = `#/history?${q}`;
  }
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    go(null);
  });

  games()
    .then((list) => {
      gameSelect.append(...list.map((g) => h("option", { value: g.name, selected: g.name === filters.game }, g.title)));
    })
    .catch(() => {});

  let titles = new Map();
  async function load() {
    results.replaceChildren(h("p", { class: "muted" }, "Loading…"));
    try {
      titles = new Map((await games()).map((g) => [g.name, g.title]));
    } catch {
      /* names will do */
    }
    let page;
    try {
      page = await fetchMatches({
        game: filters.game,
        bot: filters.bot,
        status: filters.status === "all" ? "" : filters.status,
        limit: PAGE,
        before: filters.before,
        after: filters.after,
      });
    } catch (err) {
      results.replaceChildren(errorBox(`Could not load the matches: ${err.message}`, load));
      return;
    }
    if (!page.items.length) {
      results.replaceChildren(h("p", { class: "muted" }, "No match fits these filters."));
      return;
    }
    const rows = page.items.map((m) =>
      h(
        "tr",
        { "data-match": m.id },
        h("td", { title: m.finished_at ? `finished ${fmtDate(m.finished_at)}` : undefined }, fmtDate(m.created_at)), // the order's time
        h("td", {}, titles.get(m.game) || m.game),
        h("td", {}, m.bots.flatMap((b, i) => (i ? [" vs ", botLink(b)] : [botLink(b)]))),
        h("td", {}, resultText(m)),
        h("td", {}, m.verdict || ""),
        h("td", {}, h("a", { href: m.status === "running" ? `#/match/${m.id}` : `#/replay/${m.id}`, "aria-label": `${m.status === "running" ? "Watch" : "Replay"} ${m.bots.join(" vs ")}` }, m.status === "running" ? "Watch" : "Replay")),
      ),
    );
    const total = page.total === null ? "more than 1,000" : String(page.total);
    results.replaceChildren(
      h("table", { class: "history" }, h("thead", {}, h("tr", {}, ["When", "Game", "Bots", "Result", "Verdict", ""].map((t) => h("th", { scope: "col" }, t || h("span", { class: "visually-hidden" }, "Link"))))), h("tbody", {}, rows)),
      h(
        "nav",
        { class: "pager", "aria-label": "Pages" },
        h("button", { type: "button", disabled: !page.previous, onclick: () => go(["after", page.previous]) }, "Newer"),
        h("span", {}, `${page.items.length} shown of ${total}`),
        h("button", { type: "button", disabled: !page.next, onclick: () => go(["before", page.next]) }, "Older"),
      ),
    );
  }
  load();
}

export function mountReplay(main, params) {
  const id = params.id;
  let timer = null;
  let index = 0;
  let events = [];
  let lo = 0; // the first position worth showing: the first round's empty board
  let panel = null;
  let cancelled = false;
  main.replaceChildren(h("h1", { tabindex: "-1" }, "Replay"), h("p", { class: "muted" }, "Loading the match…"));

  const btn = (text, onclick) => h("button", { type: "button", onclick }, text);
  const first = btn("« First", () => go(lo));
  const back = btn("‹ Back", () => go(index - 1));
  const play = btn("Play", () => (timer ? stop() : start()));
  const next = btn("Next ›", () => go(index + 1));
  const last = btn("Last »", () => go(events.length - 1));
  const speed = h("select", { id: "r-speed" }, SPEEDS.map(([v, t]) => h("option", { value: v, selected: v === "500" }, t)));
  const range = h("input", { type: "range", id: "r-pos", min: "0", max: "0", value: "0", step: "1" });
  const where = h("output", { for: "r-pos", class: "where" });

  function go(i) {
    index = Math.max(lo, Math.min(events.length - 1, i));
    const state = fold(events, index);
    panel.render(state);
    range.value = String(index);
    const kind = events[index] ? events[index].type.replace("_", " ") : "";
    where.textContent = `Step ${index - lo + 1} of ${events.length - lo}: ${kind}`;
    first.disabled = back.disabled = index === lo;
    next.disabled = last.disabled = index >= events.length - 1;
    if (index >= events.length - 1) stop();
  }

  function start() {
    if (index >= events.length - 1) go(lo);
    play.textContent = "Pause";
    const tickOnce = () => {
      go(index + 1);
      if (timer) timer = setTimeout(tickOnce, Number(speed.value));
    };
    timer = setTimeout(tickOnce, Number(speed.value));
  }

  function stop() {
    clearTimeout(timer);
    timer = null;
    play.textContent = "Play";
  }

  function onKey(e) {
    if (e.target.closest && e.target.closest("input, select, textarea")) return;
    const moves = { ArrowLeft: index - 1, ArrowRight: index + 1, Home: lo, End: events.length - 1 };
    if (e.key in moves && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      go(moves[e.key]);
    }
  }

  async function load() {
    let detail;
    try {
      detail = await fetchMatch(id);
    } catch (err) {
      if (!cancelled) main.replaceChildren(h("h1", { tabindex: "-1" }, "Replay"), errorBox(err.message, load));
      return;
    }
    if (cancelled) return;
    let title = detail.game;
    try {
      const info = (await games()).find((g) => g.name === detail.game);
      if (info) title = info.title;
    } catch {
      /* the name will do */
    }
    events = detail.events || [];
    panel = new MatchPanel(id, title);
    document.title = `Replay: ${title} — ${detail.bots.join(" vs ")} · Ringside`;
    lo = Math.max(0, events.findIndex((e) => e.type === "round_started"));
    range.min = String(lo);
    range.max = String(Math.max(lo, events.length - 1));
    range.addEventListener("input", () => go(Number(range.value)));
    append(panel.controls, [
      h("div", { class: "transport", role: "group", "aria-label": "Replay controls" }, first, back, play, next, last),
      h("label", { for: "r-speed" }, "Speed"),
      speed,
      h("label", { for: "r-pos" }, "Position"),
      range,
      where,
      detail.status === "running" ? h("a", { href: `#/match/${id}` }, "Still running: watch live") : null,
    ]);
    main.replaceChildren(panel.el);
    panel.el.addEventListener("keydown", onKey);
    if (!events.length) {
      panel.controls.append(h("p", { class: "muted" }, "This match has no recorded events."));
      panel.render(fold([]));
      return;
    }
    panel.state = fold(events, lo);
    panel.setMoves(fold(events).moves, (i) => go(i));
    go(lo);
  }
  load();
  return () => {
    cancelled = true;
    stop();
  };
}
