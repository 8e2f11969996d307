// Gomoku: the wooden board, the stones, the last stone and the winning five.

import { s } from "/static/dom.js";
import { LAST, LETTERS, frame, gridSquare } from "/static/boards.js";

export const colors = ["#111827", "#f9fafb"];

export function draw(view) {
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
  const last = gridSquare(view.last, n);
  const line = new Set((view.line || []).map((q) => String(gridSquare(q, n))));
  view.board.forEach((row, r) => row.forEach((cell, col) => {
    if (cell === null) return;
    const cx = m + col * g;
    const cy = m + r * g;
    const isLast = last && last[0] === r && last[1] === col;
    svg.append(s("circle", { cx, cy, r: 10.5, class: `piece seat${cell}${isLast ? " last" : ""}`, fill: colors[cell], stroke: "#111827", "stroke-width": 1 }));
    if (line.has(String([r, col]))) svg.append(s("circle", { cx, cy, r: 13, fill: "none", stroke: LAST, "stroke-width": 2.5, class: "win" }));
    if (isLast) svg.append(s("circle", { cx, cy, r: 4, fill: LAST, class: "last-mark" }));
  }));
  return svg;
}

function sampleBoard() {
  const b = Array.from({ length: 9 }, () => Array(9).fill(null));
  [[4, 4, 0], [4, 5, 1], [3, 3, 0], [5, 5, 1], [2, 2, 0]].forEach(([r, c, v]) => (b[r][c] = v));
  return b;
}

export const sample = {
  view: { board: sampleBoard(), size: 9, last: "c3", winner: null, to_move: 1, line: null, to_act: [1] },
};
