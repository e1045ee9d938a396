// The case page: the point and its grid on a small map (no tiles needed).
import { addBaseTiles, projection, readJson } from "./case-ui.js";

const root = document.getElementById("case");
const config = readJson("case-map-config");

window.addEventListener("map:init", (event) => {
  if (event.detail.id !== root.dataset.mapId) return;
  const map = event.detail.map;
  const proj = projection(config);
  addBaseTiles(map, config);
  const grid = L.geoJSON(config.grid, {
    coordsToLatLng: proj.coordsToLatLng,
    interactive: false,
    style: () => ({ color: "#d9600f", weight: 2, dashArray: "5 4", fillColor: "#fde68a", fillOpacity: 0.25 }),
  }).addTo(map);
  const [lon, lat] = config.point;
  L.circleMarker(proj.latLng(lon, lat), { radius: 8, color: "#111827", weight: 2, fillColor: "#b91c1c", fillOpacity: 1 })
    .bindTooltip(config.number, { direction: "top", offset: [0, -8] })
    .addTo(map);
  map.invalidateSize();
  map.fitBounds(grid.getBounds(), { padding: [16, 16], maxZoom: 18, animate: false });
  root.dataset.mapReady = "1";
});
