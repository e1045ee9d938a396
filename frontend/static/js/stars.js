// Pieces every five-star page shares: reading server values, the stars API with
// its CSRF token, message formatting and a toast. No globals: each page passes
// in what it read from its own data-* attributes and json_script.

export { ApiError, api, fill, readJson } from "./common.js";

export function toast(root, message, kind = "ok") {
  const box = root.querySelector(".stars-toast");
  if (!box) return;
  box.textContent = message;
  box.dataset.kind = kind;
  box.hidden = false;
  clearTimeout(box._timer);
  box._timer = setTimeout(() => { box.hidden = true; }, 4000);
}

export function showError(form, message) {
  const slot = form.querySelector(".form-msg");
  if (slot) {
    slot.textContent = message;
    slot.dataset.kind = message ? "error" : "";
  }
}
