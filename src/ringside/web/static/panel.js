// The match panel shared by the live view and the replay: title, result banner,
// board, players and clocks, round results, the bot output of a move, move list.

import { boardReady, caption, drawBoard, loadBoard, moveText, seatStyle } from "./boards.js";
import { clockReading } from "./model.js";
import { actionText, append, botLink, clockText, clear, fmtScore, h } from "./dom.js";

// Styles of this panel (banner, reconnect badge, bot output) live beside it.
if (!document.querySelector('link[href="/static/match.css"]')) {
  document.head.append(h("link", { rel: "stylesheet", href: "/static/match.css" }));
}

const VERDICTS = {
  timeout: "lost on time",
  illegal_action: "made an illegal move",
  disconnected: "left the match",
  protocol_error: "broke the protocol",
  not_ready: "was not ready",
};
const COUNTS = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];

/** A verdict in words: "bob lost on time: bob ran out of time (fischer clock)". */
export function verdictText(v) {
  if (v.code === "adjudicated" || !v.bot) return adjudication(v);
  const what = VERDICTS[v.code] || v.code.replaceAll("_", " ");
  return `${v.bot} ${what}: ${v.message}`;
}

/** An adjudication's reason names the rule, the bots and the figures: it is the text. */
function adjudication(v) {
  return v.message.charAt(0).toUpperCase() + v.message.slice(1);
}

/** The same, with the bot's name as a link to its page. */
function verdictNodes(v) {
  if (v.code === "adjudicated" || !v.bot) return [adjudication(v)];
  const what = VERDICTS[v.code] || v.code.replaceAll("_", " ");
  return [botLink(v.bot), ` ${what}: ${v.message}`];
}

/** How a round ended without a verdict, from its last view: checkmate, five in a row, score… */
export function endingText(game, view, names) {
  if (!view) return "";
  if (typeof view.winner === "number" && Array.isArray(view.line) && view.line.length) {
    const n = view.line.length;
    const who = `${(names && names[view.winner]) || seatStyle(game, view.winner).label} (${seatStyle(game, view.winner).label})`;
    return `${who} wins with ${COUNTS[n] || n} in a row.`;
  }
  return caption(game, view, names);
}

/** An engine's number as the move list shows it: "+0.34" (chess pawns), "#3", "-12". */
function scoreText(game, info) {
  if (typeof info.mate === "number") return `#${info.mate}`;
  if (typeof info.score !== "number") return "";
  const value = game === "chess" ? (info.score / 100).toFixed(2) : fmtScore(info.score);
  return info.score > 0 ? `+${value}` : value;
}

function firstLine(text, max = 32) {
  const line = String(text).split("\n", 1)[0].trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** A move's `info` in a few characters, beside the move: "+0.34/18", "#3/20", or the log's start. */
export function infoShort(game, info) {
  if (info === undefined || info === null) return "";
  if (typeof info === "string") return firstLine(info);
  if (typeof info !== "object") return "";
  const score = scoreText(game, info);
  const depth = typeof info.depth === "number" ? `/${info.depth}` : "";
  if (score || depth) return `${score}${depth}`;
  if (typeof info.time === "number") return `${info.time}s`;
  return typeof info.log === "string" ? firstLine(info.log) : "";
}

function infoRows(game, info) {
  if (typeof info !== "object") return [];
  const rows = [];
  const score = scoreText(game, info);
  if (score) rows.push(["Score", typeof info.mate === "number" ? `mate in ${info.mate}` : game === "chess" ? `${score} (pawns)` : score]);
  if (typeof info.depth === "number") rows.push(["Depth", typeof info.seldepth === "number" ? `${info.depth}/${info.seldepth}` : String(info.depth)]);
  if (typeof info.nodes === "number") rows.push(["Nodes", info.nodes.toLocaleString("en")]);
  if (typeof info.nps === "number") rows.push(["Nodes/s", info.nps.toLocaleString("en")]);
  if (typeof info.time === "number") rows.push(["Time", `${info.time} s`]);
  if (Array.isArray(info.pv) && info.pv.length) rows.push(["PV", info.pv.join(" ")]);
  return rows;
}

function infoLog(info) {
  if (typeof info === "string") return info;
  return info && typeof info === "object" && typeof info.log === "string" ? info.log : "";
}

export class MatchPanel {
  constructor(matchId, title) {
    this.matchId = matchId;
    this.gameTitle = title || "";
    this.state = null;
    this.summary = null; // the replay's whole match: its banner and rounds table tell the end
    this.shownAt = performance.now();
    this.onPick = null;
    this.moveItems = [];
    this.listed = [];
    this.awaiting = null;
    this.dropsSeen = new Map(); // seat_dropped event index -> when the page first showed it
    this.heading = h("h1", { tabindex: "-1" }, "Match ", matchId);
    this.status = h("p", { class: "match-status", "aria-live": "polite" });
    this.links = h("p", { class: "match-links", hidden: true });
    this.controls = h("div", { class: "controls" });
    this.boardBox = h("div", { class: "board-box", "data-ply": "0" });
    this.caption = h("figcaption", { class: "board-caption", "aria-live": "polite" });
    this.players = h("ul", { class: "players", "aria-label": "Players and clocks" });
    this.result = h("section", { class: "result", hidden: true, "aria-live": "polite" });
    this.roundsBody = h("tbody");
    this.rounds = h(
      "section",
      { class: "rounds", hidden: true },
      h("h2", {}, "Rounds"),
      h("table", {}, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Round"))), this.roundsBody),
    );
    this.infoBox = h("section", { class: "move-output", hidden: true, "aria-label": "Bot output of the move shown" });
    this.moveList = h("ol", { class: "moves", "aria-label": "Moves", tabindex: "0" });
    this.moveList.addEventListener("keydown", (e) => this.onListKey(e));
    this.el = h(
      "article",
      { class: "match" },
      h("header", { class: "match-head" }, this.heading, this.status, this.links),
      this.result,
      this.controls,
      h(
        "div",
        { class: "match-body" },
        h("figure", { class: "board", onmousedown: (e) => this.keepFocus(e) }, this.boardBox, this.caption),
        h(
          "div",
          { class: "side" },
          this.players,
          this.rounds,
          this.infoBox,
          h("section", { class: "move-section" }, h("h2", {}, "Moves"), this.moveList),
        ),
      ),
    );
  }

  /** A click on the board (nothing to focus there) leaves the focus where it was. */
  keepFocus(e) {
    const hit = e.target instanceof Element ? e.target.closest("a, button, input, select, summary, [tabindex]") : null;
    if (!hit || !e.currentTarget.contains(hit)) e.preventDefault();
  }

  render(state) {
    this.state = state;
    this.shownAt = performance.now();
    const game = state.game;
    if (!boardReady(game) && this.awaiting !== game) {
      // The game's board module is still loading: draw again once it is here.
      this.awaiting = game;
      loadBoard(game).then(
        () => {
          this.awaiting = null;
          if (this.state && this.state.game === game) this.redraw();
        },
        () => {
          this.awaiting = null; // the catalogue is unreachable: the next render asks again
        },
      );
    }
    const names = state.bots.length ? state.bots : [];
    const title = this.gameTitle || game || "Match";
    if (names.length) {
      this.heading.replaceChildren(`${title} — `, ...names.flatMap((n, i) => (i ? [" vs ", botLink(n)] : [botLink(n)])));
    } else {
      this.heading.textContent = `${title} — ${this.matchId}`;
    }
    const roundText = state.round ? `Round ${state.round} of ${state.rounds}` : state.result ? "No round played" : "Waiting for the bots";
    this.status.textContent = `${roundText} · ${state.status}`;
    this.status.dataset.status = state.status;
    const board = drawBoard(game, state.view, { names: state.seats, roundMoves: state.roundMoves });
    this.boardBox.replaceChildren(board);
    this.boardBox.dataset.ply = String(state.lastMove ? state.lastMove.ply : 0);
    this.boardBox.dataset.round = String(state.round);
    this.caption.textContent = this.captionText();
    this.renderPlayers();
    this.renderRounds();
    this.renderResult();
    this.renderInfo();
    this.highlightMove();
  }

  /** The line under the board; after a verdict or an abort, the end, never "X to move". */
  captionText() {
    const state = this.state;
    const game = state.game;
    const last = state.lastMove ? `${state.lastMove.bot}: ${moveText(game, state.lastMove)}. ` : "";
    if (state.result && state.result.status === "aborted") {
      return `${last}Match aborted${state.result.reason ? `: ${state.result.reason}` : ""}.`;
    }
    const verdicts = state.forfeits.filter((f) => f.round === state.round).map((f) => f.verdict);
    if (verdicts.length) return `${last}${verdicts.map(verdictText).join("; ")}.`;
    return `${last}${caption(game, state.view, state.seats)}`;
  }

  /** Draw the current state and the listed moves again (both use the game's board module). */
  redraw() {
    const listed = this.listed;
    this.render(this.state);
    this.clearMoves();
    for (const move of listed) this.addMove(move);
    this.highlightMove();
  }

  renderPlayers() {
    const state = this.state;
    const seats = state.seats.length ? state.seats : state.bots;
    const items = seats.map((name, seat) => {
      const style = seatStyle(state.game, seat);
      const clock = h("span", { class: "clock", "data-seat": String(seat), "aria-label": `${name} clock` });
      return h(
        "li",
        { class: "player", "data-seat": String(seat) },
        h("span", { class: "swatch", style: `background:${style.color}`, "aria-hidden": "true" }),
        h("span", { class: "player-name" }, botLink(name)),
        h("span", { class: "seat-label" }, style.label),
        clock,
        h("span", { class: "clock-detail" }),
        h("span", { class: "seat-badge", role: "status", hidden: true }),
      );
    });
    this.players.replaceChildren(...items);
    this.tick(performance.now(), true);
  }

  /** Move the running clocks and the reconnect countdowns on; `live` false freezes them (replays). */
  tick(now, force = false) {
    const state = this.state;
    if (!state) return;
    const drops = Object.keys(state.dropped || {}).length;
    if (!force && !state.running.length && !drops) return;
    const since = this.live ? (now - this.shownAt) / 1000 : 0;
    const flagged = new Set(state.forfeits.filter((f) => f.round === state.round && f.verdict.code === "timeout").map((f) => f.verdict.seat));
    for (const li of this.players.children) {
      const seat = Number(li.dataset.seat);
      const r = clockReading(state, seat, since);
      const clock = li.querySelector(".clock");
      clock.textContent = r.seconds === null ? "—" : clockText(r.seconds);
      li.querySelector(".clock-detail").textContent = flagged.has(seat) ? "out of time" : r.detail;
      li.classList.toggle("to-move", r.running);
      li.classList.toggle("low", r.low);
      li.classList.toggle("flagged", flagged.has(seat));
      this.showDrop(li, seat, now);
    }
  }

  /** The "disconnected, reconnecting (4 s left)" badge of a seat within its grace. */
  showDrop(li, seat, now) {
    const badge = li.querySelector(".seat-badge");
    const drop = this.state.dropped && this.state.dropped[seat];
    li.classList.toggle("dropped", Boolean(drop));
    if (!drop) {
      badge.hidden = true;
      badge.textContent = "";
      return;
    }
    let text;
    if (this.live) {
      if (!this.dropsSeen.has(drop.index)) this.dropsSeen.set(drop.index, now);
      const left = Math.max(0, Math.ceil(drop.grace - (now - this.dropsSeen.get(drop.index)) / 1000));
      text = `disconnected, reconnecting (${left} s left)`;
    } else {
      text = `disconnected, reconnecting (${fmtScore(drop.grace)} s grace)`;
    }
    if (badge.textContent !== text) badge.textContent = text;
    badge.hidden = false;
  }

  renderRounds() {
    const state = this.summary || this.state;
    const head = this.rounds.querySelector("thead tr");
    head.replaceChildren(h("th", { scope: "col" }, "Round"), ...state.bots.map((b) => h("th", { scope: "col" }, botLink(b))), h("th", { scope: "col" }, "Note"));
    const rows = state.roundResults.map((r) => {
      const byPlayer = state.bots.map(() => "");
      r.players.forEach((player, seat) => (byPlayer[player] = fmtScore(r.scores[seat])));
      const verdicts = (r.verdicts || []).concat(state.forfeits.filter((f) => f.round === r.round && !(r.verdicts || []).length).map((f) => f.verdict));
      const note = verdicts.length ? verdicts.flatMap((v, i) => (i ? ["; ", ...verdictNodes(v)] : verdictNodes(v))) : [endingText(state.game, r.view, r.bots)];
      return h("tr", {}, h("th", { scope: "row" }, String(r.round)), byPlayer.map((x) => h("td", {}, x)), h("td", { class: "note" }, ...note));
    });
    this.roundsBody.replaceChildren(...rows);
    this.rounds.hidden = rows.length === 0;
  }

  /** The banner: who won and why (a verdict, an abort, or how the game ended). */
  renderResult() {
    const state = this.summary || this.state;
    const r = state.result;
    const pending = state.forfeits.filter((f) => !state.roundResults.some((x) => x.round === f.round));
    if (!r && !pending.length) {
      this.result.hidden = true;
      clear(this.result);
      return;
    }
    this.result.hidden = false;
    if (!r) {
      this.result.replaceChildren(h("h2", {}, "Verdict"), ...pending.map((f) => h("p", { class: "verdict" }, ...verdictNodes(f.verdict))));
      return;
    }
    const winner = r.status === "aborted" ? ["Aborted"] : r.winner ? ["Winner: ", botLink(r.winner)] : ["Draw"];
    const scores = r.bots.map((b, i) => `${b} ${fmtScore(r.scores[i])}`).join(" – ");
    let why = null;
    if (r.verdict) why = h("p", { class: "verdict" }, "Verdict: ", ...verdictNodes(r.verdict));
    else if (r.status === "aborted") why = h("p", { class: "reason" }, r.reason || "The match was stopped.");
    else if (state.roundResults.length === 1) {
      const last = state.roundResults[0];
      const text = (last.verdicts || []).length ? verdictText(last.verdicts[0]) : endingText(state.game, last.view, last.bots);
      if (text) why = h("p", { class: "reason" }, text);
    } else if (state.roundResults.length > 1) {
      why = h("p", { class: "reason" }, `Over ${state.roundResults.length} rounds; see each round below.`);
    }
    this.result.replaceChildren();
    this.result.dataset.status = r.status;
    append(this.result, [
      h("h2", {}, "Result"),
      h("p", { class: "winner" }, ...winner),
      why,
      h("p", { class: "scores" }, scores),
      r.verdict && r.reason ? h("p", { class: "reason" }, r.reason) : null,
    ]);
  }

  /** The full `info` of the move shown: score, depth, PV, and its log on demand. */
  renderInfo() {
    const move = this.state && this.state.lastMove;
    const info = move ? move.info : undefined;
    if (info === undefined || info === null || (typeof info === "object" && !Object.keys(info).length)) {
      this.infoBox.hidden = true;
      clear(this.infoBox);
      return;
    }
    const rows = infoRows(this.state.game, info);
    const log = infoLog(info);
    this.infoBox.replaceChildren(
      h("h2", {}, "Bot output"),
      h("p", { class: "muted" }, `Move ${move.ply} · `, botLink(move.bot)),
      rows.length ? h("dl", { class: "info-rows" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])) : null,
      log ? h("details", { class: "info-log" }, h("summary", {}, "Log"), h("pre", {}, log)) : null,
    );
    this.infoBox.hidden = false;
  }

  /** Live: append the moves not yet listed. */
  syncMoves(moves) {
    if (moves.length < this.moveItems.length) this.clearMoves();
    for (const move of moves.slice(this.moveItems.length)) this.addMove(move);
    this.highlightMove();
  }

  /** Replay: list every move once; clicking one jumps there. One tab stop: the current move. */
  setMoves(moves, onPick) {
    this.onPick = onPick;
    this.moveList.removeAttribute("tabindex");
    this.clearMoves();
    for (const move of moves) this.addMove(move);
  }

  clearMoves() {
    this.moveItems = [];
    this.listed = [];
    this.lastRound = 0;
    clear(this.moveList);
  }

  addMove(move) {
    const game = this.state ? this.state.game : null;
    if (move.round !== this.lastRound) {
      this.lastRound = move.round;
      this.moveList.append(h("li", { class: "round-head" }, `Round ${move.round}`));
    }
    const label = move.elapsed !== undefined ? ` (${move.elapsed.toFixed(2)} s)` : "";
    const said = infoShort(game, move.info);
    const text = moveText(game, move);
    const body = this.onPick
      ? h("button", { type: "button", class: "move-btn", tabindex: "-1", onclick: () => this.onPick(move.index) }, text, h("span", { class: "muted" }, label))
      : [text, h("span", { class: "muted" }, label)];
    const li = h(
      "li",
      { class: "move", "data-index": String(move.index), title: actionText(move.action) },
      h("span", { class: "move-who" }, `${move.ply}. `, botLink(move.bot, { tabindex: "-1" }), ": "),
      body,
      said ? h("span", { class: "move-info", title: typeof move.info === "string" ? move.info : JSON.stringify(move.info) }, said) : null,
    );
    this.moveList.append(li);
    this.moveItems.push(li);
    this.listed.push(move);
  }

  /** Replay list keys: up and down pick the move before or after. */
  onListKey(e) {
    if (!this.onPick || !["ArrowUp", "ArrowDown"].includes(e.key)) return;
    const current = this.moveItems.findIndex((li) => li.hasAttribute("aria-current"));
    const next = this.moveItems[Math.max(0, Math.min(this.moveItems.length - 1, current + (e.key === "ArrowUp" ? -1 : 1)))];
    if (!next) return;
    e.preventDefault();
    e.stopPropagation();
    this.onPick(Number(next.dataset.index));
    this.focusCurrent();
  }

  /** Put the focus on the current move's button (the list's one tab stop). */
  focusCurrent() {
    const item = this.moveList.querySelector("li[aria-current] .move-btn") || this.moveList.querySelector(".move-btn");
    if (item) item.focus({ preventScroll: true });
  }

  highlightMove() {
    const current = this.state && this.state.lastMove ? this.state.lastMove.index : -1;
    for (const li of this.moveList.querySelectorAll("[aria-current]")) li.removeAttribute("aria-current");
    const item = this.moveItems.find((li) => Number(li.dataset.index) === current);
    if (this.onPick) {
      // Roving tabindex: only the current move (else the first) is a tab stop.
      const stop = item || this.moveItems[0];
      for (const btn of this.moveList.querySelectorAll('.move-btn[tabindex="0"]')) btn.setAttribute("tabindex", "-1");
      if (stop) stop.querySelector(".move-btn").setAttribute("tabindex", "0");
    }
    if (!item) return;
    item.setAttribute("aria-current", "step");
    const list = this.moveList;
    const top = item.offsetTop; // the list is the items' offset parent (position: relative)
    if (top < list.scrollTop || top + item.offsetHeight > list.scrollTop + list.clientHeight) {
      list.scrollTop = Math.max(0, top - list.clientHeight / 2);
    }
  }
}
