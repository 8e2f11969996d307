// The leaderboard (#/leaderboard?game=G): the ratings of one game, best
// conservative skill (mu − 3 sigma) first, with Elo-scale figures. It is
// fetched again whenever a match of that game finishes (a `match_listed`
// lobby event: results are announced after their rating is committed).

import { games, leaderboard } from "./api.js";
import { botLink, errorBox, h } from "./dom.js";
import { live, refetcher } from "./live.js";

const COLUMNS = [
  ["#", "Rank"],
  ["Bot", null],
  ["Rating", "Elo scale, ± its 95 % interval"],
  ["μ / σ", "The model's mean skill and its uncertainty"],
  ["Games", null],
  ["W", "Wins"],
  ["D", "Draws"],
  ["L", "Losses"],
];

function fixed(x, digits) {
  return typeof x === "number" && Number.isFinite(x) ? x.toFixed(digits) : "—";
}

function ratingCell(row) {
  const margin = Math.round((row.elo_high - row.elo_low) / 2);
  return h(
    "td",
    { class: "rating", title: `95 % interval ${Math.round(row.elo_low)} to ${Math.round(row.elo_high)}` },
    h("strong", {}, String(Math.round(row.elo))),
    h("span", { class: "muted" }, ` ± ${margin}`),
  );
}

export function mountLeaderboard(main, params) {
  document.title = "Leaderboard · Ringside";
  const query = new URLSearchParams(params.query || "");
  let game = query.get("game") || "";
  let titles = new Map();
  let rated = [];
  let seq = 0;
  let cancelled = false;
  let ready = false; // a game is chosen: live events may refetch

  const select = h("select", { id: "lb-game", name: "game" });
  const form = h(
    "form",
    { class: "filters", "aria-label": "Choose a game" },
    h("div", { class: "field" }, h("label", { for: "lb-game" }, "Game"), select),
  );
  const results = h("div", { class: "leaderboard-box", "aria-live": "polite" }, h("p", { class: "muted" }, "Loading…"));
  const model = h("p", { class: "muted model-note" });
  main.replaceChildren(h("h1", { tabindex: "-1" }, "Leaderboard"), form, results, model);

  const title = (name) => titles.get(name) || name;

  function fillSelect() {
    const others = [...titles.keys()].filter((name) => !rated.includes(name));
    if (game && !titles.has(game) && !rated.includes(game)) others.unshift(game);
    const option = (name) => h("option", { value: name, selected: name === game }, title(name));
    const groups = [
      rated.length ? h("optgroup", { label: "Rated" }, rated.map(option)) : null,
      others.length ? h("optgroup", { label: rated.length ? "No ratings yet" : "Games" }, others.map(option)) : null,
    ];
    select.replaceChildren(...groups.filter(Boolean));
    select.value = game;
  }

  function render(board) {
    const heading = `${title(board.game)}: ${board.rows.length} bot${board.rows.length === 1 ? "" : "s"} rated`;
    if (!board.rows.length) {
      results.replaceChildren(h("p", { class: "muted empty" }, `No ${title(board.game)} match has been rated yet. Finished matches count as they end.`));
    } else {
      results.replaceChildren(
        h(
          "table",
          { class: "leaderboard", "data-game": board.game },
          h("caption", {}, heading),
          h("thead", {}, h("tr", {}, COLUMNS.map(([text, help]) => h("th", { scope: "col", title: help }, text)))),
          h(
            "tbody",
            {},
            board.rows.map((row) =>
              h(
                "tr",
                { "data-bot": row.bot },
                h("td", { class: "rank" }, String(row.rank)),
                h("th", { scope: "row", class: "bot-name" }, botLink(row.bot)),
                ratingCell(row),
                h("td", { class: "mu" }, `${fixed(row.mu, 2)} / ${fixed(row.sigma, 2)}`),
                h("td", { class: "games" }, String(row.games)),
                h("td", { class: "wins" }, String(row.wins)),
                h("td", { class: "draws" }, String(row.draws)),
                h("td", { class: "losses" }, String(row.losses)),
              ),
            ),
          ),
        ),
      );
    }
    model.textContent = board.model ? `Model: ${board.model.name}. Rating = ${board.model.elo}. Order: ${board.model.order}.` : "";
  }

  async function load() {
    const mine = ++seq;
    let board;
    try {
      board = await leaderboard(game);
    } catch (err) {
      if (mine === seq && !cancelled) results.replaceChildren(errorBox(`Could not load the leaderboard: ${err.message}`, refresh));
      return;
    }
    if (mine !== seq || cancelled) return;
    rated = board.rated_games || [];
    fillSelect();
    render(board);
  }
  const refresh = refetcher(load);

  async function start() {
    try {
      titles = new Map((await games()).map((g) => [g.name, g.title]));
    } catch {
      /* names will do */
    }
    if (!game) {
      // The API lists the rated games only along with one game's table: ask
      // for the first game, then show the first rated one if that has none.
      game = titles.keys().next().value || "connect4";
      ready = true;
      await load();
      if (!cancelled && rated.length && !rated.includes(game)) {
        game = rated[0];
        history.replaceState(null, "", `#/leaderboard?game=${encodeURIComponent(game)}`);
        await refresh();
      }
      return;
    }
    ready = true;
    await refresh();
  }

  select.addEventListener("change", () => {
    game = select.value;
    history.replaceState(null, "", `#/leaderboard?game=${encodeURIComponent(game)}`);
    refresh();
  });
  form.addEventListener("submit", (e) => e.preventDefault());
  start();
  const offLobby = live.on("lobby", (event) => {
    if (ready && event.type === "match_listed" && event.match.status === "finished" && event.match.game === game) refresh();
  });
  const offStatus = live.on("status", (state) => {
    if (ready && state === "open") refresh(); // results may have come while the socket was down
  });
  return () => {
    cancelled = true;
    offLobby();
    offStatus();
  };
}
