// The match panel shared by the live view and the replay: title, board,
// players and clocks, round results, final result and verdict, move list.

import { boardReady, caption, drawBoard, loadBoard, moveText, seatStyle } from "./boards.js";
import { clockReading } from "./model.js";
import { actionText, append, clockText, clear, fmtScore, h } from "./dom.js";

function verdictText(v) {
  return `${v.bot} — ${v.code.replaceAll("_", " ")}: ${v.message}`;
}

export class MatchPanel {
  constructor(matchId, title) {
    this.matchId = matchId;
    this.gameTitle = title || "";
    this.state = null;
    this.shownAt = performance.now();
    this.onPick = null;
    this.moveItems = [];
    this.listed = [];
    this.awaiting = null;
    this.heading = h("h1", { tabindex: "-1" }, "Match ", matchId);
    this.status = h("p", { class: "match-status", "aria-live": "polite" });
    this.controls = h("div", { class: "controls" });
    this.boardBox = h("div", { class: "board-box", "data-ply": "0" });
    this.caption = h("figcaption", { class: "board-caption", "aria-live": "polite" });
    this.players = h("ul", { class: "players", "aria-label": "Players and clocks" });
    this.result = h("section", { class: "result", hidden: true, "aria-live": "polite" });
    this.roundsBody = h("tbody");
    this.rounds = h(
      "section",
      { class: "rounds", hidden: true },
      h("h2", {}, "Rounds"),
      h("table", {}, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Round"))), this.roundsBody),
    );
    this.moveList = h("ol", { class: "moves", "aria-label": "Moves", tabindex: "0" });
    this.el = h(
      "article",
      { class: "match" },
      h("header", { class: "match-head" }, this.heading, this.status),
      this.controls,
      h(
        "div",
        { class: "match-body" },
        h("figure", { class: "board" }, this.boardBox, this.caption),
        h(
          "div",
          { class: "side" },
          this.players,
          this.result,
          this.rounds,
          h("section", { class: "move-section" }, h("h2", {}, "Moves"), this.moveList),
        ),
      ),
    );
  }

  render(state) {
    this.state = state;
    this.shownAt = performance.now();
    const game = state.game;
    if (!boardReady(game) && this.awaiting !== game) {
      // The game's board module is still loading: draw again once it is here.
      this.awaiting = game;
      loadBoard(game).then(
        () => {
          this.awaiting = null;
          if (this.state && this.state.game === game) this.redraw();
        },
        () => {
          this.awaiting = null; // the catalogue is unreachable: the next render asks again
        },
      );
    }
    const names = state.bots.length ? state.bots : [];
    this.heading.textContent = `${this.gameTitle || game || "Match"} — ${names.join(" vs ") || this.matchId}`;
    const roundText = state.round ? `Round ${state.round} of ${state.rounds}` : "Waiting for the bots";
    this.status.textContent = `${roundText} · ${state.status}`;
    this.status.dataset.status = state.status;
    const board = drawBoard(game, state.view, { names: state.seats, roundMoves: state.roundMoves });
    this.boardBox.replaceChildren(board);
    this.boardBox.dataset.ply = String(state.lastMove ? state.lastMove.ply : 0);
    this.boardBox.dataset.round = String(state.round);
    this.caption.textContent = state.lastMove
      ? `${state.lastMove.bot}: ${moveText(game, state.lastMove)}. ${caption(game, state.view, state.seats)}`
      : caption(game, state.view, state.seats);
    this.renderPlayers();
    this.renderRounds();
    this.renderResult();
    this.highlightMove();
  }

  /** Draw the current state and the listed moves again (both use the game's board module). */
  redraw() {
    const listed = this.listed;
    this.render(this.state);
    this.clearMoves();
    for (const move of listed) this.addMove(move);
    this.highlightMove();
  }

  renderPlayers() {
    const state = this.state;
    const seats = state.seats.length ? state.seats : state.bots;
    const items = seats.map((name, seat) => {
      const style = seatStyle(state.game, seat);
      const clock = h("span", { class: "clock", "data-seat": String(seat) });
      return h(
        "li",
        { class: "player", "data-seat": String(seat) },
        h("span", { class: "swatch", style: `background:${style.color}`, "aria-hidden": "true" }),
        h("span", { class: "player-name" }, name),
        h("span", { class: "seat-label" }, style.label),
        clock,
        h("span", { class: "clock-detail" }),
      );
    });
    this.players.replaceChildren(...items);
    this.tick(performance.now(), true);
  }

  /** Move the running clocks on; `live` false freezes them (replays). */
  tick(now, force = false) {
    const state = this.state;
    if (!state || (!force && !state.running.length)) return;
    const since = this.live ? (now - this.shownAt) / 1000 : 0;
    for (const li of this.players.children) {
      const seat = Number(li.dataset.seat);
      const r = clockReading(state, seat, since);
      const clock = li.querySelector(".clock");
      clock.textContent = r.seconds === null ? "—" : clockText(r.seconds);
      li.querySelector(".clock-detail").textContent = r.detail;
      li.classList.toggle("to-move", r.running);
      li.classList.toggle("low", r.low);
      clock.setAttribute("aria-label", `${li.querySelector(".player-name").textContent} clock`);
    }
  }

  renderRounds() {
    const state = this.state;
    const head = this.rounds.querySelector("thead tr");
    head.replaceChildren(h("th", { scope: "col" }, "Round"), ...state.bots.map((b) => h("th", { scope: "col" }, b)), h("th", { scope: "col" }, "Note"));
    const rows = state.roundResults.map((r) => {
      const byPlayer = state.bots.map(() => "");
      r.players.forEach((player, seat) => (byPlayer[player] = fmtScore(r.scores[seat])));
      const verdicts = (r.verdicts || []).concat(state.forfeits.filter((f) => f.round === r.round && !(r.verdicts || []).length).map((f) => f.verdict));
      return h("tr", {}, h("th", { scope: "row" }, String(r.round)), byPlayer.map((x) => h("td", {}, x)), h("td", {}, verdicts.map(verdictText).join("; ")));
    });
    this.roundsBody.replaceChildren(...rows);
    this.rounds.hidden = rows.length === 0;
  }

  renderResult() {
    const r = this.state.result;
    const pending = this.state.forfeits.filter((f) => !this.state.roundResults.some((x) => x.round === f.round));
    if (!r && !pending.length) {
      this.result.hidden = true;
      clear(this.result);
      return;
    }
    this.result.hidden = false;
    if (!r) {
      this.result.replaceChildren(h("h2", {}, "Verdict"), ...pending.map((f) => h("p", { class: "verdict" }, verdictText(f.verdict))));
      return;
    }
    const winner = r.status === "aborted" ? "Aborted" : r.winner ? `Winner: ${r.winner}` : "Draw";
    const scores = r.bots.map((b, i) => `${b} ${fmtScore(r.scores[i])}`).join(" – ");
    this.result.replaceChildren();
    append(this.result, [
      h("h2", {}, "Result"),
      h("p", { class: "winner" }, winner),
      h("p", { class: "scores" }, scores),
      r.verdict ? h("p", { class: "verdict" }, "Verdict: ", verdictText(r.verdict)) : null,
      r.reason ? h("p", { class: "reason" }, r.reason) : null,
    ]);
  }

  /** Live: append the moves not yet listed. */
  syncMoves(moves) {
    if (moves.length < this.moveItems.length) this.clearMoves();
    for (const move of moves.slice(this.moveItems.length)) this.addMove(move);
    this.highlightMove();
  }

  /** Replay: list every move once; clicking one jumps there. */
  setMoves(moves, onPick) {
    this.onPick = onPick;
    this.clearMoves();
    for (const move of moves) this.addMove(move);
  }

  clearMoves() {
    this.moveItems = [];
    this.listed = [];
    this.lastRound = 0;
    clear(this.moveList);
  }

  addMove(move) {
    const game = this.state ? this.state.game : null;
    if (move.round !== this.lastRound) {
      this.lastRound = move.round;
      this.moveList.append(h("li", { class: "round-head" }, `Round ${move.round}`));
    }
    const text = `${move.ply}. ${move.bot}: ${moveText(game, move)}`;
    const label = move.elapsed !== undefined ? ` (${move.elapsed.toFixed(2)} s)` : "";
    const body = this.onPick
      ? h("button", { type: "button", class: "move-btn", onclick: () => this.onPick(move.index) }, text, h("span", { class: "muted" }, label))
      : [text, h("span", { class: "muted" }, label)];
    const li = h("li", { class: "move", "data-index": String(move.index), title: actionText(move.action) }, body);
    this.moveList.append(li);
    this.moveItems.push(li);
    this.listed.push(move);
  }

  highlightMove() {
    const current = this.state && this.state.lastMove ? this.state.lastMove.index : -1;
    for (const li of this.moveList.querySelectorAll("[aria-current]")) li.removeAttribute("aria-current");
    const item = this.moveItems.find((li) => Number(li.dataset.index) === current);
    if (!item) return;
    item.setAttribute("aria-current", "step");
    const list = this.moveList;
    const top = item.offsetTop; // the list is the items' offset parent (position: relative)
    if (top < list.scrollTop || top + item.offsetHeight > list.scrollTop + list.clientHeight) {
      list.scrollTop = Math.max(0, top - list.clientHeight / 2);
    }
  }
}
