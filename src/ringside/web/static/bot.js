// A bot's page (#/bot/NAME): whether it is online, its results, and per game its
// rating with a hand-drawn SVG chart of the rating after each rated match; then
// head-to-head, its latest matches and its tournaments. From GET /api/bots/NAME,
// fetched again when a match of this bot starts or ends (a `match_listed` lobby
// event: a result is announced after its rating is committed).

import { ApiError, bot as fetchBot, games } from "./api.js";
import { botLink, errorBox, fmtDate, fmtScore, h, s } from "./dom.js";
import { live, refetcher } from "./live.js";

const FORMAT_NAMES = { "round-robin": "Round-robin", gauntlet: "Gauntlet", swiss: "Swiss" };

let styled = false;
/** The page's own stylesheet, added once (style.css stays the shared one). */
function addStyle() {
  if (styled) return;
  styled = true;
  document.head.append(h("link", { rel: "stylesheet", href: "/static/bot.css" }));
}

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const round = (x) => Math.round(x);

// --- the rating chart ---------------------------------------------------------------------

const W = 640;
const H = 220;
const PAD = { left: 52, right: 14, top: 14, bottom: 30 };
let chartIds = 0;

/** Round figures for the y axis: a step of 10, 25, 50, 100... giving 3 to 6 lines. */
function ticks(lo, hi) {
  const steps = [10, 25, 50, 100, 200, 250, 500, 1000];
  const step = steps.find((st) => (hi - lo) / st <= 5) || 1000;
  const first = Math.floor(lo / step) * step;
  const last = Math.ceil(hi / step) * step;
  const out = [];
  for (let v = first; v <= last + 1e-9; v += step) out.push(v);
  return out;
}

/** The rating after each rated match as an SVG line chart: one circle per match. */
export function ratingChart(points, label) {
  const id = `chart-${++chartIds}`;
  const elos = points.map((p) => p.elo);
  let lo = Math.min(...elos);
  let hi = Math.max(...elos);
  if (hi - lo < 40) {
    const mid = (hi + lo) / 2;
    lo = mid - 20;
    hi = mid + 20;
  }
  const grid = ticks(lo, hi);
  const yMin = grid[0];
  const yMax = grid[grid.length - 1];
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (i) => PAD.left + (points.length === 1 ? plotW / 2 : (i * plotW) / (points.length - 1));
  const y = (elo) => PAD.top + plotH - ((elo - yMin) / (yMax - yMin)) * plotH;
  const first = points[0];
  const last = points[points.length - 1];
  const description =
    `${plural(points.length, "rated match", "rated matches")}, from ${fmtDate(first.at)} to ${fmtDate(last.at)}. ` +
    `Rating after the first: ${round(first.elo)}; now: ${round(last.elo)}; ` +
    `lowest ${round(Math.min(...elos))}, highest ${round(Math.max(...elos))}.`;
  return s(
    "svg",
    { class: "rating-chart", viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": `${id}-t ${id}-d`, "data-points": String(points.length) },
    s("title", { id: `${id}-t` }, `${label}: rating after each rated match`),
    s("desc", { id: `${id}-d` }, description),
    s(
      "g",
      { class: "grid", "aria-hidden": "true" },
      grid.map((v) => [
        s("line", { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v) }),
        s("text", { x: PAD.left - 6, y: y(v) + 4, "text-anchor": "end" }, String(v)),
      ]),
      s("text", { x: PAD.left, y: H - 8 }, "first"),
      s("text", { x: W - PAD.right, y: H - 8, "text-anchor": "end" }, `match ${points.length}`),
    ),
    s("polyline", { class: "line", "aria-hidden": "true", points: points.map((p, i) => `${x(i).toFixed(1)},${y(p.elo).toFixed(1)}`).join(" ") }),
    s(
      "g",
      { class: "points", "aria-hidden": "true" },
      points.map((p, i) =>
        s("circle", { class: "point", cx: x(i).toFixed(1), cy: y(p.elo).toFixed(1), r: points.length > 120 ? 1.8 : 3.2, "data-match": p.match_id }, s("title", {}, `Match ${i + 1}, ${fmtDate(p.at)}: ${round(p.elo)}`)),
      ),
    ),
  );
}

function historyTable(points, total, label) {
  const rows = points.map((p, i) =>
    h(
      "tr",
      { "data-match": p.match_id },
      h("td", {}, String(total - points.length + i + 1)),
      h("td", {}, fmtDate(p.at)),
      h("td", { class: "elo" }, String(round(p.elo))),
      h("td", {}, `${p.mu.toFixed(2)} / ${p.sigma.toFixed(2)}`),
      h("td", {}, h("a", { href: `#/replay/${encodeURIComponent(p.match_id)}`, "aria-label": `Replay of rated match ${total - points.length + i + 1}` }, "Replay")),
    ),
  );
  return h(
    "details",
    { class: "history-table" },
    h("summary", {}, "The figures as a table"),
    h(
      "table",
      {},
      h("caption", {}, `${label}: rating after each rated match`),
      h("thead", {}, h("tr", {}, ["#", "Finished", "Rating", "μ / σ", ""].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows),
    ),
  );
}

// --- the parts of the page ----------------------------------------------------------------

function figures(items) {
  return h(
    "dl",
    { class: "figures" },
    items.map(([key, label, value]) => h("div", { "data-figure": key }, h("dt", {}, label), h("dd", {}, String(value)))),
  );
}

function gameCard(g, title) {
  const r = g.rating;
  const rating = r
    ? h(
        "p",
        { class: "rating-line" },
        h("strong", { class: "elo" }, String(round(r.elo))),
        h("span", { class: "muted" }, ` ± ${round((r.elo_high - r.elo_low) / 2)}`),
        " · ",
        h("a", { href: `#/leaderboard?game=${encodeURIComponent(g.game)}` }, `#${r.rank} of ${r.rated}`),
        h("span", { class: "muted" }, ` · μ ${r.mu.toFixed(2)}, σ ${r.sigma.toFixed(2)} · ${plural(r.games, "rated match", "rated matches")}`),
      )
    : h("p", { class: "muted" }, "Not rated in this game.");
  let chart;
  if (!g.history.length) chart = r ? h("p", { class: "muted" }, "Its rating history starts with its next rated match.") : null;
  else {
    const note = g.history_total > g.history.length ? h("p", { class: "muted" }, `The newest ${g.history.length} of ${g.history_total} rated matches.`) : null;
    chart = [h("div", { class: "chart-box" }, ratingChart(g.history, title)), note, historyTable(g.history, g.history_total, title)];
  }
  return h(
    "section",
    { class: "card bot-game", "data-game": g.game, "aria-labelledby": `bg-${g.game}` },
    h(
      "div",
      { class: "bot-game-info" },
      h("h2", { id: `bg-${g.game}` }, title),
      rating,
      figures([
        ["played", "Played", g.played],
        ["wins", "Won", g.wins],
        ["draws", "Drawn", g.draws],
        ["losses", "Lost", g.losses],
      ]),
    ),
    h("div", { class: "bot-game-chart" }, chart),
  );
}

function outcomeFor(m, name) {
  if (m.status !== "finished") return m.status;
  const mine = m.seats.find((seat) => seat.bot === name);
  if (!mine || mine.score === null) return "finished";
  const others = m.seats.filter((seat) => seat !== mine).map((seat) => seat.score ?? -Infinity);
  if (!others.length) return `scored ${fmtScore(mine.score)}`;
  const best = Math.max(...others);
  return best > mine.score ? "lost" : best === mine.score ? "draw" : "won";
}

function botsOf(m) {
  return m.bots.flatMap((b, i) => (i ? [" vs ", botLink(b)] : [botLink(b)]));
}

function recentTable(page, title) {
  if (!page.recent.length) return h("p", { class: "muted" }, "No match yet.");
  const rows = page.recent.map((m) => {
    const running = m.status === "running" || m.status === "pending";
    const scores = m.seats.map((seat) => (seat.score === null ? "–" : fmtScore(seat.score))).join("–");
    return h(
      "tr",
      { "data-match": m.id, "data-status": m.status },
      h("td", {}, fmtDate(m.finished_at || m.started_at || m.created_at)),
      h("td", {}, title(m.game)),
      h("td", {}, botsOf(m)),
      h("td", { class: "outcome" }, outcomeFor(m, page.name), m.status === "finished" ? h("span", { class: "muted" }, ` ${scores}`) : null),
      h(
        "td",
        {},
        h("a", { href: `#/${running ? "match" : "replay"}/${encodeURIComponent(m.id)}`, "aria-label": `${running ? "Watch" : "Replay"} ${m.bots.join(" vs ")}` }, running ? "Watch" : "Replay"),
        m.tournament_id ? [" · ", h("a", { href: `#/tournament/${encodeURIComponent(m.tournament_id)}` }, "Tournament")] : null,
      ),
    );
  });
  return h(
    "table",
    { class: "recent" },
    h("thead", {}, h("tr", {}, ["When", "Game", "Bots", "Result", h("span", { class: "visually-hidden" }, "Links")].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, rows),
  );
}

function headToHead(page, title) {
  if (!page.head_to_head.length) return h("p", { class: "muted" }, "No finished match against another bot yet.");
  const cols = [["Opponent"], ["Game"], ["Games"], ["W", "Wins"], ["D", "Draws"], ["L", "Losses"], ["Score", "Wins plus half the draws"]];
  return h(
    "table",
    { class: "head-to-head" },
    h("thead", {}, h("tr", {}, cols.map(([t, help]) => h("th", { scope: "col", title: help }, t)))),
    h(
      "tbody",
      {},
      page.head_to_head.map((r) =>
        h(
          "tr",
          { "data-opponent": r.opponent, "data-game": r.game },
          h("th", { scope: "row", class: "bot-name" }, botLink(r.opponent)),
          h("td", {}, title(r.game)),
          h("td", { class: "games" }, String(r.games)),
          h("td", { class: "wins" }, String(r.wins)),
          h("td", { class: "draws" }, String(r.draws)),
          h("td", { class: "losses" }, String(r.losses)),
          h("td", { class: "points" }, `${fmtScore(r.points)} / ${r.games}`),
        ),
      ),
    ),
  );
}

function tournamentsTable(page, title) {
  if (!page.tournaments.length) return h("p", { class: "muted" }, "No tournament yet.");
  return h(
    "table",
    { class: "bot-tournaments" },
    h("thead", {}, h("tr", {}, ["Tournament", "Game", "Format", "Status", "Place", "Points", "Started"].map((t) => h("th", { scope: "col" }, t)))),
    h(
      "tbody",
      {},
      page.tournaments.map((t) =>
        h(
          "tr",
          { "data-tournament": t.id },
          h("th", { scope: "row" }, h("a", { href: `#/tournament/${encodeURIComponent(t.id)}` }, t.name || `Tournament ${t.id}`)),
          h("td", {}, title(t.game)),
          h("td", {}, FORMAT_NAMES[t.format] || t.format),
          h("td", {}, h("span", { class: `status status-${t.status}` }, t.status)),
          h("td", { class: "place" }, t.rank === null ? "—" : `${t.rank} of ${t.bots}`),
          h("td", { class: "points" }, `${fmtScore(t.points)} / ${t.games}`),
          h("td", {}, fmtDate(t.created_at)),
        ),
      ),
    ),
  );
}

function onlineLine(info, title) {
  if (!info) return [h("span", { class: "status status-offline" }, "offline")];
  const playing = info.matches.map((id, i) => [i ? ", " : " ", h("a", { href: `#/match/${encodeURIComponent(id)}` }, "watch")]);
  return [
    h("span", { class: "status status-online" }, "online now"),
    " ",
    h("span", { class: `status status-${info.status}` }, info.status),
    playing,
    h("span", { class: "muted" }, ` · plays ${info.games ? info.games.map(title).join(", ") : "any game"}`),
  ];
}

// --- the page -------------------------------------------------------------------------------

export function mountBot(main, params) {
  addStyle();
  const name = params.name;
  document.title = `${name} · Ringside`;
  let page = null;
  let titles = new Map();
  let cancelled = false;
  const title = (game) => titles.get(game) || game;
  const online = h("p", { class: "online", "aria-live": "polite" });
  const about = h("p", { class: "muted about" });
  const body = h("div", { class: "bot-body" }, h("p", { class: "muted" }, "Loading…"));
  main.replaceChildren(h("h1", { tabindex: "-1", class: "bot-title" }, name), online, about, body);

  function renderOnline() {
    const info = live.hasLobby ? live.bots.get(name) || null : page && page.online;
    online.replaceChildren(...onlineLine(info, title));
    online.dataset.online = info ? "yes" : "no";
  }

  function render() {
    const p = page;
    about.textContent = p.registered ? `Registered ${fmtDate(p.created_at)}.` : "A guest: not registered on this server.";
    renderOnline();
    const summary = h(
      "section",
      { class: "card bot-summary", "aria-label": "Results" },
      figures([
        ["played", "Played", p.played],
        ["wins", "Won", p.wins],
        ["draws", "Drawn", p.draws],
        ["losses", "Lost", p.losses],
        ["aborted", "Aborted", p.aborted],
        ["live", "Playing now", p.live],
      ]),
      h("p", { class: "muted" }, "Finished matches of every game; a match of one player counts as played only."),
    );
    const gamesBox = p.games.length ? p.games.map((g) => gameCard(g, title(g.game))) : [h("p", { class: "card muted" }, "No match played yet.")];
    const section = (id, heading, content, extra) => h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, heading), content, extra || null);
    const history = h("p", {}, h("a", { href: `#/history?bot=${encodeURIComponent(name)}&status=all` }, "Every match of this bot in History"));
    body.replaceChildren(
      summary,
      ...gamesBox,
      h(
        "div",
        { class: "tables" },
        section("bot-recent-h", "Latest matches", recentTable(p, title), history),
        section("bot-h2h-h", "Head-to-head", headToHead(p, title)),
      ),
      section("bot-tournaments-h", "Tournaments", tournamentsTable(p, title)),
    );
  }

  async function load() {
    let fresh;
    try {
      if (!titles.size) titles = new Map((await games()).map((g) => [g.name, g.title]));
    } catch {
      /* names will do */
    }
    try {
      fresh = await fetchBot(name);
    } catch (err) {
      if (cancelled) return;
      const missing = err instanceof ApiError && (err.status === 404 || err.status === 422);
      // A bot that is not known has nothing to try again; a failure may pass.
      const why = err.status === 404 ? `There is no bot named ${name} here: none has registered or played under that name.` : err.message;
      if (!page) body.replaceChildren(missing ? h("p", { class: "empty", role: "status" }, why) : errorBox(`Could not load the bot: ${err.message}`, refresh));
      return;
    }
    if (cancelled) return;
    page = fresh;
    render();
  }
  const refresh = refetcher(load);
  refresh();

  const offLobby = live.on("lobby", (event) => {
    if (event.type === "lobby" || (event.type === "bot_left" && event.name === name) || (event.bot && event.bot.name === name)) {
      if (page) renderOnline();
    }
    if (event.type === "match_listed" && event.match.bots.includes(name)) refresh();
  });
  const offStatus = live.on("status", (state) => state === "open" && refresh());
  return () => {
    cancelled = true;
    offLobby();
    offStatus();
  };
}
