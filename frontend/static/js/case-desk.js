// A desk: queues as tabs, the cases of the current queue in a table and on a
// map, and the selected case in a panel with the actions its reader may take.
// The dispatch and handling pages are this desk with their own extras.
import {
  ApiError, STATUS_COLOURS, WARNING_COLOURS, addBaseTiles, addDistrictOutline, api, caseUrl, dateFormatter,
  deadlineCell, esc, fetchAll, fill, photoPickerHtml, PhotoPicker, projection, readJson, statusChip,
  statusGroup, timelineHtml, warningOf,
} from "./case-ui.js";

const QUEUE_LIMIT = 1000; // rows drawn per queue, asked for in one page (the API's largest)
const REFRESH_MS = 60000; // counts and queue while the page is visible
const CLUSTER_PX = 44; // cases closer than this on screen share one marker

// Fields of each action's form; "!" marks a required reason. No fields: one click.
export const FORMS = {
  register: [], accept: [], approve_return: [], grant_pending: [], resume: [], verify_pass: [],
  reject: ["note!"], close_error: ["note!"], close_special: ["note!"], return: ["note!"],
  refuse_return: ["note!"], refuse_extension: ["note!"], refuse_pending: ["note!"], request_pending: ["note!"],
  verify_fail: ["note!", "photos"],
  send_back: ["note!"],
  merge: ["target", "note"],
  dispatch: ["department", "co_departments", "deadline", "note"],
  request_extension: ["hours", "note!"],
  grant_extension: ["deadline", "hours", "note"],
  report_part: ["result", "photos"],
  report_handled: ["result", "photos"],
};
const DANGER = new Set(["reject", "return", "refuse_return", "refuse_extension", "refuse_pending", "verify_fail",
  "send_back", "close_error", "close_special"]);
const PRIMARY = new Set(["register", "dispatch", "accept", "report_handled", "report_part", "verify_pass",
  "approve_return", "grant_extension", "grant_pending"]);

// 临界: a report near a grid, community, sub-district or zone border (apps/cases/borders.py).
function borderBadge(c, T) {
  if (!c.near_border || !c.border) return "";
  const other = c.border.other;
  return `<span class="flag flag-border" data-border="${esc(other.grid.code)}" title="${esc(c.border.rule_text)}">${esc(T.nearBorder)}</span>` +
    `<small class="border-other">↔ ${esc(other.grid.name)}${other.zone ? ` · ${esc(other.zone.name)}` : ""}</small>`;
}

function borderPlace(place, T) {
  const zone = place.zone ? place.zone.name : T.borderNoZone;
  const department = place.department ? `<br><small>${esc(T.department)}: ${esc(place.department.name)}</small>` : "";
  return `${esc(place.grid.name)} <small>${esc(place.grid.code)}</small><br>${esc(place.community.name)} · ` +
    `${esc(place.subdistrict.name)} · ${esc(zone)}${department}`;
}

function borderHtml(c, T) {
  if (!c.near_border || !c.border) return "";
  const b = c.border;
  const levels = (b.levels || []).map((l) => T.borderLevels[l] || l).join("、");
  const other = b.other;
  const label = other.zone ? `${other.grid.name} / ${other.zone.name}` : other.grid.name;
  const button = (c.allowed_actions || []).includes("reroute")
    ? `<button type="button" class="btn btn-primary btn-small" data-reroute="${esc(other.grid.code)}" data-zone="${esc(other.zone?.code || "")}">${esc(fill(T.rerouteTo, { area: label }))}</button>`
    : "";
  return `<section class="border-notice" data-levels="${esc((b.levels || []).join(","))}">` +
    `<h3><span class="flag flag-border">${esc(T.nearBorder)}</span> ${esc(levels)} · ${esc(fill(T.metres, { n: b.distance_m }))}</h3>` +
    `<p class="border-rule">${esc(b.rule_text)}</p>` +
    `<table class="facts"><tr><th>${esc(T.borderChosen)}</th><td>${borderPlace(b.chosen, T)}</td></tr>` +
    `<tr><th>${esc(T.borderOther)}</th><td>${borderPlace(other, T)}</td></tr></table>${button}</section>`;
}

export class Desk {
  constructor({ extras = () => "", onDetail = () => {} } = {}) {
    this.root = document.getElementById("desk");
    this.config = readJson("desk-config");
    this.T = readJson("desk-strings");
    this.API = readJson("case-api");
    this.csrf = this.root.dataset.csrf;
    this.fmt = dateFormatter(this.config.timeZone);
    this.proj = projection(this.config);
    this.extras = extras;
    this.onDetail = onDetail;
    this.rows = [];
    this.markers = new Map();
    this.selected = null;
    this.detail = null;
    this.tabs = [...this.root.querySelectorAll(".desk-tab")];
    // The server marks the first tab holding work (apps/cases/views.py: first_tab_with_work).
    this.tab = this.tabs.find((t) => t.getAttribute("aria-selected") === "true") || this.tabs[0];
    this.body = this.root.querySelector(".queue tbody");
    this.message = this.root.querySelector(".queue-message");
    this.panel = this.root.querySelector(".desk-detail");
    this.filter = this.root.querySelector(".queue-filter");
    this.toastBox = this.root.querySelector(".desk-toast");
    this.departments = null;
    this.categories = null;
  }

  start(map) {
    this.map = map;
    // The grid layout sizes the map after Leaflet measured it: measure again on every resize.
    map.invalidateSize();
    new ResizeObserver(() => map.invalidateSize()).observe(map.getContainer());
    addBaseTiles(map, this.config);
    this.cases = L.featureGroup().addTo(map);
    map.on("zoomend", () => this.drawClusters());
    this.fitArea();
    this.addAreaControl(map);
    addDistrictOutline(map, this.API, this.proj, this.config.bounds);
    for (const tab of this.tabs) tab.addEventListener("click", () => this.switchTab(tab));
    this.filter.addEventListener("input", () => this.renderQueue());
    this.root.querySelector(".queue-reload").addEventListener("click", () => this.refresh());
    this.body.addEventListener("click", (event) => {
      const row = event.target.closest("tr[data-number]");
      if (row) this.select(row.dataset.number);
    });
    this.body.addEventListener("keydown", (event) => {
      const row = event.target.closest("tr[data-number]");
      if (row && (event.key === "Enter" || event.key === " ")) {
        event.preventDefault();
        this.select(row.dataset.number);
      }
    });
    this.panel.addEventListener("click", (event) => this.onPanelClick(event));
    this.panel.addEventListener("submit", (event) => this.onSubmit(event));
    const wanted = decodeURIComponent(window.location.hash.slice(1));
    // Opened on the person's area (fitArea above); the first queue's cases are drawn inside it.
    this.refresh({ fit: !this.config.area }).then(() => wanted && this.select(wanted));
    setInterval(() => document.visibilityState === "visible" && this.refresh(), REFRESH_MS);
  }

  // The person's own area (server-computed: apps/people/access.py area_bounds), the district without one.
  fitArea() {
    const box = this.config.area || this.config.bounds;
    if (!box) return;
    const [[s, w], [n, e]] = box;
    // Not animated: a zoom animation still running when the queue arrives
    // would end by restoring its own target over the fit to the cases.
    this.map.fitBounds(L.latLngBounds(this.proj.latLng(w, s), this.proj.latLng(e, n)), { padding: [4, 4], animate: false });
  }

  addAreaControl(map) {
    const control = L.control({ position: "topleft" });
    control.onAdd = () => {
      const button = L.DomUtil.create("button", "map-my-area");
      button.type = "button";
      button.textContent = this.T.myArea;
      L.DomEvent.disableClickPropagation(button);
      L.DomEvent.on(button, "click", () => this.fitArea());
      return button;
    };
    control.addTo(map);
  }

  // --- queues -------------------------------------------------------------------------

  switchTab(tab) {
    this.tab = tab;
    for (const t of this.tabs) t.setAttribute("aria-selected", String(t === tab));
    this.loadQueue({ fit: true });
  }

  async refresh(options = {}) {
    await Promise.all([this.loadQueue(options), this.loadCounts()]);
  }

  async loadCounts() {
    await Promise.all(
      this.tabs.map(async (tab) => {
        try {
          const data = await api(`${this.API.cases}?${tab.dataset.query}&page_size=1`);
          const badge = tab.querySelector(".tab-count");
          badge.textContent = data.count ? String(data.count) : "";
          badge.dataset.count = String(data.count);
        } catch {
          // A count is a hint; the queue itself reports failures.
        }
      }),
    );
  }

  async loadQueue({ fit = false } = {}) {
    const tab = this.tab;
    if (this.controller) this.controller.abort();
    const controller = new AbortController();
    this.controller = controller;
    this.root.dataset.state = "loading";
    if (!this.rows.length) this.showMessage(this.T.loading);
    try {
      const { rows, count } = await fetchAll(`${this.API.cases}?${tab.dataset.query}&page_size=${QUEUE_LIMIT}`, {
        limit: QUEUE_LIMIT, signal: controller.signal,
      });
      if (controller.signal.aborted || tab !== this.tab) return;
      this.rows = rows;
      this.total = count;
      this.renderQueue();
      this.renderMarkers(fit);
      this.root.dataset.state = "ready";
    } catch (error) {
      if (error.name === "AbortError") return;
      this.rows = [];
      this.renderQueue();
      this.showMessage(this.T.loadFailed);
      this.root.dataset.state = "error";
    }
  }

  visibleRows() {
    const words = this.filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) return this.rows;
    return this.rows.filter((c) => {
      const text = [c.number, c.category.name, c.category.group, c.grid.name, c.grid.code, c.community.name,
        c.subdistrict.name, c.description].join(" ").toLowerCase();
      return words.every((w) => text.includes(w));
    });
  }

  renderQueue() {
    const rows = this.visibleRows();
    const now = Date.now();
    this.body.innerHTML = rows
      .map(
        (c) =>
          `<tr data-number="${esc(c.number)}" tabindex="0" class="${c.number === this.selected ? "selected" : ""}">` +
          `<td class="num">${esc(c.number)}</td>` +
          `<td><span class="cat">${esc(c.category.name)}</span><small>${esc(c.category.group)}</small></td>` +
          `<td><span>${esc(c.grid.name)}</span><small>${esc(c.community.name)}</small>${borderBadge(c, this.T)}</td>` +
          `<td>${esc(this.fmt.short(c.reported_at))}</td>` +
          `<td>${statusChip(c.status, c.status_display)}${c.unroutable && !c.department ? `<span class="flag flag-unroutable" title="${esc(this.T.unroutable)}">!</span>` : ""}</td>` +
          `<td>${deadlineCell(c, this.T, this.fmt, now)}</td></tr>`,
      )
      .join("");
    const shown = this.total > this.rows.length ? fill(this.T.moreCases, { n: this.rows.length }) : "";
    this.root.querySelector(".queue-total").textContent = `${fill(this.T.count, { n: this.total ?? 0 })} ${shown}`;
    this.showMessage(rows.length ? "" : this.T.empty);
  }

  showMessage(text) {
    this.message.textContent = text || "";
    this.message.hidden = !text;
  }

  markerStyle(c, selected) {
    const warning = warningOf(c);
    const ring = WARNING_COLOURS[warning];
    return {
      radius: selected ? 10 : 7,
      fillColor: STATUS_COLOURS[statusGroup(c.status)],
      fillOpacity: 0.95,
      color: selected ? "#111827" : ring || "#ffffff",
      weight: selected ? 3 : ring ? 3.5 : 1.5,
    };
  }

  // Every case of the queue at any zoom: cases closer than CLUSTER_PX on screen
  // share one numbered marker (the worst warning colours it; a tap zooms to
  // its cases), redrawn after each zoom. The selected case always stands alone.
  renderMarkers(fit) {
    this.markers.clear();
    for (const c of this.rows) {
      const marker = L.circleMarker(this.proj.latLng(c.lon, c.lat), this.markerStyle(c, c.number === this.selected));
      marker.bindTooltip(`${esc(c.number)} · ${esc(c.category.name)}`, { direction: "top", offset: [0, -6] });
      marker.on("click", () => this.select(c.number));
      marker.on("add", () => marker.getElement()?.setAttribute("data-number", c.number));
      this.markers.set(c.number, { marker, c });
    }
    if (fit && this.rows.length) {
      const bounds = L.latLngBounds([...this.markers.values()].map(({ marker }) => marker.getLatLng()));
      this.map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16, animate: false });
    }
    this.drawClusters();
  }

  drawClusters() {
    this.cases.clearLayers();
    const zoom = this.map.getZoom();
    const cells = new Map();
    for (const entry of this.markers.values()) {
      if (entry.c.number === this.selected) {
        entry.marker.addTo(this.cases);
        continue;
      }
      const p = this.map.project(entry.marker.getLatLng(), zoom);
      const key = `${Math.floor(p.x / CLUSTER_PX)}:${Math.floor(p.y / CLUSTER_PX)}`;
      if (!cells.has(key)) cells.set(key, []);
      cells.get(key).push(entry);
    }
    for (const group of cells.values()) {
      if (group.length === 1) {
        group[0].marker.addTo(this.cases);
        continue;
      }
      const bounds = L.latLngBounds(group.map(({ marker }) => marker.getLatLng()));
      const warnings = new Set(group.map(({ c }) => warningOf(c)));
      const worst = warnings.has("red") ? "red" : warnings.has("yellow") ? "yellow" : "green";
      const size = group.length < 10 ? 28 : group.length < 100 ? 34 : 40;
      const cluster = L.marker(bounds.getCenter(), {
        icon: L.divIcon({ className: `case-cluster case-cluster-${worst}`, html: `<span>${group.length}</span>`, iconSize: [size, size] }),
        title: fill(this.T.count, { n: group.length }),
      });
      cluster.on("click", () => this.map.fitBounds(bounds.pad(0.2), { maxZoom: this.map.getMaxZoom(), animate: false }));
      cluster.on("add", () => cluster.getElement()?.setAttribute("data-cluster", String(group.length)));
      cluster.addTo(this.cases);
    }
  }

  // --- one case ---------------------------------------------------------------------------

  async select(number) {
    if (!number) return;
    const previous = this.markers.get(this.selected);
    if (previous) previous.marker.setStyle(this.markerStyle(previous.c, false));
    this.selected = number;
    for (const row of this.body.querySelectorAll("tr.selected")) row.classList.remove("selected");
    this.body.querySelector(`tr[data-number="${CSS.escape(number)}"]`)?.classList.add("selected");
    const current = this.markers.get(number);
    this.drawClusters();
    if (current) {
      current.marker.setStyle(this.markerStyle(current.c, true)).bringToFront();
      if (!this.map.getBounds().contains(current.marker.getLatLng())) this.map.panTo(current.marker.getLatLng());
    }
    history.replaceState(null, "", `#${encodeURIComponent(number)}`);
    this.panel.dataset.state = "loading";
    try {
      const detail = await api(caseUrl(this.API.case, this.API.placeholder, number));
      if (this.selected !== number) return;
      this.showDetail(detail);
    } catch (error) {
      if (this.selected !== number) return;
      this.panel.innerHTML = `<p class="detail-error" role="alert">${esc(error.message || this.T.failed)}</p>`;
      this.panel.dataset.state = "error";
    }
  }

  showDetail(c) {
    this.detail = c;
    const T = this.T;
    const lead = (c.parts || []).find((p) => p.lead);
    const parts = (c.parts || [])
      .map(
        (p) =>
          `<li>${esc(p.department.name)} <small>${esc(p.lead ? T.lead : T.coHandling)}</small> ` +
          `<span class="part-state ${p.reported_at ? "in" : ""}">${esc(p.reported_at ? T.partReported : T.partWaiting)}</span></li>`,
      )
      .join("");
    const facts = [
      [T.place, `${esc(c.grid.name)} <small>${esc(c.grid.code)}</small><br>${esc(c.community.name)} · ${esc(c.subdistrict.name)}`, true],
      [T.reportedAt, `${this.fmt.long(c.reported_at)}${c.reporter ? ` · ${c.reporter.name}` : ""}`],
      [T.address, c.address],
      [T.department, lead ? "" : c.department?.name || ""],
      [T.deadline, c.handle_deadline ? deadlineCell(c, T, this.fmt) : "", true],
    ].filter(([, v]) => v);
    const photos = (c.events[0]?.photos || [])
      .map((p) => `<a href="${esc(p.url)}" target="_blank" rel="noopener"><img src="${esc(p.url)}" alt="" loading="lazy"></a>`)
      .join("");
    const counts = [c.rework_count ? fill(T.rework, { n: c.rework_count }) : "", c.extension_count ? fill(T.extension, { n: c.extension_count }) : ""]
      .filter(Boolean)
      .map((t) => `<span class="chip chip-note">${esc(t)}</span>`)
      .join("");
    // 取证闭环: the checks a result or verification photo failed, named as the photos name them.
    const flagLabels = {};
    for (const e of c.events) {
      for (const p of e.photos || []) (p.problems || []).forEach((code, i) => (flagLabels[code] = p.problems_display[i]));
    }
    const flags = (c.evidence_flags || [])
      .map((code) => `<span class="chip chip-red ev-flag" data-flag="${esc(code)}">${esc(flagLabels[code] || code)}</span>`)
      .join("");
    this.panel.innerHTML =
      `<header class="detail-head">` +
      `<div><h2 class="detail-number">${esc(c.number)}</h2><p class="detail-cat">${esc(c.category.group)} / ${esc(c.category.name)}</p></div>` +
      `<div class="detail-chips">${statusChip(c.status, c.status_display)}${counts}${flags}</div>` +
      `<a class="detail-link" href="${esc(caseUrl(this.API.page, this.API.placeholder, c.number))}">${esc(T.openCase)} →</a>` +
      `</header>` +
      `<p class="detail-desc">${esc(c.description)}</p>` +
      (photos ? `<div class="thumbs detail-photos">${photos}</div>` : "") +
      borderHtml(c, T) +
      `<table class="facts">${facts.map(([k, v, html]) => `<tr><th>${esc(k)}</th><td>${html ? v : esc(v)}</td></tr>`).join("")}</table>` +
      (parts ? `<h3>${esc(T.parts)}</h3><ul class="parts">${parts}</ul>` : "") +
      this.extras(c, this) +
      this.actionsHtml(c) +
      `<h3>${esc(T.timeline)}</h3>${timelineHtml(c.events, T, this.fmt)}`;
    this.panel.dataset.state = "ready";
    this.panel.dataset.number = c.number;
    this.panel.dataset.status = c.status;
    this.panel.scrollTop = 0;
    this.onDetail(c, this);
  }

  actionsHtml(c) {
    // A part report only means something beside co-handlers; alone, the lead reports the result.
    const joint = (c.parts || []).length > 1;
    // Rerouting is offered beside the two candidate areas (borderHtml), not in the action row.
    const actions = (c.allowed_actions || []).filter((a) => (a !== "report_part" || joint) && a !== "reroute");
    if (!actions.length) return `<p class="muted detail-none">${esc(this.T.nothingToDo)}</p>`;
    const buttons = actions
      .map((a) => {
        const kind = DANGER.has(a) ? "btn-danger" : PRIMARY.has(a) ? "btn-primary" : "btn-quiet";
        return `<button type="button" class="btn ${kind} action-btn" data-action="${esc(a)}">${esc(this.T.actions[a] || a)}</button>`;
      })
      .join("");
    return `<section class="actions"><div class="action-row">${buttons}</div><div class="action-form-slot"></div></section>`;
  }

  async onPanelClick(event) {
    const reroute = event.target.closest("[data-reroute]");
    if (reroute) {
      // One click: the other candidate stored with the case (the server refuses any other area).
      const data = new FormData();
      data.append("grid", reroute.dataset.reroute);
      data.append("zone", reroute.dataset.zone);
      await this.act("reroute", data, reroute);
      return;
    }
    const merge = event.target.closest("[data-merge]");
    if (merge) {
      await this.openForm("merge", { target: merge.dataset.merge });
      return;
    }
    const button = event.target.closest("[data-action]");
    if (button && button.classList.contains("action-btn")) {
      const action = button.dataset.action;
      for (const b of this.panel.querySelectorAll(".action-btn")) b.classList.toggle("active", b === button);
      if (!FORMS[action]?.length) {
        await this.act(action, new FormData(), button);
      } else {
        await this.openForm(action);
      }
      return;
    }
    if (event.target.closest(".form-cancel")) {
      this.panel.querySelector(".action-form-slot").innerHTML = "";
      for (const b of this.panel.querySelectorAll(".action-btn")) b.classList.remove("active");
    }
  }

  async referenceData() {
    if (!this.departments) {
      const [departments, categories] = await Promise.all([api(this.API.departments), api(this.API.categories)]);
      this.departments = departments.results || departments;
      this.categories = new Map((categories.results || categories).map((c) => [c.code, c]));
    }
  }

  async openForm(action, preset = {}) {
    const fields = FORMS[action];
    if (fields.some((f) => f.startsWith("department") || f === "co_departments" || f === "deadline")) {
      await this.referenceData();
    }
    const c = this.detail;
    const T = this.T;
    const html = fields.map((field) => this.fieldHtml(field, c, preset)).join("");
    const slot = this.panel.querySelector(".action-form-slot");
    slot.innerHTML =
      `<form class="action-form" data-action="${esc(action)}" novalidate>` +
      `<h4>${esc(T.actions[action] || action)}</h4>${html}` +
      `<p class="form-error" role="alert" hidden></p>` +
      `<div class="form-buttons"><button type="submit" class="btn ${DANGER.has(action) ? "btn-danger" : "btn-primary"}">${esc(T.confirm)}</button>` +
      `<button type="button" class="btn btn-quiet form-cancel">${esc(T.cancel)}</button></div></form>`;
    const picker = slot.querySelector(".photo-picker");
    this.picker = picker ? new PhotoPicker(picker, T) : null;
    slot.querySelector("textarea, input:not([type=hidden]), select")?.focus({ preventScroll: true });
    slot.scrollIntoView({ block: "nearest" });
  }

  fieldHtml(field, c, preset) {
    const T = this.T;
    const required = field.endsWith("!");
    const name = field.replace("!", "");
    if (name === "note") {
      const label = required ? T.reason : T.note;
      return `<label class="field"><span>${esc(label)}${required ? " *" : ""}</span><textarea name="note" rows="2" maxlength="2000"${required ? " required" : ""}></textarea></label>`;
    }
    if (name === "result") {
      return `<label class="field"><span>${esc(T.result)}</span><textarea name="result" rows="3" maxlength="2000"></textarea></label>`;
    }
    if (name === "photos") return `<div class="field"><span>${esc(T.photos)}</span>${photoPickerHtml(T)}</div>`;
    if (name === "hours") {
      return `<label class="field field-short"><span>${esc(c.status === "extension_requested" ? T.orHours : T.hours)}</span><input type="number" name="hours" min="1" max="2000" step="1" inputmode="numeric" value="${esc(this.requestedHours(c))}"></label>`;
    }
    if (name === "target") {
      const options = (c.duplicates || []).map((d) => `<option value="${esc(d.number)}">`).join("");
      return `<label class="field"><span>${esc(T.target)} *</span><input name="target" list="merge-targets" required value="${esc(preset.target || "")}" autocomplete="off"><datalist id="merge-targets">${options}</datalist></label>`;
    }
    if (name === "department") {
      const chosen = preset.department || c.suggestion?.department?.code || c.department?.code || "";
      const options = this.departments
        .map((d) => `<option value="${esc(d.code)}"${d.code === chosen ? " selected" : ""}>${esc(d.name)}</option>`)
        .join("");
      return `<label class="field"><span>${esc(T.department)} *</span><select name="department" required><option value="">—</option>${options}</select></label>`;
    }
    if (name === "co_departments") {
      const options = this.departments
        .map((d) => `<label class="check"><input type="checkbox" name="co_departments" value="${esc(d.code)}">${esc(d.name)}</label>`)
        .join("");
      return `<details class="field co-departments"><summary>${esc(T.coDepartments)}</summary><div class="check-list">${options}</div></details>`;
    }
    if (name === "deadline") {
      const category = this.categories?.get(c.category.code);
      const hint = category ? fill(T.deadlineDefault, { hours: category.handle_hours }) : "";
      const label = c.status === "extension_requested" ? T.newDeadline : T.deadlineOptional;
      return `<label class="field"><span>${esc(label)}</span><input type="datetime-local" name="deadline"><small class="hint">${esc(hint)}</small></label>`;
    }
    return "";
  }

  requestedHours(c) {
    if (c.status !== "extension_requested") return "";
    const asked = [...c.events].reverse().find((e) => e.action === "request_extension");
    return asked?.data?.hours || "";
  }

  async onSubmit(event) {
    const form = event.target.closest("form.action-form");
    if (!form) return;
    event.preventDefault();
    const action = form.dataset.action;
    const error = form.querySelector(".form-error");
    const note = form.elements.note;
    if (note && note.required && !note.value.trim()) {
      error.textContent = this.T.reasonRequired;
      error.hidden = false;
      note.focus();
      return;
    }
    const data = new FormData();
    for (const el of form.elements) {
      if (!el.name || el.type === "file") continue;
      if (el.type === "checkbox" && !el.checked) continue;
      if (el.value === "") continue;
      data.append(el.name, el.name === "deadline" ? this.isoDeadline(el.value) : el.value);
    }
    // The result is the department's word on the timeline too: it goes as the event's note.
    if (form.elements.result?.value.trim() && !data.has("note")) data.append("note", form.elements.result.value.trim());
    if (this.picker) this.picker.appendTo(data);
    await this.act(action, data, form.querySelector("[type=submit]"), error);
  }

  // datetime-local is the wall clock of the desk's time zone (Asia/Shanghai), sent as such.
  isoDeadline(value) {
    return value.length === 16 ? `${value}:00` : value;
  }

  async act(action, data, button, errorBox = null) {
    const c = this.detail;
    data.append("version", String(c.version));
    if (button) button.disabled = true;
    this.panel.dataset.state = "acting";
    try {
      const updated = await api(caseUrl(this.API.action, this.API.placeholder, c.number, action), {
        method: "POST", body: data, csrf: this.csrf,
      });
      this.toast(fill(this.T.done, { action: this.T.actions[action] || action }));
      this.showDetail(updated);
      this.refresh();
    } catch (error) {
      if (button) button.disabled = false;
      this.panel.dataset.state = "ready";
      if (error instanceof ApiError && error.status === 409) {
        this.toast(error.message || this.T.conflict, true);
        this.select(c.number);
        this.refresh();
        return;
      }
      const text = error.message || this.T.failed;
      if (errorBox) {
        errorBox.textContent = text;
        errorBox.hidden = false;
      } else {
        this.toast(text, true);
      }
    }
  }

  toast(text, bad = false) {
    this.toastBox.textContent = text;
    this.toastBox.classList.toggle("bad", bad);
    this.toastBox.hidden = false;
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => (this.toastBox.hidden = true), 4000);
  }
}

export function startDesk(options) {
  const root = document.getElementById("desk");
  const desk = new Desk(options);
  window.addEventListener("map:init", (event) => {
    if (event.detail.id !== root.dataset.mapId) return;
    desk.start(event.detail.map);
  });
  return desk;
}
