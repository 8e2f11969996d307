// The catalogue (#/games): every game with its rules, options and a picture.

import { games } from "./api.js";
import { errorBox, h } from "./dom.js";
import { drawBoard, loadBoard, sample, seatStyle } from "./boards.js";

function options(schema) {
  const root = schema || {};
  let node = root;
  if (node.$ref) node = (root.$defs || {})[node.$ref.replace(/^#\/\$defs\//, "")] || {};
  return Object.entries(node.properties || {}).map(([name, p]) => `${name} (${p.type || "value"}, default ${JSON.stringify(p.default)})`);
}

export function mountGames(main) {
  document.title = "Games · Ringside";
  const list = h("div", { class: "game-cards" }, h("p", { class: "muted" }, "Loading…"));
  main.replaceChildren(h("h1", { tabindex: "-1" }, "Games"), list);
  function load() {
    games()
      .then((catalogue) => Promise.all(catalogue.map((g) => loadBoard(g.name))).then(() => catalogue))
      .then((catalogue) => {
        list.replaceChildren(
          ...catalogue.map((g) => {
            const players = g.min_players === g.max_players ? `${g.min_players} players` : `${g.min_players}–${g.max_players} players`;
            const opts = options(g.options_schema);
            const names = [0, 1].map((seat) => seatStyle(g.name, seat).label);
            const picture = sample(g.name);
            return h(
              "section",
              { class: "card game-card", "data-game": g.name, "aria-labelledby": `g-${g.name}` },
              h(
                "div",
                { class: "thumb" },
                picture
                  ? drawBoard(g.name, picture.view, { names, roundMoves: picture.moves })
                  : h("p", { class: "muted" }, "No picture yet: matches show the game's view as data."),
              ),
              h(
                "div",
                {},
                h("h2", { id: `g-${g.name}` }, g.title),
                h("p", { class: "muted" }, h("code", {}, g.name), ` · ${players}${g.simultaneous ? " · simultaneous moves" : ""}`),
                h("p", {}, g.rules),
                opts.length ? h("p", {}, "Options: ", opts.join("; ")) : h("p", { class: "muted" }, "No options."),
              ),
            );
          }),
        );
      })
      .catch((err) => list.replaceChildren(errorBox(`Could not load the games: ${err.message}`, load)));
  }
  load();
}
