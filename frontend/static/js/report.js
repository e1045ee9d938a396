// The report form on the map page (grid workers, zone cadres): tap the spot or
// use GPS, pick a category, write a line, add photos, send. Also the patrol's
// lists: their reports, and the handled cases waiting for them to verify.
//
// No signal must never lose a report, and a weak one must never make two
// cases: every report is first stored on the phone (IndexedDB, report-queue.js)
// with a UUID made here, then sent; every send carries the same id and the
// server returns the case it already made. What waits, what was sent and what
// the server refused is listed on the "My cases" sheet. A service worker keeps
// the page, its files and the own area's layers for use without signal
// (report-offline.js, templates/cases/sw.js).
import {
  PhotoPicker, api, caseUrl, dateFormatter, esc, fill, newUuid, readJson, statusChip,
} from "./case-ui.js";
import { MAX_ORIGINAL_BYTES, preparePhoto } from "./photo-resize.js";
import { askForSync, onWorkerFlush, prepareOffline } from "./report-offline.js";
import { ReportQueue } from "./report-queue.js";

const shell = document.getElementById("map-shell");
const root = document.getElementById("report");
const API = readJson("report-api");
const T = readJson("report-strings");
const OFFLINE = readJson("report-offline");
const MAP_CONFIG = readJson("map-config");
const LEGACY_PENDING_KEY = "gridgov.report.pending"; // the single pending report of the earlier sheet
const RETRIES = 3; // automatic retries of a report being sent now, 1 s, 2 s, 4 s apart
const RESEND_EVERY_MS = 60 * 1000; // while reports wait and the phone says it is online
const LIST_SIZE = 50;
const VERIFY_DETAILS = 10; // results fetched for the first cases of the to-verify list

class Reporter {
  constructor(map) {
    this.map = map;
    this.csrf = root.dataset.csrf;
    this.canVerify = root.dataset.canVerify === "1";
    this.fmt = dateFormatter(root.dataset.timeZone);
    this.sheet = root.querySelector(".report-sheet");
    this.mine = root.querySelector(".mine-sheet");
    this.form = root.querySelector(".report-form");
    this.placeBox = root.querySelector(".report-place");
    this.error = this.form.querySelector(".form-error");
    this.progress = this.form.querySelector(".report-progress");
    this.done = root.querySelector(".report-done");
    this.toastBox = root.querySelector(".report-toast");
    this.picker = new PhotoPicker(this.form.querySelector(".photo-picker"), T, {
      maxBytes: MAX_ORIGINAL_BYTES, tooLarge: T.photoOriginalTooLarge,
    });
    this.place = null;
    this.wantPlace = false;
    this.sending = false;
    this.sendButton = this.form.querySelector(".report-send");
    this.queued = root.querySelector(".report-queued");
    this.outbox = this.mine.querySelector(".outbox");
    this.fixing = null; // client id of a refused report whose place is being picked again
    this.queue = new ReportQueue({
      owner: root.dataset.owner,
      url: API.cases,
      csrf: this.csrf,
      newId: newUuid,
      onChange: () => this.renderOutbox(),
    });
  }

  start() {
    shell.classList.add("has-report");
    root.querySelector(".report-start").addEventListener("click", () => this.openReport());
    root.querySelector(".report-mine").addEventListener("click", () => this.openMine());
    for (const close of root.querySelectorAll(".sheet-close")) {
      close.addEventListener("click", () => this.closeSheets());
    }
    root.querySelector(".place-tap").addEventListener("click", () => this.askForPlace());
    root.querySelector(".place-gps").addEventListener("click", () => this.askForPlace({ gps: true }));
    for (const again of root.querySelectorAll(".report-again")) again.addEventListener("click", () => this.newDraft(true));
    root.querySelector(".show-outbox").addEventListener("click", () => {
      this.openMine();
      this.showList("mine");
    });
    shell.addEventListener("map:located", (event) => this.onLocated(event.detail));
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.mine.addEventListener("click", (event) => this.onListClick(event));
    this.outbox.addEventListener("click", (event) => this.onOutboxClick(event));
    this.mine.addEventListener("submit", (event) => this.onFailSubmit(event));
    for (const tab of this.mine.querySelectorAll(".sheet-tab")) tab.addEventListener("click", () => this.showList(tab.dataset.list));
    this.loadCategories();
    if (this.canVerify) this.loadList("verify");
    this.startQueue();
    this.startOffline();
    root.dataset.ready = "1";
  }

  // --- the queue on this phone ------------------------------------------------------------

  async startQueue() {
    try {
      await this.foldLegacyPending();
    } catch {
      // No IndexedDB here (storage refused): the form says so when a report is sent.
    }
    await this.renderOutbox();
    window.addEventListener("online", () => {
      this.flush();
      // Lists that failed to load without signal come back with it.
      if (this.canVerify) this.loadList("verify");
      this.loadList("mine");
    });
    onWorkerFlush(() => this.flush());
    setInterval(() => {
      if (navigator.onLine && root.dataset.waiting !== "0") this.flush();
    }, RESEND_EVERY_MS);
    root.dataset.queue = "ready";
    await this.flush();
  }

  // The earlier sheet kept one unconfirmed report in localStorage: it joins the queue with its id.
  async foldLegacyPending() {
    let pending = null;
    try {
      pending = JSON.parse(localStorage.getItem(LEGACY_PENDING_KEY) || "null");
    } catch {
      pending = null;
    }
    if (!pending || !pending.client_id) return;
    const fields = {};
    for (const key of ["category", "description", "address", "lon", "lat"]) fields[key] = pending[key] ?? "";
    if (!(await this.queue.get(pending.client_id))) {
      await this.queue.add(fields, [], { client_id: pending.client_id, created_at: pending.saved_at || new Date().toISOString() });
    }
    localStorage.removeItem(LEGACY_PENDING_KEY);
  }

  async flush() {
    try {
      const results = await this.queue.flush();
      if (results.some((r) => r.status === "sent")) this.loadList("mine");
    } catch {
      // IndexedDB refused (private mode, storage full): nothing to send from here.
    }
  }

  async startOffline() {
    const layerUrls = {};
    for (const name of OFFLINE.layers) {
      const url = shell.dataset[`layerUrl${name[0].toUpperCase()}${name.slice(1)}`];
      if (url) layerUrls[name] = url;
    }
    try {
      const kept = await prepareOffline(OFFLINE, { layerUrls, area: MAP_CONFIG.area, extraUrls: [API.categories] });
      root.dataset.offline = kept ? "ready" : "unsupported";
      if (kept) root.dataset.offlineFeatures = String(kept.features);
    } catch {
      root.dataset.offline = "failed";
    }
  }

  // --- the report form -------------------------------------------------------------------

  async loadCategories() {
    const select = this.form.elements.category;
    try {
      const data = await api(API.categories);
      const categories = data.results || data;
      const groups = new Map();
      for (const c of categories) {
        if (!groups.has(c.group)) groups.set(c.group, []);
        groups.get(c.group).push(c);
      }
      for (const [group, items] of groups) {
        const optgroup = document.createElement("optgroup");
        optgroup.label = group;
        for (const c of items) optgroup.append(new Option(c.name, c.code));
        select.append(optgroup);
      }
      select.dataset.loaded = "1";
    } catch {
      this.showError(T.loadFailed);
    }
  }

  openReport() {
    this.mine.hidden = true;
    if (!this.place) {
      this.askForPlace();
      return;
    }
    this.sheet.hidden = false;
  }

  closeSheets() {
    this.sheet.hidden = true;
    this.mine.hidden = true;
    this.wantPlace = false;
  }

  // The map takes the tap (or the GPS fix) and answers with "map:located".
  askForPlace({ gps = false } = {}) {
    this.wantPlace = true;
    if (!gps) this.sheet.hidden = true;
    this.setPlaceState("locating", T.locatingPlace, "");
    shell.dispatchEvent(new CustomEvent("map:locate-request", { detail: gps ? { gps } : { hint: T.tapHint } }));
  }

  onLocated({ lon, lat, at, located }) {
    if (this.fixing) {
      this.movePoint(this.fixing, lon, lat, located);
      return;
    }
    if (!this.wantPlace && this.sheet.hidden) return;
    this.wantPlace = false;
    this.map.closePopup();
    this.sheet.hidden = false;
    this.done.hidden = true;
    this.queued.hidden = true;
    this.form.hidden = false;
    delete this.sheet.dataset.state;
    if (located) {
      this.place = { lon, lat, located };
      const area = `${located.community.name} · ${located.subdistrict.name}`;
      // Without signal the service worker answers from the saved map of the own area.
      const title = located.offline ? fill(T.offlineGrid, { grid: located.grid.name }) : located.grid.name;
      this.setPlaceState(located.offline ? "offline" : "ok", title, `${located.grid.code} · ${area}`);
      this.placeBox.dataset.grid = located.grid.code;
    } else if (!navigator.onLine) {
      // No signal and no saved map here: the place is taken as tapped and checked when sent.
      this.place = { lon, lat, located: null };
      this.setPlaceState("offline", T.offlinePlace, `${lon.toFixed(6)}, ${lat.toFixed(6)}`);
    } else {
      this.place = null;
      this.setPlaceState("error", T.outside, "");
    }
    this.keepInView(at);
  }

  setPlaceState(state, title, detail) {
    this.placeBox.dataset.state = state;
    this.placeBox.querySelector(".place-grid").textContent = title;
    this.placeBox.querySelector(".place-area").textContent = detail;
    if (state !== "ok") delete this.placeBox.dataset.grid;
  }

  // On a phone the sheet covers the lower part of the map: move the point above it.
  keepInView(latlng) {
    if (!latlng) return;
    const mapBox = this.map.getContainer().getBoundingClientRect();
    const sheetBox = this.sheet.getBoundingClientRect();
    if (sheetBox.left > mapBox.left + 40) return; // a side panel on wide screens
    const point = this.map.latLngToContainerPoint(latlng);
    const visibleHeight = sheetBox.top - mapBox.top;
    if (point.y > visibleHeight - 30) this.map.panBy([0, point.y - visibleHeight / 2], { animate: false });
  }

  newDraft(open = false) {
    this.form.reset();
    this.picker.clear();
    this.showError("");
    this.showProgress("");
    this.done.hidden = true;
    this.queued.hidden = true;
    this.form.hidden = false;
    delete this.sheet.dataset.state;
    if (open) this.openReport();
  }

  showError(text) {
    this.error.textContent = text || "";
    this.error.hidden = !text;
  }

  showProgress(text) {
    this.progress.textContent = text || "";
    this.progress.hidden = !text;
  }

  validate() {
    if (!this.place) return T.noPlace;
    if (!this.form.elements.category.value) return T.chooseCategory;
    if (!this.form.elements.description.value.trim()) return T.describe;
    return "";
  }

  // The report is stored on the phone first, then sent: with signal the reporter
  // sees the receipt as before; without, it waits in the queue and the sheet says so.
  async submit() {
    if (this.sending) return;
    const problem = this.validate();
    if (problem) {
      this.showError(problem);
      return;
    }
    this.sending = true;
    this.sendButton.disabled = true;
    this.showError("");
    try {
      const f = this.form.elements;
      const fields = {
        category: f.category.value,
        description: f.description.value.trim(),
        address: f.address.value.trim(),
        lon: this.place.lon.toFixed(7),
        lat: this.place.lat.toFixed(7),
      };
      const photos = [];
      for (const file of this.picker.files) {
        try {
          photos.push(await preparePhoto(file));
        } catch {
          this.showError(fill(T.photoReadFailed, { name: file.name }));
          return;
        }
      }
      let row;
      try {
        const category = f.category.selectedOptions[0]?.textContent || "";
        row = await this.queue.add(fields, photos, { category_name: category, grid_name: this.place.located?.grid?.name || "" });
      } catch (error) {
        this.showError(fill(T.storageFailed, { reason: error.message || error.name }));
        return;
      }
      this.showProgress(T.sending);
      const [result] = await this.queue.flush({ only: row.client_id, retries: navigator.onLine ? RETRIES : 0 });
      this.showProgress("");
      if (result?.status === "sent") this.sent(result.receipt);
      else if (result?.status === "failed") this.refused(result);
      else this.waiting(result || row);
    } finally {
      this.sending = false;
      this.sendButton.disabled = false;
    }
  }

  clearDraft() {
    this.place = null;
    this.setPlaceState("empty", T.noPlace, "");
    this.form.reset();
    this.picker.clear();
  }

  sent(created) {
    this.form.hidden = true;
    this.queued.hidden = true;
    this.done.hidden = false;
    this.sheet.dataset.state = "done";
    this.done.querySelector(".case-number").textContent = created.number;
    // The receipt says where the case landed and who will likely handle it.
    this.done.querySelector(".done-place").textContent = fill(T.donePlace, {
      grid: created.grid.name, community: created.community.name, subdistrict: created.subdistrict.name,
    });
    const department = created.suggestion && created.suggestion.department;
    this.done.querySelector(".done-route").textContent = department
      ? fill(T.doneRoute, { department: department.name }) : T.doneUnrouted;
    this.done.querySelector(".case-link").href = caseUrl(API.page, API.placeholder, created.number);
    this.done.dataset.number = created.number;
    // Photos kept without EXIF or with impossible EXIF, each with the server's reason (apps/cases/evidence.py).
    this.done.querySelector(".done-photos")?.remove();
    const marked = (created.photos || []).map((p, i) => [i + 1, p]).filter(([, p]) => p.exif && p.exif !== "ok");
    if (marked.length) {
      const box = document.createElement("ul");
      box.className = "done-photos";
      box.innerHTML = marked.map(([n, p]) => `<li data-exif="${esc(p.exif)}">${n}. ${esc(p.exif_display)}${p.exif_note ? `: ${esc(p.exif_note)}` : ""}</li>`).join("");
      this.done.querySelector(".done-route").after(box);
    }
    this.clearDraft();
    this.loadList("mine");
  }

  // Refused while the reporter is still on the form: the form keeps everything
  // for them to correct, so the stored copy is dropped (nothing is lost).
  async refused(row) {
    await this.queue.remove(row.client_id);
    this.showError(row.message);
  }

  // No connection: the report waits on the phone; the sheet is free for the next one.
  waiting(row) {
    this.form.hidden = true;
    this.done.hidden = true;
    this.queued.hidden = false;
    this.sheet.dataset.state = "queued";
    this.queued.querySelector(".queued-text").textContent = T.offlineSaved;
    this.queued.dataset.clientId = row.client_id;
    this.clearDraft();
    askForSync();
  }

  // --- the list of what waits, was sent or was refused ----------------------------------------

  async renderOutbox() {
    let rows;
    try {
      rows = await this.queue.all();
    } catch {
      return;
    }
    const waiting = rows.filter((r) => r.status !== "sent").length;
    root.dataset.waiting = String(waiting);
    const badge = root.querySelector(".outbox-count");
    badge.textContent = String(waiting);
    badge.hidden = !waiting;
    badge.title = fill(T.outboxWaiting, { n: waiting });
    this.outbox.hidden = !rows.length;
    this.outbox.querySelector(".outbox-list").innerHTML = rows.map((r) => this.outboxItemHtml(r)).join("");
  }

  outboxItemHtml(r) {
    const state = { queued: T.stateQueued, sending: T.stateSending, sent: T.stateSent, failed: T.stateFailed }[r.status];
    const photos = r.status === "sent" ? r.photo_count || 0 : (r.photos || []).length;
    const meta = [fill(T.queuedAt, { at: this.fmt.long(r.created_at) })];
    if (photos) meta.push(fill(T.photosCount, { n: photos }));
    if (r.status === "queued" && r.tries && r.tried_at) {
      meta.push(fill(T.triedAt, { at: this.fmt.short(r.tried_at), reason: r.message || T.offline }));
    }
    const number = r.status === "sent"
      ? `<a class="num" href="${esc(caseUrl(API.page, API.placeholder, r.number))}">${esc(r.number)}</a>` : "";
    const message = r.status === "failed" ? `<p class="ob-message" role="alert">${esc(r.message)}</p>` : "";
    let tools = "";
    if (r.status === "failed" || r.status === "queued") {
      tools =
        '<div class="ob-tools">' +
        (r.status === "failed" && r.field === "location"
          ? `<button type="button" class="btn btn-primary btn-small ob-move">${esc(T.movePoint)}</button>` : "") +
        `<button type="button" class="btn btn-quiet btn-small ob-send">${esc(r.status === "failed" ? T.resend : T.sendNow)}</button>` +
        `<button type="button" class="btn btn-quiet btn-small ob-discard">${esc(T.discard)}</button></div>`;
    }
    return (
      `<li class="outbox-item" data-client-id="${esc(r.client_id)}" data-status="${esc(r.status)}"${r.number ? ` data-number="${esc(r.number)}"` : ""}>` +
      `<div class="ci-head"><span class="ob-state">${esc(state)}</span>${number}</div>` +
      `<div class="ci-cat">${esc(r.category_name || r.fields.category)}${r.grid_name ? ` · ${esc(r.grid_name)}` : ""}</div>` +
      `<p class="ci-desc">${esc(r.fields.description)}</p>` +
      `<div class="ci-meta">${esc(meta.join(" · "))}</div>${message}${tools}</li>`
    );
  }

  async onOutboxClick(event) {
    const item = event.target.closest(".outbox-item");
    if (!item) return;
    const clientId = item.dataset.clientId;
    if (event.target.closest(".ob-send")) {
      const [result] = await this.queue.flush({ only: clientId, retries: 1 });
      if (result?.status === "sent") {
        this.toast(T.resent);
        this.loadList("mine");
      } else if (result?.status === "failed") {
        this.toast(result.message, true);
      }
    } else if (event.target.closest(".ob-discard")) {
      if (!window.confirm(T.discardConfirm)) return;
      await this.queue.remove(clientId);
      this.toast(T.discarded);
    } else if (event.target.closest(".ob-move")) {
      // The map takes the tap; movePoint stores the new place and sends again.
      this.fixing = clientId;
      this.mine.hidden = true;
      this.sheet.hidden = true;
      shell.dispatchEvent(new CustomEvent("map:locate-request", { detail: { hint: T.fixPlaceHint } }));
    }
  }

  async movePoint(clientId, lon, lat, located) {
    this.fixing = null;
    this.map.closePopup();
    const row = await this.queue.get(clientId);
    if (!row) return;
    await this.queue.put({
      ...row,
      fields: { ...row.fields, lon: lon.toFixed(7), lat: lat.toFixed(7) },
      grid_name: located?.grid?.name || "",
      status: "queued",
      message: "",
      field: "",
      code: "",
    });
    this.openMine();
    const [result] = await this.queue.flush({ only: clientId, retries: navigator.onLine ? 1 : 0 });
    if (result?.status === "sent") {
      this.toast(T.resent);
      this.loadList("mine");
    }
  }

  // --- my reports and cases to verify ------------------------------------------------------

  openMine() {
    this.sheet.hidden = true;
    this.mine.hidden = false;
    this.renderOutbox();
    const current = this.mine.querySelector(".sheet-tab[aria-selected=true]")?.dataset.list || "mine";
    this.showList(current);
  }

  showList(name) {
    for (const tab of this.mine.querySelectorAll(".sheet-tab")) tab.setAttribute("aria-selected", String(tab.dataset.list === name));
    for (const list of this.mine.querySelectorAll(".case-list")) list.hidden = list.dataset.list !== name;
    this.loadList(name);
  }

  async loadList(name) {
    const list = this.mine.querySelector(`.case-list[data-list="${name}"]`);
    if (!list) return;
    const queue = name === "verify" ? "mine" : "reported";
    list.dataset.state = "loading";
    try {
      const data = await api(`${API.cases}?queue=${queue}&page_size=${LIST_SIZE}`);
      this.renderList(list, name, data.results, data.count);
    } catch {
      list.innerHTML = `<li class="empty-state">${esc(T.loadFailed)}</li>`;
      list.dataset.state = "error";
    }
  }

  renderList(list, name, rows, count) {
    const verify = name === "verify";
    const hint = verify ? `<li class="list-hint">${esc(T.verifyHint)}</li>` : "";
    list.innerHTML = rows.length
      ? hint + rows.map((c) => this.itemHtml(c, verify)).join("")
      : `<li class="empty-state">${esc(verify ? T.toVerifyEmpty : T.mineEmpty)}</li>`;
    list.dataset.state = "ready";
    const tabCount = this.mine.querySelector(`.sheet-tab[data-list="${name}"] .tab-count`);
    if (tabCount) tabCount.textContent = count ? String(count) : "";
    if (verify) {
      const badge = root.querySelector(".verify-count");
      badge.textContent = String(count);
      badge.hidden = !count;
      if (!this.mine.hidden) this.showResults(list);
    }
  }

  // What the department says it did, and its photos: what the worker checks on site.
  async showResults(list) {
    const items = [...list.querySelectorAll(".case-item")].slice(0, VERIFY_DETAILS);
    await Promise.all(
      items.map(async (item) => {
        try {
          const c = await api(caseUrl(API.case, API.placeholder, item.dataset.number));
          const handled = [...c.events].reverse().find((e) => e.action === "report_handled");
          const lead = (c.parts || []).find((p) => p.lead);
          const text = handled?.note || lead?.result || "";
          const photos = (handled?.photos || [])
            .map((p) => `<a href="${esc(p.url)}" target="_blank" rel="noopener"><img src="${esc(p.url)}" alt="" loading="lazy"></a>`)
            .join("");
          if (!text && !photos) return;
          const box = document.createElement("div");
          box.className = "ci-result";
          box.innerHTML = `<b>${esc(T.handlingResult)}</b>${esc(text)}${photos ? `<div class="thumbs">${photos}</div>` : ""}`;
          item.querySelector(".ci-meta").after(box);
        } catch {
          // The list still works without the result; the case page has it.
        }
      }),
    );
  }

  itemHtml(c, verify) {
    const link = caseUrl(API.page, API.placeholder, c.number);
    const tools = verify
      ? `<div class="verify-tools"><button type="button" class="btn btn-primary verify-pass">${esc(T.verifyPass)}</button>` +
        `<button type="button" class="btn btn-danger verify-fail">${esc(T.verifyFail)}</button></div>` +
        `<form class="fail-form" hidden><textarea name="note" rows="2" maxlength="2000" required placeholder="${esc(T.failNote)}"></textarea>` +
        `<p class="form-error" role="alert" hidden></p>` +
        `<div class="form-buttons"><button type="submit" class="btn btn-danger">${esc(T.confirm)}</button></div></form>`
      : "";
    return (
      `<li class="case-item" data-number="${esc(c.number)}" data-version="${esc(c.version)}">` +
      `<div class="ci-head"><a class="num" href="${esc(link)}">${esc(c.number)}</a>${statusChip(c.status, c.status_display)}</div>` +
      `<div class="ci-cat">${esc(c.category.name)} · ${esc(c.grid.name)}</div>` +
      `<p class="ci-desc">${esc(c.description)}</p>` +
      `<div class="ci-meta">${esc(this.fmt.long(c.reported_at))}</div>${tools}</li>`
    );
  }

  async onListClick(event) {
    const item = event.target.closest(".case-item");
    if (!item) return;
    if (event.target.closest(".verify-pass")) {
      await this.verify(item, "verify_pass", "");
    } else if (event.target.closest(".verify-fail")) {
      const form = item.querySelector(".fail-form");
      form.hidden = false;
      form.elements.note.focus();
    }
  }

  async onFailSubmit(event) {
    const form = event.target.closest(".fail-form");
    if (!form) return;
    event.preventDefault();
    const note = form.elements.note.value.trim();
    const error = form.querySelector(".form-error");
    if (!note) {
      error.textContent = T.reasonRequired;
      error.hidden = false;
      return;
    }
    await this.verify(form.closest(".case-item"), "verify_fail", note, error);
  }

  async verify(item, action, note, errorBox = null) {
    const body = new FormData();
    body.append("version", item.dataset.version);
    if (note) body.append("note", note);
    for (const b of item.querySelectorAll("button")) b.disabled = true;
    try {
      await api(caseUrl(API.action, API.placeholder, item.dataset.number, action), { method: "POST", body, csrf: this.csrf });
      this.toast(T.verified);
      await this.loadList("verify");
    } catch (error) {
      for (const b of item.querySelectorAll("button")) b.disabled = false;
      if (errorBox) {
        errorBox.textContent = error.message || T.failed;
        errorBox.hidden = false;
      } else {
        this.toast(error.message || T.failed, true);
      }
      if (error.status === 409) this.loadList("verify");
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

window.addEventListener("map:init", (event) => {
  if (!root || event.detail.id !== shell.dataset.mapId) return;
  new Reporter(event.detail.map).start();
});
