// Pieces every five-star page shares: reading server values, the stars API with
// its CSRF token, message formatting and a toast. No globals: each page passes
// in what it read from its own data-* attributes and json_script.

export function readJson(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : {};
}

export function fill(template, values) {
  return String(template ?? "").replace(/%\((\w+)\)s/g, (_, key) => values[key] ?? "");
}

// An error the API answered: {detail, code, field}; status 0 when the network failed.
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.detail || `HTTP ${status}`);
    this.status = status;
    this.code = body?.code || "";
    this.field = body?.field || "";
  }
}

export async function api(url, { method = "GET", body = null, csrf = "" } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRFToken"] = csrf;
  let payload = body;
  if (body && !(body instanceof FormData)) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, { method, headers, body: payload, credentials: "same-origin" });
  } catch (error) {
    throw new ApiError(0, { detail: "" });
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

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
