// Baskin-Robbins 31: the numbers to the target, coloured by who called them.

import { s } from "/static/dom.js";
import { INK, PALETTE, frame } from "/static/boards.js";

export function draw(view, ctx) {
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

export function caption(view, { name }) {
  if (typeof view.loser === "number") return `${name(view.loser)} said ${view.target} and loses.`;
  return `Count ${view.count} of ${view.target}; ${name(view.to_move)} to call.`;
}

export function moveText(move) {
  return move.view && Array.isArray(move.view.last) ? `calls ${move.view.last[1].join(", ")}` : String(move.action);
}

export const sample = {
  view: { count: 7, target: 31, players: 2, to_move: 1, last: [0, [6, 7]], loser: null, to_act: [1] },
  // The moves so far, so the picture shows who called what.
  moves: [[0, [1, 2]], [1, [3, 4, 5]], [0, [6, 7]]].map((last) => ({ view: { last } })),
};
