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

/**
 * The positions a replay stops at: each round's start, each move (so step N is
 * move N), and the round's end (its verdicts and result, the revealed view).
 * `at` is the last event folded into the position.
 */
export function replayStops(events) {
  const stops = [];
  events.forEach((e, i) => {
    if (e.type === "round_started") stops.push({ kind: "start", round: e.round, at: i, event: i });
    else if (e.type === "move") stops.push({ kind: "move", round: e.round, ply: e.ply, at: i, event: i });
    else if (e.type === "forfeit" || e.type === "round_result" || e.type === "match_result") {
      const last = stops[stops.length - 1];
      if (last && last.kind === "end") last.at = i;
      else stops.push({ kind: "end", round: last ? last.round : e.round || 1, at: i, event: i });
    } else if (stops.length && stops[stops.length - 1].kind === "end") {
      stops[stops.length - 1].at = i;
    }
  });
  if (!stops.length && events.length) stops.push({ kind: "start", round: 1, at: events.length - 1, event: 0 });
  return stops;
}

const DOWNLOADS = { chess: ["pgn", "PGN"], go: ["sgf", "SGF"] };

export function mountReplay(main, params) {
  const id = params.id;
  const path = encodeURIComponent(id);
  let timer = null;
  let pos = 0;
  let events = [];
  let stops = [];
  let plies = new Map(); // round -> its number of moves
  let panel = null;
  let cancelled = false;
  main.replaceChildren(h("h1", { tabindex: "-1" }, "Replay"), h("p", { class: "muted" }, "Loading the match…"));

  const btn = (text, onclick, label) => h("button", { type: "button", onclick, "aria-label": label }, text);
  const first = btn("« First", () => go(0));
  const back = btn("‹ Back", () => go(pos - 1));
  const play = btn("Play", () => (timer ? stop() : start()));
  const next = btn("Next ›", () => go(pos + 1));
  const last = btn("Last »", () => go(stops.length - 1));
  const speed = h("select", { id: "r-speed" }, SPEEDS.map(([v, t]) => h("option", { value: v, selected: v === "500" }, t)));
  const range = h("input", { type: "range", id: "r-pos", min: "0", max: "0", value: "0", step: "1" });
  const where = h("output", { for: "r-pos", class: "where", "aria-live": "polite" });
  const roundSelect = h("select", { id: "r-round" });

  function stopText(stop) {
    const prefix = plies.size > 1 ? `Round ${stop.round} · ` : "";
    if (stop.kind === "move") return `${prefix}Move ${stop.ply} of ${plies.get(stop.round) || stop.ply}`;
    if (stop.kind === "start") return `${prefix}Start`;
    return `${prefix}End`;
  }

  function go(i) {
    if (!stops.length) return;
    const inList = panel.moveList.contains(document.activeElement);
    pos = Math.max(0, Math.min(stops.length - 1, i));
    const here = stops[pos];
    panel.render(fold(events, here.at));
    range.value = String(pos);
    range.setAttribute("aria-valuetext", stopText(here));
    where.textContent = stopText(here);
    where.dataset.ply = here.kind === "move" ? String(here.ply) : "";
    roundSelect.value = String(here.round);
    first.disabled = back.disabled = pos === 0;
    next.disabled = last.disabled = pos >= stops.length - 1;
    if (inList) panel.focusCurrent();
    if (pos >= stops.length - 1) stop();
  }

  function start() {
    if (pos >= stops.length - 1) go(0);
    play.textContent = "Pause";
    const tickOnce = () => {
      go(pos + 1);
      if (timer) timer = setTimeout(tickOnce, Number(speed.value));
    };
    timer = setTimeout(tickOnce, Number(speed.value));
  }

  function stop() {
    clearTimeout(timer);
    timer = null;
    play.textContent = "Play";
  }

  // ←/→/Home/End anywhere on the page (the focus may be on BODY when it opens),
  // except where those keys already mean something (fields, the position slider).
  function onKey(e) {
    if (!panel || !stops.length || e.altKey || e.ctrlKey || e.metaKey || e.defaultPrevented) return;
    const target = e.target instanceof Element ? e.target : null;
    if (target && target.closest("input, select, textarea, [contenteditable]")) return;
    const moves = { ArrowLeft: pos - 1, ArrowRight: pos + 1, Home: 0, End: stops.length - 1 };
    if (e.key in moves) {
      e.preventDefault();
      go(moves[e.key]);
    }
  }
  document.addEventListener("keydown", onKey);

  function failed(err) {
    document.title = "Replay not found · Ringside";
    const gone = err.status === 404;
    main.replaceChildren(
      h("h1", { tabindex: "-1" }, gone ? "Replay not found" : "Replay"),
      // A missing match stays missing: no "Try again" for it.
      errorBox(err.message, gone ? null : load),
      h("p", {}, h("a", { href: "#/history" }, "Back to the history")),
    );
  }

  function links(detail) {
    const out = [];
    const format = DOWNLOADS[detail.game];
    if (format) {
      out.push(h("a", { href: `/api/matches/${path}/${format[0]}`, download: `${id}.${format[0]}`, class: "download" }, `Download ${format[1]}`));
    }
    out.push(h("a", { href: `/api/matches/${path}`, download: `${id}.json`, class: "download" }, "Download JSON"));
    const tid = detail.tournament_id || detail.tournament;
    if (tid) out.push(h("a", { href: `#/tournament/${encodeURIComponent(tid)}`, class: "tournament-link" }, "Part of a tournament"));
    return out.flatMap((a, i) => (i ? [" · ", a] : [a]));
  }

  async function load() {
    let detail;
    try {
      detail = await fetchMatch(id);
    } catch (err) {
      if (!cancelled) failed(err);
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
    stops = replayStops(events);
    plies = new Map();
    for (const stop of stops) if (stop.kind === "move") plies.set(stop.round, stop.ply);
    for (const stop of stops) if (!plies.has(stop.round)) plies.set(stop.round, 0);
    panel = new MatchPanel(id, title);
    panel.summary = fold(events);
    document.title = `Replay: ${title} — ${detail.bots.join(" vs ")} · Ringside`;
    range.max = String(Math.max(0, stops.length - 1));
    range.addEventListener("input", () => go(Number(range.value)));
    const rounds = [...plies.keys()];
    roundSelect.replaceChildren(...rounds.map((r) => h("option", { value: String(r) }, `Round ${r} (${plies.get(r)} moves)`)));
    roundSelect.addEventListener("change", () => {
      // A round opens on its end, as the match does.
      const wanted = Number(roundSelect.value);
      let target = -1;
      stops.forEach((s, i) => {
        if (s.round === wanted) target = i;
      });
      if (target >= 0) go(target);
    });
    append(panel.controls, [
      h("div", { class: "transport", role: "group", "aria-label": "Replay controls" }, first, back, play, next, last),
      rounds.length > 1 ? [h("label", { for: "r-round" }, "Round"), roundSelect] : null,
      h("label", { for: "r-speed" }, "Speed"),
      speed,
      h("label", { for: "r-pos" }, "Position"),
      range,
      where,
      detail.status === "running" ? h("a", { href: `#/match/${path}` }, "Still running: watch live") : null,
    ]);
    panel.links.replaceChildren(...links(detail));
    panel.links.hidden = false;
    main.replaceChildren(panel.el);
    if (!events.length) {
      panel.controls.append(h("p", { class: "muted" }, "This match has no recorded events."));
      panel.render(fold([]));
    } else {
      panel.state = fold(events, stops[0].at);
      panel.setMoves(fold(events).moves, (eventIndex) => go(stops.findIndex((s) => s.event === eventIndex)));
      go(stops.length - 1); // a finished match opens on its final position
    }
    if (!main.contains(document.activeElement) || document.activeElement === main) panel.heading.focus({ preventScroll: true });
  }
  load();
  return () => {
    cancelled = true;
    stop();
    document.removeEventListener("keydown", onKey);
  };
}
