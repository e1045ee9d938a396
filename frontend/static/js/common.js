// What every page's script shares: reading server values, message formatting
// and the JSON API with its CSRF token. Case pages get it through case-ui.js,
// five-star pages through stars.js.

// Sizes computed on the server or in a script reach the markup as data-w (a width in
// per cent) and data-flex; the Content-Security-Policy refuses style="" attributes,
// so they are set here through the DOM, which it allows.
export function paint(root) {
  root.querySelectorAll("[data-w]").forEach((el) => (el.style.width = `${el.dataset.w}%`));
  root.querySelectorAll("[data-flex]").forEach((el) => (el.style.flex = el.dataset.flex));
  return root;
}

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

export async function api(url, { method = "GET", body = null, csrf = "", signal } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRFToken"] = csrf;
  let payload = body;
  if (body && !(body instanceof FormData)) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, { method, body: payload, headers, credentials: "same-origin", signal });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, { detail: "" });
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}
