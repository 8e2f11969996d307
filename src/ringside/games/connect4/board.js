// Connect Four: the frame, the discs, the last disc and the winning line.

import { s } from "/static/dom.js";
import { INK, frame } from "/static/boards.js";

export const colors = ["#dc2626", "#facc15"];

export function draw(view) {
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
    const fill = cell === null ? "#f8fafc" : colors[cell];
    const cls = cell === null ? "hole" : `piece seat${cell}${key === last ? " last" : ""}`;
    svg.append(s("circle", { cx, cy, r: 20, fill, class: cls, stroke: key === last ? INK : "none", "stroke-width": 4 }));
    if (wins.has(key)) svg.append(s("circle", { cx, cy, r: 7, fill: "#fff", class: "win", stroke: INK, "stroke-width": 2 }));
  }));
  for (let col = 0; col < cols; col++) {
    svg.append(s("text", { x: 10 + col * c + c / 2, y: rows * c + 36, "text-anchor": "middle", class: "coord" }, String(col)));
  }
  return svg;
}

export function moveText(move) {
  return `column ${move.action}`;
}

function sampleBoard() {
  const b = Array.from({ length: 6 }, () => Array(7).fill(null));
  [[5, 3, 0], [5, 2, 1], [4, 3, 0], [5, 4, 1], [3, 3, 0], [4, 2, 1]].forEach(([r, c, v]) => (b[r][c] = v));
  return b;
}

export const sample = {
  view: { board: sampleBoard(), last: [4, 2], winner: null, to_move: 0, line: null, to_act: [0] },
};
