// Labels for the phone layout: every body cell of a table on the page gets its
// column's name as data-label, so that a narrow screen can show each row as a
// card ("Game: Connect Four") with CSS alone (style.css, `attr(data-label)`).
// The views build their tables as they like; this follows them as they change.
// The label is an attribute shown through CSS, never parsed as HTML.

/** A header cell's name for a label: its shown text, or its help for a one-letter heading (W → Wins). */
function headerName(th) {
  const shown = [...th.childNodes].filter((n) => !(n.nodeType === Node.ELEMENT_NODE && n.classList.contains("visually-hidden")));
  const text = shown.map((n) => n.textContent).join("").trim();
  return th.getAttribute("aria-label") || (text.length <= 1 && th.title) || text;
}

function labelTable(table) {
  const head = table.tHead && table.tHead.rows[0];
  if (!head) return;
  const names = [];
  for (const th of head.cells) {
    const name = headerName(th);
    for (let i = 0; i < th.colSpan; i++) names.push(name);
  }
  for (const body of table.tBodies) {
    for (const row of body.rows) {
      let column = 0;
      for (const cell of row.cells) {
        const label = cell.colSpan === 1 ? names[column] || "" : "";
        if (cell.dataset.label !== label) cell.dataset.label = label;
        column += cell.colSpan;
      }
    }
  }
}

function inTable(node) {
  if (node.nodeType !== Node.ELEMENT_NODE) return false;
  return node.closest("table") !== null || node.querySelector("table, tr") !== null;
}

function relabel(root) {
  for (const table of root.querySelectorAll("table")) labelTable(table);
}

const main = document.getElementById("main");
if (main) {
  new MutationObserver((records) => {
    // Clocks tick ten times a second: only changes that touch a table matter here.
    if (records.some((r) => inTable(r.target) || [...r.addedNodes].some(inTable))) relabel(main);
  }).observe(main, { childList: true, subtree: true });
  relabel(main);
}
