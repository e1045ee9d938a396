// Pieces every case page shares: escaping, dates, the API with its CSRF token,
// status chips, deadlines, the timeline and the photo picker. No globals: each
// page passes in what it read from its own data-* attributes and json_script.
import { api, fill } from "./common.js";
import { gcj02ToWgs84, wgs84ToGcj02 } from "./gcj02.js";

export { ApiError, api, fill, readJson } from "./common.js";

export const LANG = document.documentElement.lang || "zh-hans";
export const MAX_PHOTOS = 6;
export const MAX_PHOTO_BYTES = 5 * 1024 * 1024;

export function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// A v4 UUID; crypto.randomUUID needs a secure context, getRandomValues does not.
export function newUuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function dateFormatter(timeZone) {
  const opts = { timeZone, hour12: false };
  const short = new Intl.DateTimeFormat(LANG, { ...opts, month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
  const long = new Intl.DateTimeFormat(LANG, { ...opts, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
  return {
    short: (iso) => (iso ? short.format(new Date(iso)) : ""),
    long: (iso) => (iso ? long.format(new Date(iso)) : ""),
  };
}

export async function fetchAll(url, { limit = 1000, signal } = {}) {
  const rows = [];
  let next = url;
  let count = 0;
  while (next && rows.length < limit) {
    const data = await api(next, { signal });
    if (Array.isArray(data)) return { rows: data, count: data.length };
    rows.push(...data.results);
    count = data.count;
    next = data.next;
  }
  return { rows, count };
}

export function caseUrl(template, placeholder, number, action = null) {
  let url = template.replace(placeholder, encodeURIComponent(number));
  if (action) url = url.replace("ACTION", action);
  return url;
}

// Status groups drive colours: new, waiting for the dispatcher, at a department, to verify, done.
const STATUS_GROUP = {
  reported: "new", registered: "waiting", return_requested: "request", extension_requested: "request",
  pending_requested: "request", dispatched: "handling", handling: "handling", pending: "pending",
  handled: "handled", closed: "closed", rejected: "closed", merged: "closed",
};
export const statusGroup = (status) => STATUS_GROUP[status] || "closed";
export const STATUS_COLOURS = {
  new: "#2563eb", waiting: "#7c3aed", request: "#db2777", handling: "#ea580c", pending: "#64748b",
  handled: "#0d9488", closed: "#9ca3af",
};
export const WARNING_COLOURS = { yellow: "#eab308", red: "#dc2626" };

export function statusChip(status, label) {
  return `<span class="chip chip-${statusGroup(status)}" data-status="${esc(status)}">${esc(label || status)}</span>`;
}

// The deadline that runs now: handling while a department holds the case, verification after.
export function runningDeadline(c) {
  if (["dispatched", "handling", "return_requested", "extension_requested", "pending_requested"].includes(c.status)) {
    return c.handle_deadline;
  }
  if (c.status === "handled") return c.verify_deadline;
  return null;
}

// green / yellow / red: the server's warning, and red at once when the clock passed the deadline.
export function warningOf(c, now = Date.now()) {
  const deadline = runningDeadline(c);
  if (deadline && new Date(deadline).getTime() < now) return "red";
  return deadline ? c.warning || "green" : "";
}

export function deadlineCell(c, T, fmt, now = Date.now()) {
  const deadline = runningDeadline(c);
  if (!deadline) return `<span class="muted">—</span>`;
  const warning = warningOf(c, now);
  const left = timeLeftText(c.time_left, T);
  const title = [fill(T.deadlineAt, { at: fmt.long(deadline) }), T.warning[warning] || ""].filter(Boolean).join(" · ");
  return (
    `<span class="deadline deadline-${warning}" data-warning="${warning}" title="${esc(title)}">` +
    `<i class="light" aria-hidden="true"></i>${esc(fmt.short(deadline))}<small class="time-left">${esc(left)}</small></span>`
  );
}

// The server counts working time on the calendar (apps/cases/timeleft.py): 超期 12 个工作日, 剩余 3 小时.
export function timeLeftText(t, T) {
  if (!t) return "";
  const span = t.days && t.hours
    ? fill(T.daysHours, { d: t.days, h: t.hours })
    : t.days ? fill(T.workingDays, { d: t.days }) : fill(T.workingHours, { h: t.hours });
  return fill(t.overdue ? T.overdueBy : T.timeLeft, { span });
}

// The report's photos are shown with the description, so its row leaves them out.
export function timelineHtml(events, T, fmt) {
  const items = events.map((e) => {
    const who = e.actor
      ? `${esc(e.actor.name)}<small>${esc(e.department ? e.department.name : e.actor.role_display)}</small>`
      : `<small>${esc(T.system)}</small>`;
    const photos = (e.action === "report" ? [] : e.photos || [])
      .map((p) => `<a href="${esc(p.url)}" target="_blank" rel="noopener"><img src="${esc(p.url)}" alt="" loading="lazy"></a>`)
      .join("");
    const move = e.from_status
      ? `<div class="tl-move">${esc(T.status[e.from_status] || e.from_status)} → ${esc(e.to_status_display)}</div>`
      : "";
    return (
      `<li class="tl-item tl-${esc(e.action)}" data-action="${esc(e.action)}">` +
      `<div class="tl-head"><b>${esc(e.action_display)}</b><time>${esc(fmt.long(e.at))}</time></div>` +
      `<div class="tl-who">${who}</div>` +
      move +
      (e.note ? `<p class="tl-note">${esc(e.note)}</p>` : "") +
      (photos ? `<div class="thumbs">${photos}</div>` : "") +
      `</li>`
    );
  });
  return `<ol class="timeline">${items.join("")}</ol>`;
}

// Map coordinates: WGS84 as stored, or shifted to GCJ-02 under Amap tiles.
export function projection(config) {
  const toDisplay = config.gcj02 ? wgs84ToGcj02 : (lon, lat) => [lon, lat];
  const toWgs84 = config.gcj02 ? gcj02ToWgs84 : (lon, lat) => [lon, lat];
  return {
    latLng: (lon, lat) => {
      const [x, y] = toDisplay(lon, lat);
      return L.latLng(y, x);
    },
    toWgs84,
    coordsToLatLng: (c) => {
      const [x, y] = toDisplay(c[0], c[1]);
      return L.latLng(y, x);
    },
  };
}

export function addBaseTiles(map, config) {
  for (const tile of config.tiles || []) L.tileLayer(tile.url, tile.options).addTo(map);
}

// Communities and sub-district outlines as a light base under the cases, so
// the page reads with no tiles. One request each, simplified for zoom 12.
export async function addDistrictOutline(map, urls, proj, bounds) {
  if (!bounds) return;
  const [[s, w], [n, e]] = bounds;
  const query = new URLSearchParams({ bbox: [w, s, e, n].join(","), zoom: "12" });
  const styles = {
    communities: { color: "#a8a29e", weight: 0.8, opacity: 0.8, fillColor: "#fffdf7", fillOpacity: 0.75 },
    subdistricts: { color: "#7f1d1d", weight: 1.6, opacity: 0.55, fill: false },
  };
  const pane = map.createPane("pane-outline");
  pane.style.zIndex = "350";
  pane.style.pointerEvents = "none";
  for (const name of ["communities", "subdistricts"]) {
    if (!urls[name]) continue;
    try {
      const data = await api(`${urls[name]}?${query}`);
      L.geoJSON(data, { pane: "pane-outline", coordsToLatLng: proj.coordsToLatLng, interactive: false, style: () => styles[name] })
        .addTo(map);
    } catch {
      // The outline is decoration: the cases still show without it.
    }
  }
}

// The photo input: up to six images of 5 MB at most, with thumbnails and a remove button.
// A page that shrinks photos before sending them (the report sheet) takes larger originals:
// `maxBytes` with its own message `tooLarge`.
export class PhotoPicker {
  constructor(root, T, { onChange, maxBytes = MAX_PHOTO_BYTES, tooLarge } = {}) {
    this.root = root;
    this.T = T;
    this.files = [];
    this.maxBytes = maxBytes;
    this.tooLarge = tooLarge || T.photoTooLarge;
    this.onChange = onChange || (() => {});
    this.input = root.querySelector("input[type=file]");
    this.list = root.querySelector(".photo-list");
    this.error = root.querySelector(".photo-error");
    this.input.addEventListener("change", () => this.add([...this.input.files]));
    this.list.addEventListener("click", (event) => {
      const button = event.target.closest("[data-remove]");
      if (!button) return;
      this.files.splice(Number(button.dataset.remove), 1);
      this.render();
    });
  }

  add(files) {
    const problems = [];
    for (const file of files) {
      if (!file.type.startsWith("image/")) problems.push(fill(this.T.photoNotImage, { name: file.name }));
      else if (file.size > this.maxBytes) problems.push(fill(this.tooLarge, { name: file.name }));
      else if (this.files.length >= MAX_PHOTOS) problems.push(fill(this.T.photoLimit, { n: MAX_PHOTOS }));
      else this.files.push(file);
    }
    this.input.value = "";
    this.showError([...new Set(problems)].join(" "));
    this.render();
  }

  showError(text) {
    this.error.textContent = text || "";
    this.error.hidden = !text;
  }

  render() {
    for (const img of this.list.querySelectorAll("img")) URL.revokeObjectURL(img.src);
    this.list.innerHTML = this.files
      .map(
        (file, i) =>
          `<li><img src="${URL.createObjectURL(file)}" alt="${esc(file.name)}">` +
          `<button type="button" data-remove="${i}" aria-label="×">×</button></li>`,
      )
      .join("");
    this.root.dataset.count = String(this.files.length);
    this.onChange(this.files);
  }

  clear() {
    this.files = [];
    this.showError("");
    this.render();
  }

  appendTo(form) {
    for (const file of this.files) form.append("photos", file, file.name);
  }
}

export function photoPickerHtml(T, name = "photos") {
  return (
    `<div class="photo-picker" data-count="0">` +
    `<label class="btn btn-quiet photo-add"><input type="file" name="${esc(name)}" accept="image/*" capture="environment" multiple hidden>` +
    `<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><path d="M4 8h3l2-3h6l2 3h3v11H4z" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round"/><circle cx="12" cy="13" r="3.5" fill="none" stroke="currentColor" stroke-width="1.8"/></svg>` +
    `${esc(T.photoAdd)}</label><ul class="photo-list"></ul><p class="photo-error" role="alert" hidden></p></div>`
  );
}
