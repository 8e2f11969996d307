// SVG pictures of every built-in game, drawn from the game's `view` JSON (the
// `view` field of round_started, move and round_result events); chess and Go
// are in boards2.js. A game neither file knows is shown as its JSON.

import { chess, chessCaption, chessSample, go, goCaption, goSample } from "./boards2.js";
import { h, s } from "./dom.js";

const INK = "#1f2937";
const LAST = "#dc2626";
const PALETTE = ["#2563eb", "#d97706", "#059669", "#9333ea", "#db2777", "#0891b2", "#65a30d", "#b91c1c"];
const TTT_LINES = [[0, 1, 2], [3, 4, 5], [6, 7, 8], [0, 3, 6], [1, 4, 7], [2, 5, 8], [0, 4, 8], [2, 4, 6]];
const LETTERS = "abcdefghijklmnopqrs";

/** What each seat is called in a game, and its colour for legends. */
export function seatStyle(game, seat) {
  const two = {
    tictactoe: [["X", INK], ["O", INK]],
    connect4: [["Red", "#dc2626"], ["Yellow", "#facc15"]],
    othello: [["Black", "#111827"], ["White", "#f9fafb"]],
    gomoku: [["Black", "#111827"], ["White", "#f9fafb"]],
    chess: [["White", "#f9fafb"], ["Black", "#111827"]],
    go: [["Black", "#111827"], ["White", "#f9fafb"]],
  }[game];
  if (two && two[seat]) return { label: two[seat][0], color: two[seat][1] };
  return { label: `Seat ${seat + 1}`, color: PALETTE[seat % PALETTE.length] };
}

/** Seats whose clock runs in this position ([] once the round is over). */
export function toMove(game, view, seats, lastSeat) {
  if (!view) return [];
  if (typeof view.to_move === "number") return [view.to_move];
  if ("to_move" in view) return [];
  if (game === "rps") return view.throws_left > 0 ? [0, 1] : [];
  if (game === "counting") return view.count < view.plies ? [view.count % seats] : [];
  return lastSeat === undefined || lastSeat === null ? [0] : [(lastSeat + 1) % seats];
}

/** A move in words, for the move list. */
export function moveText(game, move) {
  const a = move.action;
  if (game === "connect4") return `column ${a}`;
  if (game === "tictactoe") return `cell ${a}`;
  if (game === "baskin31" && move.view && Array.isArray(move.view.last)) {
    return `calls ${move.view.last[1].join(", ")}`;
  }
  if (game === "counting") return `says ${a}`;
  if (game === "chess" && move.view && move.view.san) return move.view.san;
  return typeof a === "string" ? a : JSON.stringify(a);
}

/** One line under the board: who is to move, the score, the winner. */
export function caption(game, view, names) {
  if (!view) return "Waiting for the first round.";
  const name = (seat) => names[seat] || seatStyle(game, seat).label;
  const who = (seat) => `${name(seat)} (${seatStyle(game, seat).label})`;
  const winner = typeof view.winner === "number" ? `${who(view.winner)} wins.` : null;
  switch (game) {
    case "othello": {
      const counts = `Black ${view.counts[0]} – White ${view.counts[1]}.`;
      if (winner) return `${counts} ${winner}`;
      if (view.to_move === null) return `${counts} Draw.`;
      return `${counts} ${who(view.to_move)} to move${view.passed ? " (the other side passed)" : ""}.`;
    }
    case "baskin31":
      if (typeof view.loser === "number") return `${name(view.loser)} said ${view.target} and loses.`;
      return `Count ${view.count} of ${view.target}; ${name(view.to_move)} to call.`;
    case "rps":
      return `Throws won ${view.wins[0]} – ${view.wins[1]}; ${view.throws_left} of ${view.throws} left.`;
    case "counting":
      return `Count ${view.count} of ${view.plies}.`;
    case "chess":
      return chessCaption(view, who);
    case "go":
      return goCaption(view, who);
    default:
      if (winner) return winner;
      if (view.to_move === null) return "Draw.";
      if (typeof view.to_move === "number") return `${who(view.to_move)} to move.`;
      return "";
  }
}

function frame(width, height, label, cls) {
  return s("svg", {
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": label,
    class: `board-svg ${cls}`,
  });
}

function tictactoe(view) {
  const svg = frame(300, 300, "Tic-tac-toe board", "ttt");
  const line = TTT_LINES.find(([a, b, c]) => view.board[a] && view.board[a] === view.board[b] && view.board[a] === view.board[c]);
  view.board.forEach((mark, i) => {
    const x = (i % 3) * 100;
    const y = Math.floor(i / 3) * 100;
    const cls = i === view.last ? "cell last" : "cell";
    svg.append(s("rect", { x, y, width: 100, height: 100, fill: i === view.last ? "#fef3c7" : "#fff", class: cls }));
    if (mark === "X") {
      svg.append(s("g", { class: "piece", stroke: "#1d4ed8", "stroke-width": 10, "stroke-linecap": "round" },
        s("line", { x1: x + 25, y1: y + 25, x2: x + 75, y2: y + 75 }),
        s("line", { x1: x + 75, y1: y + 25, x2: x + 25, y2: y + 75 })));
    } else if (mark === "O") {
      svg.append(s("circle", { class: "piece", cx: x + 50, cy: y + 50, r: 27, fill: "none", stroke: "#b91c1c", "stroke-width": 10 }));
    }
  });
  for (const k of [1, 2]) {
    svg.append(s("line", { x1: k * 100, y1: 5, x2: k * 100, y2: 295, stroke: INK, "stroke-width": 4 }));
    svg.append(s("line", { x1: 5, y1: k * 100, x2: 295, y2: k * 100, stroke: INK, "stroke-width": 4 }));
  }
  if (line) {
    const at = (i) => [(i % 3) * 100 + 50, Math.floor(i / 3) * 100 + 50];
    const [x1, y1] = at(line[0]);
    const [x2, y2] = at(line[2]);
    svg.append(s("line", { class: "win", x1, y1, x2, y2, stroke: "#16a34a", "stroke-width": 12, "stroke-linecap": "round", opacity: 0.8 }));
  }
  return svg;
}

function connect4(view) {
  const rows = view.board.length;
  const cols = view.board[0].length;
  const c = 50;
  const svg = frame(cols * c + 20, rows * c + 40, "Connect Four grid", "c4");
  svg.append(s("rect", { x: 0, y: 0, width: cols * c + 20, height: rows * c + 20, rx: 12, fill: "#1d4ed8" }));
  const wins = new Set((view.line || []).map(([r, col]) => `${r},${col}`));
  const last = view.last ? `${view.last[0]},${view.last[1]}` : null;
  view.board.forEach((row, r) => row.forEach((cell, col) => {
    const cx = 10 + col * c + c / 2;
    const cy = 10 + r * c + c / 2;
    const key = `${r},${col}`;
    const fill = cell === null ? "#f8fafc" : seatStyle("connect4", cell).color;
    const cls = cell === null ? "hole" : `piece seat${cell}${key === last ? " last" : ""}`;
    svg.append(s("circle", { cx, cy, r: 20, fill, class: cls, stroke: key === last ? INK : "none", "stroke-width": 4 }));
    if (wins.has(key)) svg.append(s("circle", { cx, cy, r: 7, fill: "#fff", class: "win", stroke: INK, "stroke-width": 2 }));
  }));
  for (let col = 0; col < cols; col++) {
    svg.append(s("text", { x: 10 + col * c + c / 2, y: rows * c + 36, "text-anchor": "middle", class: "coord" }, String(col)));
  }
  return svg;
}

function squareIndex(name, size) {
  if (typeof name !== "string") return null;
  const col = LETTERS.indexOf(name[0]);
  const row = Number(name.slice(1)) - 1;
  return col >= 0 && col < size && row >= 0 && row < size ? [row, col] : null;
}

function othello(view) {
  const n = view.board.length;
  const c = 40;
  const m = 20;
  const svg = frame(n * c + m + 4, n * c + m + 4, "Othello board", "othello");
  svg.append(s("rect", { x: m, y: m, width: n * c, height: n * c, fill: "#15803d" }));
  for (let i = 0; i <= n; i++) {
    svg.append(s("line", { x1: m + i * c, y1: m, x2: m + i * c, y2: m + n * c, stroke: "#064e3b", "stroke-width": 1.5 }));
    svg.append(s("line", { x1: m, y1: m + i * c, x2: m + n * c, y2: m + i * c, stroke: "#064e3b", "stroke-width": 1.5 }));
  }
  for (let i = 0; i < n; i++) {
    svg.append(s("text", { x: m + i * c + c / 2, y: 14, "text-anchor": "middle", class: "coord" }, LETTERS[i]));
    svg.append(s("text", { x: 10, y: m + i * c + c / 2 + 5, "text-anchor": "middle", class: "coord" }, String(i + 1)));
  }
  const last = squareIndex(view.last, n);
  const flipped = new Set((view.flipped || []).map((f) => String(squareIndex(f, n))));
  view.board.forEach((row, r) => row.forEach((cell, col) => {
    if (cell === null) return;
    const cx = m + col * c + c / 2;
    const cy = m + r * c + c / 2;
    const isLast = last && last[0] === r && last[1] === col;
    svg.append(s("circle", { cx, cy, r: 16, class: `piece seat${cell}${isLast ? " last" : ""}`, fill: seatStyle("othello", cell).color, stroke: "#111827", "stroke-width": 1.5 }));
    if (isLast) svg.append(s("circle", { cx, cy, r: 5, fill: LAST, class: "last-mark" }));
    else if (flipped.has(String([r, col]))) svg.append(s("circle", { cx, cy, r: 3.5, fill: "#f59e0b", class: "flipped" }));
  }));
  return svg;
}

function gomoku(view) {
  const n = view.size || view.board.length;
  const g = 24;
  const m = 30;
  const size = (n - 1) * g + 2 * m;
  const svg = frame(size, size, `Gomoku board ${n}×${n}`, "gomoku");
  svg.append(s("rect", { x: 0, y: 0, width: size, height: size, fill: "#e4b96b", rx: 6 }));
  for (let i = 0; i < n; i++) {
    svg.append(s("line", { x1: m, y1: m + i * g, x2: m + (n - 1) * g, y2: m + i * g, stroke: "#5b3a1a", "stroke-width": 1 }));
    svg.append(s("line", { x1: m + i * g, y1: m, x2: m + i * g, y2: m + (n - 1) * g, stroke: "#5b3a1a", "stroke-width": 1 }));
    svg.append(s("text", { x: m + i * g, y: 14, "text-anchor": "middle", class: "coord small" }, LETTERS[i]));
    svg.append(s("text", { x: 12, y: m + i * g + 4, "text-anchor": "middle", class: "coord small" }, String(i + 1)));
  }
  const mid = (n - 1) / 2;
  const far = n - 4;
  const stars = n >= 13 ? [[3, 3], [3, far], [far, 3], [far, far], [mid, mid]] : [[mid, mid]];
  if (n >= 19) stars.push([3, mid], [mid, 3], [mid, far], [far, mid]);
  for (const [r, c] of stars) {
    if (Number.isInteger(r) && Number.isInteger(c)) {
      svg.append(s("circle", { cx: m + c * g, cy: m + r * g, r: 3, fill: "#5b3a1a" }));
    }
  }
  const last = squareIndex(view.last, n);
  const line = new Set((view.line || []).map((q) => String(squareIndex(q, n))));
  view.board.forEach((row, r) => row.forEach((cell, col) => {
    if (cell === null) return;
    const cx = m + col * g;
    const cy = m + r * g;
    const isLast = last && last[0] === r && last[1] === col;
    svg.append(s("circle", { cx, cy, r: 10.5, class: `piece seat${cell}${isLast ? " last" : ""}`, fill: seatStyle("gomoku", cell).color, stroke: "#111827", "stroke-width": 1 }));
    if (line.has(String([r, col]))) svg.append(s("circle", { cx, cy, r: 13, fill: "none", stroke: LAST, "stroke-width": 2.5, class: "win" }));
    if (isLast) svg.append(s("circle", { cx, cy, r: 4, fill: LAST, class: "last-mark" }));
  }));
  return svg;
}

function baskin31(view, ctx) {
  const per = 10;
  const c = 34;
  const rows = Math.ceil(view.target / per);
  const players = view.players || 2;
  const svg = frame(per * c + 10, rows * c + 30 + 22 * Math.ceil(players / 2), "Baskin-Robbins 31 counter", "baskin");
  const calledBy = new Map();
  for (const move of ctx.roundMoves || []) {
    const last = move.view && move.view.last;
    if (Array.isArray(last)) for (const number of last[1]) calledBy.set(number, last[0]);
  }
  const lastNumbers = new Set(Array.isArray(view.last) ? view.last[1] : []);
  for (let k = 1; k <= view.target; k++) {
    const x = 5 + ((k - 1) % per) * c;
    const y = 5 + Math.floor((k - 1) / per) * c;
    const seat = calledBy.get(k);
    const called = k <= view.count;
    const fill = called ? (seat === undefined ? "#9ca3af" : PALETTE[seat % PALETTE.length]) : k === view.target ? "#fee2e2" : "#f3f4f6";
    const cls = `num${called ? " piece" : ""}${lastNumbers.has(k) ? " last" : ""}`;
    svg.append(s("rect", { x, y, width: c - 4, height: c - 4, rx: 5, fill, class: cls, stroke: lastNumbers.has(k) ? INK : "#d1d5db", "stroke-width": lastNumbers.has(k) ? 3 : 1 }));
    svg.append(s("text", { x: x + (c - 4) / 2, y: y + c / 2 + 2, "text-anchor": "middle", class: called ? "num-text on" : "num-text" }, String(k)));
  }
  const top = rows * c + 22;
  for (let seat = 0; seat < players; seat++) {
    const x = 5 + (seat % 2) * 170;
    const y = top + Math.floor(seat / 2) * 22;
    svg.append(s("rect", { x, y: y - 12, width: 14, height: 14, rx: 3, fill: PALETTE[seat % PALETTE.length] }));
    svg.append(s("text", { x: x + 20, y, class: "legend" }, (ctx.names && ctx.names[seat]) || `Seat ${seat + 1}`));
  }
  return svg;
}

function hand(kind, x, y) {
  if (kind === "rock") return s("circle", { cx: x, cy: y, r: 30, fill: "#9ca3af", stroke: INK, "stroke-width": 3 });
  if (kind === "paper") {
    return s("g", {}, s("rect", { x: x - 26, y: y - 32, width: 52, height: 64, fill: "#fff", stroke: INK, "stroke-width": 3 }),
      [-14, -2, 10].map((d) => s("line", { x1: x - 16, y1: y + d, x2: x + 16, y2: y + d, stroke: "#9ca3af", "stroke-width": 3 })));
  }
  if (kind === "scissors") {
    return s("g", { stroke: INK, "stroke-width": 4, fill: "none" },
      s("line", { x1: x - 24, y1: y - 30, x2: x + 10, y2: y + 14 }), s("line", { x1: x + 24, y1: y - 30, x2: x - 10, y2: y + 14 }),
      s("circle", { cx: x - 14, cy: y + 22, r: 10 }), s("circle", { cx: x + 14, cy: y + 22, r: 10 }));
  }
  return s("text", { x, y: y + 10, "text-anchor": "middle", class: "big muted" }, "?");
}

function rps(view, ctx) {
  const svg = frame(360, 200, "Rock-paper-scissors throws", "rps");
  const throwWinner = view.last ? (view.last[0] === view.last[1] ? null : { rock: "scissors", paper: "rock", scissors: "paper" }[view.last[0]] === view.last[1] ? 0 : 1) : null;
  for (const seat of [0, 1]) {
    const x = seat === 0 ? 90 : 270;
    const kind = view.last ? view.last[seat] : null;
    svg.append(s("text", { x, y: 22, "text-anchor": "middle", class: "legend" }, (ctx.names && ctx.names[seat]) || `Seat ${seat + 1}`));
    if (throwWinner === seat) svg.append(s("rect", { x: x - 50, y: 34, width: 100, height: 110, rx: 10, fill: "#dcfce7", class: "last" }));
    const g = s("g", { class: kind ? "piece" : "" }, hand(kind, x, 88));
    svg.append(g, s("text", { x, y: 166, "text-anchor": "middle", class: "legend" }, kind || "—"));
  }
  svg.append(s("text", { x: 180, y: 96, "text-anchor": "middle", class: "big" }, `${view.wins[0]}–${view.wins[1]}`));
  svg.append(s("text", { x: 180, y: 192, "text-anchor": "middle", class: "coord" }, `${view.throws_left} of ${view.throws} throws left`));
  return svg;
}

function counting(view) {
  const svg = frame(300, 140, "Counting", "counting");
  const share = view.plies > 0 ? Math.min(1, view.count / view.plies) : 0;
  svg.append(s("text", { x: 150, y: 72, "text-anchor": "middle", class: "huge piece" }, String(view.count)));
  svg.append(s("rect", { x: 20, y: 100, width: 260, height: 16, rx: 8, fill: "#e5e7eb" }));
  svg.append(s("rect", { x: 20, y: 100, width: 260 * share, height: 16, rx: 8, fill: PALETTE[0] }));
  svg.append(s("text", { x: 150, y: 136, "text-anchor": "middle", class: "coord" }, `of ${view.plies}`));
  return svg;
}

const DRAW = { tictactoe, connect4, othello, gomoku, baskin31, rps, counting, chess, go };

/** The picture of a position: an <svg>, or the view's JSON for an unknown game. */
export function drawBoard(game, view, ctx = {}) {
  if (!view) return h("p", { class: "muted board-empty" }, "The board appears when the first round starts.");
  const draw = DRAW[game];
  if (draw) {
    try {
      return draw(view, ctx);
    } catch (err) {
      console.error(err);
    }
  }
  return h("pre", { class: "view-json" }, JSON.stringify(view, null, 1));
}

/** A made-up position of each game for the catalogue's pictures. */
export function sampleView(game) {
  const empty = (r, c) => Array.from({ length: r }, () => Array(c).fill(null));
  switch (game) {
    case "tictactoe":
      return { board: ["X", "O", "", "", "X", "O", "", "", "X"], to_move: null, last: 8, winner: 0 };
    case "connect4": {
      const b = empty(6, 7);
      [[5, 3, 0], [5, 2, 1], [4, 3, 0], [5, 4, 1], [3, 3, 0], [4, 2, 1]].forEach(([r, c, v]) => (b[r][c] = v));
      return { board: b, last: [4, 2], winner: null, to_move: 0, line: null };
    }
    case "othello": {
      const b = empty(8, 8);
      b[2][3] = 0; b[3][3] = 0; b[3][4] = 0; b[4][3] = 0; b[4][4] = 1;
      return { board: b, to_move: 1, last: "d3", flipped: ["d4"], passed: false, counts: [4, 1], winner: null };
    }
    case "gomoku": {
      const b = empty(9, 9);
      [[4, 4, 0], [4, 5, 1], [3, 3, 0], [5, 5, 1], [2, 2, 0]].forEach(([r, c, v]) => (b[r][c] = v));
      return { board: b, size: 9, last: "c3", winner: null, to_move: 1, line: null };
    }
    case "baskin31":
      return { count: 7, target: 31, players: 2, to_move: 1, last: [0, [6, 7]], loser: null };
    case "rps":
      return { last: ["rock", "scissors"], wins: [1, 0], throws: 3, throws_left: 2, winner: null };
    case "counting":
      return { count: 7, plies: 20 };
    case "chess":
      return chessSample();
    case "go":
      return goSample();
    default:
      return null;
  }
}

/** Moves that make sampleView("baskin31") show who called what. */
export function sampleMoves(game) {
  if (game !== "baskin31") return [];
  return [[0, [1, 2]], [1, [3, 4, 5]], [0, [6, 7]]].map((last) => ({ view: { last } }));
}
