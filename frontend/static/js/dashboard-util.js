// Small helpers shared by the dashboard's modules: escaping, the level palette, star strings.

// Star level 0-5: a sequential palette (ColorBrewer OrRd, 6 classes), light to dark.
export const PALETTE = ["#fef0d9", "#fdd49e", "#fdbb84", "#fc8d59", "#e34a33", "#b30000"];
export const MUTED_FILL = "#e4e1da";

export function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function starString(level) {
  return "★".repeat(level) + "☆".repeat(5 - level);
}

// Text colour readable on a level's fill.
export function inkOn(level) {
  return level >= 4 ? "#fff" : "#3b1d0a";
}

export function levelBadge(level, T, extra = "") {
  const label = T.levelNames[level] ?? String(level);
  return `<span class="lv lv-${level} ${extra}" title="${esc(label)}">${level}★</span>`;
}

export function percent(part, whole, digits = 0) {
  if (!whole) return "—";
  return `${((100 * part) / whole).toFixed(digits)}%`;
}

export function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_m, key) => String(values[key] ?? ""));
}

// Figures per branch set (a list of feature properties): count, average level, share at >= 3 stars, ...
export function figures(props) {
  const n = props.length;
  const levels = [0, 0, 0, 0, 0, 0];
  let sum = 0;
  let pipeline = 0;
  let weak = 0;
  for (const p of props) {
    levels[p.level] += 1;
    sum += p.level;
    pipeline += p.pipeline.length;
    if (p.weak) weak += 1;
  }
  const atLeast3 = levels[3] + levels[4] + levels[5];
  return {
    n, levels, pipeline, weak, atLeast3,
    average: n ? sum / n : 0,
    share3: n ? atLeast3 / n : 0,
    fourPlus: levels[4] + levels[5],
  };
}

export async function fetchJSON(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) {
    let detail = `${response.status}`;
    try {
      detail = (await response.json()).detail || detail;
    } catch {
      /* not JSON: keep the status */
    }
    const error = new Error(detail);
    error.status = response.status;
    throw error;
  }
  return response.json();
}

export function withQuery(url, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "" && value !== false) query.set(key, value === true ? "1" : value);
  }
  const text = query.toString();
  return text ? `${url}${url.includes("?") ? "&" : "?"}${text}` : url;
}

// A table whose <th data-sort> headers sort `rows()` and hand them to `render(rows)`.
export function sortable(table, rows, render) {
  const heads = [...table.querySelectorAll("th[data-sort]")];
  let key = null;
  let dir = 1;
  const initial = heads.find((th) => th.hasAttribute("aria-sort"));
  if (initial) {
    key = initial.dataset.sort;
    dir = initial.getAttribute("aria-sort") === "descending" ? -1 : 1;
  }
  const apply = () => {
    const list = [...rows()];
    if (key) {
      const th = heads.find((h) => h.dataset.sort === key);
      const numeric = th.dataset.type === "num";
      list.sort((a, b) => {
        const x = a[key];
        const y = b[key];
        const c = numeric ? (x ?? -1) - (y ?? -1) : String(x ?? "").localeCompare(String(y ?? ""), "zh-Hans-CN");
        return c * dir || String(a.code ?? a.name).localeCompare(String(b.code ?? b.name));
      });
    }
    render(list);
  };
  for (const th of heads) {
    th.tabIndex = 0;
    const choose = () => {
      dir = key === th.dataset.sort ? -dir : th.dataset.type === "num" ? -1 : 1;
      key = th.dataset.sort;
      heads.forEach((h) => h.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
      apply();
    };
    th.addEventListener("click", choose);
    th.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        choose();
      }
    });
  }
  return apply;
}
