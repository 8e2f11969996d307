// The match request form: game, bots, rounds, time control and the game's
// options (rendered from its JSON schema). POST /api/matches; asks for the
// admin token when the server answers 401 and keeps it for the session.

import { adminTokenField } from "./admin.js";
import { createMatch, games } from "./api.js";
import { clear, errorBox, h } from "./dom.js";
import { live } from "./live.js";
import { startedHere } from "./match.js";

const TIME_CONTROLS = {
  per_move: { label: "Per move", fields: [["seconds", "Seconds a move", 10]] },
  fischer: { label: "Fischer (base + increment)", fields: [["base", "Base seconds", 60], ["increment", "Increment a move (s)", 1]] },
  byoyomi: { label: "Byo-yomi", fields: [["base", "Base seconds", 60], ["periods", "Periods", 3], ["period", "Seconds a period", 10]] },
};

function resolve(schema, root) {
  let node = schema || {};
  for (let hops = 0; node.$ref && hops < 10; hops++) {
    const name = node.$ref.replace(/^#\/\$defs\//, "");
    node = (root.$defs || {})[name] || {};
  }
  if (Array.isArray(node.anyOf)) {
    const usable = node.anyOf.map((n) => resolve(n, root)).find((n) => n.type && n.type !== "null");
    return { ...usable, default: node.default ?? (usable && usable.default) };
  }
  return node;
}

/** Inputs for a game's options: number, boolean and string properties with defaults. */
function optionFields(schema) {
  const root = schema || {};
  const object = resolve(root, root);
  return Object.entries(object.properties || {}).map(([name, raw]) => {
    const prop = resolve(raw, root);
    const id = `opt-${name}`;
    const label = h("label", { for: id }, name.replaceAll("_", " "));
    let input;
    if (prop.type === "boolean") {
      input = h("input", { type: "checkbox", id, name, checked: prop.default === true });
      return { name, type: "boolean", input, row: h("div", { class: "field check" }, input, label) };
    }
    if (Array.isArray(prop.enum)) {
      input = h("select", { id, name }, prop.enum.map((v) => h("option", { value: String(v), selected: v === prop.default }, String(v))));
    } else if (prop.type === "integer" || prop.type === "number") {
      input = h("input", { type: "number", id, name, step: prop.type === "integer" ? "1" : "any", value: prop.default ?? "", min: prop.minimum, max: prop.maximum });
    } else {
      input = h("input", { type: "text", id, name, value: prop.default ?? "" });
    }
    const hint = prop.description ? h("small", {}, prop.description) : null;
    return { name, type: prop.type || "string", input, row: h("div", { class: "field" }, label, input, hint) };
  });
}

function optionValue(field) {
  if (field.type === "boolean") return field.input.checked;
  const raw = field.input.value.trim();
  if (raw === "") return undefined;
  if (field.type === "integer") return Number.parseInt(raw, 10);
  if (field.type === "number") return Number(raw);
  return raw;
}

export function plays(bot, game) {
  return bot.games === null || bot.games === undefined || bot.games.includes(game);
}

function free(bot) {
  return bot.matches.length < (bot.max_matches || 1);
}

export function mountForm(box) {
  let catalogue = [];
  let options = [];
  let botSignature = "";
  const message = h("div", { class: "form-message", "aria-live": "polite" });
  const gameSelect = h("select", { id: "f-game", name: "game", required: true });
  const players = h("input", { type: "number", id: "f-players", min: "2", max: "2", value: "2" });
  const playersRow = h("div", { class: "field", hidden: true }, h("label", { for: "f-players" }, "Players"), players);
  const botBox = h("div", { class: "bot-selects" });
  const botHint = h("p", { class: "muted hint" });
  const rounds = h("input", { type: "number", id: "f-rounds", min: "1", max: "1000", value: "1", required: true });
  const tcSelect = h("select", { id: "f-tc" }, Object.entries(TIME_CONTROLS).map(([k, v]) => h("option", { value: k }, v.label)));
  const tcInputs = {};
  const tcGroups = Object.entries(TIME_CONTROLS).map(([type, spec]) =>
    h(
      "div",
      { class: "tc-fields", "data-tc": type, hidden: type !== "per_move" },
      spec.fields.map(([name, label, value]) => {
        const id = `tc-${type}-${name}`;
        const input = h("input", { type: "number", id, min: "0", step: name === "periods" ? "1" : "any", value: String(value), required: true });
        tcInputs[`${type}.${name}`] = input;
        return h("div", { class: "field" }, h("label", { for: id }, label), input);
      }),
    ),
  );
  const optionsBox = h("fieldset", { class: "options", hidden: true }, h("legend", {}, "Game options"));
  const token = adminTokenField("f-token", "start a match");
  const submit = h("button", { type: "submit", class: "primary" }, "Start match");
  const form = h(
    "form",
    { class: "match-form", novalidate: false },
    h("div", { class: "field" }, h("label", { for: "f-game" }, "Game"), gameSelect),
    playersRow,
    h("fieldset", { class: "bots-set" }, h("legend", {}, "Bots"), botBox, botHint),
    h("div", { class: "field" }, h("label", { for: "f-rounds" }, "Rounds"), rounds),
    h("fieldset", {}, h("legend", {}, "Time control"), h("div", { class: "field" }, h("label", { for: "f-tc" }, "Kind"), tcSelect), tcGroups),
    optionsBox,
    token.row,
    h("div", { class: "actions" }, submit),
    message,
  );

  function currentGame() {
    return catalogue.find((g) => g.name === gameSelect.value) || null;
  }

  function renderBots() {
    const game = currentGame();
    if (!game) return;
    const n = Math.min(game.max_players, Math.max(game.min_players, Number(players.value) || game.min_players));
    const eligible = [...live.bots.values()].filter((b) => plays(b, game.name) && free(b)).map((b) => b.name).sort();
    const signature = `${game.name}|${n}|${eligible.join("\n")}`;
    if (signature === botSignature) return;
    botSignature = signature;
    const previous = [...botBox.querySelectorAll("select")].map((sel) => (eligible.includes(sel.value) ? sel.value : ""));
    const focused = document.activeElement && botBox.contains(document.activeElement) ? document.activeElement.id : null;
    const selects = [];
    for (let i = 0; i < n; i++) {
      const id = `f-bot-${i}`;
      const sel = h("select", { id, name: "bot", required: true }, h("option", { value: "" }, "— choose a bot —"), eligible.map((name) => h("option", { value: name }, name)));
      const taken = new Set([...selects.map((x) => x.value), ...previous.slice(i + 1)]);
      sel.value = previous[i] || eligible.find((name) => !taken.has(name)) || "";
      selects.push(sel);
    }
    botBox.replaceChildren(...selects.map((sel, i) => h("div", { class: "field" }, h("label", { for: sel.id }, `Player ${i + 1}`), sel)));
    if (focused) document.getElementById(focused)?.focus();
    botHint.textContent = eligible.length >= n ? "" : `${eligible.length} idle bot${eligible.length === 1 ? "" : "s"} can play ${game.title}; ${n} needed.`;
  }

  function renderGame() {
    const game = currentGame();
    if (!game) return;
    players.min = String(game.min_players);
    players.max = String(game.max_players);
    players.value = String(Math.max(game.min_players, Math.min(game.max_players, 2)));
    playersRow.hidden = game.min_players === game.max_players;
    options = optionFields(game.options_schema);
    optionsBox.replaceChildren(h("legend", {}, "Game options"), ...options.map((f) => f.row));
    optionsBox.hidden = options.length === 0;
    renderBots();
  }

  async function onSubmit(event) {
    event.preventDefault();
    const game = currentGame();
    if (!game) return;
    token.remember();
    const type = tcSelect.value;
    const time_control = { type };
    for (const [name] of TIME_CONTROLS[type].fields) time_control[name] = Number(tcInputs[`${type}.${name}`].value);
    const config = {
      game: game.name,
      bots: [...botBox.querySelectorAll("select")].map((sel) => sel.value),
      rounds: Number.parseInt(rounds.value, 10),
      time_control,
      options: {},
    };
    for (const field of options) {
      const value = optionValue(field);
      if (value !== undefined) config.options[field.name] = value;
    }
    submit.disabled = true;
    message.replaceChildren(h("p", { class: "muted" }, "Starting…"));
    try {
      const created = await createMatch(config);
      startedHere.add(created.id);
      message.replaceChildren();
      location.hash = `#/match/${encodeURIComponent(created.id)}`;
    } catch (err) {
      token.refused(err, message, "match");
    } finally {
      submit.disabled = false;
    }
  }

  gameSelect.addEventListener("change", renderGame);
  players.addEventListener("input", renderBots);
  tcSelect.addEventListener("change", () => {
    for (const group of tcGroups) {
      const on = group.dataset.tc === tcSelect.value;
      group.hidden = !on;
      for (const input of group.querySelectorAll("input")) input.disabled = !on;
    }
  });
  tcSelect.dispatchEvent(new Event("change"));
  form.addEventListener("submit", onSubmit);

  function load() {
    clear(box).append(h("h2", { id: "request-h" }, "Request a match"), h("p", { class: "muted" }, "Loading the games…"));
    games()
      .then((list) => {
        catalogue = list;
        gameSelect.replaceChildren(...list.map((g) => h("option", { value: g.name }, g.title)));
        box.replaceChildren(h("h2", { id: "request-h" }, "Request a match"), form);
        renderGame();
      })
      .catch((err) => box.replaceChildren(h("h2", { id: "request-h" }, "Request a match"), errorBox(`Could not load the games: ${err.message}`, load)));
  }
  load();
  return live.on("lobby", renderBots);
}
