// The match request form: game, bots, rounds, time control and the game's
// options (rendered from its JSON schema). POST /api/matches?wait=…; asks for
// the admin token when the server answers 401 and keeps it for the session.
// A bot busy in another match (the ladder's) can be chosen: the request then
// waits for it on the server, which keeps the ladder off its bots, and the
// form says whom it waits for, with a Cancel button. Start is disabled while
// the page is offline.

import { adminTokenField, showFormError } from "./admin.js";
import { cancelMatchRequest, games, matchRequest, requestMatch } from "./api.js";
import { botLink, clear, errorBox, h } from "./dom.js";
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

/** Seconds a request may wait for busy bots (the server allows up to 600). */
export const WAIT_SECONDS = 120;

export function plays(bot, game) {
  return bot.games === null || bot.games === undefined || bot.games.includes(game);
}

function free(bot) {
  return bot.matches.length < (bot.max_matches || 1);
}

function busyLabel(name) {
  const bot = live.bots.get(name);
  return bot && !free(bot) ? `${name} (playing)` : name;
}

function minutes(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export function mountForm(box) {
  let catalogue = [];
  let options = [];
  let botSignature = "";
  let sending = false;
  let pending = null; // the request waiting for busy bots: {id, info, deadline}
  let ticker = null;
  const offlineNote = h("p", { class: "muted hint offline-note", hidden: true });
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
    h("div", { class: "actions" }, submit, offlineNote),
    message,
  );

  function currentGame() {
    return catalogue.find((g) => g.name === gameSelect.value) || null;
  }

  function selectedBots() {
    return [...botBox.querySelectorAll("select")].map((sel) => sel.value);
  }

  function updateSubmit() {
    const online = live.state === "open";
    submit.disabled = sending || pending !== null || !online;
    offlineNote.hidden = online;
    offlineNote.textContent = live.state === "lost" ? "Offline: Start comes back once the page reconnects." : "Connecting to the server…";
  }

  /** Mark the bots playing now in the choices, and say that a busy one is waited for. */
  function labelBots(game, n, eligible) {
    for (const option of botBox.querySelectorAll("option[value]")) {
      if (option.value) option.textContent = busyLabel(option.value);
    }
    const busy = selectedBots().filter((name) => name && busyLabel(name) !== name);
    if (eligible.length < n) {
      botHint.textContent = `${eligible.length} bot${eligible.length === 1 ? "" : "s"} online can play ${game.title}; ${n} needed.`;
    } else if (busy.length) {
      botHint.textContent = `${busy.join(" and ")} ${busy.length === 1 ? "is" : "are"} playing a match: yours starts when ${busy.length === 1 ? "it ends" : "they end"} (waiting up to ${WAIT_SECONDS / 60} minutes).`;
    } else {
      botHint.textContent = "";
    }
  }

  function renderBots() {
    const game = currentGame();
    if (!game) return;
    const n = Math.min(game.max_players, Math.max(game.min_players, Number(players.value) || game.min_players));
    // Busy bots stay in the list (marked "playing"): choices do not vanish under the cursor.
    const online = [...live.bots.values()].filter((b) => plays(b, game.name));
    const eligible = online.map((b) => b.name).sort();
    const idleFirst = [...online.filter(free), ...online.filter((b) => !free(b))].map((b) => b.name);
    const signature = `${game.name}|${n}|${eligible.join("\n")}`;
    if (pending) renderWaiting();
    if (signature === botSignature) {
      labelBots(game, n, eligible);
      return;
    }
    botSignature = signature;
    const previous = [...botBox.querySelectorAll("select")].map((sel) => (eligible.includes(sel.value) ? sel.value : ""));
    const focused = document.activeElement && botBox.contains(document.activeElement) ? document.activeElement.id : null;
    const selects = [];
    for (let i = 0; i < n; i++) {
      const id = `f-bot-${i}`;
      const sel = h("select", { id, name: "bot", required: true }, h("option", { value: "" }, "— choose a bot —"), eligible.map((name) => h("option", { value: name }, name)));
      const taken = new Set([...selects.map((x) => x.value), ...previous.slice(i + 1)]);
      sel.value = previous[i] || idleFirst.find((name) => !taken.has(name)) || "";
      sel.addEventListener("change", () => labelBots(game, n, eligible));
      selects.push(sel);
    }
    botBox.replaceChildren(...selects.map((sel, i) => h("div", { class: "field" }, h("label", { for: sel.id }, `Player ${i + 1}`), sel)));
    if (focused) document.getElementById(focused)?.focus();
    labelBots(game, n, eligible);
  }

  // --- a request waiting for busy bots ----------------------------------------------

  function renderWaiting() {
    const info = pending.info;
    const busy = info.bots.filter((name, i) => info.bots.indexOf(name) === i && busyLabel(name) !== name);
    const left = h("span", { class: "seconds-left", "aria-live": "off" }, `${minutes((pending.deadline - Date.now()) / 1000)} left`);
    const what = [];
    if (!busy.length) what.push("Starting the match…");
    else {
      what.push("Waiting for ");
      busy.forEach((name, i) => {
        if (i) what.push(" and ");
        what.push(botLink(name));
        const playing = live.bots.get(name)?.matches[0];
        if (playing) what.push(" (", h("a", { href: `#/match/${encodeURIComponent(playing)}` }, "watch"), ")");
      });
      what.push(` to finish ${busy.length === 1 ? "its" : "their"} match. `);
    }
    const cancel = h("button", { type: "button", class: "cancel-request", onclick: () => cancelPending() }, "Cancel");
    message.replaceChildren(h("div", { class: "waiting", role: "status" }, h("p", {}, ...what, left), cancel));
  }

  function stopWaiting() {
    pending = null;
    clearInterval(ticker);
    ticker = null;
    updateSubmit();
  }

  function settle(info) {
    stopWaiting();
    if (info.status === "started" && info.match) {
      startedHere.add(info.match.id);
      message.replaceChildren();
      location.hash = `#/match/${encodeURIComponent(info.match.id)}`;
    } else if (info.status === "cancelled") {
      message.replaceChildren(h("p", { class: "muted" }, "Request cancelled: the bots are free again."));
    } else {
      const error = info.error || { code: info.status, message: "" };
      showFormError(message, `The match did not start (${error.code}).`, error.message);
    }
  }

  async function follow(id) {
    while (pending && pending.id === id) {
      let info;
      try {
        info = await matchRequest(id, 20);
      } catch (err) {
        if (!pending || pending.id !== id) return;
        if (err.status === 0) {
          await new Promise((resolve) => setTimeout(resolve, 1000)); // offline: ask again
          continue;
        }
        stopWaiting();
        showFormError(message, `Lost track of the request (${err.code}).`, err.message);
        return;
      }
      if (!pending || pending.id !== id) return;
      if (info.status !== "waiting") return settle(info);
      pending.info = info;
      pending.deadline = Date.now() + info.seconds_left * 1000;
      renderWaiting();
    }
  }

  async function cancelPending() {
    if (!pending) return;
    const id = pending.id;
    try {
      const info = await cancelMatchRequest(id);
      if (pending && pending.id === id) settle(info);
    } catch (err) {
      if (pending && pending.id === id) token.refused(err, message, "cancel");
    }
  }

  function wait(info) {
    pending = { id: info.id, info, deadline: Date.now() + info.seconds_left * 1000 };
    updateSubmit();
    renderWaiting();
    ticker = setInterval(() => {
      const left = message.querySelector(".seconds-left");
      if (pending && left) left.textContent = `${minutes((pending.deadline - Date.now()) / 1000)} left`;
    }, 1000);
    follow(info.id);
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
    if (live.state !== "open" || pending) return;
    sending = true;
    updateSubmit();
    message.replaceChildren(h("p", { class: "muted" }, "Starting…"));
    try {
      const outcome = await requestMatch(config, WAIT_SECONDS);
      if (outcome.status === "waiting") wait(outcome);
      else if (outcome.status) settle(outcome);
      else {
        startedHere.add(outcome.id);
        message.replaceChildren();
        location.hash = `#/match/${encodeURIComponent(outcome.id)}`;
      }
    } catch (err) {
      token.refused(err, message, "match");
    } finally {
      sending = false;
      updateSubmit();
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
  updateSubmit();
  const offLobby = live.on("lobby", renderBots);
  const offStatus = live.on("status", updateSubmit);
  return () => {
    offLobby();
    offStatus();
    if (pending) cancelMatchRequest(pending.id).catch(() => {}); // leaving the page gives the bots back
    stopWaiting();
  };
}
