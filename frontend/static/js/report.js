// The report form on the map page (grid workers, zone cadres): tap the spot or
// use GPS, pick a category, write a line, add photos, send. Also the patrol's
// lists: their reports, and the handled cases waiting for them to verify.
//
// A weak connection must never make two cases: each report carries a UUID
// made here, kept in localStorage until the server answers; every retry sends
// the same id and the server returns the case it already made.
import {
  ApiError, PhotoPicker, api, caseUrl, dateFormatter, esc, fill, newUuid, readJson, statusChip,
} from "./case-ui.js";

const shell = document.getElementById("map-shell");
const root = document.getElementById("report");
const API = readJson("report-api");
const T = readJson("report-strings");
const PENDING_KEY = "gridgov.report.pending";
const RETRIES = 3; // automatic retries on a network error or a 5xx, 1 s, 2 s, 4 s apart
const LIST_SIZE = 50;
const VERIFY_DETAILS = 10; // results fetched for the first cases of the to-verify list

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function loadPending() {
  try {
    return JSON.parse(localStorage.getItem(PENDING_KEY) || "null");
  } catch {
    return null;
  }
}

function savePending(value) {
  try {
    if (value) localStorage.setItem(PENDING_KEY, JSON.stringify(value));
    else localStorage.removeItem(PENDING_KEY);
  } catch {
    // Private mode may refuse storage; the retries in this page still reuse the id.
  }
}

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
    this.picker = new PhotoPicker(this.form.querySelector(".photo-picker"), T);
    this.place = null;
    this.wantPlace = false;
    this.clientId = null;
    this.sending = false;
    this.sendButton = this.form.querySelector(".report-send");
    this.sendLabel = this.sendButton.textContent;
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
    root.querySelector(".report-again").addEventListener("click", () => this.newDraft(true));
    shell.addEventListener("map:located", (event) => this.onLocated(event.detail));
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.mine.addEventListener("click", (event) => this.onListClick(event));
    this.mine.addEventListener("submit", (event) => this.onFailSubmit(event));
    for (const tab of this.mine.querySelectorAll(".sheet-tab")) tab.addEventListener("click", () => this.showList(tab.dataset.list));
    this.loadCategories();
    this.offerPending();
    if (this.canVerify) this.loadList("verify");
    root.dataset.ready = "1";
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
    if (!this.wantPlace && this.sheet.hidden) return;
    this.wantPlace = false;
    this.map.closePopup();
    this.sheet.hidden = false;
    this.done.hidden = true;
    this.form.hidden = false;
    delete this.sheet.dataset.state;
    if (!located) {
      this.place = null;
      this.setPlaceState("error", T.outside, "");
    } else {
      this.place = { lon, lat, located };
      const area = `${located.community.name} · ${located.subdistrict.name}`;
      this.setPlaceState("ok", `${located.grid.name}`, `${located.grid.code} · ${area}`);
      this.placeBox.dataset.grid = located.grid.code;
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
    this.clientId = null;
    this.form.reset();
    this.picker.clear();
    this.showError("");
    this.showProgress("");
    this.done.hidden = true;
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

  async submit() {
    if (this.sending) return;
    const problem = this.validate();
    if (problem) {
      this.showError(problem);
      return;
    }
    const f = this.form.elements;
    // One id per report: the first send makes it, every retry of this draft reuses it.
    this.clientId = this.clientId || newUuid();
    const fields = {
      client_id: this.clientId,
      category: f.category.value,
      description: f.description.value.trim(),
      address: f.address.value.trim(),
      lon: this.place.lon.toFixed(7),
      lat: this.place.lat.toFixed(7),
    };
    savePending({ ...fields, saved_at: new Date().toISOString() });
    const body = new FormData();
    for (const [key, value] of Object.entries(fields)) body.append(key, value);
    this.picker.appendTo(body);
    await this.send(body);
  }

  async send(body) {
    this.sending = true;
    this.showError("");
    const button = this.sendButton;
    button.disabled = true;
    this.showProgress(T.sending);
    try {
      for (let attempt = 0; ; attempt += 1) {
        try {
          const created = await api(API.cases, { method: "POST", body, csrf: this.csrf });
          this.sent(created);
          return;
        } catch (error) {
          const transient = error instanceof ApiError && (error.status === 0 || error.status >= 500);
          if (transient && attempt < RETRIES) {
            this.showProgress(fill(T.retrying, { n: attempt + 1, of: RETRIES }));
            await sleep(1000 * 2 ** attempt);
            continue;
          }
          if (!transient) {
            // The server answered: nothing is left unconfirmed. A client id
            // someone else used must not be sent again.
            savePending(null);
            if (error.code === "client_id_taken") this.clientId = null;
          }
          this.showProgress("");
          this.showError(transient ? fill(T.sendFailed, { reason: error.message || T.offline }) : error.message);
          if (transient) button.textContent = T.resend;
          return;
        }
      }
    } finally {
      this.sending = false;
      button.disabled = false;
    }
  }

  sent(created) {
    savePending(null);
    this.showProgress("");
    this.form.hidden = true;
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
    this.sendButton.textContent = this.sendLabel;
    this.place = null;
    this.setPlaceState("empty", T.noPlace, "");
    this.clientId = null;
    this.form.reset();
    this.picker.clear();
    this.loadList("mine");
  }

  // A report sent from this phone that the server never confirmed (the page was
  // closed mid-send): offer to send it again with the same id.
  offerPending() {
    const pending = loadPending();
    if (!pending) return;
    const banner = root.querySelector(".report-resume");
    banner.querySelector(".resume-text").textContent = fill(T.unsent, { at: this.fmt.long(pending.saved_at) });
    const resend = banner.querySelector(".resume-send");
    const discard = banner.querySelector(".resume-discard");
    resend.textContent = T.resendNoPhotos;
    discard.textContent = T.discard;
    banner.hidden = false;
    resend.addEventListener("click", async () => {
      banner.hidden = true;
      this.clientId = pending.client_id;
      this.place = { lon: Number(pending.lon), lat: Number(pending.lat), located: null };
      this.sheet.hidden = false;
      const body = new FormData();
      for (const key of ["client_id", "category", "description", "address", "lon", "lat"]) body.append(key, pending[key] ?? "");
      await this.send(body);
    });
    discard.addEventListener("click", () => {
      savePending(null);
      banner.hidden = true;
    });
  }

  // --- my reports and cases to verify ------------------------------------------------------

  openMine() {
    this.sheet.hidden = true;
    this.mine.hidden = false;
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
