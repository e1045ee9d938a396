// The dashboard's secondary map layers: sub-district outlines and their clickable labels, the
// grids of the chosen community, and case hotspots (a circle per grid, sized by its cases).
// Each function returns a Leaflet layer; dashboard.js adds it and handles the picks.
import { esc, format } from "./dashboard-util.js";

const LABEL_MAX_ZOOM = 13; // closer in, the communities carry the map and the labels would hide them

const GRID_STYLE = { className: "grid-outline", color: "#1f2937", weight: 1.3, dashArray: "5 4", fillColor: "#fff", fillOpacity: 0.04 };

function extent(feature) {
  const b = L.geoJSON(feature).getBounds();
  return (b.getEast() - b.getWest()) * (b.getNorth() - b.getSouth());
}

// Hide labels that would overlap one already shown (they come in order of priority).
function declutter(spans) {
  const kept = [];
  for (const span of spans) {
    span.classList.remove("label-hidden");
    const box = span.getBoundingClientRect();
    const clash = kept.some((k) => box.left < k.right + 2 && box.right > k.left - 2 && box.top < k.bottom && box.bottom > k.top);
    if (clash) span.classList.add("label-hidden");
    else kept.push(box);
  }
}

export function outlineLayer(collection) {
  return L.geoJSON(collection, {
    pane: "outlines",
    interactive: false,
    style: () => ({ className: "subdistrict-outline", color: "#7f1d1d", weight: 1.8, opacity: 0.9, fill: false }),
  });
}

// Sub-district names, shown up to LABEL_MAX_ZOOM; a click drills down. Returns the layer group.
export function subdistrictLabels(map, collection, onPick) {
  // Bigger sub-districts first: when labels collide, the smaller one's gives way.
  const bySize = [...collection.features].sort((a, b) => extent(b) - extent(a));
  const labels = L.layerGroup(
    bySize.map((f) => {
      const marker = L.marker(L.geoJSON(f).getBounds().getCenter(), {
        pane: "labels",
        code: f.properties.code,
        keyboard: true,
        title: f.properties.name,
        icon: L.divIcon({ className: "sd-label", html: `<span>${esc(f.properties.name)}</span>`, iconSize: null }),
      });
      marker.on("click", () => onPick(f.properties.code));
      return marker;
    }),
  );
  const toggle = () => {
    const show = map.getZoom() <= LABEL_MAX_ZOOM;
    if (show && !map.hasLayer(labels)) labels.addTo(map);
    if (!show && map.hasLayer(labels)) map.removeLayer(labels);
    if (show) declutter(labels.getLayers().map((m) => m.getElement()?.firstElementChild).filter(Boolean));
  };
  map.on("zoomend", toggle);
  toggle();
  return labels;
}

// The grids of one community: dashed outlines, hover, and a click that picks the grid.
export function gridLayer(collection, onPick) {
  let picked = null;
  const layer = L.geoJSON(collection, {
    pane: "grids",
    style: () => GRID_STYLE,
    onEachFeature: (f, shape) => {
      shape.bindTooltip(`<b>${esc(f.properties.name)}</b><br><span class="mono">${esc(f.properties.code)}</span>`, {
        sticky: true,
        className: "dash-tip",
      });
      shape.on({
        mouseover: () => shape.setStyle({ fillOpacity: 0.25, weight: 2.2 }),
        mouseout: () => shape.setStyle({ fillOpacity: picked === shape ? 0.3 : 0.04, weight: 1.3 }),
        click: (e) => {
          L.DomEvent.stopPropagation(e);
          layer.eachLayer((s) => s.setStyle({ fillOpacity: 0.04 }));
          picked = shape;
          shape.setStyle({ fillOpacity: 0.3 });
          onPick(f.properties);
        },
      });
    },
  });
  return layer;
}

// Case hotspots: one circle per grid with cases, its area growing with the count.
export function hotspotLayer(collection, T, onPick) {
  return L.geoJSON(collection, {
    pane: "hotspots",
    pointToLayer: (f, latlng) =>
      L.circleMarker(latlng, {
        pane: "hotspots",
        className: "hotspot",
        radius: 3 + 2.2 * Math.sqrt(f.properties.cases),
        color: "#fff",
        weight: 1,
        fillColor: "#1d4ed8",
        fillOpacity: 0.55,
      }),
    onEachFeature: (f, marker) => {
      const p = f.properties;
      marker.bindTooltip(
        `<b>${esc(p.name)}</b><br>${esc(p.community_name)}<br>${esc(format(T.hotspotTip, { cases: p.cases, open: p.open }))}`,
        { className: "dash-tip", direction: "top" },
      );
      marker.on("click", () => onPick(p.community_code));
    },
  });
}
