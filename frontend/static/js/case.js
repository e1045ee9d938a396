// The case page: the point and its grid on a small map (no tiles needed).
import { addBaseTiles, api, projection, readJson } from "./case-ui.js";

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

// The evidence panel's send-back form (dispatchers, flagged handled cases only):
// POST /api/cases/<number>/actions/send_back/ with the reason and the version
// shown, then reload so the timeline and status show the rework.
const sendBack = document.getElementById("send-back");
if (sendBack) {
  const error = sendBack.querySelector(".send-back-error");
  sendBack.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = sendBack.querySelector("button");
    const note = sendBack.elements.note.value.trim();
    if (!note) {
      sendBack.elements.note.focus();
      return;
    }
    button.disabled = true;
    error.hidden = true;
    try {
      await api(sendBack.dataset.url, {
        method: "POST", csrf: sendBack.dataset.csrf, body: { note, version: Number(sendBack.dataset.version) },
      });
      window.location.reload();
    } catch (failure) {
      error.textContent = failure.message || sendBack.dataset.failed;
      error.hidden = false;
      button.disabled = false;
    }
  });
}

// The border notice's reroute button (the dispatcher of the case's area, a near-border case not yet
// dispatched): one click moves the case to the other candidate area stored with it, then reload.
const reroute = document.getElementById("reroute");
if (reroute) {
  const error = reroute.querySelector(".reroute-error");
  reroute.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = reroute.querySelector("button");
    button.disabled = true;
    error.hidden = true;
    try {
      await api(reroute.dataset.url, {
        method: "POST", csrf: reroute.dataset.csrf,
        body: { grid: reroute.dataset.grid, zone: reroute.dataset.zone, version: Number(reroute.dataset.version) },
      });
      window.location.reload();
    } catch (failure) {
      error.textContent = failure.message || reroute.dataset.failed;
      error.hidden = false;
      button.disabled = false;
    }
  });
}
