// The zone cadre's patrol check-in on /map/: pick one of your zones, check in
// with the phone's position (or, when the device cannot tell it, the point last
// tapped on the map, labelled as such), see the result or the refusal, then
// report a problem at that spot through the existing report sheet (report.js).
//
// Server values come from #patrol-config and #patrol-strings (json_script) and
// data-* attributes; nothing is global. A weak connection must never make two
// check-ins: each carries a UUID made here and every retry sends the same one.
import { ApiError, api, dateFormatter, esc, fill, newUuid, projection, readJson } from "./case-ui.js";

const shell = document.getElementById("map-shell");
const root = document.getElementById("patrol-checkin");
const config = readJson("patrol-config");
const T = readJson("patrol-strings");
// WGS84 as stored, or shifted to GCJ-02 under Amap tiles, like everything the map draws.
const proj = projection(readJson("map-config"));
const RETRIES = 3; // on a network error or a 5xx, 1 s, 2 s, 4 s apart
const GPS_TIMEOUT_MS = 15000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

class PatrolCheckIn {
  constructor(map) {
    this.map = map;
    this.csrf = root.dataset.csrf;
    this.fmt = dateFormatter(config.timeZone);
    this.panel = root.querySelector(".patrol-sheet");
    this.opener = root.querySelector(".patrol-open");
    this.select = root.querySelector(".patrol-zone");
    this.gpsButton = root.querySelector(".patrol-gps");
    this.tappedButton = root.querySelector(".patrol-tapped");
    this.pickButton = root.querySelector(".patrol-pick");
    this.picking = false;
    this.sourceLine = root.querySelector(".patrol-source");
    this.progress = root.querySelector(".patrol-progress");
    this.result = root.querySelector(".patrol-result");
    this.weekLine = root.querySelector(".patrol-week");
    this.zones = new Map(config.zones.map((z) => [z.code, z]));
    this.tapped = null; // {lon, lat} of the last tap on the map (WGS84)
    this.lastCheckIn = null; // {lon, lat} of the last accepted check-in
    this.busy = false;
  }

  start() {
    shell.classList.add("has-patrol");
    for (const zone of config.zones) {
      this.select.append(new Option(`${zone.name} · ${zone.community}`, zone.code));
    }
    this.outlines = L.geoJSON(
      { type: "FeatureCollection", features: config.zones.map((z) => ({ type: "Feature", geometry: z.geometry, properties: { code: z.code } })) },
      { interactive: false, coordsToLatLng: proj.coordsToLatLng, style: () => ({ color: "#0f766e", weight: 3, dashArray: "6 4", fill: false, className: "patrol-zone-outline" }) },
    ).addTo(this.map);
    this.opener.addEventListener("click", () => this.toggle());
    root.querySelector(".patrol-close").addEventListener("click", () => this.toggle(false));
    root.querySelector(".patrol-show").addEventListener("click", () => this.showZone());
    this.gpsButton.addEventListener("click", () => this.checkInWithGps());
    this.tappedButton.addEventListener("click", () => this.checkInAtTapped());
    this.pickButton.addEventListener("click", () => this.pickOnMap());
    root.querySelector(".patrol-report").addEventListener("click", () => this.reportHere());
    // Any tap on the map (or a point the map located) becomes the fallback position.
    this.map.on("click", (e) => this.rememberTap(e.latlng));
    // A point the map located (its tap-to-locate tool, where shapes let the tap through).
    shell.addEventListener("map:located", (e) => {
      if (e.detail?.lon === undefined || e.detail.fromPatrol) return;
      this.tapped = { lon: e.detail.lon, lat: e.detail.lat };
      this.updateTapped();
      if (this.picking) {
        this.picking = false;
        this.toggle(true);
      }
    });
    // Opening the report sheet or the cases list closes this panel: one sheet at a time.
    document.getElementById("report")?.addEventListener("click", (e) => {
      if (e.target.closest(".report-start, .report-mine")) this.toggle(false);
    });
    if (!navigator.geolocation) this.offerTapped(T.noGeolocation);
    this.loadWeek();
    root.dataset.ready = "1";
  }

  toggle(open = this.panel.hidden) {
    this.panel.hidden = !open;
    this.opener.setAttribute("aria-expanded", String(open));
    if (open) {
      // One sheet at a time: the report sheet closes while checking in.
      for (const sheet of document.querySelectorAll("#report .sheet")) sheet.hidden = true;
    }
  }

  get zone() {
    return this.zones.get(this.select.value);
  }

  showZone() {
    const [[s, w], [n, e]] = this.zone.bounds;
    this.map.fitBounds(L.latLngBounds(proj.latLng(w, s), proj.latLng(e, n)), { padding: [30, 30], maxZoom: 18 });
  }

  rememberTap(latlng) {
    // Leaflet's latlng is in display coordinates: back to WGS84 (a no-op without Amap).
    const [lon, lat] = proj.toWgs84(latlng.lng, latlng.lat);
    this.tapped = { lon, lat };
    this.updateTapped();
  }

  updateTapped() {
    if (!this.tappedButton.hidden && this.tapped) {
      this.sourceLine.textContent = fill(T.tappedLabel, { lon: this.tapped.lon.toFixed(6), lat: this.tapped.lat.toFixed(6) });
      this.sourceLine.hidden = false;
    }
  }

  // The map's tap-to-locate tool takes the next tap (shapes let it through) and
  // answers with "map:located"; the panel comes back with that point.
  pickOnMap() {
    this.picking = true;
    this.toggle(false);
    shell.dispatchEvent(new CustomEvent("map:locate-request", { detail: { hint: T.pickHint } }));
  }

  offerTapped(reason) {
    this.tappedButton.hidden = false;
    this.pickButton.hidden = false;
    this.showProgress("");
    this.showResult("bad", reason, this.tapped ? "" : T.noTapped);
    this.updateTapped();
  }

  async loadWeek() {
    try {
      const data = await api(`${config.urls.patrols}?page_size=200`);
      const last = data.results[0];
      this.weekLine.textContent =
        fill(T.thisWeek, { n: data.count }) + (last ? ` · ${fill(T.lastCheckIn, { time: this.fmt.long(last.checked_in_at) })}` : "");
    } catch {
      this.weekLine.textContent = "";
    }
  }

  checkInWithGps() {
    if (this.busy) return;
    if (!navigator.geolocation) {
      this.offerTapped(T.noGeolocation);
      return;
    }
    this.showProgress(T.locating);
    this.result.hidden = true;
    this.gpsButton.disabled = true;
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        this.gpsButton.disabled = false;
        const { longitude: lon, latitude: lat, accuracy } = pos.coords;
        this.send({ lon, lat, accuracy, source: "gps" });
      },
      (error) => {
        this.gpsButton.disabled = false;
        const reason = error.code === 1 ? T.geoDenied : fill(T.geoFailed, { reason: error.message || "" });
        this.offerTapped(reason);
      },
      { enableHighAccuracy: true, timeout: GPS_TIMEOUT_MS, maximumAge: 30000 },
    );
  }

  checkInAtTapped() {
    if (this.busy) return;
    if (!this.tapped) {
      this.showResult("bad", T.refused, T.noTapped);
      return;
    }
    this.send({ ...this.tapped, accuracy: null, source: "map" });
  }

  async send({ lon, lat, accuracy, source }) {
    this.busy = true;
    this.result.hidden = true;
    const body = {
      client_id: newUuid(), // one per check-in; every retry below reuses it
      zone: this.select.value,
      lon: lon.toFixed(7),
      lat: lat.toFixed(7),
      source,
    };
    if (accuracy !== null && accuracy !== undefined) body.accuracy = Math.round(accuracy * 10) / 10;
    this.showProgress(T.checkingIn);
    try {
      for (let attempt = 0; ; attempt += 1) {
        try {
          const patrol = await api(config.urls.patrols, { method: "POST", body, csrf: this.csrf });
          this.done(patrol);
          return;
        } catch (error) {
          const transient = error instanceof ApiError && (error.status === 0 || error.status >= 500);
          if (transient && attempt < RETRIES) {
            this.showProgress(fill(T.retrying, { n: attempt + 1, of: RETRIES }));
            await sleep(1000 * 2 ** attempt);
            continue;
          }
          this.showProgress("");
          if (transient) this.showResult("bad", fill(T.failed, { reason: error.message || T.offline }), "");
          else this.showResult("bad", T.refused, error.message);
          root.dataset.state = "refused";
          return;
        }
      }
    } finally {
      this.busy = false;
    }
  }

  done(patrol) {
    this.showProgress("");
    const where = patrol.distance_m > 0
      ? fill(T.near, { distance: Math.ceil(patrol.distance_m), limit: config.radius })
      : T.inside;
    const how = patrol.source === "map"
      ? T.viaMap
      : patrol.accuracy_m !== null ? fill(T.accuracy, { accuracy: Math.round(patrol.accuracy_m) }) : "";
    const zoneName = patrol.zone ? patrol.zone.name : this.zone.name;
    this.showResult("ok", fill(T.done, { zone: zoneName, time: this.fmt.long(patrol.checked_in_at) }), [where, how].filter(Boolean).join(" · "));
    root.dataset.state = "done";
    root.dataset.patrol = String(patrol.id);
    this.lastCheckIn = { lon: patrol.lon, lat: patrol.lat };
    if (this.marker) this.marker.remove();
    this.marker = L.circleMarker(proj.latLng(patrol.lon, patrol.lat), {
      radius: 8, color: "#0f766e", weight: 3, fillColor: "#5eead4", fillOpacity: 0.9, className: "patrol-marker",
    }).addTo(this.map).bindTooltip(esc(T.you));
    // The report button only helps where the report sheet exists (reporters' roles).
    root.querySelector(".patrol-report").hidden = !document.querySelector("#report .report-sheet");
    this.loadWeek();
  }

  // Open the existing report sheet (report.js) at the check-in's point: the
  // sheet takes the next "map:located" while it is open, as if the map had
  // been tapped there.
  async reportHere() {
    const sheet = document.querySelector("#report .report-sheet");
    if (!sheet || !this.lastCheckIn) return;
    const { lon, lat } = this.lastCheckIn;
    this.toggle(false);
    sheet.hidden = false;
    let located = null;
    try {
      located = await api(`${config.urls.locate}?${new URLSearchParams({ lon: lon.toFixed(7), lat: lat.toFixed(7) })}`);
    } catch {
      located = null;
    }
    shell.dispatchEvent(new CustomEvent("map:located", { detail: { lon, lat, at: proj.latLng(lon, lat), located, fromPatrol: true } }));
  }

  showProgress(text) {
    this.progress.textContent = text || "";
    this.progress.hidden = !text;
  }

  showResult(kind, title, detail) {
    this.result.dataset.kind = kind;
    this.result.querySelector(".patrol-result-title").textContent = title;
    this.result.querySelector(".patrol-result-detail").textContent = detail || "";
    if (kind !== "ok") root.querySelector(".patrol-report").hidden = true;
    this.result.hidden = false;
  }
}

window.addEventListener("map:init", (event) => {
  if (!root || !shell || event.detail.id !== shell.dataset.mapId) return;
  new PatrolCheckIn(event.detail.map).start();
});
