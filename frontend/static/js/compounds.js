// The zone planning page (/compounds/): the 644 unmanaged compounds coloured by zone, zone outlines,
// drafts of a zoning plan (ask, watch the Celery job, read the quality report beside the zones in
// force, move compounds, re-plan a community, compare, apply) and the cadres' assignment.
// Server values come from #zp-config and #zp-strings (json_script) and data-* on #zp; data from the
// layer API (/api/layers/compounds/, /api/layers/zones/) and the plans API (/api/compounds/...).
// Everything is drawn on canvas (one renderer per pane, one GeoJSON layer per collection): no DOM
// node per compound, so 644 of them draw and hit-test at once. When the compounds are drawn and
// clickable the page sets the performance mark "compounds:ready" and data-ready="1" on #zp
// (bench/bench_compounds_page.py measures it).
import { ApiError, api, fill, readJson } from "./common.js";

const root = document.getElementById("zp");
const config = readJson("zp-config");
const T = readJson("zp-strings");
const csrf = root.dataset.csrf;

const LAYER_ZOOM = 16; // detail asked of the layer API: compounds are tens of metres across
const POLL_MS = 400;
const TERMINAL = new Set(["ready", "failed", "applied", "discarded", "superseded"]);
// A categorical palette (ColorBrewer Set3 and Paired, light enough to read outlines over);
// neighbouring zones get different entries (greedy colouring below).
const PALETTE = [
  "#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5",
  "#bc80bd", "#ccebc5", "#ffed6f", "#a6cee3", "#b2df8a", "#fdbf6f", "#cab2d6",
];
const NEIGHBOUR_PAD = 0.0025; // degrees (~250 m): zones this close are neighbours for the colouring

const query = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v !== "" && v != null)).toString();
const layerQuery = query({ zoom: LAYER_ZOOM, ...config.filters });
// Start the requests now: they run while Leaflet sets the map up.
const inForce = {
  compounds: api(`${config.urls.compounds}?${layerQuery}`),
  zones: api(`${config.urls.zones}?${layerQuery}`),
};

function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function $(id) {
  return document.getElementById(id);
}

const LANG = document.documentElement.lang || "zh-hans";

function num(value, digits = 2) {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return value ? T.yes : T.no;
  if (typeof value !== "number") return esc(value);
  return new Intl.NumberFormat(LANG === "en" ? "en" : "zh-CN", { maximumFractionDigits: digits }).format(value);
}

function distance(metres) {
  if (metres === null || metres === undefined) return "—";
  return metres >= 1000 ? fill(T.km, { value: num(metres / 1000, 2) }) : fill(T.m, { value: num(metres, 0) });
}

function communityOf(zone) {
  return typeof zone.community === "object" && zone.community ? zone.community.code : zone.community;
}

function detailOf(error) {
  if (error instanceof ApiError && error.status === 0) return T.networkFailed;
  return error.message || String(error);
}

// Greedy colouring of zones by their padded bounding boxes: neighbours never share a colour while
// the palette lasts; past that, the colour fewest neighbours use. Largest zones first (Welsh-Powell).
function colourZones(boxes) {
  const keys = [...boxes.keys()];
  const neighbours = new Map(keys.map((k) => [k, []]));
  const sorted = keys.map((k) => [k, boxes.get(k)]).sort((a, b) => a[1][0] - b[1][0]);
  for (let i = 0; i < sorted.length; i++) {
    const [ka, a] = sorted[i];
    for (let j = i + 1; j < sorted.length && sorted[j][1][0] <= a[2] + NEIGHBOUR_PAD; j++) {
      const [kb, b] = sorted[j];
      if (b[1] <= a[3] + NEIGHBOUR_PAD && a[1] <= b[3] + NEIGHBOUR_PAD) {
        neighbours.get(ka).push(kb);
        neighbours.get(kb).push(ka);
      }
    }
  }
  const colours = new Map();
  keys.sort((a, b) => neighbours.get(b).length - neighbours.get(a).length || (a < b ? -1 : 1));
  for (const key of keys) {
    const used = new Array(PALETTE.length).fill(0);
    for (const n of neighbours.get(key)) if (colours.has(n)) used[colours.get(n)] += 1;
    let best = used.indexOf(0);
    if (best < 0) best = used.indexOf(Math.min(...used));
    colours.set(key, best);
  }
  return colours;
}

function boxOf(bounds) {
  return [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()];
}

// The open draft in the address (?plan=ID), and in the language switch's return address, so a
// reload or a switch to English comes back to it.
function remember(url) {
  history.replaceState(null, "", url);
  const next = document.querySelector(".lang-form input[name=next]");
  if (next) next.value = url;
}

// --- a progress bar tied to a polled job ------------------------------------------------------

class Progress {
  constructor(node) {
    this.node = node;
    this.bar = node.querySelector("[role=progressbar]");
    this.fill = this.bar.querySelector("span");
    this.label = node.querySelector(".zp-progress-label");
  }

  show(job) {
    const value = Math.max(0, Math.min(100, Number(job.progress) || 0));
    this.node.hidden = false;
    this.bar.setAttribute("aria-valuenow", String(value));
    this.fill.style.width = `${value}%`;
    const status = T.statuses[job.status] || job.status;
    this.label.textContent = job.status === "queued" ? `${status} · ${T.queuedHint}` : fill(T.progress, { status, progress: `${value}%` });
  }

  hide() {
    this.node.hidden = true;
  }
}

// Poll a job's URL until it reaches a terminal status; onStep sees every answer.
async function poll(url, onStep, token) {
  for (;;) {
    const job = await api(url);
    if (token.cancelled) return null;
    onStep(job);
    if (TERMINAL.has(job.status)) return job;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    if (token.cancelled) return null;
  }
}

// --- the page ------------------------------------------------------------------------------

class Planner {
  constructor(map) {
    this.map = map;
    this.mode = "force"; // "force": the zones in force; "draft": a plan's proposal
    this.features = new Map(); // compound code -> {props, shape}
    this.zoneShapes = new Map(); // zone key (draft) or code (in force) -> outline layer
    this.zoneInfo = new Map(); // same keys -> {key, code, community, households, compounds, cadres}
    this.colours = new Map();
    this.moved = new Set();
    this.selected = null;
    this.plan = null; // the open draft's detail
    this.assignment = null;
    this.pollToken = { cancelled: false };
    this.progress = new Progress($("zp-progress"));
    this.assignProgress = $("zp-assign-progress") ? new Progress($("zp-assign-progress")) : null;

    map.attributionControl?.setPrefix("GridGov");
    map.options.zoomSnap = 0.25;
    map.options.zoomDelta = 0.5;
    map.createPane("zp-context").style.zIndex = 380;
    map.createPane("zp-compounds").style.zIndex = 410;
    map.createPane("zp-zones").style.zIndex = 420;
    map.getPane("zp-zones").style.pointerEvents = "none";
    this.renderers = {
      context: L.canvas({ pane: "zp-context", padding: 0.3 }),
      compounds: L.canvas({ pane: "zp-compounds", padding: 0.3, tolerance: 2 }),
      zones: L.canvas({ pane: "zp-zones", padding: 0.3 }),
    };
    if (config.bounds) map.fitBounds(config.bounds, { padding: [8, 8] });
    root.dataset.moving = "0";
    map.on("movestart", () => (root.dataset.moving = "1"));
    map.on("moveend", () => {
      root.dataset.moving = "0";
      this.publishView();
    });
    map.on("click", () => this.clearSelection());
    map.on("zoomend", () => this.zoneLayer?.setStyle(this.zoneStyle()));
    // The selection box under the map grows and shrinks: keep Leaflet's idea of the size true.
    new ResizeObserver(() => {
      map.invalidateSize({ pan: false });
      this.publishView();
    }).observe(map.getContainer());
    this.publishView();
  }

  // The map's frame on #zp, for a person's bookmarklet or a test that clicks a compound by place.
  publishView() {
    const b = this.map.getBounds();
    const size = this.map.getSize();
    root.dataset.bounds = [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()].map((v) => v.toFixed(7)).join(",");
    root.dataset.size = `${size.x},${size.y}`;
  }

  busy(on) {
    const n = Math.max(0, Number(root.dataset.busy) + (on ? 1 : -1));
    root.dataset.busy = String(n);
    const status = $("zp-map-status");
    status.hidden = n === 0;
    if (n) status.textContent = T.loading;
  }

  say(text, kind = "info") {
    const box = $("zp-message");
    box.textContent = text || "";
    box.className = `zp-message ${kind}`;
    box.hidden = !text;
  }

  async start() {
    this.bindForms();
    this.busy(true);
    try {
      const [compounds, zones] = await Promise.all([inForce.compounds, inForce.zones]);
      this.showCollections(compounds, zones, "force");
      const frame = this.compoundLayer.getBounds();
      if (frame.isValid()) this.map.fitBounds(frame, { padding: [12, 12] });
      root.dataset.drawn = String(this.features.size);
      // The canvas paints in the next animation frame (Leaflet's redraw was requested first).
      await new Promise((resolve) => requestAnimationFrame(resolve));
      performance.mark("compounds:ready");
      root.dataset.ready = "1";
    } catch (error) {
      this.say(fill(T.loadFailed, { detail: detailOf(error) }), "error");
    } finally {
      this.busy(false);
    }
    this.loadRecent();
    const planId = new URLSearchParams(location.search).get("plan");
    if (/^\d+$/.test(planId || "")) this.openPlan(`${config.urls.plans}${planId}/`);
  }

  // --- drawing ----------------------------------------------------------------------------

  zoneOf(props) {
    return this.mode === "draft" ? props.zone : props.zone_code;
  }

  styleOf(code) {
    const item = this.features.get(code);
    const zone = this.zoneOf(item.props);
    const colour = PALETTE[this.colours.get(zone) ?? 0];
    const style = { fillColor: colour, fillOpacity: 0.85, color: "#4b5563", weight: 0.8, opacity: 0.9, dashArray: null };
    if (this.moved.has(code)) Object.assign(style, { color: "#111827", weight: 2.6, dashArray: "4 3" });
    if (this.selected === code) Object.assign(style, { color: "#e11d48", weight: 3.2, dashArray: null });
    return style;
  }

  showCollections(compounds, zones, mode) {
    this.mode = mode;
    this.clearSelection(false);
    this.renderSelection();
    this.compoundLayer?.remove();
    this.zoneLayer?.remove();
    this.contextLayer?.remove();
    this.features.clear();
    if (mode === "force") this.inForceCompounds = compounds;
    // A draft of one community: the rest of the area stays on the map, greyed, for orientation.
    const scope = mode === "draft" ? this.plan?.scope?.community : null;
    if (scope && this.inForceCompounds) {
      this.contextLayer = L.geoJSON(
        { type: "FeatureCollection", features: this.inForceCompounds.features.filter((f) => f.properties.community_code !== scope) },
        {
          renderer: this.renderers.context,
          pane: "zp-context",
          interactive: false,
          style: () => ({ color: "#9ca3af", weight: 0.8, fillColor: "#d1d5db", fillOpacity: 0.6 }),
        },
      ).addTo(this.map);
    }
    const zoneKey = mode === "draft" ? "key" : "code";
    this.drawZones(zones, zoneKey);
    this.colours = colourZones(new Map([...this.zoneShapes].map(([k, shape]) => [k, boxOf(shape.getBounds())])));
    this.compoundLayer = L.geoJSON(compounds, {
      renderer: this.renderers.compounds,
      pane: "zp-compounds",
      onEachFeature: (feature, shape) => {
        this.features.set(feature.properties.code, { props: feature.properties, shape });
        shape.on("click", (event) => {
          L.DomEvent.stopPropagation(event);
          this.pick(feature.properties.code, event.latlng);
        });
      },
    });
    for (const code of this.features.keys()) this.features.get(code).shape.setStyle(this.styleOf(code));
    this.compoundLayer.bindTooltip((shape) => this.tooltip(shape.feature.properties), { sticky: true, className: "zp-tip" });
    this.compoundLayer.addTo(this.map);
  }

  drawZones(zones, keyName) {
    this.zoneShapes.clear();
    this.zoneInfo.clear();
    this.zoneLayer = L.geoJSON(zones, {
      renderer: this.renderers.zones,
      pane: "zp-zones",
      interactive: false,
      style: () => this.zoneStyle(),
      onEachFeature: (feature, shape) => {
        const p = feature.properties;
        this.zoneShapes.set(p[keyName], shape);
        this.zoneInfo.set(p[keyName], { ...p, key: p[keyName], community: p.community_code });
      },
    }).addTo(this.map);
  }

  // Outlines thin out as the map zooms out, or they would bury the compounds' colours.
  zoneStyle() {
    const zoom = this.map.getZoom();
    const weight = zoom >= 15 ? 2.2 : zoom >= 14 ? 1.4 : 0.7;
    return { color: "#312e81", weight, opacity: zoom >= 14 ? 0.85 : 0.6, fill: false };
  }

  async reloadDraftZones() {
    const zones = await api(`${this.planUrl}zones/`);
    this.zoneLayer?.remove();
    this.drawZones(zones, "key");
    // Colours stay: a move must not repaint the whole map; a new zone gets the first free one.
    for (const key of this.zoneShapes.keys()) if (!this.colours.has(key)) this.colours.set(key, this.colours.size % PALETTE.length);
  }

  restyle(codes) {
    for (const code of codes) {
      const item = this.features.get(code);
      if (item) item.shape.setStyle(this.styleOf(code));
    }
  }

  tooltip(p) {
    const zone = this.zoneOf(p);
    const info = this.zoneInfo.get(zone);
    const zoneName = info?.name || info?.code || zone || "—";
    const cadres = this.mode === "force" ? `<br>${esc(T.cadres)}: ${num(info?.cadres ?? p.cadres)}` : "";
    return `<b>${esc(p.name)}</b> <span class="mono">${esc(p.code)}</span><br>${esc(T.zone)}: ${esc(zoneName)}<br>${esc(
      T.households,
    )}: ${num(p.households)}${cadres}`;
  }

  zoomToZone(key) {
    const shape = this.zoneShapes.get(key);
    if (shape) this.map.flyToBounds(shape.getBounds(), { padding: [60, 60], maxZoom: 17, duration: 0.4 });
  }

  zoomToCompound(code) {
    const item = this.features.get(code);
    if (item) this.map.flyToBounds(item.shape.getBounds(), { padding: [120, 120], maxZoom: 17, duration: 0.4 });
  }

  // --- selecting and moving compounds ----------------------------------------------------

  pick(code, latlng) {
    const item = this.features.get(code);
    if (!item) return;
    const canMove = this.mode === "draft" && this.plan?.actions?.includes("move");
    if (canMove && this.selected && this.selected !== code) {
      const from = this.features.get(this.selected).props;
      if (item.props.community_code === from.community_code) {
        if (item.props.zone === from.zone) {
          this.say(T.sameZone, "info");
          return;
        }
        this.move(this.selected, item.props.zone);
        return;
      }
      this.say(fill(T.moveOtherCommunity, { name: item.props.name }), "info");
    }
    this.select(code, latlng);
  }

  select(code, latlng = null) {
    const previous = this.selected;
    this.selected = code;
    this.restyle([previous, code].filter(Boolean));
    this.features.get(code).shape.bringToFront();
    root.dataset.selected = code;
    this.renderSelection();
    if (latlng && this.mode === "force") this.zonePopup(code, latlng);
  }

  // The zone in force under a click: its facts and its cadres (head marked), on the map.
  zonePopup(code, latlng) {
    const p = this.features.get(code).props;
    const info = this.zoneInfo.get(p.zone_code) || {};
    const node = L.DomUtil.create("div", "zp-popup");
    node.innerHTML = `<h4>${esc(info.name || p.zone_name || p.zone_code)} <span class="mono">${esc(p.zone_code)}</span></h4>
      <p>${esc(fill(T.zoneFacts, { households: num(info.households), compounds: num(info.compounds) }))} · ${esc(T.cadres)}: ${num(
        info.cadres ?? p.cadres,
      )}</p><div class="zp-cadres"></div>`;
    const popup = L.popup({ maxWidth: 360, autoPanPadding: [16, 16] }).setLatLng(latlng).setContent(node).openOn(this.map);
    this.showCadres(p.zone_code, node.querySelector(".zp-cadres")).then(() => popup.update());
  }

  clearSelection(render = true) {
    if (!this.selected) return;
    const previous = this.selected;
    this.selected = null;
    delete root.dataset.selected;
    this.restyle([previous]);
    if (render) this.renderSelection();
  }

  renderSelection() {
    const box = $("zp-selected");
    const hint = $("zp-hint");
    if (!this.selected) {
      box.hidden = true;
      hint.hidden = false;
      return;
    }
    const p = this.features.get(this.selected).props;
    const zone = this.zoneOf(p);
    const info = this.zoneInfo.get(zone) || {};
    hint.hidden = true;
    box.hidden = false;
    let html = `<p class="zp-sel-title">${esc(fill(T.selected, { name: p.name, code: p.code }))}</p>
      <p>${esc(T.zone)}: <b class="zp-sel-zone">${esc(info.name || info.code || zone)}</b>
      · ${esc(fill(T.zoneFacts, { households: num(info.households), compounds: num(info.compounds) }))}</p>`;
    if (this.mode === "draft" && this.plan?.actions?.includes("move")) {
      const options = (this.plan.zones || [])
        .filter((z) => communityOf(z) === p.community_code && z.key !== p.zone)
        .map((z) => `<option value="${esc(z.key)}">${esc(z.code || z.key)} · ${esc(fill(T.zoneFacts, z))}</option>`)
        .join("");
      html += `<p class="zp-help">${esc(T.selectHint)}</p>`;
      if (options) {
        html += `<form class="zp-move" id="zp-move-form"><label>${esc(T.moveTo)}
          <select name="zone" id="zp-move-zone">${options}</select></label>
          <button class="zp-btn primary">${esc(T.moveButton)}</button>
          <button type="button" class="zp-btn" id="zp-move-cancel">${esc(T.cancel)}</button></form>`;
      }
      box.innerHTML = html;
      $("zp-move-form")?.addEventListener("submit", (event) => {
        event.preventDefault();
        this.move(this.selected, $("zp-move-zone").value);
      });
      $("zp-move-cancel")?.addEventListener("click", () => this.clearSelection());
      return;
    }
    box.innerHTML = html;
  }

  // The cadres of a zone: from the open assignment draft when there is one, else those in force.
  async showCadres(zoneCode, node) {
    if (!zoneCode || !node) return;
    const planned = this.assignment?.zones?.find((z) => z.code === zoneCode);
    if (planned) {
      node.innerHTML = this.cadreTable(planned.cadres, true);
      return;
    }
    if (this.mode === "draft") return; // a draft zone has no cadres until it is applied
    try {
      const data = await api(config.urls.cadres.replace("ZONE", encodeURIComponent(zoneCode)));
      if (this.selected && this.zoneOf(this.features.get(this.selected).props) !== zoneCode) return;
      node.innerHTML = `<h4>${esc(fill(T.zoneCadres, { zone: data.zone.name }))}</h4>${this.cadreTable(
        data.cadres.map((c) => ({ ...c, head: c.head ?? c.is_head })),
        false,
      )}`;
    } catch (error) {
      node.textContent = T.cadresFailed;
    }
  }

  cadreTable(cadres, withDistance) {
    if (!cadres.length) return `<p class="zp-help">${esc(T.noCadres)}</p>`;
    const rows = cadres
      .map(
        (c) => `<tr${c.head ? ' class="head"' : ""}><td>${esc(c.name)}${c.head ? ` <span class="zp-head">${esc(T.head)}</span>` : ""}</td>
        <td>${esc(c.department || "")}</td>${withDistance ? `<td class="n">${distance(c.distance_m)}</td>` : ""}</tr>`,
      )
      .join("");
    return `<table class="zp-cadre-table"><thead><tr><th>${esc(T.name)}</th><th>${esc(T.department)}</th>${
      withDistance ? `<th>${esc(T.distance)}</th>` : ""
    }</tr></thead><tbody>${rows}</tbody></table>`;
  }

  async move(code, zoneKey) {
    const item = this.features.get(code);
    this.busy(true);
    try {
      const detail = await api(`${this.planUrl}move/`, { method: "POST", body: { compound: code, zone: zoneKey }, csrf });
      item.props.zone = zoneKey;
      const target = (detail.zones || []).find((z) => z.key === zoneKey);
      if (target) item.props.zone_code = target.code;
      this.showPlan(detail);
      await this.reloadDraftZones();
      this.restyle([code]);
      this.say(fill(T.moved, { name: item.props.name, zone: target?.code || zoneKey }), "ok");
      root.dataset.moves = String(Number(root.dataset.moves || 0) + 1);
      this.selected = code;
      this.renderSelection();
    } catch (error) {
      this.say(fill(T.requestFailed, { detail: detailOf(error) }), "error");
    } finally {
      this.busy(false);
    }
  }

  // --- drafts ---------------------------------------------------------------------------

  bindForms() {
    const form = $("zp-plan-form");
    const scope = $("zp-scope");
    const target = $("zp-target");
    const cap = $("zp-cap");
    const syncMode = () => {
      const mode = form.elements.mode.value;
      target.disabled = mode !== "target";
      cap.disabled = mode !== "cap";
    };
    form.addEventListener("change", (event) => {
      if (event.target.name === "mode") syncMode();
      if (event.target === scope) {
        const community = config.communities.find((c) => c.code === scope.value);
        target.value = community ? String(Math.max(1, community.zones || 1)) : String(config.defaults.target);
      }
    });
    if (!config.whole && scope.value) scope.dispatchEvent(new Event("change", { bubbles: true }));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = { band: Number(form.elements.band.value || config.defaults.band) };
      if (scope.value) body.community = scope.value;
      if (form.elements.mode.value === "cap") body.cap = Number(cap.value);
      else body.target = Number(target.value);
      this.createPlan(body);
    });
    $("zp-apply").addEventListener("click", () => this.applyPlan());
    $("zp-discard").addEventListener("click", () => this.discardPlan());
    const replanCommunity = $("zp-replan-community");
    replanCommunity.addEventListener("change", () => {
      const n = (this.plan?.zones || []).filter((z) => communityOf(z) === replanCommunity.value).length;
      $("zp-replan-zones").value = String(Math.max(1, n));
    });
    $("zp-replan-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.replan(replanCommunity.value, Number($("zp-replan-zones").value));
    });
    const assign = $("zp-assign-form");
    if (assign) {
      assign.addEventListener("submit", (event) => {
        event.preventDefault();
        const f = assign.elements;
        this.createAssignment({
          per_zone: Number(f.per_zone.value),
          max_per_department: f.department_rule.checked ? Number(f.max_per_department.value) : null,
          head_from_office: f.head_from_office.checked,
          minimax: f.minimax.checked,
        });
      });
      assign.elements.department_rule.addEventListener("change", (e) => {
        assign.elements.max_per_department.disabled = !e.target.checked;
      });
      $("zp-assign-apply").addEventListener("click", () => this.applyAssignment());
      $("zp-assign-discard").addEventListener("click", () => this.discardAssignment());
      $("zp-assign-filter").addEventListener("input", (e) => this.filterAssignment(e.target.value));
    }
  }

  async loadRecent() {
    const list = $("zp-recent-list");
    try {
      const plans = await api(config.urls.plans);
      const rows = Array.isArray(plans) ? plans : plans.results || [];
      if (!rows.length) {
        list.innerHTML = `<li class="zp-help">${esc(T.noRecent)}</li>`;
        return;
      }
      list.innerHTML = rows
        .slice(0, 12)
        .map((p) => {
          const scope = p.scope?.community_name || p.scope?.community || T.district;
          const when = p.created_at ? p.created_at.slice(0, 16).replace("T", " ") : "";
          return `<li><button type="button" class="zp-link" data-plan="${esc(p.id)}">${esc(
            fill(T.draftOf, { id: p.id, scope, status: T.statuses[p.status] || p.status }),
          )}</button> <small>${esc(fill(T.createdBy, { who: p.created_by || "", when }))}</small></li>`;
        })
        .join("");
      list.querySelectorAll("[data-plan]").forEach((b) =>
        b.addEventListener("click", () => this.openPlan(`${config.urls.plans}${b.dataset.plan}/`)),
      );
    } catch (error) {
      list.innerHTML = `<li class="zp-help">${esc(fill(T.requestFailed, { detail: detailOf(error) }))}</li>`;
    }
  }

  async createPlan(body) {
    this.say("");
    const button = $("zp-plan-submit");
    button.disabled = true;
    try {
      const job = await api(config.urls.plans, { method: "POST", body, csrf });
      await this.openPlan(job.url || `${config.urls.plans}${job.id}/`, job);
    } catch (error) {
      this.say(fill(T.requestFailed, { detail: detailOf(error) }), "error");
    } finally {
      button.disabled = false;
    }
  }

  // Follow a draft's job to the end, then show it on the map.
  async openPlan(url, first = null) {
    this.pollToken.cancelled = true;
    const token = (this.pollToken = { cancelled: false });
    this.planUrl = url;
    if (first) this.progress.show(first);
    try {
      const detail = await poll(url, (job) => this.progress.show(job), token);
      if (!detail) return;
      this.progress.hide();
      remember(`${location.pathname}?plan=${detail.id}`);
      if (detail.status === "failed") {
        this.say(fill(T.planFailed, { detail: detail.error || "" }), "error");
        this.showPlan(detail);
        return;
      }
      await this.loadPlanLayers(detail);
      this.loadRecent();
    } catch (error) {
      this.progress.hide();
      this.say(fill(T.requestFailed, { detail: detailOf(error) }), "error");
    }
  }

  async loadPlanLayers(detail) {
    this.busy(true);
    try {
      if (detail.status === "ready") {
        const [compounds, zones] = await Promise.all([api(`${this.planUrl}compounds/`), api(`${this.planUrl}zones/`)]);
        this.showPlan(detail);
        this.showCollections(compounds, zones, "draft");
        const bounds = this.compoundLayer.getBounds();
        if (bounds.isValid()) this.map.flyToBounds(bounds, { padding: [20, 20], duration: 0.4 });
      } else {
        this.showPlan(detail);
      }
    } finally {
      this.busy(false);
    }
  }

  showPlan(detail) {
    this.plan = detail;
    root.dataset.plan = String(detail.id);
    root.dataset.planStatus = detail.status;
    const card = $("zp-draft");
    card.hidden = false;
    const scope = detail.scope?.community_name || detail.scope?.community || T.district;
    $("zp-draft-title").textContent = fill(T.draftOf, { id: detail.id, scope, status: T.statuses[detail.status] || detail.status });
    const actions = new Set(detail.actions || []);
    $("zp-apply").hidden = !actions.has("apply");
    $("zp-discard").hidden = !actions.has("discard");
    $("zp-replan-form").hidden = !actions.has("replan");
    this.syncReplan(detail);
    this.renderReport(detail.report, detail.report_in_force);
    this.renderProblems(detail.report?.problems || []);
    this.renderDiff(detail.diff);
    const previous = this.moved;
    this.moved = new Set((detail.diff?.moved || []).map((m) => m.compound));
    if (this.mode === "draft") this.restyle(new Set([...previous, ...this.moved]));
  }

  // A community's draft re-plans that community only; a district draft any of them.
  syncReplan(detail) {
    const select = $("zp-replan-community");
    const scope = detail.scope?.community || null;
    for (const option of select.options) {
      option.hidden = Boolean(scope) && option.value !== scope;
      option.disabled = option.hidden;
    }
    if (scope) select.value = scope;
    const n = (detail.zones || []).filter((z) => communityOf(z) === select.value).length;
    if (n) $("zp-replan-zones").value = String(n);
  }

  renderReport(report, inForceReport) {
    const table = $("zp-report");
    if (!report) {
      table.innerHTML = "";
      return;
    }
    const head = `<thead><tr><th>${esc(T.metric)}</th><th>${esc(T.draft)}</th><th>${esc(T.inForce)}</th></tr></thead>`;
    const digits = { load_cv: 3, max_over_mean: 2, max_over_bound: 3, mean_radius_m: 0, load_mean: 1 };
    const rows = Object.entries(T.metrics)
      .filter(([key]) => key in report)
      .map(([key, label]) => {
        const ours = report[key];
        const theirs = inForceReport ? inForceReport[key] : null;
        const changed = theirs !== null && theirs !== undefined && ours !== theirs;
        return `<tr data-metric="${esc(key)}"${changed ? ' class="changed"' : ""}><th scope="row">${esc(label)}</th>
          <td class="n draft">${num(ours, digits[key] ?? 2)}</td><td class="n force">${num(theirs, digits[key] ?? 2)}</td></tr>`;
      })
      .join("");
    table.innerHTML = head + `<tbody>${rows}</tbody>`;
  }

  renderProblems(problems) {
    const list = $("zp-problems");
    if (!problems.length) {
      list.innerHTML = `<li class="zp-ok">${esc(T.noProblems)}</li>`;
      return;
    }
    list.innerHTML = problems
      .map(
        (p, i) => `<li><button type="button" class="zp-link" data-problem="${i}"><b>${esc(T.rules[p.rule] || p.rule)}</b>
        ${esc(p.zone || p.community || "")}</button><br><small>${esc(p.message)}</small></li>`,
      )
      .join("");
    list.querySelectorAll("[data-problem]").forEach((b) =>
      b.addEventListener("click", () => {
        const p = problems[Number(b.dataset.problem)];
        if (p.zone && this.zoneShapes.has(p.zone)) this.zoomToZone(p.zone);
        else if (p.compound) this.zoomToCompound(p.compound);
      }),
    );
  }

  renderDiff(diff) {
    const list = $("zp-diff");
    const summary = $("zp-diff-summary");
    if (!diff) {
      list.innerHTML = "";
      summary.textContent = "";
      return;
    }
    const moved = diff.moved || [];
    summary.textContent = moved.length
      ? fill(T.diffSummary, {
          moved: moved.length,
          kept: (diff.kept || []).length,
          new: (diff.new || []).length,
          gone: (diff.gone || []).length,
        })
      : T.noMoves;
    list.innerHTML = moved
      .slice(0, 500)
      .map(
        (m) => `<li><button type="button" class="zp-link" data-compound="${esc(m.compound)}">${esc(m.name || m.compound)}</button>
        <small>${esc(fill(T.movedFromTo, { from: m.from_zone || "—", to: m.to_zone || T.newZone }))}</small></li>`,
      )
      .join("");
    list.querySelectorAll("[data-compound]").forEach((b) =>
      b.addEventListener("click", () => {
        this.zoomToCompound(b.dataset.compound);
        if (this.features.has(b.dataset.compound)) this.select(b.dataset.compound);
      }),
    );
  }

  confirm(text, okLabel = null) {
    const dialog = $("zp-confirm");
    $("zp-confirm-text").textContent = text;
    const ok = $("zp-confirm-ok");
    ok.textContent = okLabel || ok.dataset.label || ok.textContent;
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
      dialog.returnValue = "";
      dialog.showModal();
    });
  }

  refusal(error) {
    if (error instanceof ApiError && error.status === 409) return fill(T.conflict, { detail: error.message });
    if (error instanceof ApiError && error.status === 400) return fill(T.refused, { detail: error.message });
    return fill(T.requestFailed, { detail: detailOf(error) });
  }

  async applyPlan() {
    if (!this.plan) return;
    const moved = (this.plan.diff?.moved || []).length;
    if (!(await this.confirm(fill(T.applyConfirm, { id: this.plan.id, moved })))) return;
    this.busy(true);
    try {
      const detail = await api(`${this.planUrl}apply/`, { method: "POST", csrf });
      this.showPlan(detail);
      this.say(fill(T.applied, { id: detail.id }), "ok");
      await this.backToForce();
      this.loadRecent();
    } catch (error) {
      this.say(this.refusal(error), "error");
    } finally {
      this.busy(false);
    }
  }

  async discardPlan() {
    if (!this.plan) return;
    this.busy(true);
    try {
      await api(`${this.planUrl}discard/`, { method: "POST", csrf });
      this.say(fill(T.discarded, { id: this.plan.id }), "ok");
      $("zp-draft").hidden = true;
      this.plan = null;
      this.moved = new Set();
      remember(location.pathname);
      delete root.dataset.plan;
      await this.backToForce();
      this.loadRecent();
    } catch (error) {
      this.say(fill(T.requestFailed, { detail: detailOf(error) }), "error");
    } finally {
      this.busy(false);
    }
  }

  // The zones in force, fetched again (their layer version changed on apply).
  async backToForce() {
    const bust = `&_=${Date.now()}`;
    const [compounds, zones] = await Promise.all([
      api(`${config.urls.compounds}?${layerQuery}${bust}`),
      api(`${config.urls.zones}?${layerQuery}${bust}`),
    ]);
    this.moved = new Set();
    this.showCollections(compounds, zones, "force");
  }

  async replan(community, zones) {
    if (!this.plan) return;
    this.say("");
    try {
      const answer = await api(`${this.planUrl}replan/`, { method: "POST", body: { community, zones }, csrf });
      const name = config.communities.find((c) => c.code === community)?.name || community;
      this.say(fill(T.replanStarted, { community: name }), "info");
      if (answer && TERMINAL.has(answer.status) && answer.report) await this.loadPlanLayers(answer);
      else await this.openPlan(this.planUrl, answer);
    } catch (error) {
      this.say(fill(T.requestFailed, { detail: detailOf(error) }), "error");
    }
  }

  // --- the cadres' assignment -------------------------------------------------------------

  async createAssignment(body) {
    this.say("");
    const token = (this.assignToken = { cancelled: false });
    try {
      const job = await api(config.urls.assignments, { method: "POST", body, csrf });
      this.assignmentUrl = job.url || `${config.urls.assignments}${job.id}/`;
      this.assignProgress.show(job);
      const detail = await poll(this.assignmentUrl, (j) => this.assignProgress.show(j), token);
      this.assignProgress.hide();
      if (!detail) return;
      if (detail.status === "failed") this.say(fill(T.planFailed, { detail: detail.error || "" }), "error");
      this.showAssignment(detail);
    } catch (error) {
      this.assignProgress.hide();
      this.say(fill(T.requestFailed, { detail: detailOf(error) }), "error");
    }
  }

  showAssignment(detail) {
    this.assignment = detail;
    root.dataset.assignment = String(detail.id);
    root.dataset.assignmentStatus = detail.status;
    $("zp-assignment").hidden = false;
    $("zp-assignment-title").textContent = fill(T.draftOf, {
      id: detail.id,
      scope: T.district,
      status: T.statuses[detail.status] || detail.status,
    });
    const actions = new Set(detail.actions || []);
    $("zp-assign-apply").hidden = !actions.has("apply");
    $("zp-assign-discard").hidden = !actions.has("discard");
    const r = detail.report || {};
    const R = T.assignmentReport;
    const saving = r.greedy_total_m ? (r.greedy_total_m - r.total_m) / r.greedy_total_m : null;
    const rows = [
      ["cadres", num(r.cadres)],
      ["zones", num(r.zones)],
      ["total_m", distance(r.total_m)],
      ["mean_m", distance(r.mean_m)],
      ["max_m", distance(r.max_m)],
      ["greedy_total_m", distance(r.greedy_total_m)],
      ["saving", saving === null ? "—" : `${distance(r.greedy_total_m - r.total_m)} (${num(saving * 100, 1)}%)`],
      ["optimal", num(r.optimal)],
      ["gap", r.gap === null || r.gap === undefined ? "—" : `${num(r.gap * 100, 3)}%`],
      ["seconds", r.seconds === undefined ? "—" : fill(T.seconds, { value: num(r.seconds, 3) })],
    ];
    $("zp-assign-report").innerHTML = `<tbody>${rows
      .map(([k, v]) => `<tr data-metric="${k}"><th scope="row">${esc(R[k])}</th><td class="n">${v}</td></tr>`)
      .join("")}</tbody>`;
    const costs = r.rule_costs || {};
    $("zp-rule-costs").innerHTML = `<tbody>${Object.entries(T.ruleNames)
      .map(([k, label]) => {
        const v = costs[k];
        return `<tr data-rule="${k}"><th scope="row">${esc(label)}</th><td class="n">${
          v === null || v === undefined ? esc(T.ruleOff) : distance(v)
        }</td></tr>`;
      })
      .join("")}</tbody>`;
    $("zp-assign-moved").textContent = fill(T.cadresMoved, { moved: (detail.diff?.moved || []).length });
    this.renderAssignmentZones(detail.zones || []);
    if (this.selected) this.renderSelection();
  }

  renderAssignmentZones(zones) {
    const box = $("zp-assign-zones");
    box.innerHTML = zones
      .map((z) => {
        const total = z.cadres.reduce((s, c) => s + (c.distance_m || 0), 0);
        const search = [z.code, z.name, ...z.cadres.flatMap((c) => [c.name, c.department])].join(" ").toLowerCase();
        return `<details class="zp-zone" data-zone="${esc(z.code)}" data-search="${esc(search)}"><summary>
          <button type="button" class="zp-link" data-zoom="${esc(z.code)}">${esc(z.name || z.code)}</button>
          <span class="mono">${esc(z.code)}</span> <small>${distance(total)}</small></summary>${this.cadreTable(z.cadres, true)}</details>`;
      })
      .join("");
    box.querySelectorAll("[data-zoom]").forEach((b) =>
      b.addEventListener("click", (e) => {
        e.preventDefault();
        if (this.mode === "force") this.zoomToZone(b.dataset.zoom);
      }),
    );
  }

  filterAssignment(text) {
    const needle = text.trim().toLowerCase();
    $("zp-assign-zones")
      .querySelectorAll(".zp-zone")
      .forEach((d) => {
        d.hidden = Boolean(needle) && !d.dataset.search.includes(needle);
      });
  }

  async applyAssignment() {
    if (!this.assignment) return;
    const moved = (this.assignment.diff?.moved || []).length;
    if (!(await this.confirm(fill(T.applyAssignmentConfirm, { id: this.assignment.id, moved })))) return;
    this.busy(true);
    try {
      const detail = await api(`${this.assignmentUrl}apply/`, { method: "POST", csrf });
      this.showAssignment({ ...this.assignment, ...detail });
      this.say(fill(T.assignmentApplied, { id: this.assignment.id }), "ok");
      await this.backToForce();
    } catch (error) {
      this.say(this.refusal(error), "error");
    } finally {
      this.busy(false);
    }
  }

  async discardAssignment() {
    if (!this.assignment) return;
    try {
      await api(`${this.assignmentUrl}discard/`, { method: "POST", csrf });
      this.say(fill(T.discarded, { id: this.assignment.id }), "ok");
      this.assignment = null;
      $("zp-assignment").hidden = true;
      delete root.dataset.assignment;
    } catch (error) {
      this.say(fill(T.requestFailed, { detail: detailOf(error) }), "error");
    }
  }
}

window.addEventListener("map:init", (event) => {
  if (event.detail.id !== root.dataset.mapId) return;
  new Planner(event.detail.map).start();
});
