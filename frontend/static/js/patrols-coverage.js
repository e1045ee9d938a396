// The weekly patrol coverage page: zones coloured visited / not visited on a
// vector-only Leaflet map, a sortable table per sub-district with drill-down to
// its zones, a week picker and the XLSX download. Everything comes from
// /api/patrols/coverage/ and the zones layer; server values from
// #coverage-config and #coverage-strings (json_script).
import { addDistrictOutline, projection, readJson } from "./case-ui.js";
import { esc, fetchJSON, format, sortable, withQuery } from "./dashboard-util.js";

const root = document.getElementById("coverage");
const config = readJson("coverage-config");
const T = readJson("coverage-strings");
const LANG = document.documentElement.lang || "zh-hans";
const proj = projection({ gcj02: false }); // vector only, no tiles: WGS84 as stored
const COLOURS = {
  visited: { color: "#166534", weight: 1.5, fillColor: "#16a34a", fillOpacity: 0.65 },
  missed: { color: "#991b1b", weight: 1.5, fillColor: "#dc2626", fillOpacity: 0.6 },
  dimmed: { color: "#a8a29e", weight: 1, fillColor: "#d6d3d1", fillOpacity: 0.35 },
};
const timeFormat = new Intl.DateTimeFormat(LANG, {
  timeZone: "Asia/Shanghai", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false,
});

const percent = (share) => (share === null || share === undefined ? "—" : `${(share * 100).toFixed(1)}%`);
const when = (iso) => (iso ? timeFormat.format(new Date(iso)) : T.never);

class CoveragePage {
  constructor(map) {
    this.map = map;
    this.week = config.week;
    this.data = null;
    this.drilled = null; // sub-district code shown in the zone table
    this.shapes = new Map(); // zone code -> Leaflet layer
    this.weekSelect = document.getElementById("week-select");
    this.noteText = document.getElementById("week-note-text");
    this.weekSwitch = document.getElementById("week-switch");
    this.exportLink = document.getElementById("export-link");
    this.totals = document.getElementById("totals");
    this.error = document.getElementById("cov-error");
    this.subTable = document.getElementById("subdistrict-table");
    this.zoneTable = document.getElementById("zone-table");
    this.back = document.getElementById("cov-back");
    this.title = document.getElementById("table-title");
    this.titleText = this.title.textContent;
  }

  async start() {
    const pane = this.map.createPane("pane-zones");
    pane.style.zIndex = "420";
    if (config.bounds) {
      const [[s, w], [n, e]] = config.bounds;
      this.map.fitBounds(L.latLngBounds([s, w], [n, e]), { padding: [8, 8] });
    }
    this.renderSubs = sortable(this.subTable, () => (this.data ? this.data.subdistricts : []), (rows) => this.subRows(rows));
    this.renderZones = sortable(this.zoneTable, () => this.zoneList(), (rows) => this.zoneRows(rows));
    this.weekSelect.addEventListener("change", () => this.load(this.weekSelect.value));
    // The page opens on the last complete week; the current one (or back) is this one click.
    this.weekSwitch.addEventListener("click", (e) => {
      e.preventDefault();
      this.weekSelect.value = this.weekSwitch.dataset.week;
      this.load(this.weekSwitch.dataset.week);
    });
    this.back.addEventListener("click", () => this.drill(null));
    this.subTable.querySelector("tbody").addEventListener("click", (e) => {
      const row = e.target.closest("tr[data-code]");
      if (row) this.drill(row.dataset.code);
    });
    this.subTable.querySelector("tbody").addEventListener("keydown", (e) => {
      const row = e.target.closest("tr[data-code]");
      if (row && (e.key === "Enter" || e.key === " ")) {
        e.preventDefault();
        this.drill(row.dataset.code);
      }
    });
    addDistrictOutline(this.map, { subdistricts: config.urls.subdistricts, communities: config.urls.communities }, proj, config.bounds);
    await Promise.all([this.loadZones(), this.load(this.week, false)]);
  }

  // Zone outlines once (they do not change with the week); colours per week.
  async loadZones() {
    const params = { zoom: 15, page_size: 1000 };
    if (!config.scope.whole) params.subdistrict = config.scope.code;
    let url = withQuery(config.urls.zones, params);
    while (url) {
      const page = await fetchJSON(url);
      for (const feature of page.features || []) {
        const layer = L.geoJSON(feature, { pane: "pane-zones", coordsToLatLng: proj.coordsToLatLng, style: () => COLOURS.missed });
        layer.eachLayer((path) => path.on("add", () => path.getElement()?.setAttribute("data-code", feature.properties.code)));
        layer.bindTooltip(() => this.tooltip(feature.properties.code), { sticky: true });
        layer.addTo(this.map);
        this.shapes.set(feature.properties.code, layer);
      }
      url = page.next || null;
    }
    this.zonesLoaded = true;
    this.paint();
  }

  async load(week, push = true) {
    root.dataset.loading = "1";
    this.error.hidden = true;
    try {
      const params = { week };
      this.data = await fetchJSON(withQuery(config.urls.coverage, params));
      this.week = this.data.week;
      this.byZone = new Map(this.data.zones.map((z) => [z.code, z]));
      if (push) history.replaceState(null, "", withQuery(window.location.pathname, { week: this.week }));
      if (this.data.subdistricts.length === 1) this.drilled = this.data.subdistricts[0].code;
      this.describeWeek();
      this.renderTotals();
      this.renderSubs();
      this.drill(this.drilled, false);
      this.paint();
      root.dataset.week = this.week;
    } catch (error) {
      this.error.textContent = `${T.loadFailed} ${error.message || ""}`;
      this.error.hidden = false;
    } finally {
      root.dataset.loading = "0";
    }
  }

  // Which week is shown and the switch to the other default, worded by the server (config.weekNotes).
  describeWeek() {
    const note = config.weekNotes[this.week];
    if (!note) return;
    this.noteText.textContent = note.text;
    this.weekSwitch.textContent = note.switchLabel;
    this.weekSwitch.dataset.week = note.switchWeek;
    this.weekSwitch.href = withQuery(window.location.pathname, { week: note.switchWeek });
  }

  renderTotals() {
    const scopeRows = this.drilled ? this.data.subdistricts.filter((s) => s.code === this.drilled) : null;
    const t = scopeRows && scopeRows.length === 1 && this.data.subdistricts.length > 1 ? scopeRows[0] : this.data.totals;
    this.totals.innerHTML = format(esc(T.totals), {
      visited: `<b>${t.visited}</b>`, zones: t.zones, share: percent(t.share), patrols: t.patrols,
    });
    this.updateExport();
  }

  updateExport() {
    this.exportLink.href = withQuery(config.urls.export, {
      week: this.week, subdistrict: this.drilled && this.data.subdistricts.length > 1 ? this.drilled : null,
    });
  }

  paint() {
    if (!this.zonesLoaded || !this.data) return;
    for (const [code, layer] of this.shapes) {
      const zone = this.byZone.get(code);
      let style = zone && zone.visited ? COLOURS.visited : COLOURS.missed;
      if (!zone || (this.drilled && zone.subdistrict_code !== this.drilled)) style = COLOURS.dimmed;
      layer.setStyle(style);
      layer.eachLayer((path) => {
        const el = path.getElement();
        if (!el) return;
        el.classList.toggle("zone-visited", !!zone && zone.visited);
        el.classList.toggle("zone-missed", !!zone && !zone.visited);
      });
    }
    root.dataset.painted = this.week;
  }

  tooltip(code) {
    const zone = this.byZone?.get(code);
    if (!zone) return esc(code);
    return (
      `<div class="cov-zone-tip"><b>${esc(zone.name)}</b>${esc(zone.community_name)} · ${esc(zone.subdistrict_name)}<br>` +
      `${esc(zone.visited ? T.visited : T.notVisited)} · ${esc(T.patrols)} ${zone.patrols} · ` +
      `${esc(T.cadres)} ${esc(format(T.ofCadres, { n: zone.cadres_patrolled, total: zone.cadres }))}<br>` +
      `${esc(T.lastVisit)}: ${esc(when(zone.last_visit))}</div>`
    );
  }

  subRows(rows) {
    const body = this.subTable.querySelector("tbody");
    body.innerHTML = rows.length
      ? rows
          .map(
            (s) =>
              `<tr class="drill${s.code === this.drilled ? " current" : ""}" data-code="${esc(s.code)}" tabindex="0" ` +
              `title="${esc(format(T.drill, { name: s.name }))}">` +
              `<td>${esc(s.name)}</td><td class="num">${s.zones}</td><td class="num">${s.visited}</td>` +
              `<td class="num"><span class="share-bar" data-share="${s.share ?? 0}"></span>${percent(s.share)}</td>` +
              `<td class="num">${s.patrols}</td></tr>`,
          )
          .join("")
      : `<tr><td colspan="5">${esc(T.noZones)}</td></tr>`;
    // Bar widths are set from script (no style="" in templates under the CSP).
    for (const bar of body.querySelectorAll(".share-bar")) bar.style.width = `${Math.round(Number(bar.dataset.share) * 60)}px`;
  }

  zoneList() {
    if (!this.data || !this.drilled) return [];
    return this.data.zones.filter((z) => z.subdistrict_code === this.drilled);
  }

  zoneRows(rows) {
    this.zoneTable.querySelector("tbody").innerHTML = rows.length
      ? rows
          .map(
            (z) =>
              `<tr data-code="${esc(z.code)}" class="${z.visited ? "row-visited" : "row-missed"}"><td>${esc(z.name)}<br><small>${esc(z.code)}</small></td>` +
              `<td>${esc(z.community_name)}</td>` +
              `<td class="${z.visited ? "state-visited" : "state-missed"}">${esc(z.visited ? T.visited : T.notVisited)}</td>` +
              `<td class="num">${z.patrols}</td><td class="num">${esc(format(T.ofCadres, { n: z.cadres_patrolled, total: z.cadres }))}</td>` +
              `<td>${esc(when(z.last_visit))}</td></tr>`,
          )
          .join("")
      : `<tr><td colspan="6">${esc(T.noZones)}</td></tr>`;
  }

  drill(code, zoom = true) {
    this.drilled = code;
    const single = this.data && this.data.subdistricts.length === 1;
    const sub = code && this.data ? this.data.subdistricts.find((s) => s.code === code) : null;
    this.subTable.hidden = !!code;
    this.zoneTable.hidden = !code;
    this.back.hidden = !code || single;
    this.title.textContent = sub ? sub.name : this.titleText;
    if (code) this.renderZones();
    else this.renderSubs();
    this.renderTotals();
    this.paint();
    if (zoom) this.zoomTo(code);
  }

  zoomTo(code) {
    let bounds = null;
    for (const [zoneCode, layer] of this.shapes) {
      const zone = this.byZone?.get(zoneCode);
      if (code && (!zone || zone.subdistrict_code !== code)) continue;
      bounds = bounds ? bounds.extend(layer.getBounds()) : L.latLngBounds(layer.getBounds().getSouthWest(), layer.getBounds().getNorthEast());
    }
    if (bounds && bounds.isValid()) this.map.fitBounds(bounds, { padding: [16, 16] });
  }
}

window.addEventListener("map:init", (event) => {
  if (!root || event.detail.id !== root.dataset.mapId) return;
  new CoveragePage(event.detail.map).start();
});
