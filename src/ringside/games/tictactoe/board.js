// Tic-tac-toe: the grid, the marks, the last cell and the winning line.

import { s } from "/static/dom.js";
import { INK, frame } from "/static/boards.js";

const LINES = [[0, 1, 2], [3, 4, 5], [6, 7, 8], [0, 3, 6], [1, 4, 7], [2, 5, 8], [0, 4, 8], [2, 4, 6]];

const X_COLOR = "#1d4ed8";
const O_COLOR = "#b91c1c";

/** Each seat's dot: the colour of its marks (X blue, O red). */
export const colors = [X_COLOR, O_COLOR];

export function draw(view) {
  const svg = frame(300, 300, "Tic-tac-toe board", "ttt");
  const line = LINES.find(([a, b, c]) => view.board[a] && view.board[a] === view.board[b] && view.board[a] === view.board[c]);
  view.board.forEach((mark, i) => {
    const x = (i % 3) * 100;
    const y = Math.floor(i / 3) * 100;
    const cls = i === view.last ? "cell last" : "cell";
    svg.append(s("rect", { x, y, width: 100, height: 100, fill: i === view.last ? "#fef3c7" : "#fff", class: cls }));
    if (mark === "X") {
      svg.append(s("g", { class: "piece", stroke: X_COLOR, "stroke-width": 10, "stroke-linecap": "round" },
        s("line", { x1: x + 25, y1: y + 25, x2: x + 75, y2: y + 75 }),
        s("line", { x1: x + 75, y1: y + 25, x2: x + 25, y2: y + 75 })));
    } else if (mark === "O") {
      svg.append(s("circle", { class: "piece", cx: x + 50, cy: y + 50, r: 27, fill: "none", stroke: O_COLOR, "stroke-width": 10 }));
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

export function moveText(move) {
  return `cell ${move.action}`;
}

export const sample = {
  view: { board: ["X", "O", "", "", "X", "O", "", "", "X"], to_move: null, last: 8, winner: 0, to_act: [] },
};
