// The leaders' dashboard (/dashboard/): a choropleth of every village/community by star level,
// filters, case hotspots, drill-down district -> sub-district -> community -> grid, KPIs, charts
// and tables. Server values come from #dashboard-config and #dashboard-strings (json_script);
// data from /api/stars/summary/ and /api/stars/choropleth/, fetched before the map exists.
// When the 214 outlines are drawn the page sets the performance mark "dashboard:ready"
// (bench/bench_dashboard.py measures it) and data-ready="1" on #dashboard.
import { Charts, loadECharts } from "./dashboard-charts.js";
import { gridLayer, hotspotLayer, outlineLayer, subdistrictLabels } from "./dashboard-layers.js";
import { PanelHtml, kpiHtml } from "./dashboard-panel.js";
import { Tables } from "./dashboard-tables.js";
import { paint } from "./common.js";
import { MUTED_FILL, PALETTE, esc, fetchJSON, format, levelBadge, starString, withQuery } from "./dashboard-util.js";

const root = document.getElementById("dashboard");
const config = JSON.parse(document.getElementById("dashboard-config").textContent);
const T = JSON.parse(document.getElementById("dashboard-strings").textContent);
const params = new URLSearchParams(location.search);
const period = config.period;

// Start both requests now: they run while Leaflet sets the map up.
const choroplethRequest = fetchJSON(withQuery(config.urls.choropleth, { period }));
const summaryRequest = period ? fetchJSON(withQuery(config.urls.summary, { period })) : Promise.resolve(null);
const outlineRequest = fetchJSON(
  withQuery(config.urls.subdistricts, { zoom: 12, subdistrict: config.scope.whole ? "" : config.scope.code }),
);

const COMMUNITY_MAX_ZOOM = 16;

class Dashboard {
  constructor(map) {
    this.map = map;
    this.layers = new Map(); // community code -> Leaflet layer
    this.features = []; // properties of every community of the reader's area
    this.summary = null;
    this.filters = {
      star: params.get("star") || "",
      kind: params.get("kind") || "",
      demonstration: params.get("demonstration") === "1",
      weak: params.get("weak") === "1",
    };
    this.selected = { subdistrict: null, community: null, grid: null, leader: null };
    this.rankMetric = "average";
    this.rankOrder = "desc";
    this.progressBar = document.getElementById("map-progress");
    this.html = new PanelHtml(T, config, period);
    this.pending = 0;
    map.createPane("outlines").style.zIndex = 420;
    map.getPane("outlines").style.pointerEvents = "none";
    map.createPane("grids").style.zIndex = 430;
    map.createPane("hotspots").style.zIndex = 440;
    map.createPane("labels").style.zIndex = 450;
    map.attributionControl?.setPrefix("GridGov");
    // Quarter zoom steps: the district fills the frame on any screen, not just at whole zooms.
    map.options.zoomSnap = 0.25;
    map.options.zoomDelta = 0.5;
    this.fitArea(false);
    this.addAreaControl();
  }

  // "My area": back to the reader's area (config.bounds: the Extent of their scope, computed by the server).
  addAreaControl() {
    const control = L.control({ position: "topleft" });
    control.onAdd = () => {
      const button = L.DomUtil.create("button", "map-my-area");
      button.type = "button";
      button.textContent = T.myArea;
      L.DomEvent.disableClickPropagation(button);
      L.DomEvent.on(button, "click", () => this.selectDistrict());
      return button;
    };
    control.addTo(this.map);
  }

  fitArea(animate = true) {
    if (!config.bounds) return;
    this.map.invalidateSize();
    const options = { padding: [10, 10] };
    if (animate) this.map.flyToBounds(config.bounds, { ...options, duration: 0.5 });
    else this.map.fitBounds(config.bounds, options);
  }

  busy(on) {
    this.pending += on ? 1 : -1;
    this.progressBar.hidden = this.pending === 0;
    root.dataset.loading = this.pending > 0 ? "1" : "0";
  }

  fail(error) {
    const box = document.getElementById("map-error");
    box.textContent = format(T.loadFailed, { detail: error.message });
    box.hidden = false;
  }

  async start() {
    this.busy(true);
    try {
      const collection = await choroplethRequest;
      this.drawCommunities(collection);
      this.restoreSelection();
      this.summary = await summaryRequest;
      this.drawKpis();
      this.drawPanel();
      outlineRequest.then((outlines) => this.drawOutlines(outlines)).catch((e) => this.fail(e));
      if (this.summary) this.startCharts();
    } catch (error) {
      this.fail(error);
    } finally {
      this.busy(false);
    }
  }

  // --- the choropleth ----------------------------------------------------------------

  drawCommunities(collection) {
    if (!this.selected.community && !params.get("subdistrict")) this.fitArea(false);
    this.features = collection.features.map((f) => f.properties);
    this.byCode = new Map(this.features.map((p) => [p.code, p]));
    const layer = L.geoJSON(collection, {
      style: (f) => ({ className: `community kind-${f.properties.kind}`, ...this.styleFor(f.properties, true) }),
      onEachFeature: (feature, shape) => {
        const p = feature.properties;
        this.layers.set(p.code, shape);
        shape.bindTooltip(() => this.tooltip(p), { sticky: true, direction: "top", className: "dash-tip", offset: [0, -6] });
        shape.on({
          mouseover: () => this.hover(p.code, true),
          mouseout: () => this.hover(p.code, false),
          click: () => this.selectCommunity(p.code),
        });
      },
    }).addTo(this.map);
    for (const [code, shape] of this.layers) shape.getElement().dataset.code = code;
    this.communityLayer = layer;
    this.tables = new Tables(T, config.starNames, {
      onPickCommunity: (code) => this.selectCommunity(code, { scroll: true }),
      onPickLeader: (code) => this.selectLeader(code),
    });
    this.tables.setFeatures(this.features);
    this.legend = this.addLegend();
    this.applyFilters({ record: false });
    const drawn = root.querySelectorAll("path.community").length;
    root.dataset.drawn = String(drawn);
    performance.mark("dashboard:ready");
    root.dataset.ready = "1";
  }

  passes(p) {
    const f = this.filters;
    return (
      (!f.star || p.stars.includes(Number(f.star))) &&
      (!f.kind || p.kind === f.kind) &&
      (!f.demonstration || Boolean(p.demonstration)) &&
      (!f.weak || p.weak)
    );
  }

  styleFor(p, shown) {
    const picked = this.selected.community === p.code;
    if (!shown) {
      return { fillColor: MUTED_FILL, fillOpacity: 0.45, color: picked ? "#111827" : "#cfcbc2", weight: picked ? 3 : 0.6, opacity: 1 };
    }
    // Outside the chosen sub-district the colours step back, so the area in focus reads first.
    const elsewhere = this.selected.subdistrict && p.subdistrict_code !== this.selected.subdistrict;
    return {
      fillColor: PALETTE[p.level],
      fillOpacity: elsewhere ? 0.4 : 0.92,
      color: picked ? "#111827" : "#ffffff",
      weight: picked ? 3 : 0.9,
      opacity: 1,
    };
  }

  restyle(code) {
    const p = this.byCode.get(code);
    const shape = this.layers.get(code);
    if (!p || !shape) return;
    const shown = this.passes(p);
    shape.setStyle(this.styleFor(p, shown));
    const el = shape.getElement();
    el.classList.toggle("shown", shown);
    el.classList.toggle("filtered", !shown);
    for (let n = 0; n <= 5; n += 1) el.classList.toggle(`level-${n}`, shown && p.level === n);
    el.classList.toggle("selected", this.selected.community === code);
    el.classList.toggle("picked", Boolean(this.selected.leader) && p.leader_code === this.selected.leader);
    if (this.selected.community === code) shape.bringToFront();
  }

  hover(code, on) {
    const shape = this.layers.get(code);
    const p = this.byCode.get(code);
    if (on) {
      shape.setStyle({ weight: 2.5, color: "#1f2937" });
      shape.bringToFront();
      this.gridLayer?.bringToFront?.();
    } else {
      shape.setStyle(this.styleFor(p, this.passes(p)));
    }
  }

  tooltip(p) {
    const names = config.starNames[p.kind];
    const held = p.stars.map((n) => names[n - 1]).join("、") || T.noStars;
    return `<div class="tip-head"><b>${esc(p.name)}</b> <span class="kind kind-${p.kind}">${esc(T.kinds[p.kind])}</span></div>
      <div class="tip-level ink-lv-${p.level}">${starString(p.level)} ${esc(T.levelNames[p.level])}</div>
      <div class="tip-line">${esc(p.subdistrict_name)} · ${esc(p.leader || "")}</div>
      <div class="tip-line muted">${esc(held)}</div>`;
  }

  addLegend() {
    const control = L.control({ position: "bottomright" });
    control.onAdd = () => {
      const div = L.DomUtil.create("div", "dash-legend");
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    control.addTo(this.map);
    return control;
  }

  drawLegend(shown) {
    const counts = [0, 0, 0, 0, 0, 0];
    shown.forEach((p) => (counts[p.level] += 1));
    const hidden = this.features.length - shown.length;
    const rows = [5, 4, 3, 2, 1, 0]
      .map((n) => `<li><span class="sw ink-lv-${n}"></span>${esc(T.levelNames[n])}<b>${counts[n]}</b></li>`)
      .join("");
    const muted = hidden ? `<li class="off"><span class="sw muted-fill"></span>${esc(T.filteredOut)}<b>${hidden}</b></li>` : "";
    const hot = this.hotLayer && this.map.hasLayer(this.hotLayer)
      ? `<li class="hot"><span class="dot"></span>${esc(format(T.hotspotLegend, { days: 30 }))}</li>` : "";
    this.legend.getContainer().innerHTML = `<h3>${esc(T.legendTitle)}</h3><ul>${rows}${muted}${hot}</ul>`;
  }

  // --- filters --------------------------------------------------------------------------

  bindFilters() {
    const form = document.getElementById("filters");
    const star = document.getElementById("filter-star");
    star.value = this.filters.star;
    star.addEventListener("change", () => this.setFilter("star", star.value));
    for (const name of ["demonstration", "weak"]) {
      const box = document.getElementById(`filter-${name}`);
      box.checked = this.filters[name];
      box.addEventListener("change", () => this.setFilter(name, box.checked));
    }
    for (const button of form.querySelectorAll("[data-kind]")) {
      button.addEventListener("click", () => this.setFilter("kind", button.dataset.kind));
    }
    this.markKind();
    const hot = document.getElementById("toggle-hotspots");
    hot?.addEventListener("change", () => this.toggleHotspots(hot.checked));
    document.getElementById("period-select").addEventListener("change", (e) => {
      const next = new URLSearchParams(location.search);
      next.set("period", e.target.value);
      root.dataset.loading = "1";
      location.search = next.toString();
    });
    document.getElementById("ranking-metric")?.addEventListener("change", (e) => {
      this.rankMetric = e.target.value;
      this.drawRanking();
    });
    document.getElementById("ranking-order")?.addEventListener("click", (e) => {
      this.rankOrder = this.rankOrder === "desc" ? "asc" : "desc";
      e.currentTarget.textContent = this.rankOrder === "desc" ? "↓" : "↑";
      this.drawRanking();
    });
    document.getElementById("crumbs").addEventListener("click", (e) => {
      const crumb = e.target.closest("button[data-level]");
      if (!crumb) return;
      if (crumb.dataset.level === "district") this.selectDistrict();
      else if (crumb.dataset.level === "subdistrict") this.selectSubdistrict(this.selected.subdistrict);
      else if (crumb.dataset.level === "community") this.selectCommunity(this.selected.community);
    });
  }

  markKind() {
    for (const button of document.querySelectorAll("#filters [data-kind]")) {
      const on = button.dataset.kind === this.filters.kind;
      button.classList.toggle("on", on);
      button.setAttribute("aria-pressed", String(on));
    }
  }

  setFilter(name, value) {
    this.filters[name] = value;
    if (name === "kind") this.markKind();
    this.applyFilters();
  }

  applyFilters({ record = true } = {}) {
    if (!this.tables) return; // a filter touched before the data came: applied when it does
    for (const code of this.layers.keys()) this.restyle(code);
    const shown = this.features.filter((p) => this.passes(p));
    this.drawLegend(shown);
    const inArea = this.selected.subdistrict ? shown.filter((p) => p.subdistrict_code === this.selected.subdistrict) : shown;
    this.tables.setShown(inArea, this.features.length);
    this.updateExportLink();
    if (record) this.recordState();
  }

  exportParams() {
    return {
      period,
      star: this.filters.star,
      kind: this.filters.kind,
      demonstration: this.filters.demonstration,
      weak: this.filters.weak,
      subdistrict: this.selected.subdistrict || "",
    };
  }

  updateExportLink() {
    document.getElementById("export-link").href = withQuery(config.urls.export, this.exportParams());
  }

  recordState() {
    const query = withQuery(location.pathname, {
      ...this.exportParams(),
      period: params.get("period") || "",
      community: this.selected.community || "",
    });
    history.replaceState(null, "", query);
  }

  restoreSelection() {
    const community = params.get("community");
    const subdistrict = params.get("subdistrict");
    if (community && this.byCode.has(community)) this.selectCommunity(community, { record: false });
    else if (subdistrict && this.features.some((p) => p.subdistrict_code === subdistrict)) {
      this.selectSubdistrict(subdistrict, { record: false });
    }
  }

  // --- drill-down ----------------------------------------------------------------------------

  boundsOf(codes) {
    let bounds = null;
    for (const code of codes) {
      const b = this.layers.get(code)?.getBounds();
      if (b) bounds = bounds ? bounds.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast());
    }
    return bounds;
  }

  clearSelection() {
    const previous = this.selected.community;
    this.selected.community = null;
    this.selected.grid = null;
    this.selected.leader = null;
    if (this.gridLayer) {
      this.map.removeLayer(this.gridLayer);
      this.gridLayer = null;
    }
    for (const code of this.layers.keys()) this.restyle(code);
    return previous;
  }

  selectDistrict() {
    this.clearSelection();
    this.selected.subdistrict = null;
    this.fitArea();
    this.afterSelect();
  }

  selectSubdistrict(code, { record = true } = {}) {
    if (!code) return this.selectDistrict();
    this.clearSelection();
    this.selected.subdistrict = code;
    const bounds = this.boundsOf(this.features.filter((p) => p.subdistrict_code === code).map((p) => p.code));
    if (bounds) this.map.flyToBounds(bounds, { padding: [16, 16], duration: 0.5 });
    this.afterSelect(record);
  }

  selectCommunity(code, { scroll = false, record = true } = {}) {
    const p = this.byCode.get(code);
    if (!p) return;
    this.clearSelection();
    this.selected.subdistrict = p.subdistrict_code;
    this.selected.community = code;
    this.restyle(code);
    const bounds = this.layers.get(code).getBounds();
    this.map.flyToBounds(bounds, { padding: [48, 48], maxZoom: COMMUNITY_MAX_ZOOM, duration: 0.5 });
    this.loadGrids(code);
    this.afterSelect(record);
    this.loadHistory(code);
    if (scroll) document.querySelector(".map-card").scrollIntoView({ behavior: "smooth", block: "start" });
  }

  selectGrid(props) {
    this.selected.grid = props;
    this.drawCrumbs();
    this.drawPanel();
  }

  selectLeader(code) {
    this.clearSelection();
    this.selected.leader = code;
    for (const c of this.layers.keys()) this.restyle(c);
    const mine = this.features.filter((p) => p.leader_code === code);
    const bounds = this.boundsOf(mine.map((p) => p.code));
    if (bounds) this.map.flyToBounds(bounds, { padding: [24, 24], maxZoom: 15, duration: 0.5 });
    this.drawPanel();
    this.recordState();
    document.querySelector(".map-card").scrollIntoView({ behavior: "smooth", block: "start" });
  }

  // On a phone the panel sits under the map: a chip on the map names the selection and leads to it.
  drawPick() {
    const chip = document.getElementById("map-pick");
    const p = this.selected.community && this.byCode.get(this.selected.community);
    const sd = !p && this.selected.subdistrict && this.features.find((f) => f.subdistrict_code === this.selected.subdistrict);
    if (p) chip.innerHTML = `${levelBadge(p.level, T)}<b>${esc(p.name)}</b><span>${esc(T.details)} ↓</span>`;
    else if (sd) chip.innerHTML = `<b>${esc(sd.subdistrict_name)}</b><span>${esc(T.details)} ↓</span>`;
    chip.hidden = !p && !sd;
  }

  afterSelect(record = true) {
    this.drawPick();
    this.drawCrumbs();
    this.drawPanel();
    this.applyFilters({ record });
    this.charts?.progress(this.summary, this.selected.subdistrict);
    this.drawRanking();
    this.labelLayer?.eachLayer((m) => m.getElement()?.classList.toggle("on", m.options.code === this.selected.subdistrict));
  }

  drawCrumbs() {
    const nav = document.getElementById("crumbs");
    const parts = [`<button type="button" class="crumb" data-level="district">${esc(config.scope.name)}</button>`];
    const sd = this.selected.subdistrict;
    if (sd && config.scope.whole) {
      const row = this.features.find((p) => p.subdistrict_code === sd);
      parts.push(`<button type="button" class="crumb" data-level="subdistrict">${esc(row?.subdistrict_name || sd)}</button>`);
    }
    if (this.selected.community) {
      parts.push(`<button type="button" class="crumb" data-level="community">${esc(this.byCode.get(this.selected.community).name)}</button>`);
    }
    if (this.selected.grid) parts.push(`<span class="crumb">${esc(this.selected.grid.name)}</span>`);
    nav.innerHTML = parts.join('<span class="sep" aria-hidden="true">›</span>');
    nav.lastElementChild.setAttribute("aria-current", "location");
  }

  // --- grids, outlines, hotspots (layers from dashboard-layers.js) -------------------------

  async loadGrids(code) {
    this.busy(true);
    try {
      const collection = await fetchJSON(withQuery(config.urls.grids, { community: code }));
      if (this.selected.community !== code) return;
      this.gridLayer = gridLayer(collection, (props) => this.selectGrid(props)).addTo(this.map);
    } catch (error) {
      this.fail(error);
    } finally {
      this.busy(false);
    }
  }

  drawOutlines(collection) {
    outlineLayer(collection).addTo(this.map);
    if (!config.scope.whole) return;
    this.labelLayer = subdistrictLabels(this.map, collection, (code) => this.selectSubdistrict(code));
  }

  async toggleHotspots(on) {
    if (on && !this.hotLayer) {
      this.busy(true);
      try {
        const collection = await fetchJSON(withQuery(config.urls.hotspots, { days: 30 }));
        this.hotspots = new Map(collection.features.map((f) => [f.properties.code, f.properties]));
        this.hotLayer = hotspotLayer(collection, T, (code) => this.selectCommunity(code));
      } catch (error) {
        this.fail(error);
        return;
      } finally {
        this.busy(false);
      }
    }
    if (on) this.hotLayer.addTo(this.map);
    else if (this.hotLayer) this.map.removeLayer(this.hotLayer);
    this.applyFilters({ record: false });
  }

  // --- KPIs and the details panel (HTML from dashboard-panel.js) ----------------------------

  drawKpis() {
    for (const [key, html] of Object.entries(kpiHtml(T, this.features, this.summary))) {
      const card = document.querySelector(`[data-kpi="${key}"]`);
      card.classList.remove("skeleton");
      paint(Object.assign(card.querySelector(".kpi-body"), { innerHTML: html }));
    }
  }

  drawPanel() {
    const panel = document.getElementById("panel");
    const { leader, community, subdistrict, grid } = this.selected;
    if (leader) panel.innerHTML = this.html.leader(this.features, leader) || this.html.area(this.features, this.summary, null);
    else if (community) panel.innerHTML = this.html.community(this.byCode.get(community), grid, this.hotspots);
    else panel.innerHTML = this.html.area(this.features, this.summary, subdistrict);
    paint(panel);
    panel.scrollTop = 0;
    panel.querySelectorAll("[data-pick-sd]").forEach((el) => el.addEventListener("click", () => this.selectSubdistrict(el.dataset.pickSd)));
    panel.querySelectorAll("[data-pick-c]").forEach((el) => el.addEventListener("click", () => this.selectCommunity(el.dataset.pickC)));
    panel.querySelector("[data-close]")?.addEventListener("click", () => this.selectSubdistrict(this.selected.subdistrict));
  }

  async loadHistory(code) {
    const show = (html) => {
      const box = document.getElementById("branch-history");
      if (box && box.dataset.code === code) paint(Object.assign(box, { innerHTML: html }));
    };
    try {
      show(this.html.history(await fetchJSON(config.urls.branch.replace("CODE", encodeURIComponent(code)))));
    } catch (error) {
      show(`<p class="dash-error-inline">${esc(format(T.loadFailed, { detail: error.message }))}</p>`);
    }
  }

  // --- charts --------------------------------------------------------------------------------

  async startCharts() {
    if (!config.scope.whole) document.getElementById("chart-ranking")?.closest(".chart-card")?.remove();
    try {
      const echarts = await loadECharts(config.urls.echarts);
      this.charts = new Charts(echarts, T, { onPickSubdistrict: (code) => this.selectSubdistrict(code) });
      this.charts.progress(this.summary, this.selected.subdistrict);
      document.getElementById("progress-scope").textContent = this.summary.period_name;
      this.drawRanking();
      this.charts.trend(this.summary);
      root.dataset.charts = "1";
    } catch (error) {
      document.querySelectorAll(".chart.skeleton").forEach((el) => {
        el.classList.remove("skeleton");
        el.innerHTML = `<p class="dash-error-inline">${esc(format(T.loadFailed, { detail: error.message }))}</p>`;
      });
    }
  }

  drawRanking() {
    if (!this.charts || !config.scope.whole) return;
    this.charts.ranking(this.summary, this.features, this.rankMetric, this.rankOrder, this.selected.subdistrict);
  }
}

window.addEventListener("map:init", (event) => {
  if (event.detail.id !== root.dataset.mapId) return;
  const dashboard = new Dashboard(event.detail.map);
  dashboard.bindFilters();
  dashboard.start();
});
