// A match's event log folded into what the page shows at one point of it:
// the same fold serves the live view (event by event) and the replay (any index).

import { toMove } from "./boards.js";

export function newState() {
  return {
    index: -1,
    game: null,
    bots: [],
    rounds: 0,
    timeControl: null,
    options: {},
    round: 0,
    seats: [], // bot name at each seat this round
    players: [], // player index at each seat this round
    view: null,
    lastMove: null,
    roundMoves: [],
    moves: [],
    clocks: [],
    periods: [],
    running: [],
    roundResults: [],
    forfeits: [],
    dropped: {}, // seat -> { grace, clocks, running, index, bot }: a bot within its reconnect grace
    result: null,
    status: "pending",
  };
}

function byoyomiPeriodsLost(tc, mainBefore, elapsed) {
  // Mirrors referee/clock.py: a move inside a period keeps it; each full period overrun is lost.
  if (!tc || tc.type !== "byoyomi" || !(tc.period > 0)) return 0;
  const over = elapsed - mainBefore;
  return over > 0 ? Math.max(0, Math.ceil(over / tc.period) - 1) : 0;
}

export function applyEvent(state, event, index) {
  state.index = index;
  switch (event.type) {
    case "match_started":
      state.game = event.game;
      state.bots = event.bots || [];
      state.rounds = event.rounds || 1;
      state.timeControl = event.time_control || null;
      state.options = event.options || {};
      state.status = "running";
      break;
    case "round_started": {
      state.round = event.round;
      state.seats = event.bots || [];
      state.players = event.players || [];
      state.view = event.view ?? null;
      state.lastMove = null;
      state.roundMoves = [];
      state.clocks = event.clocks && event.clocks.length ? [...event.clocks] : state.seats.map(() => null);
      const periods = state.timeControl && state.timeControl.type === "byoyomi" ? state.timeControl.periods : 0;
      state.periods = state.seats.map(() => periods);
      state.running = toMove(state.view);
      state.dropped = {};
      break;
    }
    case "move": {
      const move = { ...event, index };
      const before = state.clocks[event.seat];
      if (typeof before === "number") {
        const lost = byoyomiPeriodsLost(state.timeControl, before, event.elapsed || 0);
        state.periods[event.seat] = Math.max(0, (state.periods[event.seat] || 0) - lost);
      }
      if (event.clocks && event.clocks.length) state.clocks = [...event.clocks];
      if (event.view !== undefined && event.view !== null) state.view = event.view;
      state.lastMove = move;
      state.roundMoves.push(move);
      state.moves.push(move);
      state.running = toMove(state.view);
      break;
    }
    case "forfeit":
      state.forfeits.push({ round: event.round, verdict: event.verdict });
      if (event.round === state.round) stopClocks(state, event.verdict);
      state.running = [];
      break;
    case "round_result":
      if (event.view !== undefined && event.view !== null) state.view = event.view;
      state.roundResults.push(event);
      state.running = [];
      state.dropped = {};
      break;
    case "match_result":
      state.result = event;
      state.status = event.status || "finished";
      if (!state.bots.length) state.bots = event.bots || [];
      if (!state.game) state.game = event.game;
      state.running = [];
      state.dropped = {};
      break;
    case "seat_dropped": {
      const seat = typeof event.seat === "number" ? event.seat : state.players.indexOf(event.player);
      if (seat < 0) break;
      state.dropped = {
        ...state.dropped,
        [seat]: {
          grace: event.grace_seconds || 0,
          clocks: event.clocks || [],
          running: state.running.includes(seat),
          index,
          bot: event.bot,
        },
      };
      break;
    }
    case "seat_back": {
      const dropped = { ...state.dropped };
      for (const [seat, drop] of Object.entries(dropped)) if (drop.bot === event.bot) delete dropped[seat];
      state.dropped = dropped;
      break;
    }
  }
  return state;
}

/**
 * A verdict stops the clocks where they stood: a bot out of time shows 0, one that
 * did not come back shows what its running clock had left when its grace ran out.
 */
function stopClocks(state, verdict) {
  const seat = verdict.seat;
  if (typeof seat !== "number" || typeof state.clocks[seat] !== "number") return;
  if (verdict.code === "timeout") {
    state.clocks[seat] = 0;
    state.periods[seat] = 0;
  } else if (verdict.code === "disconnected") {
    const drop = state.dropped[seat];
    if (drop && drop.running && typeof drop.clocks[seat] === "number") {
      state.clocks[seat] = Math.min(state.clocks[seat], drop.clocks[seat] - drop.grace);
    }
  }
  const dropped = { ...state.dropped };
  delete dropped[seat];
  state.dropped = dropped;
}

/**
 * Live: the running clocks read `since` seconds less than when the position was
 * shown; keep that before a verdict or an abort stops them (no jump back).
 */
export function freezeClocks(state, since) {
  for (const seat of state.running) {
    if (typeof state.clocks[seat] === "number") state.clocks[seat] -= since;
  }
}

/** The state after events[0..upto] (inclusive). */
export function fold(events, upto = events.length - 1) {
  const state = newState();
  for (let i = 0; i <= upto && i < events.length; i++) applyEvent(state, events[i], i);
  return state;
}

/** What one seat's clock reads `since` seconds after the position was shown. */
export function clockReading(state, seat, since) {
  const tc = state.timeControl || {};
  let main = state.clocks[seat];
  if (typeof main !== "number") return { seconds: null, detail: "", running: false, low: false };
  const running = state.running.includes(seat);
  if (running) main -= since;
  let periods = state.periods[seat] || 0;
  let text;
  let detail = "";
  if (tc.type === "byoyomi") {
    if (main > 0 || !(tc.period > 0)) {
      text = main;
      detail = periods ? `then ${periods} × ${tc.period} s` : "no byo-yomi left";
    } else {
      // In byo-yomi: each period counts down in turn.
      const over = -main;
      const used = Math.floor(over / tc.period);
      const left = Math.max(0, periods - used);
      text = left > 0 ? tc.period - (over - used * tc.period) : 0;
      periods = left;
      detail = `byo-yomi, ${left} period${left === 1 ? "" : "s"} left`;
    }
  } else if (tc.type === "fischer") {
    text = main;
    detail = `+${tc.increment} s a move`;
  } else {
    text = main;
    detail = "per move";
  }
  return { seconds: Math.max(0, text), detail, running, low: running && text < 5 };
}
