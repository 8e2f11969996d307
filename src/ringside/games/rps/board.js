// Rock-paper-scissors: both hands of the last throw and the tally.

import { s } from "/static/dom.js";
import { INK, frame } from "/static/boards.js";

const BEATS = { rock: "scissors", paper: "rock", scissors: "paper" };

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

export function draw(view, ctx) {
  const svg = frame(360, 200, "Rock-paper-scissors throws", "rps");
  const throwWinner = view.last ? (view.last[0] === view.last[1] ? null : BEATS[view.last[0]] === view.last[1] ? 0 : 1) : null;
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

export function caption(view) {
  return `Throws won ${view.wins[0]} – ${view.wins[1]}; ${view.throws_left} of ${view.throws} left.`;
}

export const sample = {
  view: { last: ["rock", "scissors"], wins: [1, 0], throws: 3, throws_left: 2, winner: null, to_act: [0, 1] },
};
