// Tournaments (#/tournaments): the list, running first, and the form to start
// one; one tournament (#/tournament/ID): progress, SPRT state, standings, cross
// table and games. Both follow the `tournament` lobby events by fetching the
// API again (the event has the standings but not the cross table or games).

import { adminTokenField } from "./admin.js";
import { cancelTournament, games, tournament as fetchTournament, tournaments as fetchTournaments } from "./api.js";
import { botLink, errorBox, fmtDate, fmtScore, h } from "./dom.js";
import { live, refetcher } from "./live.js";
import { mountTournamentForm } from "./tournament-form.js";

const FORMAT_NAMES = { "round-robin": "Round-robin", gauntlet: "Gauntlet", swiss: "Swiss" };
const ORDER = { running: 0, finished: 1, cancelled: 2, failed: 2 };

async function gameTitles() {
  try {
    return new Map((await games()).map((g) => [g.name, g.title]));
  } catch {
    return new Map(); // names will do
  }
}

function progress(t) {
  const text = `${t.played} / ${t.total}`;
  return h("span", { class: "progress" }, h("progress", { max: String(Math.max(1, t.total)), value: String(t.played), "aria-label": `${text} games played` }), " ", h("span", { class: "progress-text" }, text));
}

function statusBadge(status) {
  return h("span", { class: `status status-${status}` }, status);
}

function table(cls, headings, rows, caption) {
  return h(
    "table",
    { class: cls },
    caption ? h("caption", {}, caption) : null,
    h("thead", {}, h("tr", {}, headings.map(([text, help, label]) => h("th", { scope: "col", title: help, "aria-label": label }, text)))),
    h("tbody", {}, rows),
  );
}

// --- the list -------------------------------------------------------------------------------

export function mountTournaments(main) {
  document.title = "Tournaments · Ringside";
  let titles = new Map();
  let cancelled = false;
  const results = h("div", { class: "results", "aria-live": "polite" }, h("p", { class: "muted" }, "Loading…"));
  const formBox = h("section", { class: "card", "aria-labelledby": "t-form-h" });
  main.replaceChildren(
    h("h1", { tabindex: "-1" }, "Tournaments"),
    h("div", { class: "lobby-grid" }, h("section", { class: "card", "aria-labelledby": "t-list-h" }, h("h2", { id: "t-list-h" }, "All tournaments"), results), formBox),
  );

  async function load() {
    let page;
    try {
      if (!titles.size) titles = await gameTitles();
      page = await fetchTournaments();
    } catch (err) {
      if (!cancelled) results.replaceChildren(errorBox(`Could not load the tournaments: ${err.message}`, refresh));
      return;
    }
    if (cancelled) return;
    if (!page.items.length) {
      results.replaceChildren(h("p", { class: "muted empty" }, "No tournament yet: start one with the form."));
      return;
    }
    // Running first; newest first within each status (the API's order, kept by a stable sort).
    const items = [...page.items].sort((a, b) => (ORDER[a.status] ?? 3) - (ORDER[b.status] ?? 3));
    const rows = items.map((t) => {
      const label = t.name || `Tournament ${t.id}`;
      return h(
        "tr",
        { "data-tournament": t.id, "data-status": t.status },
        h("th", { scope: "row" }, h("a", { href: `#/tournament/${encodeURIComponent(t.id)}` }, label)),
        h("td", {}, titles.get(t.game) || t.game),
        h("td", {}, FORMAT_NAMES[t.format] || t.format),
        h("td", {}, statusBadge(t.status)),
        h("td", {}, progress(t)),
        h("td", { class: "leader" }, t.leader ? botLink(t.leader) : "—"),
        h("td", {}, fmtDate(t.created_at)),
      );
    });
    const headings = [["Tournament"], ["Game"], ["Format"], ["Status"], ["Played"], ["Leader"], ["Started"]];
    const more = page.total > page.items.length ? h("p", { class: "muted" }, `The ${page.items.length} newest of ${page.total}.`) : null;
    results.replaceChildren(...[table("tournaments", headings, rows), more].filter(Boolean));
  }
  const refresh = refetcher(load);
  refresh();
  const offForm = mountTournamentForm(formBox);
  const offLobby = live.on("lobby", (event) => {
    if (event.type === "tournament") refresh();
  });
  const offStatus = live.on("status", (state) => state === "open" && refresh());
  return () => {
    cancelled = true;
    offForm();
    offLobby();
    offStatus();
  };
}

// --- one tournament ----------------------------------------------------------------------

function sprtBox(sprt, bots) {
  const [a, b] = bots;
  const verdict =
    sprt.verdict === "H1"
      ? `H1 accepted: ${a} is at least ${sprt.elo1} Elo stronger than ${b}.`
      : sprt.verdict === "H0"
        ? `H0 accepted: ${a} is at most ${sprt.elo0} Elo stronger than ${b}.`
        : "Undecided: games go on until the LLR leaves its bounds.";
  const elo = sprt.games === 0 ? "not measured yet" : sprt.elo === null ? "unbounded (one side won every game)" : `${sprt.elo >= 0 ? "+" : ""}${sprt.elo.toFixed(1)}` + (sprt.elo_low !== null && sprt.elo_high !== null ? ` (95 %: ${sprt.elo_low.toFixed(1)} to ${sprt.elo_high.toFixed(1)})` : "");
  return h(
    "section",
    { class: "card sprt", "aria-labelledby": "sprt-h", "data-verdict": sprt.verdict || "none" },
    h("h2", { id: "sprt-h" }, "SPRT"),
    h("p", { class: "sprt-verdict" }, verdict),
    h(
      "p",
      {},
      h("label", { for: "sprt-llr" }, "LLR "),
      h("meter", { id: "sprt-llr", min: String(sprt.lower), max: String(sprt.upper), value: String(Math.max(sprt.lower, Math.min(sprt.upper, sprt.llr))) }),
      h("span", { class: "sprt-llr" }, ` ${sprt.llr.toFixed(2)} (bounds ${sprt.lower.toFixed(2)} to ${sprt.upper.toFixed(2)})`),
    ),
    h("p", {}, `H0: elo ≤ ${sprt.elo0}, H1: elo ≥ ${sprt.elo1}, α ${sprt.alpha}, β ${sprt.beta}. ${a} against ${b}: +${sprt.wins} =${sprt.draws} −${sprt.losses} in ${sprt.games} games; Elo ${elo}.`),
    h("p", { class: "sprt-model" }, `${sprt.model === "pentanomial" ? "Pentanomial (seat-swapped game pairs)" : "Trinomial (single games)"}, ${sprt.elo_model === "normalized" ? "normalized" : "logistic"} Elo.` + (sprt.pentanomial ? ` Pairs ${sprt.pairs}, ${a}'s points 0/½/1/1½/2: ${sprt.pentanomial.join(", ")}.` : "")),
  );
}

function standingsTable(detail) {
  const swiss = detail.format === "swiss";
  const some = (key) => detail.standings.some((r) => r[key]);
  const extra = [
    some("forfeits") ? ["Forfeits", "forfeits", "Games lost by absence"] : null,
    swiss || some("byes") ? ["Byes", "byes", "Rounds without an opponent"] : null,
    swiss ? ["Buchholz", "buchholz", "Sum of the opponents' points"] : null,
    ["SB", "sonneborn_berger", "Sonneborn-Berger: points of the opponents beaten, half of those drawn"],
  ].filter(Boolean);
  const headings = [["#", "Rank"], ["Bot"], ["Points"], ["Games"], ["W", "Wins"], ["D", "Draws"], ["L", "Losses"], ...extra.map(([t, , help]) => [t, help])];
  const rows = detail.standings.map((r) =>
    h(
      "tr",
      { "data-bot": r.bot },
      h("td", {}, String(r.rank)),
      h("th", { scope: "row", class: "bot-name" }, botLink(r.bot)),
      h("td", { class: "points" }, fmtScore(r.points)),
      h("td", { class: "games" }, String(r.games)),
      h("td", {}, String(r.wins)),
      h("td", {}, String(r.draws)),
      h("td", {}, String(r.losses)),
      extra.map(([, key]) => h("td", {}, fmtScore(r[key]))),
    ),
  );
  return table("standings", headings, rows, "Standings");
}

function crossTable(detail) {
  const bots = detail.cross_table.map((r) => r.bot);
  const headings = [["#"], ["Bot"], ...bots.map((b, i) => [String(i + 1), b, b]), ["Total", "Points / games"]];
  const rows = detail.cross_table.map((row, i) =>
    h(
      "tr",
      { "data-bot": row.bot },
      h("td", {}, String(i + 1)),
      h("th", { scope: "row", class: "bot-name" }, botLink(row.bot)),
      bots.map((opponent) => {
        if (opponent === row.bot) return h("td", { class: "self", "aria-label": "itself" }, "×");
        const cell = row.cells[opponent];
        if (!cell) return h("td", { class: "unplayed", "data-opponent": opponent, title: `${row.bot} has not met ${opponent}` }, "·");
        return h("td", { class: "cell", "data-opponent": opponent, title: `${row.bot} against ${opponent}` }, `${fmtScore(cell.points)}/${cell.games}`);
      }),
      h("td", { class: "total" }, `${fmtScore(row.points)}/${row.games}`),
    ),
  );
  return table("cross-table", headings, rows, "Cross table: points / games against each opponent");
}

function gameRows(detail) {
  return detail.games.map((g) => {
    const link = g.match_id ? h("a", { href: g.status === "running" ? `#/match/${encodeURIComponent(g.match_id)}` : `#/replay/${encodeURIComponent(g.match_id)}` }, g.status === "running" ? "Watch" : "Replay") : "";
    return h(
      "tr",
      { "data-game": String(g.no), "data-status": g.status },
      h("td", {}, String(g.no)),
      h("td", {}, String(g.round)),
      h("td", {}, g.bots.flatMap((b, i) => (i ? [" vs ", botLink(b)] : [botLink(b)]))),
      h("td", {}, g.status),
      h("td", {}, g.points ? g.points.map(fmtScore).join("–") : ""),
      h("td", {}, link),
      h("td", { class: "note" }, g.note || ""),
    );
  });
}

export function mountTournament(main, params) {
  const id = params.id;
  let titles = new Map();
  let detail = null;
  let cancelled = false;
  const heading = h("h1", { tabindex: "-1" }, `Tournament ${id}`);
  const meta = h("p", { class: "muted tournament-meta" });
  const progressBox = h("div", { class: "card tournament-progress", "aria-live": "polite" }, h("p", { class: "muted" }, "Loading…"));
  const sprt = h("div", { class: "sprt-box" });
  const standings = h("section", { class: "card", "aria-label": "Standings" });
  const cross = h("section", { class: "card cross", "aria-label": "Cross table" });
  const gamesBody = h("tbody");
  const gamesCount = h("span", {});
  const gamesBox = h(
    "details",
    { class: "card games-list" },
    h("summary", {}, "Games ", gamesCount),
    h("table", { class: "games" }, h("thead", {}, h("tr", {}, ["No.", "Round", "Bots", "Status", "Points", "", "Note"].map((t) => h("th", { scope: "col" }, t || h("span", { class: "visually-hidden" }, "Link"))))), gamesBody),
  );
  const token = adminTokenField("tc-token", "cancel a tournament");
  const cancelMessage = h("div", { class: "form-message", "aria-live": "polite" });
  const cancelButton = h("button", { type: "submit" }, "Cancel the tournament");
  const cancelForm = h("form", { class: "cancel-form", hidden: true }, token.row, h("div", { class: "actions" }, cancelButton), cancelMessage);
  main.replaceChildren(heading, meta, progressBox, sprt, h("div", { class: "tables" }, standings, cross), gamesBox, cancelForm);

  function render() {
    const d = detail;
    const label = d.name || `Tournament ${d.id}`;
    heading.textContent = label;
    document.title = `${label} · Ringside`;
    const game = titles.get(d.game) || d.game;
    const rounds = d.format === "swiss" ? ` · ${d.rounds} rounds` : "";
    meta.textContent = `${game} · ${FORMAT_NAMES[d.format] || d.format} · ${d.bots.length} bots · ${d.games_per_pair} game${d.games_per_pair === 1 ? "" : "s"} a pair${rounds} · up to ${d.concurrency} at once · started ${fmtDate(d.created_at)}${d.finished_at ? ` · ended ${fmtDate(d.finished_at)}` : ""}`;
    const playing = d.running ? `, ${d.running} running` : "";
    const roundText = d.format === "swiss" && d.round ? ` · round ${d.round} of ${d.rounds}` : "";
    const line = h("p", { class: "progress-line" }, statusBadge(d.status), " ", progress(d), h("span", { class: "muted" }, ` games played${playing}${roundText}`));
    const leader = d.leader ? h("p", { class: "leader" }, d.status === "running" ? "Leading: " : "Winner: ", h("strong", {}, botLink(d.leader))) : "";
    const failure = d.failure ? h("p", { class: "failure" }, `Given up: ${d.failure}`) : ""; // text only
    progressBox.replaceChildren(line, leader, failure);
    progressBox.dataset.played = String(d.played);
    progressBox.dataset.status = d.status;
    sprt.replaceChildren(d.sprt ? sprtBox(d.sprt, d.bots) : "");
    standings.replaceChildren(standingsTable(d));
    cross.replaceChildren(crossTable(d));
    const listed = d.games.filter((g) => g.status !== "cancelled" || g.match_id); // not the games a stop left unplayed
    gamesCount.textContent = `(${listed.length})`;
    gamesBody.replaceChildren(...gameRows({ ...d, games: listed }));
    cancelForm.hidden = d.status !== "running";
  }

  async function load() {
    let fresh;
    try {
      if (!titles.size) titles = await gameTitles();
      fresh = await fetchTournament(id);
    } catch (err) {
      if (!cancelled && !detail) progressBox.replaceChildren(errorBox(err.status === 404 ? `There is no tournament ${id}.` : `Could not load the tournament: ${err.message}`, refresh));
      return;
    }
    if (cancelled) return;
    detail = fresh;
    render();
  }
  const refresh = refetcher(load);

  cancelForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    token.remember();
    cancelButton.disabled = true;
    cancelMessage.replaceChildren(h("p", { class: "muted" }, "Cancelling…"));
    try {
      await cancelTournament(id);
      cancelMessage.replaceChildren(h("p", {}, "Cancelled: games not started are dropped, running ones aborted."));
      refresh();
    } catch (err) {
      token.refused(err, cancelMessage, "cancellation");
    } finally {
      cancelButton.disabled = false;
    }
  });

  refresh();
  const offLobby = live.on("lobby", (event) => {
    if (event.type === "tournament" && event.tournament === id) refresh();
    // A game of this tournament started or ended: its row in the game list changed.
    else if (event.type === "match_listed" && detail && detail.status === "running" && event.match.bots.every((b) => detail.bots.includes(b))) refresh();
  });
  const offStatus = live.on("status", (state) => state === "open" && refresh());
  return () => {
    cancelled = true;
    offLobby();
    offStatus();
  };
}
