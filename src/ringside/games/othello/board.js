// Othello: the green board, the discs, the last disc and the discs it flipped.

import { s } from "/static/dom.js";
import { LAST, LETTERS, frame, gridSquare } from "/static/boards.js";

export const colors = ["#111827", "#f9fafb"];

export function draw(view) {
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
  const last = gridSquare(view.last, n);
  const flipped = new Set((view.flipped || []).map((f) => String(gridSquare(f, n))));
  view.board.forEach((row, r) => row.forEach((cell, col) => {
    if (cell === null) return;
    const cx = m + col * c + c / 2;
    const cy = m + r * c + c / 2;
    const isLast = last && last[0] === r && last[1] === col;
    svg.append(s("circle", { cx, cy, r: 16, class: `piece seat${cell}${isLast ? " last" : ""}`, fill: colors[cell], stroke: "#111827", "stroke-width": 1.5 }));
    if (isLast) svg.append(s("circle", { cx, cy, r: 5, fill: LAST, class: "last-mark" }));
    else if (flipped.has(String([r, col]))) svg.append(s("circle", { cx, cy, r: 3.5, fill: "#f59e0b", class: "flipped" }));
  }));
  return svg;
}

export function caption(view, { who }) {
  const counts = `Black ${view.counts[0]} – White ${view.counts[1]}.`;
  if (typeof view.winner === "number") return `${counts} ${who(view.winner)} wins.`;
  if (view.to_move === null) return `${counts} Draw.`;
  return `${counts} ${who(view.to_move)} to move${view.passed ? " (the other side passed)" : ""}.`;
}

function sampleBoard() {
  const b = Array.from({ length: 8 }, () => Array(8).fill(null));
  b[2][3] = 0; b[3][3] = 0; b[3][4] = 0; b[4][3] = 0; b[4][4] = 1;
  return b;
}

export const sample = {
  view: { board: sampleBoard(), to_move: 1, last: "d3", flipped: ["d4"], passed: false, counts: [4, 1], winner: null, to_act: [1] },
};
