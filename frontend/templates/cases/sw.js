{% autoescape off %}// GridGov's service worker, served as /sw.js by apps/cases/offline.py (a Django
// template only so that it knows the site's URLs; no personal data in it).
//
// It keeps the report sheet usable with no signal:
// - the map page, network first (a fresh page when there is signal, the last
//   one when there is none or the signal is too weak to answer in 5 s);
// - static files and the category list, network first as well;
// - the layers of the reporter's own area, which the page saves in the "area"
//   cache (report-offline.js): without signal any layer request is answered
//   with them, and "which grid is this?" (/api/locate/) is answered from the
//   saved grids, marked `offline`, so a report can still be placed.
// The reports themselves wait in IndexedDB on the page (report-queue.js) and
// are sent by the page; a Background Sync only wakes the open pages to send.
// Workbox (npm, served from node_modules as static files) does the routing
// and the strategies.
"use strict";

const CONFIG = {{ config }};
importScripts("{{ workbox_sw }}");
workbox.setConfig({ debug: false, modulePathCb: (name) => CONFIG.workbox[name.replace(/^workbox-/, "")] });

const { registerRoute } = workbox.routing;
const { NetworkFirst, NetworkOnly } = workbox.strategies;
const { ExpirationPlugin } = workbox.expiration;

const ORIGIN = self.location.origin;
const SYNC_TAG = "gridgov-reports";
const MATCH = { ignoreSearch: true, ignoreVary: true };

// Only a plain 200 is worth keeping: not a redirect to the login page, not an error.
const okOnly = {
  cacheWillUpdate: async ({ response }) => (response && response.status === 200 && !response.redirected ? response : null),
};

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  const current = new Set(Object.values(CONFIG.caches));
  event.waitUntil(
    caches.keys().then((names) =>
      Promise.all(names.filter((name) => name.startsWith("gridgov-") && !current.has(name)).map((name) => caches.delete(name))),
    ),
  );
});

// Signing in or out empties the caches (before Workbox sees the request): the
// next person on a shared phone must not get the last one's page or area.
self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method === "POST" && url.origin === ORIGIN && CONFIG.signOut.includes(url.pathname)) {
    event.waitUntil(Promise.all(Object.values(CONFIG.caches).map((name) => caches.delete(name))));
  }
});

const same = (url) => url.origin === ORIGIN;

// The map page.
registerRoute(
  ({ request, url }) => request.mode === "navigate" && same(url) && CONFIG.pages.includes(url.pathname),
  new NetworkFirst({ cacheName: CONFIG.caches.pages, networkTimeoutSeconds: 5, plugins: [okOnly], matchOptions: MATCH }),
);

// Scripts, styles, images and the vendored libraries.
registerRoute(
  ({ url }) => same(url) && url.pathname.startsWith(CONFIG.static),
  new NetworkFirst({
    cacheName: CONFIG.caches.static,
    networkTimeoutSeconds: 4,
    plugins: [okOnly, new ExpirationPlugin({ maxEntries: 400 })],
    matchOptions: { ignoreVary: true },
  }),
);

// The category list and the reporter's own case list, as last seen.
registerRoute(
  ({ url }) => same(url) && (url.pathname === CONFIG.api.categories || url.pathname === CONFIG.api.cases),
  new NetworkFirst({
    cacheName: CONFIG.caches.api,
    networkTimeoutSeconds: 6,
    plugins: [okOnly, new ExpirationPlugin({ maxEntries: 40 })],
    matchOptions: { ignoreVary: true },
  }),
  "GET",
);

// --- the own area without signal -------------------------------------------------------------

const layerOf = (pathname) => Object.keys(CONFIG.api.layers).find((name) => CONFIG.api.layers[name] === pathname);

async function savedLayer(name) {
  const cache = await caches.open(CONFIG.caches.area);
  return cache.match(CONFIG.api.layers[name], MATCH);
}

const json = (body, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

// Any view of a layer, offline: the saved features of the own area (the map
// draws what falls in its view), or nothing at all rather than an error.
registerRoute(
  ({ url }) => same(url) && layerOf(url.pathname) !== undefined,
  new NetworkOnly({
    plugins: [
      {
        handlerDidError: async ({ request }) => {
          const saved = await savedLayer(layerOf(new URL(request.url).pathname));
          return saved || json({ type: "FeatureCollection", features: [], next: null });
        },
      },
    ],
  }),
  "GET",
);

// Even-odd rule over every ring: holes count as outside.
function inRings(rings, x, y) {
  let inside = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

function contains(geometry, x, y) {
  if (!geometry) return false;
  const polygons = geometry.type === "MultiPolygon" ? geometry.coordinates : [geometry.coordinates];
  return polygons.some((rings) => inRings(rings, x, y));
}

// "Which grid is this?" without signal, from the saved grids; the server
// checks the place again when the report arrives.
async function locateOffline(request) {
  const url = new URL(request.url);
  const lon = Number(url.searchParams.get("lon"));
  const lat = Number(url.searchParams.get("lat"));
  const saved = await savedLayer("grids");
  const features = saved ? (await saved.json()).features || [] : [];
  const hit = features
    .filter((f) => contains(f.geometry, lon, lat))
    .sort((a, b) => String(a.properties.code).localeCompare(String(b.properties.code)))[0];
  if (!hit) return json({ detail: CONFIG.strings.offlineUnknown, code: "offline" }, 503);
  const p = hit.properties;
  return json({
    grid: { code: p.code, name: p.name },
    community: { code: p.community_code, name: p.community_name, kind: p.kind },
    subdistrict: { code: p.subdistrict_code, name: p.subdistrict_name },
    branch: null,
    offline: true,
  });
}

registerRoute(
  ({ url }) => same(url) && url.pathname === CONFIG.api.locate,
  new NetworkOnly({ plugins: [{ handlerDidError: async ({ request }) => locateOffline(request) }] }),
  "GET",
);

// The connection is back (Background Sync): the open report pages send their queue.
self.addEventListener("sync", (event) => {
  if (event.tag !== SYNC_TAG) return;
  event.waitUntil(
    self.clients.matchAll({ type: "window" }).then((pages) => pages.forEach((page) => page.postMessage({ type: "flush" }))),
  );
});
{% endautoescape %}
