// OpenSpiel games (spiel.<name>): ONE board module for all of them. It draws
// a real board where the view carries one (view.board.kind: "hex", "grid" for
// breakthrough, "backgammon") and, for every other game, a generic view: the
// state as text in a monospace panel, the round's steps with their names
// (chance steps as chance, hidden steps as hidden) and whose turn it is.
//
// Every spiel game is served from its own URL (/games/spiel.<name>/board.js),
// so each game gets its own instance of this module: the game's name is read
// from import.meta.url, which lets the seat colours and the catalogue picture
// suit the game. Views are those of games/spiel/game.py (view, revealed_view):
// { game, public, text, history: [{seat, action, name, chance}], to_act,
//   returns?, board? }.

import { h, s } from "/static/dom.js";
import { INK, LETTERS, PALETTE, frame } from "/static/boards.js";

/** "hex" from ".../games/spiel.hex/board.js"; "" when served some other way. */
function servedGame() {
  try {
    const parts = new URL(import.meta.url).pathname.split("/");
    const name = decodeURIComponent(parts[parts.length - 2] || "");
    return name.startsWith("spiel.") ? name.slice(6) : "";
  } catch {
    return "";
  }
}

const GAME = servedGame();

const RED = "#b91c1c";
const BLUE = "#1d4ed8";
const DARK = "#111827";
const LIGHT = "#f9fafb";

// Games whose seats are black and white (OpenSpiel numbers Black 0), and hex's red and blue.
const BLACK_WHITE = ["breakthrough", "backgammon", "go", "phantom_go", "othello", "chess", "dark_chess", "kriegspiel", "antichess", "crazyhouse", "rbc"];
const RED_BLUE = ["hex", "dark_hex", "dark_hex_ir"];

function seatColors(game) {
  if (RED_BLUE.includes(game)) return [RED, BLUE];
  if (BLACK_WHITE.includes(game)) return [DARK, LIGHT];
  return PALETTE;
}

export const colors = seatColors(GAME);

// ---- shared helpers ---------------------------------------------------------

function seatLabel(ctx, seat) {
  return ctx && ctx.seat ? ctx.seat(seat).label : `Player ${seat + 1}`;
}

function who(ctx, seat) {
  return ctx && ctx.who ? ctx.who(seat) : seatLabel(ctx, seat);
}

function isChance(step) {
  return step.chance === true || step.seat < 0;
}

function isHidden(step) {
  return step.name === null || step.name === undefined;
}

/** The last step a player (not chance) took, or null. */
function lastPlayerStep(view) {
  const steps = Array.isArray(view.history) ? view.history : [];
  for (let i = steps.length - 1; i >= 0; i--) if (!isChance(steps[i])) return steps[i];
  return null;
}

/** A step in words: "Chance: Deal: Jack", "Player 2 acted (hidden)", "Player 1: Bet". */
export function stepText(step, ctx) {
  if (isChance(step)) return isHidden(step) ? "Chance (hidden)" : `Chance: ${step.name}`;
  const label = seatLabel(ctx, step.seat);
  return isHidden(step) ? `${label} acted (hidden)` : `${label}: ${step.name}`;
}

function signed(x) {
  const n = Number(x);
  const text = String(Number(Math.abs(n).toFixed(2))); // 1, 0.5, 0.33
  return n > 0 ? `+${text}` : n < 0 ? `\u2212${text}` : "0";
}

function botName(ctx, seat) {
  return ctx && ctx.name ? ctx.name(seat) : seatLabel(ctx, seat);
}

/** The caption's line: "bob (Player 2) to move." or the returns once the round is over. */
function turnText(view, ctx) {
  if (Array.isArray(view.returns)) {
    return `Round over. Returns: ${view.returns.map((r, seat) => `${botName(ctx, seat)} ${signed(r)}`).join(", ")}.`;
  }
  const seats = Array.isArray(view.to_act) ? view.to_act : [];
  if (!seats.length) return "";
  const names = seats.map((seat) => who(ctx, seat)).join(" and ");
  return seats.length > 1 ? `${names} to move (together).` : `${names} to move.`;
}

/** The generic panel's status line, by seat: "To move: Player 2", "Round over: Player 1 +1, ...". */
function statusText(view, ctx) {
  if (Array.isArray(view.returns)) return `Round over: ${view.returns.map((r, seat) => `${seatLabel(ctx, seat)} ${signed(r)}`).join(", ")}`;
  const seats = Array.isArray(view.to_act) ? view.to_act : [];
  if (!seats.length) return "";
  return `${seats.length > 1 ? "To move together" : "To move"}: ${seats.map((seat) => seatLabel(ctx, seat)).join(", ")}`;
}

// ---- the module's interface ---------------------------------------------------

export function draw(view, ctx) {
  const kind = view.board && view.board.kind;
  if (kind === "hex") return drawHex(view, ctx);
  if (kind === "grid") return drawGrid(view, ctx);
  if (kind === "backgammon") return drawBackgammon(view, ctx);
  return drawGeneric(view, ctx);
}

export function caption(view, ctx) {
  return turnText(view, ctx);
}

/** A move of the move list: its name in the view, "acted (hidden)" while a round hides it. */
export function moveText(move) {
  if (move.action === null || move.action === undefined) return "acted (hidden)";
  const steps = move.view && Array.isArray(move.view.history) ? move.view.history : [];
  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i];
    if (!isChance(step) && step.seat === move.seat && step.action === move.action && !isHidden(step)) return step.name;
  }
  return typeof move.action === "string" ? move.action : JSON.stringify(move.action);
}

// ---- the generic view: text, steps, turn ----------------------------------------

const PANEL = "width:100%;max-width:40rem;display:flex;flex-direction:column;gap:.6rem";
const MONO = "margin:0;padding:.7rem .8rem;background:var(--bg);border:1px solid var(--line);border-radius:6px;font-family:ui-monospace,monospace;font-size:.9rem;white-space:pre;overflow:auto;max-height:22rem";
const STEPS = "margin:0;padding:.3rem .3rem .3rem 2.4rem;border:1px solid var(--line);border-radius:6px;max-height:16rem;overflow-y:auto;font-variant-numeric:tabular-nums";
const STEP_LAST = "background:#fef3c7;outline:1px solid #f59e0b;border-radius:4px";

function drawGeneric(view, ctx) {
  const steps = Array.isArray(view.history) ? view.history : [];
  const hasText = typeof view.text === "string";
  const hiddenNote = view.public && !Array.isArray(view.returns);
  const text = hasText
    ? h("pre", { class: "spiel-text", style: MONO, tabindex: "0", "aria-label": "The state as text" }, view.text)
    : h("p", { class: "spiel-text spiel-hidden muted", style: "margin:0" }, "Private information is hidden until the round ends.");
  const items = steps.map((step, i) => {
    const last = i === steps.length - 1;
    const cls = ["spiel-step", isChance(step) ? "chance" : "by-seat", isHidden(step) ? "hidden" : "", last ? "last" : ""].filter(Boolean).join(" ");
    return h("li", { class: cls, style: `padding:.05rem .3rem;${isChance(step) ? "color:var(--muted);font-style:italic;" : ""}${last ? STEP_LAST : ""}`, "aria-current": last ? "step" : null }, stepText(step, ctx));
  });
  const list = steps.length
    ? h("ol", { class: "spiel-steps", style: STEPS, tabindex: "0", "aria-label": "Steps of the round" }, items)
    : h("p", { class: "spiel-steps muted", style: "margin:0" }, "No step yet.");
  const turn = statusText(view, ctx);
  const panel = h(
    "div",
    { class: `spiel-view spiel-${view.game || "game"}`, style: PANEL, role: "group", "aria-label": `${view.game || "Game"}: the position as text` },
    hiddenNote && hasText ? h("p", { class: "spiel-public muted", style: "margin:0" }, "Public view: private information is hidden until the round ends.") : null,
    text,
    h("h3", { style: "margin:0;font-size:1rem" }, "Steps"),
    list,
    turn ? h("p", { class: "spiel-turn", style: "margin:0;font-weight:600" }, turn) : null,
  );
  // Keep the newest step in sight (once the panel is in the page).
  requestAnimationFrame(() => {
    if (list.tagName === "OL") list.scrollTop = list.scrollHeight;
  });
  return panel;
}

// ---- hex: a rhombus of hexagons ---------------------------------------------

const SQRT3 = Math.sqrt(3);
const HEX_SEAT = { x: 0, o: 1 }; // the first seat's stones are x, the second's o

function hexSeat(cell) {
  return cell in HEX_SEAT ? HEX_SEAT[cell] : null;
}

function drawHex(view, ctx) {
  const { rows, cols, cells } = view.board;
  const goals = view.board.goals || ["top-bottom", "left-right"];
  // Pointy-top hexagons of circumradius r: width w = √3·r, rows 1.5·r apart, and
  // each row shifted half a hexagon right of the one above: a rhombus.
  const r = Math.min(28, 470 / ((cols + (rows - 1) / 2) * SQRT3));
  const w = SQRT3 * r;
  const mx = 28;
  const my = 26;
  const width = 2 * mx + (cols - 1) * w + ((rows - 1) * w) / 2 + w;
  const height = 2 * my + (rows - 1) * 1.5 * r + 2 * r;
  const center = (row, col) => [mx + w / 2 + col * w + (row * w) / 2, my + r + row * 1.5 * r];
  // The corner at `deg` degrees (0 = right, clockwise as y grows downwards).
  const corner = (row, col, deg) => {
    const [cx, cy] = center(row, col);
    const a = (deg * Math.PI) / 180;
    return [cx + r * Math.cos(a), cy + r * Math.sin(a)];
  };
  const path = (points) => points.map(([x, y], i) => `${i ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`).join("");
  const step = lastPlayerStep(view);
  const last = step && Number.isInteger(step.action) && step.action < rows * cols ? step.action : -1;
  const stones = cells.filter((c) => hexSeat(c) !== null).length;
  const label = `Hex board ${rows}×${cols}, ${stones} stone${stones === 1 ? "" : "s"}${step && step.name ? `, last move ${step.name}` : ""}`;
  const svg = frame(width, height, label, "spiel hex");
  // The goal edges first, thick, in the colour of the seat that joins them.
  goals.forEach((goal, seat) => {
    const color = (ctx && ctx.seat ? ctx.seat(seat).color : colors[seat]) || INK;
    const lines = [];
    if (goal === "top-bottom") {
      for (let c = 0; c < cols; c++) {
        lines.push([corner(0, c, 210), corner(0, c, 270), corner(0, c, 330)]);
        lines.push([corner(rows - 1, c, 150), corner(rows - 1, c, 90), corner(rows - 1, c, 30)]);
      }
    } else {
      for (let row = 0; row < rows; row++) {
        // Left: the first cell's left side and lower-left side (the next row's upper-left).
        lines.push([corner(row, 0, 210), corner(row, 0, 150), ...(row < rows - 1 ? [corner(row, 0, 90)] : [])]);
        lines.push([...(row > 0 ? [corner(row, cols - 1, 270)] : []), corner(row, cols - 1, 330), corner(row, cols - 1, 30)]);
      }
    }
    svg.append(s("path", { d: lines.map(path).join(""), fill: "none", stroke: color, "stroke-width": 7, "stroke-linecap": "round", "stroke-linejoin": "round", class: `goal seat${seat}`, "data-goal": goal }));
  });
  cells.forEach((cell, i) => {
    const row = Math.floor(i / cols);
    const col = i % cols;
    const name = `${LETTERS[col] || col + 1}${row + 1}`;
    const hexagon = [30, 90, 150, 210, 270, 330].map((deg) => corner(row, col, deg));
    svg.append(s("path", { d: `${path(hexagon)}Z`, fill: i === last ? "#fef3c7" : "#fff", stroke: "#9ca3af", "stroke-width": 1, class: i === last ? "cell last" : "cell", "data-cell": name }));
    const seat = hexSeat(cell);
    if (seat === null) return;
    const [cx, cy] = center(row, col);
    const color = (ctx && ctx.seat ? ctx.seat(seat).color : colors[seat]) || INK;
    svg.append(s("circle", { cx, cy, r: r * 0.66, fill: color, stroke: INK, "stroke-width": 1, class: `piece stone seat${seat}${i === last ? " last" : ""}`, "data-cell": name }));
    if (i === last) svg.append(s("circle", { cx, cy, r: r * 0.28, fill: "none", stroke: "#fff", "stroke-width": 2.5, class: "last-mark" }));
  });
  // Coordinates as OpenSpiel names cells: a column letter and a row number ("e1").
  const small = r < 18 ? "coord small" : "coord";
  for (let c = 0; c < cols; c++) {
    const [x] = center(0, c);
    svg.append(s("text", { x, y: my - 10, "text-anchor": "middle", class: small }, LETTERS[c] || String(c + 1)));
  }
  for (let row = 0; row < rows; row++) {
    const [x, y] = center(row, 0);
    svg.append(s("text", { x: x - w / 2 - 12, y: y + 4, "text-anchor": "middle", class: small }, String(row + 1)));
  }
  return svg;
}

// ---- breakthrough (and any "grid" board): squares and pieces -------------------

/** "b7c6" or "b7c6*" → [[row, col] from, [row, col] to] on a board of `rows` rows; null otherwise. */
function gridMove(name, rows, cols) {
  const m = /^([a-z])(\d+)([a-z])(\d+)/.exec(String(name || ""));
  if (!m) return null;
  const at = (file, rank) => {
    const col = LETTERS.indexOf(file);
    const row = rows - Number(rank);
    return col >= 0 && col < cols && row >= 0 && row < rows ? [row, col] : null;
  };
  const from = at(m[1], m[2]);
  const to = at(m[3], m[4]);
  return from && to ? [from, to] : null;
}

const PIECE = { b: DARK, w: LIGHT }; // breakthrough's black and white

function drawGrid(view) {
  const { rows, cols, cells } = view.board;
  const labels = view.board.labels || {};
  // The labels' order is the seats' (breakthrough: b is the first player, Black).
  const seatOf = new Map(Object.keys(labels).map((k, i) => [k, i]));
  const c = Math.min(52, 420 / Math.max(rows, cols));
  const m = 22;
  const step = lastPlayerStep(view);
  const move = step ? gridMove(step.name, rows, cols) : null;
  const title = view.game === "breakthrough" ? "Breakthrough" : String(view.game || "Grid");
  const pieces = cells.filter((x) => x && x !== ".").length;
  const svg = frame(m + cols * c + 4, rows * c + m + 4, `${title} board ${rows}×${cols}, ${pieces} pieces${step && step.name ? `, last move ${step.name}` : ""}`, "spiel grid");
  for (let r = 0; r < rows; r++) {
    for (let col = 0; col < cols; col++) {
      const dark = (r + col) % 2 === 1;
      svg.append(s("rect", { x: m + col * c, y: r * c, width: c, height: c, fill: dark ? "#b58863" : "#f0d9b5", class: dark ? "sq dark" : "sq light" }));
    }
  }
  (move || []).forEach(([r, col], i) => {
    svg.append(s("rect", { x: m + col * c, y: r * c, width: c, height: c, fill: "#facc15", opacity: 0.55, class: `last ${i ? "last-to" : "last-from"}`, "data-square": `${LETTERS[col]}${rows - r}` }));
  });
  cells.forEach((cell, i) => {
    if (!cell || cell === ".") return;
    const r = Math.floor(i / cols);
    const col = i % cols;
    const seat = seatOf.has(cell) ? seatOf.get(cell) : cell.toLowerCase() === "w" ? 1 : 0;
    const color = PIECE[cell.toLowerCase()] || PALETTE[seat % PALETTE.length];
    const square = `${LETTERS[col]}${rows - r}`;
    svg.append(s("circle", { cx: m + col * c + c / 2, cy: r * c + c / 2, r: c * 0.36, fill: color, stroke: color === DARK ? "#f9fafb" : INK, "stroke-width": 1.5, class: `piece seat${seat}`, "data-square": square, "data-piece": cell, role: "img", "aria-label": `${labels[cell] || cell} on ${square}` }));
  });
  for (let i = 0; i < cols; i++) svg.append(s("text", { x: m + i * c + c / 2, y: rows * c + 15, "text-anchor": "middle", class: "coord" }, LETTERS[i]));
  for (let i = 0; i < rows; i++) svg.append(s("text", { x: 9, y: i * c + c / 2 + 4, "text-anchor": "middle", class: "coord" }, String(rows - i)));
  return svg;
}

// ---- backgammon: 24 points, the bar, the checkers borne off, the dice -----------

// The board from the first seat's side: its home (points 1-6) bottom right, then
// 7-12 bottom left, 13-18 top left, 19-24 top right; the bar between the halves
// and the borne-off checkers in a tray on the right.
const PW = 34; // a point's width
const CHECKER = [DARK, LIGHT];
const BG = { m: 14, bar: 34, tray: 46, top: 30, h: 380, point: 150 };

function pointX(index) {
  // index 0..23 = point 1..24. Returns the left edge of the point's column.
  const half = (q) => BG.m + (q ? 6 * PW + BG.bar : 0); // q 0: left half, 1: right half
  if (index < 6) return half(1) + (5 - index) * PW;
  if (index < 12) return half(0) + (11 - index) * PW;
  if (index < 18) return half(0) + (index - 12) * PW;
  return half(1) + (index - 18) * PW;
}

function checker(svg, cx, cy, seat, count, cls) {
  svg.append(s("circle", { cx, cy, r: PW / 2 - 2, fill: CHECKER[seat], stroke: seat === 0 ? LIGHT : INK, "stroke-width": 1.5, class: `piece checker seat${seat}${cls ? ` ${cls}` : ""}` }));
  if (count > 1) svg.append(s("text", { x: cx, y: cy + 4, "text-anchor": "middle", class: "num-text", fill: seat === 0 ? LIGHT : INK, style: `fill:${seat === 0 ? LIGHT : INK}` }, String(count)));
}

/** Up to five checkers from a point's base; a taller stack shows its count on the fifth. */
function stack(svg, x, base, dir, seat, n, cls) {
  const shown = Math.min(n, 5);
  for (let k = 0; k < shown; k++) {
    const cy = base + dir * (PW / 2 + k * (PW - 4));
    checker(svg, x, cy, seat, k === shown - 1 && n > 5 ? n : 0, cls);
  }
}

const PIPS = { 1: [[0, 0]], 2: [[-1, -1], [1, 1]], 3: [[-1, -1], [0, 0], [1, 1]], 4: [[-1, -1], [1, -1], [-1, 1], [1, 1]], 5: [[-1, -1], [1, -1], [0, 0], [-1, 1], [1, 1]], 6: [[-1, -1], [1, -1], [-1, 0], [1, 0], [-1, 1], [1, 1]] };

function die(x, y, value) {
  const g = s("g", { class: "die", "data-value": String(value), role: "img", "aria-label": `die ${value}` }, s("rect", { x, y, width: 30, height: 30, rx: 5, fill: "#fff", stroke: INK, "stroke-width": 1.5 }));
  for (const [dx, dy] of PIPS[value] || []) g.append(s("circle", { cx: x + 15 + dx * 8, cy: y + 15 + dy * 8, r: 3, fill: INK }));
  if (!PIPS[value]) g.append(s("text", { x: x + 15, y: y + 20, "text-anchor": "middle", class: "legend" }, String(value)));
  return g;
}

function drawBackgammon(view, ctx) {
  const { points, bar = [0, 0], off = [0, 0], dice = [] } = view.board;
  const inner = 12 * PW + BG.bar;
  const width = BG.m + inner + BG.m + BG.tray + BG.m;
  const bottom = BG.top + BG.h;
  const height = bottom + 44;
  const step = lastPlayerStep(view);
  const label = `Backgammon board: ${seatLabel(ctx, 0)} has ${bar[0]} on the bar and ${off[0]} borne off, ${seatLabel(ctx, 1)} ${bar[1]} and ${off[1]}${dice.length ? `; dice ${dice.join(" and ")}` : ""}${step && step.name ? `; last move ${step.name}` : ""}`;
  const svg = frame(width, height, label, "spiel backgammon");
  svg.append(s("rect", { x: 0, y: 0, width, height, rx: 8, fill: "#7c4a21" }));
  svg.append(s("rect", { x: BG.m, y: BG.top, width: inner, height: BG.h, fill: "#f5e6c8" }));
  const barX = BG.m + 6 * PW;
  svg.append(s("rect", { x: barX, y: BG.top, width: BG.bar, height: BG.h, fill: "#6b3f1c", class: "bar" }));
  const trayX = BG.m + inner + BG.m;
  svg.append(s("rect", { x: trayX, y: BG.top, width: BG.tray, height: BG.h, fill: "#6b3f1c", class: "tray" }));
  points.forEach((n, i) => {
    const x = pointX(i);
    const top = i >= 12;
    const tip = top ? BG.top + BG.point : bottom - BG.point;
    const base = top ? BG.top : bottom;
    const fill = i % 2 === 0 ? "#b45309" : "#a8a29e";
    svg.append(s("path", { d: `M${x},${base}L${x + PW / 2},${tip}L${x + PW},${base}Z`, fill, opacity: 0.85, class: "point", "data-point": String(i + 1), "data-count": String(n) }));
    // Point numbers from the first seat's side, outside the board's edge.
    svg.append(s("text", { x: x + PW / 2, y: top ? BG.top - 10 : bottom + 18, "text-anchor": "middle", class: "coord small", style: "fill:#fde68a" }, String(i + 1)));
    if (n) stack(svg, x + PW / 2, base, top ? 1 : -1, n > 0 ? 0 : 1, Math.abs(n));
  });
  // The bar: the first seat's hit checkers wait in the upper half (they re-enter
  // at points 19-24, top right), the second seat's in the lower half.
  const mid = BG.top + BG.h / 2;
  if (bar[0]) stack(svg, barX + BG.bar / 2, mid - 22, -1, 0, bar[0], "on-bar");
  if (bar[1]) stack(svg, barX + BG.bar / 2, mid + 22, 1, 1, bar[1], "on-bar");
  // Borne off: a thin slab a checker, with the count; the first seat's at the bottom (its home side).
  [1, 0].forEach((seat) => {
    const n = off[seat] || 0;
    const y0 = seat === 0 ? bottom - 8 : BG.top + 8;
    for (let k = 0; k < n; k++) {
      const y = seat === 0 ? y0 - (k + 1) * 9 : y0 + k * 9;
      svg.append(s("rect", { x: trayX + 6, y, width: BG.tray - 12, height: 7, rx: 2, fill: CHECKER[seat], stroke: seat === 0 ? LIGHT : INK, "stroke-width": 1, class: `off seat${seat}` }));
    }
    svg.append(s("text", { x: trayX + BG.tray / 2, y: seat === 0 ? mid + 24 : mid - 14, "text-anchor": "middle", class: "coord small", style: "fill:#fde68a" }, `off ${n}`));
  });
  // The dice in the middle of the right half, where the first seat rolls.
  dice.forEach((d, k) => svg.append(die(barX + BG.bar + 3 * PW - 34 + k * 38, mid - 15, d)));
  if (step && step.name) {
    svg.append(s("text", { x: BG.m, y: height - 7, class: "coord small last-move", style: "fill:#fde68a" }, `Last: ${seatLabel(ctx, step.seat)} ${step.name}`));
  }
  return svg;
}

// ---- the catalogue's picture --------------------------------------------------

function sampleView(game) {
  if (game === "hex") {
    const cells = Array(25).fill("");
    [[12, "x"], [7, "o"], [17, "x"], [13, "o"], [2, "x"]].forEach(([i, c]) => (cells[i] = c));
    const history = [12, 7, 17, 13, 2].map((a, k) => ({ seat: k % 2, action: a, name: `${LETTERS[a % 5]}${Math.floor(a / 5) + 1}` }));
    return { game, public: false, text: null, history, to_act: [1], board: { kind: "hex", rows: 5, cols: 5, cells, goals: ["top-bottom", "left-right"] } };
  }
  if (game === "breakthrough") {
    const cells = [..."bbbbbbbb" + "bb.bbbbb" + "..b....." + "........" + "........" + ".....w.." + "wwwww.ww" + "wwwwwwww"].map((c) => (c === "." ? "" : c));
    const history = [{ seat: 0, action: 0, name: "b7c6" }, { seat: 1, action: 1, name: "f2f3" }];
    return { game, public: false, text: null, history, to_act: [0], board: { kind: "grid", rows: 8, cols: 8, cells, labels: { b: "Black", w: "White" } } };
  }
  if (game === "backgammon") {
    const points = Array(24).fill(0);
    Object.assign(points, { 5: 5, 7: 3, 12: 5, 23: 2, 0: -2, 11: -5, 16: -3, 18: -5 });
    return { game, public: false, text: null, history: [{ seat: -1, action: 0, name: "roll 3-1", chance: true }], to_act: [0], board: { kind: "backgammon", points, bar: [0, 0], off: [0, 0], dice: [3, 1] } };
  }
  return null;
}

/** A made-up position for the catalogue, for the games with a real board (none for the others). */
const SAMPLE = sampleView(GAME);
export const sample = SAMPLE ? { view: SAMPLE } : undefined;
