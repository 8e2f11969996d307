// What every game's picture shares. Each game draws itself: its folder holds a
// board module (games/<name>/board.js on the server) whose URL the catalogue
// gives; it is loaded here with import() and asked for pictures, captions and
// move texts. A game without one (or whose module fails) is shown as its JSON.
//
// A board module exports:
//   draw(view, ctx)     the picture of a position, an element (usually <svg>); required
//   caption(view, ctx)  the line under the board (else: who won or is to move)
//   moveText(move)      a move in words for the move list (else: the action)
//   colors              each seat's colour, for pieces and legends (else: PALETTE)
//   sample              { view, moves } for the catalogue's picture (else: none)
// ctx holds names (bot at each seat), roundMoves (move events so far),
// seat(n) ({ label, color }), name(n) (the bot, else the label), who(n) ("bot (label)").

import { gameInfo, games } from "./api.js";
import { h, s } from "./dom.js";

export const INK = "#1f2937";
export const LAST = "#dc2626";
export const PALETTE = ["#2563eb", "#d97706", "#059669", "#9333ea", "#db2777", "#0891b2", "#65a30d", "#b91c1c"];
export const LETTERS = "abcdefghijklmnopqrs";

const loaded = new Map(); // game -> { info, module } once its board module has settled
const loading = new Map(); // game -> Promise of the same

/** Load a game's catalogue entry and board module once; rejects only if the catalogue is unreachable. */
export function loadBoard(game) {
  if (!game) return Promise.resolve(null);
  let promise = loading.get(game);
  if (!promise) {
    promise = gameInfo(game).then(async (info) => {
      let module = null;
      if (info && info.board) {
        try {
          module = await import(info.board);
        } catch (err) {
          console.error(`The board of ${game} did not load; its views are shown as data.`, err);
        }
      }
      const entry = { info, module };
      loaded.set(game, entry);
      return entry;
    });
    promise.catch(() => loading.delete(game)); // asked again later
    loading.set(game, promise);
  }
  return promise;
}

/** Whether drawing `game` now uses its own board (or knows it has none). */
export function boardReady(game) {
  return !game || loaded.has(game);
}

// Every board is wanted sooner or later: start on them as the page opens.
games()
  .then((list) => list.forEach((g) => loadBoard(g.name).catch(() => {})))
  .catch(() => {});

function entry(game) {
  return loaded.get(game) || { info: null, module: null };
}

/** What each seat is called in a game, and its colour for legends. */
export function seatStyle(game, seat) {
  const { info, module } = entry(game);
  const label = (info && info.seats && info.seats[seat]) || `Seat ${seat + 1}`;
  const colors = (module && module.colors) || PALETTE;
  return { label, color: colors[seat % colors.length] };
}

/**
 * Seats whose clock runs in this position ([] once the round is over): the
 * view's to_act. Views recorded before views said so give only to_move.
 */
export function toMove(view) {
  if (!view) return [];
  if (Array.isArray(view.to_act)) return view.to_act;
  return typeof view.to_move === "number" ? [view.to_move] : [];
}

function context(game, names, extra = {}) {
  const seat = (n) => seatStyle(game, n);
  const name = (n) => (names && names[n]) || seat(n).label;
  return { names: names || [], roundMoves: [], ...extra, seat, name, who: (n) => `${name(n)} (${seat(n).label})` };
}

/** A move in words, for the move list. */
export function moveText(game, move) {
  const { module } = entry(game);
  if (module && module.moveText) {
    try {
      const text = module.moveText(move);
      if (typeof text === "string" && text) return text;
    } catch (err) {
      console.error(err);
    }
  }
  const a = move.action;
  return typeof a === "string" ? a : JSON.stringify(a);
}

/** One line under the board: who is to move, the score, the winner. */
export function caption(game, view, names) {
  if (!view) return "Waiting for the first round.";
  const ctx = context(game, names);
  const { module } = entry(game);
  if (module && module.caption) {
    try {
      return String(module.caption(view, ctx));
    } catch (err) {
      console.error(err);
    }
  }
  if (typeof view.winner === "number") return `${ctx.who(view.winner)} wins.`;
  const seats = toMove(view);
  if (seats.length) return `${seats.map(ctx.who).join(" and ")} to move.`;
  const over = Array.isArray(view.to_act) || view.to_move === null;
  return over && view.winner === null ? "Draw." : "";
}

/** An empty <svg> picture of the given size, labelled for screen readers. */
export function frame(width, height, label, cls) {
  return s("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label, class: `board-svg ${cls}` });
}

/** "c4" → [row, column] on an n×n board with row 1 at the top; null if off the board. */
export function gridSquare(name, size) {
  if (typeof name !== "string") return null;
  const col = LETTERS.indexOf(name[0]);
  const row = Number(name.slice(1)) - 1;
  return col >= 0 && col < size && row >= 0 && row < size ? [row, col] : null;
}

/** The picture of a position: the game's own, or the view's JSON. */
export function drawBoard(game, view, ctx = {}) {
  if (!view) return h("p", { class: "muted board-empty" }, "The board appears when the first round starts.");
  if (!boardReady(game)) return h("p", { class: "muted board-loading" }, "Loading the board…");
  const { module } = entry(game);
  if (module && module.draw) {
    try {
      return module.draw(view, context(game, ctx.names, ctx));
    } catch (err) {
      console.error(err);
    }
  }
  return h("pre", { class: "view-json" }, JSON.stringify(view, null, 1));
}

/** The game's made-up position for the catalogue: { view, moves }, or null. */
export function sample(game) {
  const { module } = entry(game);
  return module && module.sample && module.sample.view ? { moves: [], ...module.sample } : null;
}
