// Go: the board with its star points and GTP coordinates, the last stone and
// the stones it captured; the score once the game is over.

import { s } from "/static/dom.js";
import { frame } from "/static/boards.js";

const GTP = "ABCDEFGHJKLMNOPQRST"; // GTP column letters skip I

export const colors = ["#111827", "#f9fafb"];

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

export function draw(view) {
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

export function caption(view, { who }) {
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

function sampleView() {
  const board = Array.from({ length: 9 }, () => Array(9).fill(null));
  [["C3", 0], ["G7", 1], ["G3", 0], ["C7", 1], ["E5", 0], ["D6", 1], ["E6", 0], ["D5", 1], ["D4", 0]].forEach(([v, seat]) => {
    const [r, c] = vertexAt(v, 9);
    board[r][c] = seat;
  });
  return { board, size: 9, komi: 7.5, to_move: 1, last: "D4", captured: [], captures: [0, 0], score: null, winner: null, result: null, to_act: [1] };
}

/** A made-up 9×9 opening for the catalogue. */
export const sample = { view: sampleView() };
