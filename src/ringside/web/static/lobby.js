// The lobby (#/), a TV of what is played now: the running matches first, each
// with a small live board (the game's own board module, through boards.js),
// filterable by game; then the bots online and the form to request a match.
// Everything comes live from the spectator socket without reloading.

import { games } from "./api.js";
import { drawBoard, loadBoard } from "./boards.js";
import { botLink, h } from "./dom.js";
import { mountForm } from "./form.js";
import { live } from "./live.js";
import { applyEvent, fold, newState } from "./model.js";

/** Mini boards watched at once; further matches are listed without one. */
export const MINI_BOARDS = 12;

let chosenGame = ""; // the TV's game filter, kept while the page is open

/** A running match's small board, kept live by watching the match on the shared socket. */
class MiniBoard {
  constructor(match) {
    this.game = match.game;
    this.state = newState();
    this.el = h("a", { class: "mini-board", href: `#/match/${encodeURIComponent(match.id)}`, tabindex: "-1", "aria-hidden": "true" });
    this.frame = 0;
    this.unwatch = live.watch(match.id, (event) => this.receive(event));
    loadBoard(match.game)
      .then(() => this.draw())
      .catch(() => {});
    this.draw();
  }

  receive(event) {
    if (event.type === "snapshot") this.state = fold(Array.isArray(event.events) ? event.events : []);
    else if (event.type !== "error") applyEvent(this.state, event, this.state.index + 1);
    if (!this.frame) this.frame = requestAnimationFrame(() => this.draw());
  }

  draw() {
    this.frame = 0;
    const state = this.state;
    this.el.dataset.ply = String(state.lastMove ? state.lastMove.ply : 0);
    this.el.replaceChildren(drawBoard(this.game, state.view, { names: state.seats, roundMoves: state.roundMoves }));
  }

  close() {
    cancelAnimationFrame(this.frame);
    this.unwatch();
  }
}

export function mountLobby(main) {
  document.title = "Lobby · Ringside";
  let titles = new Map();
  let firstGame = "tictactoe";
  const boards = new Map(); // match id -> MiniBoard
  const botCount = h("span", { class: "count" });
  const matchCount = h("span", { class: "count" });
  const botsBody = h("tbody");
  const matchList = h("ul", { class: "running tv" });
  const filter = h("select", { id: "tv-game" }, h("option", { value: "" }, "All games"));
  const stale = h("p", { class: "muted stale", hidden: true }, "Showing what was known before the connection dropped.");
  const formBox = h("section", { class: "card request", "aria-labelledby": "request-h" }, h("h2", { id: "request-h" }, "Request a match"));
  main.replaceChildren(
    h("h1", { tabindex: "-1" }, "Lobby"),
    stale,
    h(
      "section",
      { class: "card now-playing", "aria-labelledby": "matches-h" },
      h(
        "div",
        { class: "tv-head" },
        h("h2", { id: "matches-h" }, "Matches running ", matchCount),
        h("div", { class: "field tv-filter" }, h("label", { for: "tv-game" }, "Game"), filter),
      ),
      matchList,
    ),
    h(
      "div",
      { class: "lobby-grid" },
      h(
        "section",
        { class: "card", "aria-labelledby": "bots-h" },
        h("h2", { id: "bots-h" }, "Bots online ", botCount),
        h(
          "table",
          { class: "bots" },
          h("thead", {}, h("tr", {}, ["Name", "Games", "Status"].map((t) => h("th", { scope: "col" }, t)))),
          botsBody,
        ),
      ),
      formBox,
    ),
  );
  filter.addEventListener("change", () => {
    chosenGame = filter.value;
    render();
  });

  function gameName(name) {
    return titles.get(name) || name;
  }

  function renderFilter(matches) {
    const names = new Set(matches.map((m) => m.game));
    if (chosenGame) names.add(chosenGame);
    const wanted = ["", ...[...names].sort((a, b) => gameName(a).localeCompare(gameName(b)))];
    const have = [...filter.options].map((o) => `${o.value}|${o.textContent}`);
    const counts = new Map();
    for (const m of matches) counts.set(m.game, (counts.get(m.game) || 0) + 1);
    const labels = wanted.map((g) => (g ? `${gameName(g)} (${counts.get(g) || 0})` : `All games (${matches.length})`));
    if (have.join("\n") !== wanted.map((g, i) => `${g}|${labels[i]}`).join("\n")) {
      filter.replaceChildren(...wanted.map((g, i) => h("option", { value: g }, labels[i])));
    }
    filter.value = chosenGame;
  }

  function matchItem(m) {
    let board = boards.get(m.id);
    const item = h(
      "li",
      { class: "running-match", "data-match": m.id, "data-game": m.game },
      null,
      h(
        "div",
        { class: "tv-caption" },
        h("strong", {}, gameName(m.game)),
        " ",
        h("span", { class: "players" }, m.bots.flatMap((name, i) => (i ? [" vs ", botLink(name)] : [botLink(name)]))),
        h("span", { class: "muted" }, ` round ${m.round || 1} of ${m.rounds}`),
        " ",
        h("a", { href: `#/match/${encodeURIComponent(m.id)}`, "aria-label": `Watch ${m.bots.join(" vs ")}` }, "Watch"),
      ),
    );
    if (board) item.prepend(board.el);
    return item;
  }

  let closed = false;
  function render() {
    if (closed) return; // the games' titles came after the page moved on: no board to watch
    loadTitles();
    const bots = [...live.bots.values()].sort((a, b) => a.name.localeCompare(b.name));
    botCount.textContent = live.hasLobby ? `(${bots.length})` : "";
    if (!live.hasLobby) {
      botsBody.replaceChildren(h("tr", {}, h("td", { colspan: "3", class: "muted" }, "Connecting to the server…")));
    } else if (!bots.length) {
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      botsBody.replaceChildren(
        h(
          "tr",
          { class: "empty" },
          h("td", { colspan: "3", class: "muted" }, "No bot is connected. Start one with: ", h("code", {}, `ringside bot --game ${firstGame} --server ${scheme}://${location.host}/ws/bot`)),
        ),
      );
    } else {
      botsBody.replaceChildren(
        ...bots.map((b) =>
          h(
            "tr",
            { class: "bot", "data-bot": b.name },
            h("th", { scope: "row", class: "bot-name" }, botLink(b.name), b.guest ? h("span", { class: "tag" }, "guest") : null),
            h("td", {}, b.games ? b.games.map(gameName).join(", ") : "any game"),
            h("td", {}, h("span", { class: `status status-${b.status}` }, b.status), b.max_matches > 1 ? ` ${b.matches.length}/${b.max_matches}` : ""),
          ),
        ),
      );
    }
    const all = [...live.matches.values()];
    renderFilter(all);
    // Newest first (ids are not ordered; the lobby's order is when each was listed).
    const matches = all.filter((m) => !chosenGame || m.game === chosenGame).reverse();
    matchCount.textContent = live.hasLobby ? `(${matches.length})` : "";
    const watched = new Set(matches.slice(0, MINI_BOARDS).map((m) => m.id));
    for (const [id, board] of boards) {
      if (!watched.has(id)) {
        board.close();
        boards.delete(id);
      }
    }
    for (const m of matches.slice(0, MINI_BOARDS)) {
      if (!boards.has(m.id)) boards.set(m.id, new MiniBoard(m));
    }
    if (!matches.length) {
      const none = chosenGame ? `No ${gameName(chosenGame)} match is being played.` : "No match is being played.";
      matchList.replaceChildren(h("li", { class: "muted" }, live.hasLobby ? none : "…"));
    } else {
      matchList.replaceChildren(...matches.map(matchItem));
    }
    stale.hidden = live.state !== "lost" || !live.hasLobby;
  }

  let loadingTitles = false;
  function loadTitles() {
    if (titles.size || loadingTitles) return;
    loadingTitles = true;
    games()
      .then((list) => {
        titles = new Map(list.map((g) => [g.name, g.title]));
        if (list.length && !titles.has(firstGame)) firstGame = list[0].name;
        render();
      })
      .catch(() => {}) // names will do until a later lobby event tries again
      .finally(() => {
        loadingTitles = false;
      });
  }
  render();
  const offLobby = live.on("lobby", render);
  const offStatus = live.on("status", render);
  const offForm = mountForm(formBox);
  return () => {
    closed = true;
    offLobby();
    offStatus();
    offForm();
    for (const board of boards.values()) board.close();
    boards.clear();
  };
}
