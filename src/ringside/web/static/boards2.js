// SVG pictures of chess and Go from their `view` JSON (boards.js draws the
// other built-in games and calls these). Chess pieces are Unicode glyphs in
// <text> elements, so the page needs no images.

import { s } from "./dom.js";

const FILES = "abcdefgh";
const GTP = "ABCDEFGHJKLMNOPQRST"; // GTP column letters skip I
// The solid glyphs for both colours, filled white or black; U+FE0E asks for
// text, not emoji, presentation (♟ has an emoji form).
const GLYPH = { k: "\u265A", q: "\u265B", r: "\u265C", b: "\u265D", n: "\u265E", p: "\u265F" };
const NAMES = { k: "king", q: "queen", r: "rook", b: "bishop", n: "knight", p: "pawn" };
const TERMINATION = {
  checkmate: "checkmate",
  stalemate: "stalemate",
  insufficient_material: "insufficient material",
  threefold_repetition: "threefold repetition",
  fifty_moves: "the fifty-move rule",
};

function frame(width, height, label, cls) {
  return s("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label, class: `board-svg ${cls}` });
}

/** The 64 squares of a FEN's placement field, rank 8 first: [[null | "K" | "p", ...], ...]. */
export function fenRows(fen) {
  const placement = String(fen || "").split(" ")[0];
  const rows = placement.split("/").map((rank) => {
    const row = [];
    for (const ch of rank) {
      if (/[1-8]/.test(ch)) for (let k = 0; k < Number(ch); k++) row.push(null);
      else if (/[kqrbnp]/i.test(ch)) row.push(ch);
    }
    return row;
  });
  if (rows.length !== 8 || rows.some((r) => r.length !== 8)) throw new Error(`not a FEN: ${placement}`);
  return rows;
}

/** "e4" → [row from the top, column]. */
function squareAt(name) {
  if (typeof name !== "string" || name.length < 2) return null;
  const col = FILES.indexOf(name[0]);
  const rank = Number(name[1]);
  return col >= 0 && rank >= 1 && rank <= 8 ? [8 - rank, col] : null;
}

export function chess(view) {
  const rows = fenRows(view.fen);
  const c = 44;
  const m = 20;
  const whiteToMove = String(view.fen).split(" ")[1] !== "b";
  const last = typeof view.last === "string" ? [squareAt(view.last.slice(0, 2)), squareAt(view.last.slice(2, 4))] : [];
  const label = `Chess board, ${view.to_move === null || view.to_move === undefined ? "game over" : whiteToMove ? "white to move" : "black to move"}${view.san ? `, last move ${view.san}` : ""}${view.check ? ", check" : ""}`;
  const svg = frame(m + 8 * c + 4, 8 * c + m + 4, label, "chess");
  for (let r = 0; r < 8; r++) {
    for (let col = 0; col < 8; col++) {
      const dark = (r + col) % 2 === 1;
      svg.append(s("rect", { x: m + col * c, y: r * c, width: c, height: c, fill: dark ? "#b58863" : "#f0d9b5", class: dark ? "sq dark" : "sq light" }));
    }
  }
  last.forEach((sq, i) => {
    if (!sq) return;
    const name = view.last.slice(2 * i, 2 * i + 2);
    svg.append(s("rect", { x: m + sq[1] * c, y: sq[0] * c, width: c, height: c, fill: "#facc15", opacity: 0.55, class: `last ${i ? "last-to" : "last-from"}`, "data-square": name }));
  });
  rows.forEach((row, r) =>
    row.forEach((piece, col) => {
      if (!piece) return;
      const white = piece === piece.toUpperCase();
      const kind = piece.toLowerCase();
      const cx = m + col * c + c / 2;
      const cy = r * c + c / 2;
      const square = `${FILES[col]}${8 - r}`;
      if (kind === "k" && view.check && white === whiteToMove) {
        svg.append(s("circle", { cx, cy, r: c * 0.46, fill: "#ef4444", opacity: 0.8, class: "check", "data-square": square }));
      }
      svg.append(
        s(
          "text",
          {
            x: cx,
            y: cy + 1,
            "text-anchor": "middle",
            "dominant-baseline": "central",
            class: `piece chess-piece ${white ? "white" : "black"}`,
            "data-square": square,
            "data-piece": piece,
            "aria-label": `${white ? "white" : "black"} ${NAMES[kind]} on ${square}`,
          },
          `${GLYPH[kind]}\uFE0E`,
        ),
      );
    }),
  );
  for (let i = 0; i < 8; i++) {
    svg.append(s("text", { x: m + i * c + c / 2, y: 8 * c + 15, "text-anchor": "middle", class: "coord" }, FILES[i]));
    svg.append(s("text", { x: 9, y: i * c + c / 2 + 4, "text-anchor": "middle", class: "coord" }, String(8 - i)));
  }
  return svg;
}

export function chessCaption(view, who) {
  if (view.result) {
    const why = TERMINATION[view.termination] || (view.termination || "").replaceAll("_", " ");
    if (view.result === "1-0" || view.result === "0-1") {
      return `${who(view.result === "1-0" ? 0 : 1)} wins${why ? ` by ${why}` : ""} (${view.result}).`;
    }
    return `Draw${why ? ` by ${why}` : ""} (½–½).`;
  }
  if (typeof view.to_move !== "number") return "";
  return `${who(view.to_move)} to move${view.check ? ", in check" : ""}.`;
}

/** "D4" → [row from the top, column] on an n×n board. */
function vertexAt(name, n) {
  if (typeof name !== "string") return null;
  const col = GTP.indexOf(name[0]);
  const row = Number(name.slice(1));
  return col >= 0 && col < n && Number.isInteger(row) && row >= 1 && row <= n ? [n - row, col] : null;
}

function starPoints(n) {
  const edge = n >= 13 ? 3 : 2;
  const far = n - 1 - edge;
  const mid = (n - 1) / 2;
  const points = [[edge, edge], [edge, far], [far, edge], [far, far]];
  if (n % 2 === 1) points.push([mid, mid]);
  if (n >= 19) points.push([edge, mid], [mid, edge], [mid, far], [far, mid]);
  return points;
}

export function go(view) {
  const n = view.size || view.board.length;
  const g = Math.round(400 / (n - 1));
  const gutter = 20; // for the coordinates, outside the edge stones
  const m = gutter + g / 2;
  const size = (n - 1) * g + 2 * m;
  const toMove = view.to_move === 0 ? "black to move" : view.to_move === 1 ? "white to move" : "game over";
  const svg = frame(size, size, `Go board ${n}×${n}, ${toMove}${view.last ? `, last move ${view.last}` : ""}`, "go");
  svg.append(s("rect", { x: 0, y: 0, width: size, height: size, fill: "#dcb35c", rx: 6 }));
  const end = m + (n - 1) * g;
  for (let i = 0; i < n; i++) {
    const at = m + i * g;
    svg.append(s("line", { x1: m, y1: at, x2: end, y2: at, stroke: "#3f2a12", "stroke-width": 1 }));
    svg.append(s("line", { x1: at, y1: m, x2: at, y2: end, stroke: "#3f2a12", "stroke-width": 1 }));
    svg.append(s("text", { x: at, y: 15, "text-anchor": "middle", class: "coord small" }, GTP[i]));
    svg.append(s("text", { x: at, y: size - 6, "text-anchor": "middle", class: "coord small" }, GTP[i]));
    svg.append(s("text", { x: gutter / 2, y: at + 4, "text-anchor": "middle", class: "coord small" }, String(n - i)));
    svg.append(s("text", { x: size - gutter / 2, y: at + 4, "text-anchor": "middle", class: "coord small" }, String(n - i)));
  }
  for (const [r, c] of starPoints(n)) svg.append(s("circle", { cx: m + c * g, cy: m + r * g, r: 3.5, fill: "#3f2a12", class: "star" }));
  const last = vertexAt(view.last, n);
  const radius = g * 0.47;
  view.board.forEach((row, r) =>
    row.forEach((cell, col) => {
      if (cell === null) return;
      const cx = m + col * g;
      const cy = m + r * g;
      const isLast = last && last[0] === r && last[1] === col;
      const black = cell === 0;
      svg.append(s("circle", { cx, cy, r: radius, class: `piece stone seat${cell}${isLast ? " last" : ""}`, fill: black ? "#111827" : "#f9fafb", stroke: "#111827", "stroke-width": 1 }));
      if (isLast) svg.append(s("circle", { cx, cy, r: radius * 0.45, fill: "none", stroke: black ? "#f9fafb" : "#111827", "stroke-width": 2.5, class: "last-mark" }));
    }),
  );
  for (const name of view.captured || []) {
    const at = vertexAt(name, n);
    if (!at) continue;
    const cx = m + at[1] * g;
    const cy = m + at[0] * g;
    const d = g * 0.18;
    svg.append(s("path", { d: `M${cx - d},${cy - d}L${cx + d},${cy + d}M${cx + d},${cy - d}L${cx - d},${cy + d}`, stroke: "#b91c1c", "stroke-width": 2.5, class: "captured" }));
  }
  return svg;
}

function points(x) {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}

export function goCaption(view, who) {
  const [byBlack, byWhite] = view.captures || [0, 0];
  if (view.result) {
    const score = Array.isArray(view.score) ? `Black ${points(view.score[0])} – White ${points(view.score[1])} (komi ${points(view.komi)}). ` : "";
    if (typeof view.winner !== "number") return `${score}Draw (${view.result}).`;
    const how = /\+R$/.test(view.result) ? " by resignation" : "";
    return `${score}${who(view.winner)} wins${how} (${view.result}).`;
  }
  const passed = view.last === "pass" ? " The other side passed." : "";
  const next = typeof view.to_move === "number" ? ` ${who(view.to_move)} to move.` : "";
  return `Captures: Black ${byBlack}, White ${byWhite}.${next}${passed}`;
}

/** Made-up positions for the catalogue: a scholar's mate and a 9×9 opening. */
export function chessSample() {
  return {
    fen: "r1bqkb1r/pppp1Qpp/2n2n2/4p3/2B1P3/8/PPPP1PPP/RNB1K1NR b KQkq - 0 4",
    last: "h5f7",
    san: "Qxf7#",
    check: true,
    to_move: null,
    result: "1-0",
    termination: "checkmate",
  };
}

export function goSample() {
  const board = Array.from({ length: 9 }, () => Array(9).fill(null));
  [["C3", 0], ["G7", 1], ["G3", 0], ["C7", 1], ["E5", 0], ["D6", 1], ["E6", 0], ["D5", 1], ["D4", 0]].forEach(([v, seat]) => {
    const [r, c] = vertexAt(v, 9);
    board[r][c] = seat;
  });
  return { board, size: 9, komi: 7.5, to_move: 1, last: "D4", captured: [], captures: [0, 0], score: null, winner: null, result: null };
}
