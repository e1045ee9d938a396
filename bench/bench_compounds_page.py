#!/usr/bin/env python
"""The zone planning page: time to interactive with all 644 compounds drawn, in headless Chromium.

    DATABASE_URL=postgis://... .venv/bin/python bench/bench_compounds_page.py [--loads 7]

Issue 9's target: /compounds/ interactive with every compound drawn in under 1.5 s.

gunicorn on a free loopback port with the same database and collected static
files; headless Chromium (the launch arguments of tests/conftest.py) at 1366x820,
logged in as an administrator; --loads page loads of each contender, in turns,
each timed by the page itself against navigation start (performance.timeOrigin):
- /compounds/: the `compounds:ready` mark compounds.js sets once the compounds
  and zone outlines from /api/layers/ are on the canvas with their click
  handlers bound (after the frame that paints them);
- baselines in the same run, static pages with no Django behind them, holding
  the very GeoJSON /api/layers/compounds/ answered the page (loaded as a script
  file, no fetch): bare Leaflet with its default SVG renderer (one <path> per
  compound), and bare Leaflet on one canvas; each marks the frame after drawing.
The server's side is printed too: the two layer requests the page makes, cold
(cache cleared) and warm, through the Django test Client. No assertions; figures
and ratios only. On a shared machine compare the ratios of one run.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")

from common import prepare_district, verdict  # noqa: E402 (after the path is set)

ADMIN = "bench-compounds-admin"
PASSWORD = "bench-compounds-pw-1"
TTI_TARGET_MS = 1500
LAYER_ZOOM = 16  # what compounds.js asks for
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

BASELINE_HTML = """<!doctype html><html><head><meta charset="utf-8">
<link rel="icon" href="data:,"><link rel="stylesheet" href="/static/leaflet/leaflet.css">
<link rel="stylesheet" href="/static/bench-compounds-baseline.css">
<script src="/static/leaflet/leaflet.js"></script>
<script src="/static/bench-compounds-data.js"></script></head>
<body><div id="map"></div>
<script src="/static/bench-compounds-{kind}.js"></script></body></html>
"""
BASELINE_CSS = "html,body,#map{margin:0;height:100%}#map{background:#eceae4}"
# Draw every compound coloured by its zone, bind a click to each, mark the frame after.
BASELINE_JS = """
const palette = ["#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5"];
const map = L.map("map", { zoomSnap: 0.25%(renderer)s });
const colour = (code) => palette[[...code].reduce((h, c) => (h * 31 + c.charCodeAt(0)) %% 9973, 0) %% palette.length];
const layer = L.geoJSON(COMPOUNDS, {
  style: (f) => ({ fillColor: colour(f.properties.zone_code), fillOpacity: 0.85, color: "#4b5563", weight: 0.8 }),
  onEachFeature: (f, shape) => shape.on("click", () => shape.setStyle({ color: "#e11d48" })),
});
map.fitBounds(layer.getBounds());
layer.addTo(map);
requestAnimationFrame(() => performance.mark("baseline:ready"));
"""


def prepare():
    prepare_district()
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def admin_user():
    from django.contrib.auth import get_user_model

    from apps.people.models import Person, Role

    user, _ = get_user_model().objects.get_or_create(username=ADMIN)
    user.set_password(PASSWORD)
    user.save()
    Person.objects.update_or_create(
        code="BENCH-ZP-ADMIN", defaults={"user": user, "name": "基准管理员", "role": Role.ADMINISTRATOR}
    )
    return user


def bench_server(runs):
    """The two layer answers the page fetches: (compounds GeoJSON bytes, timings printed)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(admin_user())
    urls = [f"/api/layers/compounds/?zoom={LAYER_ZOOM}", f"/api/layers/zones/?zoom={LAYER_ZOOM}"]
    compounds = client.get(urls[0])
    assert compounds.status_code == 200, compounds.content[:200]
    n = len(json.loads(compounds.content)["features"])

    def both():
        for url in urls:
            client.get(url)

    times = {"cold": [], "warm": []}
    for _ in range(runs):
        cache.clear()
        started = time.perf_counter()
        both()
        times["cold"].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        both()
        times["warm"].append((time.perf_counter() - started) * 1000)
    cold, warm = statistics.median(times["cold"]), statistics.median(times["warm"])
    print(f"\n[layers] {connection.vendor}: {n} compounds, {len(compounds.content) / 1000:.0f} KB at zoom {LAYER_ZOOM}; "
          f"compounds + zones, median of {runs}: {cold:.1f} ms cold (cache cleared), {warm:.1f} ms warm (x{cold / warm:.1f})")
    return compounds.content, n


def bench_browser(loads, collection, n):
    from django.db import connection
    from playwright.sync_api import sync_playwright

    from load_client import Gunicorn

    static_root = Path(tempfile.mkdtemp(prefix="gridgov-bench-static-"))
    env = {"DATABASE_URL": os.environ["DATABASE_URL"], "STATIC_ROOT": str(static_root), "LOG_LEVEL": "ERROR",
           "DB_CONN_MAX_AGE": "60"}
    try:
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT,
                       env={**os.environ, **env}, check=True, timeout=300)
        (static_root / "bench-compounds-data.js").write_text(f"const COMPOUNDS = {collection.decode()};\n", "utf-8")
        (static_root / "bench-compounds-baseline.css").write_text(BASELINE_CSS, "utf-8")
        for kind, renderer in (("svg", ""), ("canvas", ", preferCanvas: true")):
            (static_root / f"bench-compounds-{kind}.js").write_text(BASELINE_JS % {"renderer": renderer}, "utf-8")
            (static_root / f"bench-compounds-{kind}.html").write_text(BASELINE_HTML.format(kind=kind), "utf-8")
        connection.close()
        with Gunicorn(env=env, workers=2, threads=4, ready_path="/accounts/login/") as server:
            base = f"http://127.0.0.1:{server.port}"
            contenders = {
                "/compounds/ (canvas, API fetch, planning panel)": (f"{base}/compounds/", "compounds:ready"),
                "bare Leaflet, SVG, GeoJSON inline": (f"{base}/static/bench-compounds-svg.html", "baseline:ready"),
                "bare Leaflet, canvas, GeoJSON inline": (f"{base}/static/bench-compounds-canvas.html", "baseline:ready"),
            }
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                context = browser.new_context(viewport={"width": 1366, "height": 820})
                page = context.new_page()
                errors = []
                page.on("pageerror", lambda error: errors.append(str(error)))
                page.goto(f"{base}/accounts/login/?next=/compounds/", timeout=30_000)
                page.fill("#id_username", ADMIN)
                page.fill("#id_password", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_selector("#zp[data-ready='1']", timeout=30_000)  # warm: caches, connections
                drawn = int(page.locator("#zp").get_attribute("data-drawn"))

                def load(url, mark):
                    page.goto("about:blank")
                    page.goto(url, timeout=30_000)
                    page.wait_for_function(f"() => performance.getEntriesByName('{mark}').length > 0", timeout=30_000)
                    return page.evaluate(
                        f"""() => ({{
                          ready: performance.getEntriesByName('{mark}')[0].startTime,
                          dom: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
                          paths: document.querySelectorAll('.leaflet-overlay-pane path, .leaflet-pane path').length,
                          canvases: document.querySelectorAll('.leaflet-pane canvas').length,
                        }})"""
                    )

                for url, mark in contenders.values():
                    load(url, mark)
                results = {name: [] for name in contenders}
                for _ in range(loads):
                    for name, (url, mark) in contenders.items():
                        results[name].append(load(url, mark))
                browser.close()
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
    if errors:
        print(f"[browser] JavaScript errors: {errors[:3]}")
    print(f"\n[browser] headless Chromium 1366x820, gunicorn (2 workers), no base tiles, {n} compounds; "
          f"median of {loads} loads in turns, ms after navigation start")
    ours = statistics.median(r["ready"] for r in results[next(iter(contenders))])
    svg = statistics.median(r["ready"] for r in results["bare Leaflet, SVG, GeoJSON inline"])
    for name, rows in results.items():
        ready = statistics.median(r["ready"] for r in rows)
        dom = statistics.median(r["dom"] for r in rows)
        each = ", ".join(f"{r['ready']:.0f}" for r in rows)
        print(f"[browser] {name:48s} {ready:6.0f} ms (DOMContentLoaded {dom:4.0f}; x{ready / svg:.2f} of bare SVG; "
              f"{rows[0]['paths']} <path>, {rows[0]['canvases']} canvas)  loads: {each}")
    print(f"[browser] /compounds/ drew {drawn} of {n} compounds; interactive under {TTI_TARGET_MS} ms: "
          f"{verdict(ours < TTI_TARGET_MS and drawn == n)} ({ours:.0f} ms)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="server timings of the layer requests")
    parser.add_argument("--loads", type=int, default=7, help="page loads per contender")
    args = parser.parse_args()
    prepare()
    collection, n = bench_server(args.runs)
    bench_browser(args.loads, collection, n)


if __name__ == "__main__":
    main()
