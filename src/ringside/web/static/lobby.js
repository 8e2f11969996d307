// The lobby (#/): bots online and running matches, live from the spectator
// socket without reloading, and the form to request a match.

import { games } from "./api.js";
import { botLink, h } from "./dom.js";
import { mountForm } from "./form.js";
import { live } from "./live.js";

export function mountLobby(main) {
  document.title = "Lobby · Ringside";
  let titles = new Map();
  const botCount = h("span", { class: "count" });
  const botsBody = h("tbody");
  const matchList = h("ul", { class: "running" });
  const stale = h("p", { class: "muted stale", hidden: true }, "Showing what was known before the connection dropped.");
  const formBox = h("section", { class: "card request", "aria-labelledby": "request-h" }, h("h2", { id: "request-h" }, "Request a match"));
  main.replaceChildren(
    h("h1", { tabindex: "-1" }, "Lobby"),
    stale,
    h(
      "div",
      { class: "lobby-grid" },
      h(
        "div",
        {},
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
        h("section", { class: "card", "aria-labelledby": "matches-h" }, h("h2", { id: "matches-h" }, "Matches running"), matchList),
      ),
      formBox,
    ),
  );

  function gameName(name) {
    return titles.get(name) || name;
  }

  function render() {
    loadTitles();
    const bots = [...live.bots.values()].sort((a, b) => a.name.localeCompare(b.name));
    botCount.textContent = live.hasLobby ? `(${bots.length})` : "";
    if (!live.hasLobby) {
      botsBody.replaceChildren(h("tr", {}, h("td", { colspan: "3", class: "muted" }, "Connecting to the server…")));
    } else if (!bots.length) {
      botsBody.replaceChildren(
        h("tr", { class: "empty" }, h("td", { colspan: "3", class: "muted" }, "No bot is connected. Start one with: ringside bot random --url ws://", location.host, "/ws/bot")),
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
    const matches = [...live.matches.values()];
    if (!matches.length) {
      matchList.replaceChildren(h("li", { class: "muted" }, live.hasLobby ? "No match is being played." : "…"));
    } else {
      matchList.replaceChildren(
        ...matches.map((m) =>
          h(
            "li",
            { class: "running-match", "data-match": m.id },
            h("strong", {}, gameName(m.game)),
            " ",
            m.bots.join(" vs "),
            h("span", { class: "muted" }, ` round ${m.round || 1} of ${m.rounds}`),
            " ",
            h("a", { href: `#/match/${encodeURIComponent(m.id)}`, "aria-label": `Watch ${m.bots.join(" vs ")}` }, "Watch"),
          ),
        ),
      );
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
    offLobby();
    offStatus();
    offForm();
  };
}
