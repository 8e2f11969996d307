// Nim's board for the Ringside page: each heap a row of sticks; the sticks the
// last move took are drawn faded. Ringside loads this module with import() and
// calls draw (and caption, moveText); the helpers come from the page's boards.js.

import { s } from "/static/dom.js";
import { INK, LAST, PALETTE, frame } from "/static/boards.js";

export const colors = [PALETTE[0], PALETTE[1]];

export function draw(view) {
  const heaps = view.heaps;
  const taken = view.last ? { heap: view.last[1], count: view.last[2] } : null;
  const width = 60 + 24 * Math.max(...heaps.map((n, h) => n + (taken && taken.heap === h ? taken.count : 0)), 8); // room for 8 sticks at least, so small heaps stay small
  const svg = frame(width, 40 * heaps.length + 10, `Nim heaps: ${heaps.join(", ")}`, "nim");
  heaps.forEach((size, h) => {
    const y = 10 + 40 * h;
    svg.append(s("text", { x: 8, y: y + 22, class: "coord" }, String(h)));
    const gone = taken && taken.heap === h ? taken.count : 0;
    for (let k = 0; k < size + gone; k++) {
      const left = k < size;
      svg.append(s("rect", {
        x: 40 + 24 * k, y, width: 12, height: 30, rx: 3,
        fill: left ? INK : LAST, opacity: left ? 1 : 0.3,
        class: left ? "piece stick" : "stick taken last",
      }));
    }
  });
  return svg;
}

export function caption(view, { who }) {
  const left = view.heaps.reduce((a, b) => a + b, 0);
  if (typeof view.winner === "number") return `${who(view.winner)} took the last one and wins.`;
  return `${left} left; ${who(view.to_act[0])} to take.`;
}

export function moveText(move) {
  const [heap, count] = move.action;
  return `takes ${count} from heap ${heap}`;
}

export const sample = { view: { heaps: [1, 4, 3], last: [0, 2, 2], winner: null, to_act: [1] } };
