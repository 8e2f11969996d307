// Tiny DOM helpers. Text always goes in through textContent and attributes
// through setAttribute: nothing a bot or the server says is parsed as HTML.

const SVG_NS = "http://www.w3.org/2000/svg";

function fill(el, attrs, children) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") el.textContent = String(value);
    else if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "value" && "value" in el) el.value = String(value);
    else if (key === "checked" || key === "selected" || key === "disabled") el[key] = true;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

/** Append children: strings become text nodes, arrays are flattened, null/false skipped. */
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** An HTML element: h("a", {href: "#/", class: "x"}, "text", otherNode). */
export function h(tag, attrs = {}, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

/** An SVG element, same calling convention. */
export function s(tag, attrs = {}, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

/** Seconds as m:ss.t (or h:mm:ss past an hour). */
export function clockText(seconds) {
  const t = Math.max(0, seconds);
  if (t >= 3600) {
    const hh = Math.floor(t / 3600);
    const mm = Math.floor((t % 3600) / 60);
    const ss = Math.floor(t % 60);
    return `${hh}:${String(mm).padStart(2, "0")}:${String(ss).padStart(2, "0")}`;
  }
  const m = Math.floor(t / 60);
  const sec = t - m * 60;
  return `${m}:${sec.toFixed(1).padStart(4, "0")}`;
}

export function fmtScore(x) {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}

export function fmtDate(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** A JSON action as short text. */
export function actionText(action) {
  return typeof action === "string" ? action : JSON.stringify(action);
}

/** A paragraph for an error, with an optional retry button. */
export function errorBox(message, retry) {
  return h(
    "div",
    { class: "error", role: "alert" },
    h("p", { text: message }),
    retry ? h("button", { type: "button", onclick: retry }, "Try again") : null,
  );
}

/** A bot's name as a link to its page (#/bot/NAME): every bot name on the page is one. */
export function botLink(name, attrs = {}) {
  return h("a", { href: `#/bot/${encodeURIComponent(name)}`, class: "bot-link", ...attrs }, String(name));
}
