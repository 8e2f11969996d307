// Counting: the number reached and how far it is to the last one.

import { s } from "/static/dom.js";
import { PALETTE, frame } from "/static/boards.js";

export function draw(view) {
  const svg = frame(300, 140, "Counting", "counting");
  const share = view.plies > 0 ? Math.min(1, view.count / view.plies) : 0;
  svg.append(s("text", { x: 150, y: 72, "text-anchor": "middle", class: "huge piece" }, String(view.count)));
  svg.append(s("rect", { x: 20, y: 100, width: 260, height: 16, rx: 8, fill: "#e5e7eb" }));
  svg.append(s("rect", { x: 20, y: 100, width: 260 * share, height: 16, rx: 8, fill: PALETTE[0] }));
  svg.append(s("text", { x: 150, y: 136, "text-anchor": "middle", class: "coord" }, `of ${view.plies}`));
  return svg;
}

export function caption(view) {
  return `Count ${view.count} of ${view.plies}.`;
}

export function moveText(move) {
  return `says ${move.action}`;
}

export const sample = { view: { count: 7, plies: 20, to_act: [1] } };
