// The HTTP API: every call returns parsed JSON or throws an ApiError with the
// server's own code and message ({"error": {"code", "message"}}).

const TOKEN_KEY = "ringside.adminToken";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function request(method, path, body) {
  const headers = { Accept: "application/json" };
  const init = { method, headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const token = adminToken();
  if (method !== "GET" && token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, "network", "The server did not answer; is it running?");
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = data && data.error;
    throw new ApiError(
      response.status,
      (error && error.code) || "http_" + response.status,
      (error && error.message) || `The server answered ${response.status} ${response.statusText}`,
    );
  }
  return data;
}

export function adminToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || "";
  } catch {
    return "";
  }
}

export function setAdminToken(token) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    /* storage disabled: the token lives for this request only */
  }
}

let gamesPromise = null;

/** The catalogue, fetched once per page load (retried after a failure). */
export function games() {
  if (!gamesPromise) {
    gamesPromise = request("GET", "/api/games").then((r) => r.games);
    gamesPromise.catch(() => {
      gamesPromise = null;
    });
  }
  return gamesPromise;
}

export async function gameInfo(name) {
  return (await games()).find((g) => g.name === name) || null;
}

export const bots = () => request("GET", "/api/bots");
export const bot = (name) => request("GET", `/api/bots/${encodeURIComponent(name)}`);
export const match = (id) => request("GET", `/api/matches/${encodeURIComponent(id)}`);
export const createMatch = (config) => request("POST", "/api/matches", config);

export function matches(filters) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value !== undefined && value !== null && value !== "") query.set(key, String(value));
  }
  return request("GET", `/api/matches?${query}`);
}

export const leaderboard = (game) => request("GET", `/api/leaderboard?game=${encodeURIComponent(game)}`);
export const tournament = (id) => request("GET", `/api/tournaments/${encodeURIComponent(id)}`);
export const createTournament = (body) => request("POST", "/api/tournaments", body);
export const cancelTournament = (id) => request("POST", `/api/tournaments/${encodeURIComponent(id)}/cancel`);

export function tournaments(status) {
  return request("GET", `/api/tournaments?limit=200${status ? `&status=${encodeURIComponent(status)}` : ""}`);
}

/** POST /api/matches?wait=SECONDS: the match (201), or a request waiting for busy bots (202, `status`). */
export const requestMatch = (config, wait) => request("POST", `/api/matches?wait=${encodeURIComponent(wait)}`, config);
export const matchRequest = (id, wait = 0) => request("GET", `/api/match-requests/${encodeURIComponent(id)}?wait=${wait}`);
export const cancelMatchRequest = (id) => request("DELETE", `/api/match-requests/${encodeURIComponent(id)}`);
