// What the forms that need the admin token share: the hidden "Admin token"
// field shown when the server answers 401, the token kept for the session
// (sessionStorage, through api.js), and the error box with the server's words.

import { ApiError, adminToken, setAdminToken } from "./api.js";
import { h } from "./dom.js";

/** An error in a form's message area: our sentence, then the server's own. */
export function showFormError(message, text, detail) {
  message.replaceChildren(h("div", { class: "error", role: "alert" }, h("p", {}, text), detail ? h("p", { class: "detail" }, detail) : null));
}

/**
 * The admin token field of a form. `id` is the input's id; `doing` finishes
 * the sentence "This server needs an admin token to ...".
 *   remember(): before sending, keep what was typed in the field.
 *   refused(err, message, what): after a failure, true when it was a 401 (the
 *     field is shown and focused, the message says so); otherwise the server's
 *     error is shown as "The server refused the WHAT (code)" and false returned.
 */
export function adminTokenField(id, doing) {
  const input = h("input", { type: "password", id, autocomplete: "off", spellcheck: "false" });
  const row = h(
    "div",
    { class: "field token", hidden: true },
    h("label", { for: id }, "Admin token"),
    input,
    h("small", {}, "Kept in this tab only (sessionStorage)."),
  );

  function remember() {
    if (!row.hidden && input.value.trim()) setAdminToken(input.value.trim());
  }

  function refused(err, message, what) {
    const api = err instanceof ApiError ? err : new ApiError(0, "error", String(err));
    if (api.status === 401) {
      const hadToken = Boolean(adminToken());
      setAdminToken("");
      row.hidden = false;
      input.value = "";
      input.focus();
      showFormError(message, hadToken ? "The server refused that admin token." : `This server needs an admin token to ${doing}: enter it below, then try again.`, api.message);
      return true;
    }
    showFormError(message, `The server refused the ${what} (${api.code}).`, api.message);
    return false;
  }

  return { row, input, remember, refused };
}
