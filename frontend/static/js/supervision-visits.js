// The research round's map: villages and communities of the viewer's area
// coloured visited / not visited (the table beside it is rendered by the
// server). Outlines come from the communities layer; server values from
// #visits-config and #visits-strings (json_script).
import { projection, readJson } from "./case-ui.js";
import { esc, fetchJSON, withQuery } from "./dashboard-util.js";

const root = document.getElementById("visits");
const config = readJson("visits-config");
const T = readJson("visits-strings");
const proj = projection({ gcj02: false }); // vector only, no tiles: WGS84 as stored
const STYLES = {
  visited: { color: "#166534", weight: 1, fillColor: "#16a34a", fillOpacity: 0.6 },
  missed: { color: "#991b1b", weight: 1, fillColor: "#dc2626", fillOpacity: 0.5 },
};

async function draw(map) {
  if (config.bounds) {
    const [[s, w], [n, e]] = config.bounds;
    map.fitBounds(L.latLngBounds([s, w], [n, e]), { padding: [8, 8] });
  }
  const visited = new Set(config.visited);
  const mine = new Set(config.mine);
  let url = withQuery(config.urls.communities, { zoom: 13, page_size: 1000 });
  let drawn = 0;
  while (url) {
    const page = await fetchJSON(url);
    for (const feature of page.features || []) {
      const code = feature.properties.code;
      if (!mine.has(code)) continue;
      const done = visited.has(code);
      const layer = L.geoJSON(feature, { coordsToLatLng: proj.coordsToLatLng, style: () => (done ? STYLES.visited : STYLES.missed) });
      layer.bindTooltip(`<b>${esc(feature.properties.name)}</b> ${esc(done ? T.visited : T.notVisited)}`, { sticky: true });
      layer.addTo(map);
      drawn += 1;
    }
    url = page.next || null;
  }
  root.dataset.drawn = String(drawn);
}

window.addEventListener("map:init", (event) => {
  draw(event.detail.map).catch((error) => {
    const p = document.createElement("p");
    p.className = "sv-error";
    p.textContent = `${T.loadFailed} ${error.message || ""}`;
    root.prepend(p);
  });
});
