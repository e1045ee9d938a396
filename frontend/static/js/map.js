// The map page: the district's vector layers from /api/layers/, fetched for the
// current view, over an optional base map (settings.GRIDGOV_BASEMAP).
// Server values come from the page: data-* attributes on #map-shell and the
// json_script blocks #map-config and #map-strings. Nothing is global.
import { gcj02ToWgs84, wgs84ToGcj02 } from "./gcj02.js";

const shell = document.getElementById("map-shell");
const config = JSON.parse(document.getElementById("map-config").textContent);
const T = JSON.parse(document.getElementById("map-strings").textContent);
const LANG = document.documentElement.lang || "zh-hans";

const REFRESH_DELAY_MS = 250; // moveend fires once per gesture; this absorbs quick pans
const BBOX_PAD = 0.25; // fetch a margin around the view so small pans need nothing new
const FULL_DETAIL_ZOOM = 17; // the API stops simplifying here (apps/areas/geojson.py)

// Drawing order, bottom to top; fills under lines, small things on top.
const PANES = { communities: 410, subdistricts: 420, grids: 430, zones: 440, compounds: 450, labels: 460 };

// Zoom range in which each layer's labels are shown; the rest would clutter.
const LABEL_ZOOMS = { subdistricts: [11, 13], communities: [14, 15], grids: [16, 30] };

const STYLES = {
  subdistricts: () => ({ color: "#7f1d1d", weight: 2.5, opacity: 0.85, fill: false }),
  communities: (p) =>
    p.kind === "village"
      ? { color: "#3f7d20", weight: 1, opacity: 0.9, fillColor: "#cfe8b8", fillOpacity: 0.75, dashArray: "4 3" }
      : { color: "#2f6db5", weight: 1, opacity: 0.9, fillColor: "#d3e3f6", fillOpacity: 0.75 },
  grids: () => ({ color: "#d9600f", weight: 1.2, opacity: 0.9, dashArray: "5 4", fillColor: "#ffffff", fillOpacity: 0.01 }),
  // A zone is the union of its compounds, which are drawn over it: its wide
  // translucent outline shows as a halo around the compounds it groups.
  zones: () => ({ color: "#6d3fc0", weight: 7, opacity: 0.45, lineJoin: "round", fillColor: "#c9b8f0", fillOpacity: 0.5 }),
  compounds: () => ({ color: "#b3261e", weight: 1, opacity: 0.95, fillColor: "#f19a8f", fillOpacity: 0.7 }),
};

// Popup rows per layer: [label key in T, property name, kind of value].
const POPUP_ROWS = {
  subdistricts: [
    ["code", "code"], ["households", "households", "n"], ["population", "population", "n"],
    ["communityCount", "communities", "n"], ["villages", "villages", "n"], ["grids", "grids", "n"],
  ],
  communities: [
    ["code", "code"], ["subdistrict", "subdistrict_name"],
    ["branch", "branch"], ["demonstration", "demonstration", "choice"],
    ["households", "households", "n"], ["population", "population", "n"],
    ["grids", "grids", "n"], ["zones", "zones", "n"], ["compounds", "compounds", "n"],
  ],
  grids: [
    ["code", "code"], ["communityName", "community_name"], ["subdistrict", "subdistrict_name"],
    ["households", "households", "n"], ["population", "population", "n"],
  ],
  zones: [
    ["code", "code"], ["communityName", "community_name"], ["subdistrict", "subdistrict_name"],
    ["households", "households", "n"], ["compounds", "compounds", "n"], ["cadres", "cadres", "n"],
  ],
  compounds: [
    ["code", "code"], ["zone", "zone_name"], ["communityName", "community_name"],
    ["households", "households", "n"], ["address", "address"], ["cadres", "cadres", "n"],
  ],
};

// Inline icons: no icon font or image request, and they scale on any screen.
const ICON_TAP =
  '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><path d="M12 2a7 7 0 0 0-7 7c0 5 7 13 7 13s7-8 7-13a7 7 0 0 0-7-7z" fill="none" stroke="currentColor" stroke-width="2"/><circle cx="12" cy="9" r="2.5" fill="currentColor"/></svg>';
const ICON_ME =
  '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><circle cx="12" cy="12" r="7" fill="none" stroke="currentColor" stroke-width="2"/><circle cx="12" cy="12" r="3" fill="currentColor"/><path d="M12 1v4M12 19v4M1 12h4M19 12h4" stroke="currentColor" stroke-width="2"/></svg>';

// Display coordinates: WGS84 as stored, or shifted to GCJ-02 over Amap tiles.
const toDisplay = config.gcj02 ? wgs84ToGcj02 : (lon, lat) => [lon, lat];
const toWgs84 = config.gcj02 ? gcj02ToWgs84 : (lon, lat) => [lon, lat];
const displayLatLng = (lon, lat) => {
  const [x, y] = toDisplay(lon, lat);
  return L.latLng(y, x);
};

function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function formatValue(value, type) {
  if (value === null || value === undefined || value === "") return null;
  if (type === "n") return Number(value).toLocaleString(LANG);
  if (type === "choice") return T[value] || value;
  return value;
}

function factTable(rows) {
  const body = rows
    .filter(([, value]) => value !== null)
    .map(([label, value]) => `<tr><th>${esc(label)}</th><td>${esc(value)}</td></tr>`)
    .join("");
  return `<table class="facts">${body}</table>`;
}

// Area-weighted centroid of the largest outer ring, and that ring's area (in
// square degrees, to rank labels): a label point that needs no map (Leaflet's
// getCenter does) and sits in the feature's main part.
function labelPoint(geometry) {
  const polygons = geometry.type === "MultiPolygon" ? geometry.coordinates : [geometry.coordinates];
  let best = null;
  for (const polygon of polygons) {
    const ring = polygon[0];
    let area = 0, cx = 0, cy = 0;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const f = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
      area += f;
      cx += (ring[j][0] + ring[i][0]) * f;
      cy += (ring[j][1] + ring[i][1]) * f;
    }
    if (area === 0) continue;
    if (!best || Math.abs(area) > best.area) best = { area: Math.abs(area), lon: cx / (3 * area), lat: cy / (3 * area) };
  }
  return best || { area: 0, lon: polygons[0][0][0][0], lat: polygons[0][0][0][1] };
}

// Hide labels that would overlap one already placed, across every layer: the
// layers in LABEL_PRIORITY order, then the biggest feature first. On a phone at
// district zoom the small central sub-districts crowd together (经八路 split
// around 花园路), and community names fall on sub-district names.
const LABEL_PRIORITY = ["subdistricts", "communities", "grids", "zones", "compounds"];

function declutter(groups) {
  const placed = [];
  const ranked = groups.flatMap((markers, order) =>
    markers
      .map((marker) => ({ marker, order, span: marker.getElement()?.firstElementChild }))
      .filter(({ span }) => span)
      .sort((a, b) => b.marker.options.rank - a.marker.options.rank),
  );
  for (const { span } of ranked) {
    span.classList.remove("label-hidden");
    const r = span.getBoundingClientRect();
    const clash = placed.some((p) => r.left < p.right + 4 && r.right > p.left - 4 && r.top < p.bottom + 2 && r.bottom > p.top - 2);
    if (clash) span.classList.add("label-hidden");
    else placed.push(r);
  }
}

class VectorLayer {
  constructor(map, spec, url, onCount) {
    this.map = map;
    this.name = spec.name;
    this.minZoom = spec.minZoom;
    this.url = url;
    this.onCount = onCount;
    this.features = new Map(); // code -> {layer, label, zoom}
    this.overlay = L.layerGroup(); // what the layer switcher turns on and off
    this.shapes = L.layerGroup();
    this.labels = L.layerGroup();
    this.labelZooms = LABEL_ZOOMS[this.name];
  }

  get active() {
    return this.map.hasLayer(this.overlay);
  }

  visibleAt(zoom) {
    return zoom >= this.minZoom;
  }

  // Show shapes and labels that suit this zoom; called on every zoomend and toggle.
  update(zoom) {
    const show = (group, yes) => {
      if (yes && !this.overlay.hasLayer(group)) this.overlay.addLayer(group);
      if (!yes && this.overlay.hasLayer(group)) this.overlay.removeLayer(group);
    };
    show(this.shapes, this.visibleAt(zoom));
    show(this.labels, !!this.labelZooms && zoom >= this.labelZooms[0] && zoom <= this.labelZooms[1]);
  }

  // Fetch every page for this bbox; `next` is followed until the API has no more.
  async load(bbox, zoom, signal) {
    let url = `${this.url}?${new URLSearchParams({ bbox, zoom })}`;
    while (url) {
      const response = await fetch(url, { signal, credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(`${this.name}: HTTP ${response.status}`);
      const data = await response.json();
      if (signal.aborted) return;
      this.add(data.features || [], zoom);
      url = data.next || null;
    }
  }

  add(features, zoom) {
    for (const feature of features) {
      const code = feature.properties.code;
      const known = this.features.get(code);
      // Geometry is simplified for the zoom it was asked at; redraw it when
      // we are closer now, else keep what is drawn (an open popup stays open).
      if (known && (known.zoom >= zoom || known.zoom >= FULL_DETAIL_ZOOM)) continue;
      if (known) {
        if (known.layer.isPopupOpen()) continue;
        this.shapes.removeLayer(known.layer);
        if (known.label) this.labels.removeLayer(known.label);
      }
      const layer = this.shape(feature);
      const label = this.label(feature);
      this.shapes.addLayer(layer);
      if (label) this.labels.addLayer(label);
      this.features.set(code, { layer, label, zoom });
    }
    this.onCount(this.name, this.features.size);
  }

  shape(feature) {
    const p = feature.properties;
    const style = STYLES[this.name](p);
    const kind = this.name === "communities" ? ` kind-${p.kind}` : "";
    const layer = L.geoJSON(feature, {
      pane: `pane-${this.name}`,
      style: () => ({ ...style, className: `layer-${this.name}${kind}` }),
      coordsToLatLng: (c) => displayLatLng(c[0], c[1]),
    });
    layer.bindPopup(() => this.popup(p), { maxWidth: 280, autoPanPadding: [12, 12] });
    layer.on("popupopen", () => layer.setStyle({ weight: style.weight + 2 }));
    layer.on("popupclose", () => layer.setStyle({ weight: style.weight }));
    layer.eachLayer((path) => path.on("add", () => path.getElement()?.setAttribute("data-code", p.code)));
    return layer;
  }

  label(feature) {
    if (!this.labelZooms) return null;
    const p = feature.properties;
    const { lon, lat, area } = labelPoint(feature.geometry);
    const text =
      this.name === "grids"
        ? `<b>${esc(p.name)}</b><small>${esc(p.code)}</small>`
        : `<b>${esc(p.name)}</b>`;
    return L.marker(displayLatLng(lon, lat), {
      pane: "pane-labels",
      interactive: false,
      keyboard: false,
      rank: area,
      icon: L.divIcon({ className: `map-label label-${this.name}`, html: `<span>${text}</span>`, iconSize: [0, 0] }),
    });
  }

  shownLabels() {
    return this.overlay.hasLayer(this.labels) && this.active ? this.labels.getLayers() : [];
  }

  popup(p) {
    const layerName = T.layers[this.name];
    const subtitle = this.name === "communities" ? T.kinds[p.kind] || layerName : layerName;
    const rows = POPUP_ROWS[this.name].map(([key, prop, type]) => [T[key] || key, formatValue(p[prop], type)]);
    return `<div class="popup popup-${this.name}"><h3>${esc(p.name)}</h3><p class="popup-kind">${esc(subtitle)}</p>${factTable(rows)}</div>`;
  }
}

class GridMap {
  constructor(map) {
    this.map = map;
    this.pending = 0;
    this.cycles = 0;
    this.timer = null;
    this.controller = null;
    this.locating = false;
    this.progress = shell.querySelector(".map-progress");
    this.error = shell.querySelector(".map-error");
  }

  start() {
    const map = this.map;
    for (const [name, z] of Object.entries(PANES)) map.createPane(`pane-${name}`).style.zIndex = String(z);
    this.addBaseMap();
    this.layers = config.layers.map(
      (spec) =>
        new VectorLayer(map, spec, shell.dataset[`layerUrl${spec.name[0].toUpperCase()}${spec.name.slice(1)}`], (n, c) =>
          this.setCount(n, c),
        ),
    );
    const overlays = {};
    for (const layer of this.layers) {
      const hint = layer.minZoom > 0 ? ` <span class="zoom-hint hint-${layer.name}">${esc(T.zoomHint.replace("%(zoom)s", layer.minZoom))}</span>` : "";
      overlays[`<span class="swatch swatch-${layer.name}"></span>${esc(T.layers[layer.name])}${hint}`] = layer.overlay;
      layer.overlay.addTo(map);
    }
    this.switcher = L.control
      .layers(null, overlays, { collapsed: window.matchMedia("(max-width: 600px)").matches, position: "topright" })
      .addTo(map);
    this.addLegend();
    this.addLocateControl();

    map.on("moveend", () => this.scheduleRefresh());
    map.on("zoomend", () => this.onZoom());
    map.on("overlayadd", () => {
      this.onZoom();
      this.scheduleRefresh();
    });
    map.on("overlayremove", () => this.onZoom());
    map.on("click", (e) => this.onMapClick(e));
    // Another module asks for a point: a tap on the map, or the device's position.
    shell.addEventListener("map:locate-request", (e) =>
      e.detail?.gps ? this.locateMe() : this.setLocating(true, e.detail?.hint),
    );
    map.on("moveend", () => this.writeHash());
    map.on("moveend overlayadd", () => this.scheduleDeclutter());
    // replaceState (writeHash) fires no hashchange: this is a link or a typed address.
    window.addEventListener("hashchange", () => this.readHash());

    this.addAreaControl();
    if (!this.readHash()) this.fitArea(false);
    this.onZoom();
    this.scheduleRefresh();
  }

  addBaseMap() {
    // "none" lists no tiles, so no tile layer exists and nothing is requested.
    for (const tile of config.tiles) L.tileLayer(tile.url, tile.options).addTo(this.map);
    shell.dataset.basemap = config.basemap;
  }

  // The person's own area (their grids, a cadre's zones, a sub-district, the
  // district: config.area, computed by the server), and a button back to it.
  fitArea(animate = true) {
    const box = config.area || config.bounds;
    if (!box) return;
    const [[s, w], [n, e]] = box;
    this.map.fitBounds(L.latLngBounds(displayLatLng(w, s), displayLatLng(e, n)), { padding: [8, 8], animate });
  }

  addAreaControl() {
    const control = L.control({ position: "topleft" });
    control.onAdd = () => {
      const button = L.DomUtil.create("button", "map-my-area");
      button.type = "button";
      button.textContent = T.myArea;
      button.title = T.myAreaHint;
      L.DomEvent.disableClickPropagation(button);
      L.DomEvent.on(button, "click", () => this.fitArea());
      return button;
    };
    control.addTo(this.map);
  }

  addLegend() {
    const legend = L.control({ position: "bottomright" });
    legend.onAdd = () => {
      const div = L.DomUtil.create("details", "map-legend");
      div.open = !window.matchMedia("(max-width: 600px)").matches;
      const item = (cls, text) => `<li><span class="swatch ${cls}"></span>${esc(text)}</li>`;
      div.innerHTML =
        `<summary>${esc(T.legend)}</summary><ul>` +
        item("swatch-subdistricts", T.subdistrictBoundary) +
        item("swatch-community", T.legendCommunity) +
        item("swatch-village", T.legendVillage) +
        item("swatch-grids", T.layers.grids) +
        item("swatch-zones", T.layers.zones) +
        item("swatch-compounds", T.layers.compounds) +
        "</ul>";
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    legend.addTo(this.map);
  }

  addLocateControl() {
    const control = L.control({ position: "topleft" });
    control.onAdd = () => {
      const div = L.DomUtil.create("div", "leaflet-bar locate-control");
      div.innerHTML =
        `<a href="#" role="button" class="locate-tap" title="${esc(T.locateHelp)}" aria-label="${esc(T.locate)}">${ICON_TAP}</a>` +
        `<a href="#" role="button" class="locate-me" title="${esc(T.myLocation)}" aria-label="${esc(T.myLocation)}">${ICON_ME}</a>`;
      L.DomEvent.disableClickPropagation(div);
      div.querySelector(".locate-tap").addEventListener("click", (e) => {
        e.preventDefault();
        this.setLocating(!this.locating);
      });
      div.querySelector(".locate-me").addEventListener("click", (e) => {
        e.preventDefault();
        this.locateMe();
      });
      return div;
    };
    control.addTo(this.map);
    this.hint = L.DomUtil.create("div", "map-hint", shell);
    this.hint.hidden = true;
  }

  setLocating(on, hint = null) {
    this.locating = on;
    // Shapes stop taking clicks while locating, so the tap reaches the map.
    shell.classList.toggle("locating", on);
    this.showHint(on ? hint || T.locateHelp : null);
  }

  showHint(text) {
    this.hint.textContent = text || "";
    this.hint.hidden = !text;
  }

  onMapClick(e) {
    if (!this.locating) return;
    this.setLocating(false);
    const [lon, lat] = toWgs84(e.latlng.lng, e.latlng.lat);
    this.locate(lon, lat, e.latlng);
  }

  locateMe() {
    if (!navigator.geolocation) {
      this.showError(T.noGeolocation);
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        // GPS gives WGS84; shift it like every other coordinate we draw.
        const { longitude: lon, latitude: lat } = pos.coords;
        const at = displayLatLng(lon, lat);
        this.map.setView(at, Math.max(this.map.getZoom(), 16));
        this.locate(lon, lat, at);
      },
      () => this.showError(T.noGeolocation),
      { enableHighAccuracy: true, timeout: 15000 },
    );
  }

  // Ask the server which grid, community, sub-district and branch hold the
  // point, and show it; the case-report form starts from this answer.
  async locate(lon, lat, at) {
    if (this.marker) this.marker.remove();
    this.marker = L.circleMarker(at, {
      pane: "markerPane", radius: 7, color: "#111827", weight: 2, fillColor: "#facc15", fillOpacity: 1,
    }).addTo(this.map);
    this.marker.bindPopup(`<div class="popup popup-locate">${esc(T.locating)}</div>`, { maxWidth: 300 }).openPopup();
    const url = `${shell.dataset.locateUrl}?${new URLSearchParams({ lon: lon.toFixed(7), lat: lat.toFixed(7) })}`;
    let html;
    let located = null;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      const data = await response.json().catch(() => ({}));
      if (response.ok) {
        located = data;
        html = this.locationHtml(data, lon, lat);
      } else if (data.code === "outside_district") html = `<p class="located-outside">${esc(T.outside)}</p>`;
      else html = `<p>${esc(data.detail || T.locateFailed)}</p>`;
    } catch {
      html = `<p>${esc(T.locateFailed)}</p>`;
    }
    this.marker.setPopupContent(`<div class="popup popup-locate">${html}</div>`);
    shell.dataset.located = "1";
    // Other modules of the page (the report form) start from this answer.
    shell.dispatchEvent(new CustomEvent("map:located", { detail: { lon, lat, at, located } }));
  }

  locationHtml(data, lon, lat) {
    const part = (key) => data[key] || {};
    const grid = part("grid");
    const community = part("community");
    const rows = [
      [T.communityName, community.name ? `${community.name} · ${T.kinds[community.kind] || community.kind}` : null],
      [T.subdistrict, part("subdistrict").name || null],
      [T.branch, part("branch").name || null],
      [T.point, `${lon.toFixed(6)}, ${lat.toFixed(6)}`],
    ];
    return (
      `<h3>${esc(grid.name || "")}</h3><p class="popup-kind">${esc(T.grid)}</p>` +
      `<p class="located-grid" data-code="${esc(grid.code || "")}">${esc(grid.code || "")}</p>${factTable(rows)}`
    );
  }

  setCount(name, count) {
    shell.dataset[`count${name[0].toUpperCase()}${name.slice(1)}`] = String(count);
    this.scheduleDeclutter();
  }

  scheduleDeclutter() {
    if (this.declutterFrame) return;
    this.declutterFrame = requestAnimationFrame(() => {
      this.declutterFrame = null;
      const order = (layer) => (LABEL_PRIORITY.includes(layer.name) ? LABEL_PRIORITY.indexOf(layer.name) : LABEL_PRIORITY.length);
      declutter([...this.layers].sort((a, b) => order(a) - order(b)).map((layer) => layer.shownLabels()));
    });
  }

  onZoom() {
    const zoom = this.map.getZoom();
    const hidden = [];
    for (const layer of this.layers) {
      layer.update(zoom);
      const below = !layer.visibleAt(zoom);
      shell.classList.toggle(`below-${layer.name}`, below);
      if (below && layer.active) hidden.push(T.layers[layer.name]);
    }
    shell.dataset.zoom = String(zoom);
    if (!this.locating) {
      const minZoom = Math.min(...this.layers.filter((l) => !l.visibleAt(zoom) && l.active).map((l) => l.minZoom));
      this.showHint(hidden.length ? `${hidden.join(T.listSeparator)}: ${T.zoomHint.replace("%(zoom)s", minZoom)}` : null);
    }
  }

  scheduleRefresh() {
    clearTimeout(this.timer);
    shell.dataset.scheduled = "1";
    this.timer = setTimeout(() => this.refresh(), REFRESH_DELAY_MS);
  }

  // The bbox we ask for, in WGS84: the view plus a margin, shifted back from
  // GCJ-02 when the map shows Amap.
  bbox() {
    const b = this.map.getBounds().pad(BBOX_PAD);
    const [w, s] = toWgs84(b.getWest(), b.getSouth());
    const [e, n] = toWgs84(b.getEast(), b.getNorth());
    return [w, s, e, n].map((v) => v.toFixed(6)).join(",");
  }

  async refresh() {
    // A newer view makes the answers for the old one useless: cancel them.
    if (this.controller) this.controller.abort();
    const controller = new AbortController();
    this.controller = controller;
    shell.dataset.scheduled = "0";
    const zoom = this.map.getZoom();
    const bbox = this.bbox();
    const wanted = this.layers.filter((layer) => layer.active && layer.visibleAt(zoom));
    this.setPending(this.pending + wanted.length);
    const results = await Promise.allSettled(
      wanted.map((layer) => layer.load(bbox, zoom, controller.signal).finally(() => this.setPending(this.pending - 1))),
    );
    if (controller.signal.aborted) return;
    const failed = results.filter((r) => r.status === "rejected");
    this.showError(failed.length ? T.loadFailed : null);
    this.cycles += 1;
    shell.dataset.cycles = String(this.cycles);
  }

  setPending(n) {
    this.pending = Math.max(0, n);
    shell.dataset.pending = String(this.pending);
    this.progress.hidden = this.pending === 0;
  }

  showError(text) {
    this.error.textContent = text || "";
    this.error.hidden = !text;
  }

  // #zoom/lat/lon (WGS84) in the address: a view can be shared or reloaded.
  readHash() {
    const m = /^#(\d{1,2})\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)$/.exec(window.location.hash);
    if (!m) return false;
    this.map.setView(displayLatLng(Number(m[3]), Number(m[2])), Number(m[1]));
    return true;
  }

  writeHash() {
    const c = this.map.getCenter();
    const [lon, lat] = toWgs84(c.lng, c.lat);
    history.replaceState(null, "", `#${this.map.getZoom()}/${lat.toFixed(5)}/${lon.toFixed(5)}`);
  }
}

window.addEventListener("map:init", (event) => {
  if (event.detail.id !== shell.dataset.mapId) return;
  new GridMap(event.detail.map).start();
});
