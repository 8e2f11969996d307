// The form that starts a tournament (POST /api/tournaments): game, format,
// bots (the online ones that play the game), games per pair, concurrency,
// Swiss rounds, seconds a move. It asks for the admin token on 401 exactly
// as the match form does (admin.js) and shows the server's own errors.

import { adminTokenField } from "./admin.js";
import { createTournament, games } from "./api.js";
import { errorBox, h } from "./dom.js";
import { plays } from "./form.js";
import { live } from "./live.js";

const FORMATS = [
  ["round-robin", "Round-robin (every pair plays)"],
  ["gauntlet", "Gauntlet (the first bot plays all the others)"],
  ["swiss", "Swiss (paired by score, round by round)"],
];

function numberField(id, label, attrs, hint) {
  const input = h("input", { type: "number", id, step: "1", ...attrs });
  return { input, row: h("div", { class: "field" }, h("label", { for: id }, label), input, hint ? h("small", {}, hint) : null) };
}

export function mountTournamentForm(box) {
  let catalogue = [];
  let botSignature = "";
  const checked = new Set();
  const message = h("div", { class: "form-message", "aria-live": "polite" });
  const name = h("input", { type: "text", id: "t-name", maxlength: "128", placeholder: "optional" });
  const gameSelect = h("select", { id: "t-game", required: true });
  const format = h("select", { id: "t-format" }, FORMATS.map(([v, t]) => h("option", { value: v }, t)));
  const botBox = h("div", { class: "bot-checks" });
  const first = h("select", { id: "t-first" });
  const firstRow = h("div", { class: "field", hidden: true }, h("label", { for: "t-first" }, "First bot (plays all the others)"), first);
  const perPair = numberField("t-games", "Games per pair", { min: "1", value: "2", required: true }, "Seats alternate within each pair.");
  const rounds = numberField("t-rounds", "Rounds", { min: "1", max: "1000", placeholder: "default" }, "Blank: enough rounds for a clear winner (log₂ of the bots).");
  rounds.row.hidden = true;
  const concurrency = numberField("t-concurrency", "Games at once", { min: "1", max: "64", value: "1", required: true });
  const seconds = numberField("t-seconds", "Seconds a move", { min: "0.1", step: "any", value: "10", required: true });
  const token = adminTokenField("t-token", "start a tournament");
  const submit = h("button", { type: "submit", class: "primary" }, "Start tournament");
  const form = h(
    "form",
    { class: "tournament-form" },
    h("div", { class: "field" }, h("label", { for: "t-name" }, "Name"), name),
    h("div", { class: "field" }, h("label", { for: "t-game" }, "Game"), gameSelect),
    h("div", { class: "field" }, h("label", { for: "t-format" }, "Format"), format),
    h("fieldset", { class: "bots-set" }, h("legend", {}, "Bots"), botBox),
    firstRow,
    h("div", { class: "number-fields" }, perPair.row, rounds.row, concurrency.row, seconds.row),
    token.row,
    h("div", { class: "actions" }, submit),
    message,
  );

  const currentGame = () => catalogue.find((g) => g.name === gameSelect.value) || null;

  function chosen() {
    return [...botBox.querySelectorAll("input[type=checkbox]")].filter((c) => c.checked).map((c) => c.value);
  }

  function renderFirst() {
    const bots = chosen();
    const previous = first.value;
    first.replaceChildren(...bots.map((b) => h("option", { value: b, selected: b === previous }, b)));
    firstRow.hidden = format.value !== "gauntlet";
    rounds.row.hidden = format.value !== "swiss";
  }

  function renderBots() {
    const game = currentGame();
    if (!game) return;
    const online = [...live.bots.values()].filter((b) => plays(b, game.name)).map((b) => b.name).sort();
    const signature = `${game.name}|${live.hasLobby}|${online.join("\n")}`;
    if (signature === botSignature) return;
    botSignature = signature;
    const focused = document.activeElement && botBox.contains(document.activeElement) ? document.activeElement.value : null;
    if (!online.length) {
      botBox.replaceChildren(h("p", { class: "muted hint" }, live.hasLobby ? `No bot online plays ${game.title}.` : "Connecting to the server…"));
    } else {
      botBox.replaceChildren(
        ...online.map((bot, i) => {
          const id = `t-bot-${i}`;
          const box = h("input", { type: "checkbox", id, name: "bot", value: bot, checked: checked.has(bot) });
          box.addEventListener("change", () => {
            if (box.checked) checked.add(bot);
            else checked.delete(bot);
            renderFirst();
          });
          return h("div", { class: "field check" }, box, h("label", { for: id }, bot));
        }),
      );
      if (focused !== null) [...botBox.querySelectorAll("input")].find((c) => c.value === focused)?.focus();
    }
    renderFirst();
  }

  function intOf(input) {
    const raw = input.value.trim();
    return raw === "" ? undefined : Number(raw);
  }

  async function onSubmit(event) {
    event.preventDefault();
    const game = currentGame();
    if (!game) return;
    token.remember();
    let bots = chosen();
    if (format.value === "gauntlet" && first.value) bots = [first.value, ...bots.filter((b) => b !== first.value)];
    const body = {
      game: game.name,
      format: format.value,
      bots,
      games_per_pair: intOf(perPair.input),
      concurrency: intOf(concurrency.input),
      time_control: { type: "per_move", seconds: Number(seconds.input.value) },
    };
    if (name.value.trim()) body.name = name.value.trim();
    if (format.value === "swiss" && intOf(rounds.input) !== undefined) body.rounds = intOf(rounds.input);
    submit.disabled = true;
    message.replaceChildren(h("p", { class: "muted" }, "Starting…"));
    try {
      const created = await createTournament(body);
      message.replaceChildren();
      location.hash = `#/tournament/${encodeURIComponent(created.id)}`;
    } catch (err) {
      token.refused(err, message, "tournament");
    } finally {
      submit.disabled = false;
    }
  }

  gameSelect.addEventListener("change", () => {
    checked.clear();
    renderBots();
  });
  format.addEventListener("change", renderFirst);
  form.addEventListener("submit", onSubmit);

  const headline = () => h("h2", { id: "t-form-h" }, "Start a tournament");
  function load() {
    box.replaceChildren(headline(), h("p", { class: "muted" }, "Loading the games…"));
    games()
      .then((list) => {
        // Tournaments are of two-player games.
        catalogue = list.filter((g) => g.min_players <= 2 && g.max_players >= 2);
        gameSelect.replaceChildren(...catalogue.map((g) => h("option", { value: g.name }, g.title)));
        box.replaceChildren(headline(), form);
        renderBots();
      })
      .catch((err) => box.replaceChildren(headline(), errorBox(`Could not load the games: ${err.message}`, load)));
  }
  load();
  return live.on("lobby", renderBots);
}
