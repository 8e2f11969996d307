// The page's entry point: a hash router over the views, and the connection
// banner. Plain ES modules served as they are: no build step.

import { mountBot } from "./bot.js";
import { clear, errorBox, h } from "./dom.js";
import { mountGames } from "./games.js";
import { mountLeaderboard } from "./leaderboard.js";
import { live } from "./live.js";
import { mountLobby } from "./lobby.js";
import { mountMatch } from "./match.js";
import { mountHistory, mountReplay } from "./replay.js";
import { mountTournament, mountTournaments } from "./tournaments.js";

const ROUTES = [
  [/^#?\/?$/, "lobby", mountLobby, () => ({})],
  [/^#\/match\/([^/?#]+)$/, "lobby", mountMatch, (m) => ({ id: decodeURIComponent(m[1]) })],
  [/^#\/replay\/([^/?#]+)$/, "history", mountReplay, (m) => ({ id: decodeURIComponent(m[1]) })],
  [/^#\/history(?:\?(.*))?$/, "history", mountHistory, (m) => ({ query: m[1] || "" })],
  [/^#\/games\/?$/, "games", mountGames, () => ({})],
  [/^#\/leaderboard(?:\?(.*))?$/, "leaderboard", mountLeaderboard, (m) => ({ query: m[1] || "" })],
  [/^#\/tournaments\/?$/, "tournaments", mountTournaments, () => ({})],
  [/^#\/tournament\/([^/?#]+)$/, "tournaments", mountTournament, (m) => ({ id: decodeURIComponent(m[1]) })],
  [/^#\/bot\/([^/?#]+)$/, "", mountBot, (m) => ({ name: decodeURIComponent(m[1]) })],
];

const main = document.getElementById("main");
let cleanup = null;
let generation = 0;

function notFound(target) {
  document.title = "Not found · Ringside";
  target.replaceChildren(
    h("h1", { tabindex: "-1" }, "Not found"),
    h("p", {}, "There is no page at ", h("code", {}, location.hash), ". ", h("a", { href: "#/" }, "Go to the lobby"), "."),
  );
}

async function route() {
  const mine = ++generation;
  if (cleanup) {
    try {
      cleanup();
    } catch (err) {
      console.error(err);
    }
  }
  cleanup = null;
  const hash = location.hash || "#/";
  let found = null;
  for (const [pattern, nav, mount, params] of ROUTES) {
    const m = hash.match(pattern);
    if (m) {
      found = [nav, mount, params(m)];
      break;
    }
  }
  for (const a of document.querySelectorAll("[data-nav]")) {
    if (found && a.dataset.nav === found[0]) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  clear(main);
  try {
    if (!found) notFound(main);
    else {
      const result = await found[1](main, found[2]);
      if (mine !== generation) {
        if (typeof result === "function") result();
        return;
      }
      cleanup = typeof result === "function" ? result : null;
    }
  } catch (err) {
    console.error(err);
    main.replaceChildren(h("h1", { tabindex: "-1" }, "Something went wrong"), errorBox(String(err && err.message ? err.message : err), route));
  }
  const heading = main.querySelector("h1");
  if (heading && document.activeElement !== heading && !main.contains(document.activeElement)) {
    heading.focus({ preventScroll: true });
  }
}

// --- the connection banner -----------------------------------------------------------

const banner = document.getElementById("banner");
const conn = document.getElementById("conn");
let countdown = null;

function showStatus(state) {
  conn.dataset.state = state;
  conn.textContent = { open: "live", lost: "offline", connecting: "connecting…" }[state] || state;
  clearInterval(countdown);
  if (state !== "lost") {
    banner.hidden = true;
    clear(banner);
    return;
  }
  const text = h("span", {});
  const update = () => {
    const secs = Math.max(0, Math.ceil((live.retryAt - Date.now()) / 1000));
    text.textContent = secs > 0 ? `Connection lost — retrying in ${secs} s…` : "Connection lost — retrying…";
  };
  update();
  banner.replaceChildren(text, " ", h("button", { type: "button", onclick: () => live.retryNow() }, "Retry now"));
  banner.hidden = false;
  countdown = setInterval(update, 500);
}

live.on("status", showStatus);
window.addEventListener("hashchange", route);
window.addEventListener("unhandledrejection", (e) => console.error("unhandled", e.reason));
live.start();
route();
