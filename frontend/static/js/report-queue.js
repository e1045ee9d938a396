// The reports made on this phone, in IndexedDB (through the idb library), until
// the server has them: the one way a report travels, with signal or without.
//
// A report is stored first, with the UUID made here (client_id) and its photos
// as already-resized blobs, then sent. Every send of it carries the same id;
// the server makes one case per id and answers a repeat with that case
// (apps.cases.intake.report_case), so a report sent twice (lost answer, two
// tabs, a page closed mid-send) is still one case.
//
// States: queued (waiting for a connection) -> sending -> sent (with the case
// number) or failed (the server refused it: its message, the field, kept until
// the reporter corrects the place and sends it again, or discards it). A
// network error or a 5xx is not a refusal: the report goes back to queued.
import { openDB } from "../vendor/idb/index.js";
import { ApiError, api } from "./common.js";

const DB_NAME = "gridgov-reports";
const STORE = "reports";
const LOCK = "gridgov-report-queue";
const KEEP_SENT = 20; // sent reports shown on this phone, newest first
const KEEP_SENT_MS = 3 * 24 * 3600 * 1000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Network errors, 5xx, a timeout or too many requests: try again later, not the reporter's fault.
export const transient = (error) =>
  error instanceof ApiError && (error.status === 0 || error.status >= 500 || error.status === 408 || error.status === 429);

let dbPromise = null;
function db() {
  dbPromise =
    dbPromise ||
    openDB(DB_NAME, 1, {
      upgrade(database) {
        const store = database.createObjectStore(STORE, { keyPath: "client_id" });
        store.createIndex("owner", "owner");
      },
    });
  return dbPromise;
}

function csrfToken(fallback) {
  const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
  return cookie ? decodeURIComponent(cookie.slice("csrftoken=".length)) : fallback;
}

export class ReportQueue {
  // owner: who is logged in; a shared phone shows and sends only their own reports.
  constructor({ owner, url, csrf, newId, onChange }) {
    this.owner = owner;
    this.url = url;
    this.csrf = csrf;
    this.newId = newId;
    this.onChange = onChange || (() => {});
  }

  async all() {
    const rows = await (await db()).getAllFromIndex(STORE, "owner", this.owner);
    return rows.sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
  }

  async get(clientId) {
    const row = await (await db()).get(STORE, clientId);
    return row && row.owner === this.owner ? row : null;
  }

  async put(row) {
    await (await db()).put(STORE, row);
    this.onChange();
    return row;
  }

  async update(clientId, changes) {
    const row = await this.get(clientId);
    if (!row) return null;
    return this.put({ ...row, ...changes });
  }

  async remove(clientId) {
    const row = await this.get(clientId);
    if (row) await (await db()).delete(STORE, clientId);
    this.onChange();
  }

  // A new report: fields {category, description, address, lon, lat, ...}, photos [{blob, name, type}].
  async add(fields, photos, extra = {}) {
    return this.put({
      client_id: this.newId(),
      owner: this.owner,
      fields,
      photos,
      status: "queued",
      created_at: new Date().toISOString(),
      tries: 0,
      message: "",
      field: "",
      code: "",
      ...extra,
    });
  }

  // Everything of this owner still to send, one at a time, one tab at a time
  // (Web Locks; a second tab waits, then finds nothing left). `only` sends just
  // that report; `retries` retries a transient failure 1 s, 2 s, 4 s apart.
  async flush({ only = null, retries = 0 } = {}) {
    const run = () => this.sendWaiting(only, retries);
    if (navigator.locks) return navigator.locks.request(LOCK, run);
    return run();
  }

  async sendWaiting(only, retries) {
    const results = [];
    const rows = (await this.all()).reverse(); // oldest first
    for (const row of rows) {
      if (only ? row.client_id !== only : row.status !== "queued" && row.status !== "sending") continue;
      if (only && row.status === "sent") {
        results.push(row);
        continue;
      }
      const sent = await this.send(row, retries);
      results.push(sent);
      // No connection: the rest would fail the same way.
      if (!only && sent.status === "queued") break;
    }
    await this.prune();
    return results;
  }

  async send(row, retries) {
    // An id the server says someone else used is never sent again: this report gets a new one.
    if (row.code === "client_id_taken") {
      await (await db()).delete(STORE, row.client_id);
      row = { ...row, client_id: this.newId(), code: "" };
    }
    for (let attempt = 0; ; attempt += 1) {
      row = await this.put({ ...row, status: "sending", tries: (row.tries || 0) + 1, tried_at: new Date().toISOString() });
      const body = new FormData();
      body.append("client_id", row.client_id);
      for (const [key, value] of Object.entries(row.fields)) body.append(key, value ?? "");
      for (const photo of row.photos || []) body.append("photos", photo.blob, photo.name);
      try {
        const created = await api(this.url, { method: "POST", body, csrf: csrfToken(this.csrf) });
        return this.put({
          ...row,
          status: "sent",
          sent_at: new Date().toISOString(),
          number: created.number,
          receipt: created,
          photo_count: (row.photos || []).length,
          photos: [], // the server has them; free the phone's storage
          message: "",
          field: "",
          code: "",
        });
      } catch (error) {
        if (transient(error) && attempt < retries) {
          await sleep(1000 * 2 ** attempt);
          continue;
        }
        if (transient(error)) {
          return this.put({ ...row, status: "queued", message: error.message && error.status ? error.message : "", http: error.status });
        }
        // The server answered and refused: kept, with its message, for the reporter to decide.
        return this.put({ ...row, status: "failed", message: error.message, field: error.field, code: error.code, http: error.status });
      }
    }
  }

  // Sent reports are kept a few days for the reporter to see, then forgotten.
  async prune() {
    const now = Date.now();
    const sent = (await this.all()).filter((r) => r.status === "sent");
    const database = await db();
    for (const [i, row] of sent.entries()) {
      if (i >= KEEP_SENT || now - Date.parse(row.sent_at) > KEEP_SENT_MS) await database.delete(STORE, row.client_id);
    }
  }
}
