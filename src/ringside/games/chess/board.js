// Chess: the board from the view's FEN, the last move and a king in check.
// Pieces are Unicode glyphs in <text> elements, so the page needs no images.

import { s } from "/static/dom.js";
import { frame } from "/static/boards.js";

export const colors = ["#f9fafb", "#111827"];

const FILES = "abcdefgh";
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

/** The 64 squares of a FEN's placement field, rank 8 first: [[null | "K" | "p", ...], ...]. */
function fenRows(fen) {
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

export function draw(view) {
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

export function caption(view, { who }) {
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

export function moveText(move) {
  return move.view && move.view.san ? move.view.san : String(move.action);
}

/** A made-up position for the catalogue: a scholar's mate. */
export const sample = {
  view: {
    fen: "r1bqkb1r/pppp1Qpp/2n2n2/4p3/2B1P3/8/PPPP1PPP/RNB1K1NR b KQkq - 0 4",
    last: "h5f7",
    san: "Qxf7#",
    check: true,
    to_move: null,
    result: "1-0",
    termination: "checkmate",
    to_act: [],
  },
};
