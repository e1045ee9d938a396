// The map page ready for no signal: register the service worker (/sw.js,
// apps/cases/offline.py) and fill the caches it answers from when the network
// is gone: this page, its static files, the category list, and the layers of
// the reporter's own area (the area the page opens on, map-config's `area`,
// at the zoom where the layers are not simplified).
//
// The page fills the caches itself rather than waiting for the worker to see
// its requests: a worker controls a page only from its next load, and the
// reporter may lose the signal before that.

const SYNC_TAG = "gridgov-reports"; // the worker's Background Sync tag (templates/cases/sw.js)

async function keep(cacheName, urls) {
  const cache = await caches.open(cacheName);
  const results = await Promise.allSettled(urls.map((url) => cache.add(new Request(url, { credentials: "same-origin" }))));
  return results.filter((r) => r.status === "fulfilled").length;
}

// The static files this page has loaded so far (scripts, modules, styles, images).
function staticUrls(prefix) {
  const urls = new Set();
  for (const entry of performance.getEntriesByType("resource")) {
    const url = new URL(entry.name);
    if (url.origin === location.origin && url.pathname.startsWith(prefix)) urls.add(url.pathname + url.search);
  }
  for (const node of document.querySelectorAll("script[src], link[rel=stylesheet][href]")) {
    const url = new URL(node.src || node.href, location.href);
    if (url.origin === location.origin && url.pathname.startsWith(prefix)) urls.add(url.pathname + url.search);
  }
  return [...urls];
}

// Every page of one layer over the area, merged into one FeatureCollection.
async function wholeLayer(url, bbox, zoom) {
  const features = [];
  let next = `${url}?${new URLSearchParams({ bbox, zoom })}`;
  while (next) {
    const response = await fetch(next, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    const data = await response.json();
    features.push(...(data.features || []));
    next = data.next || null;
  }
  return { type: "FeatureCollection", features, next: null };
}

async function keepArea(config, layerUrls, area) {
  if (!area) return 0;
  const [[south, west], [north, east]] = area;
  const bbox = [west, south, east, north].map((v) => v.toFixed(6)).join(",");
  const cache = await caches.open(config.caches.area);
  let kept = 0;
  for (const url of Object.values(layerUrls)) {
    try {
      const collection = await wholeLayer(url, bbox, config.zoom);
      const body = JSON.stringify(collection);
      await cache.put(url, new Response(body, { headers: { "Content-Type": "application/json" } }));
      kept += collection.features.length;
    } catch {
      // A layer that failed now is fetched again on the next load.
    }
  }
  return kept;
}

// Register the worker and fill its caches; resolves to what was kept, for the page's data-offline.
export async function prepareOffline(config, { layerUrls, area, extraUrls = [] }) {
  if (!("serviceWorker" in navigator) || !window.caches || !window.isSecureContext) return null;
  await navigator.serviceWorker.register(config.worker, { scope: "/" });
  await navigator.serviceWorker.ready;
  const [page, files, features] = await Promise.all([
    keep(config.caches.pages, [location.pathname]),
    keep(config.caches.static, staticUrls(config.static)),
    keepArea(config, layerUrls, area),
    keep(config.caches.api, extraUrls),
  ]);
  return { page, files, features };
}

// Ask the browser to wake the page's sender when the connection returns (Background Sync, where there is one).
export async function askForSync() {
  try {
    const registration = await navigator.serviceWorker?.ready;
    await registration?.sync?.register(SYNC_TAG);
  } catch {
    // No Background Sync here: the page also sends on "online" and on load.
  }
}

// The worker's "flush" message (after a Background Sync), for the page to send its queue.
export function onWorkerFlush(callback) {
  navigator.serviceWorker?.addEventListener("message", (event) => {
    if (event.data?.type === "flush") callback();
  });
}
