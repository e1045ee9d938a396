#!/usr/bin/env python
"""The leaders' dashboard: the choropleth's server time and size, and time to interactive in Chromium.

    DATABASE_URL=postgis://... .venv/bin/python bench/bench_dashboard.py [--runs 30] [--loads 5] [--no-browser]

1. Server (issue 4 targets: under 50 ms, under 200 KB). Median of --runs timings,
   taken in turns, of
   - raw SQL: one statement that builds the same FeatureCollection in the
     database (levels, stars, pipeline, leader, open cases, simplified outline),
     run on a cursor: the floor for the data alone;
   - endpoint warm: GET /api/stars/choropleth/ through the Django test Client
     (session, user, scope, period, rows, stars), outlines in the cache;
   - endpoint cold: the same with the outline cache cleared before each request.
   The endpoint's answer is checked against the raw SQL's (same features and
   properties; geometry to the same precision) and its size printed, raw and gzipped.
2. Browser (target: all 214 polygons drawn in under 1.5 s). gunicorn on a free
   loopback port with the same database and collected static files; headless
   Chromium (the launch arguments of tests/conftest.py), logged in as a district
   leader; --loads page loads, each timed by the page itself: the
   `dashboard:ready` performance mark dashboard.js sets when the 214 paths are in
   the DOM, against navigation start (performance.timeOrigin). Baseline in the
   same run: a static HTML page with Leaflet drawing the same GeoJSON inline
   (no fetch, no Django), timed the same way at its own mark.
No assertions; figures and ratios only. On a shared machine compare the ratios of
one run, not absolute times across runs. The database gets the sample
(load_district, seed_stars) when it has none; seed_stars takes minutes.
"""

import argparse
import gzip
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

LEADER = "bench-dashboard-leader"
PASSWORD = "bench-dashboard-pw-1"
SERVER_TARGET_MS = 50
SIZE_TARGET = 200_000
TTI_TARGET_MS = 1500
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def prepare():
    prepare_district()
    from django.core.management import call_command
    from django.db import connection

    from apps.stars.models import Period

    if not Period.objects.exists():
        print("seeding the five-star sample (manage.py seed_stars; minutes) ...", flush=True)
        started = time.monotonic()
        call_command("seed_stars", verbosity=0)
        print(f"  seeded in {time.monotonic() - started:.0f} s", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def leader_user():
    from django.contrib.auth import get_user_model

    from apps.people.models import Person, Role

    user, _ = get_user_model().objects.get_or_create(username=LEADER)
    user.set_password(PASSWORD)
    user.save()
    Person.objects.update_or_create(code="BENCH-LEAD", defaults={"user": user, "name": "基准领导", "role": Role.LEADER,
                                                                   "subdistrict": None})
    return user


def interleaved(contenders, runs):
    """{name: median ms} of {name: (fn, setup or None)}, one call of each per round (load falls on all alike)."""
    times = {name: [] for name in contenders}
    for fn, setup in contenders.values():
        if setup:
            setup()
        fn()
    for _ in range(runs):
        for name, (fn, setup) in contenders.items():
            if setup:
                setup()
            started = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


# --- 1. the same FeatureCollection in one SQL statement ---------------------------------------

IN_FLIGHT = ("applied", "scoring", "notice")


def raw_sql(vendor):
    """(SQL, parameter names) of one statement returning the choropleth's FeatureCollection as text."""
    from apps.cases.models import OPEN_STATUSES
    from apps.dashboard.data import CHOROPLETH_ZOOM
    from apps.areas.geojson import tolerance_for_zoom

    tolerance = tolerance_for_zoom(CHOROPLETH_ZOOM)
    open_list = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
    flight_list = ", ".join(f"'{s}'" for s in IN_FLIGHT)
    if vendor == "postgresql":
        return f"""
WITH held AS (
  SELECT branch_id,
         coalesce(array_agg(star ORDER BY star) FILTER (WHERE status = 'awarded'), '{{}}') AS stars,
         coalesce(array_agg(star ORDER BY star) FILTER (WHERE status IN ({flight_list})), '{{}}') AS flight
  FROM stars_assessment
  WHERE period_id = %(period)s AND status IN ('awarded', {flight_list})
  GROUP BY branch_id
), open_cases AS (
  SELECT community_id, count(*) AS n FROM cases_case
  WHERE reported_at >= %(since)s AND status IN ({open_list}) GROUP BY community_id
), f AS (
  SELECT c.code, c.name, c.kind, s.code AS sc, s.name AS sn, b.name AS bn, coalesce(b.demonstration, '') AS demo,
         coalesce(b.weak, false) AS weak, p.name AS ln, p.code AS lc, p.title AS lt,
         coalesce(h.stars, '{{}}') AS stars, coalesce(h.flight, '{{}}') AS flight,
         coalesce(k.n, 0) AS n_cases,
         ST_AsGeoJSON(ST_SimplifyPreserveTopology(c.geom, {tolerance!r}), 6, 0) AS g
  FROM areas_community c
  JOIN areas_subdistrict s ON s.id = c.subdistrict_id
  LEFT JOIN stars_branch b ON b.community_id = c.id
  LEFT JOIN people_person p ON p.id = b.leader_id
  LEFT JOIN held h ON h.branch_id = b.id
  LEFT JOIN open_cases k ON k.community_id = c.id
)
SELECT '{{"type":"FeatureCollection","features":[' || string_agg(
  '{{"type":"Feature","id":' || to_json(code)::text || ',"geometry":' || g || ',"properties":' || json_build_object(
    'code', code, 'name', name, 'kind', kind, 'subdistrict_code', sc, 'subdistrict_name', sn, 'branch', bn,
    'level', CASE WHEN %(gates)s AND NOT (1 = ANY(stars)) THEN 0 ELSE cardinality(stars) END,
    'stars', to_json(stars), 'pipeline', to_json(flight),
    'pipeline_level', CASE WHEN %(gates)s AND NOT (1 = ANY(stars || flight)) THEN 0
                           ELSE cardinality(stars) + cardinality(flight) END,
    'demonstration', demo, 'weak', weak, 'leader', ln, 'leader_code', lc, 'leader_title', lt, 'cases', n_cases
  )::text || '}}', ',' ORDER BY code) || ']}}'
FROM f
"""
    stars_of = (
        "(SELECT json_group_array(star) FROM (SELECT star FROM stars_assessment a WHERE a.branch_id = b.id"
        " AND a.period_id = :period AND a.status {cond} ORDER BY star))"
    )
    count_of = "(SELECT count(*) FROM stars_assessment a WHERE a.branch_id = b.id AND a.period_id = :period AND a.status {cond})"
    has_one = "EXISTS (SELECT 1 FROM stars_assessment a WHERE a.branch_id = b.id AND a.period_id = :period AND a.star = 1 AND a.status {cond})"
    awarded, flight, both = "= 'awarded'", f"IN ({flight_list})", f"IN ('awarded', {flight_list})"
    return f"""
SELECT '{{"type":"FeatureCollection","features":[' || group_concat(feature, ',') || ']}}' FROM (
  SELECT '{{"type":"Feature","id":' || json_quote(c.code) || ',"geometry":'
    || AsGeoJSON(SimplifyPreserveTopology(c.geom, {tolerance!r}), 6, 0) || ',"properties":' || json_object(
    'code', c.code, 'name', c.name, 'kind', c.kind, 'subdistrict_code', s.code, 'subdistrict_name', s.name,
    'branch', b.name,
    'level', CASE WHEN :gates AND NOT {has_one.format(cond=awarded)} THEN 0 ELSE {count_of.format(cond=awarded)} END,
    'stars', json(coalesce({stars_of.format(cond=awarded)}, '[]')),
    'pipeline', json(coalesce({stars_of.format(cond=flight)}, '[]')),
    'pipeline_level', CASE WHEN :gates AND NOT {has_one.format(cond=both)} THEN 0 ELSE {count_of.format(cond=both)} END,
    'demonstration', coalesce(b.demonstration, ''), 'weak', json(CASE WHEN b.weak THEN 'true' ELSE 'false' END),
    'leader', p.name, 'leader_code', p.code, 'leader_title', p.title,
    'cases', coalesce(k.n, 0)
  ) || '}}' AS feature
  FROM areas_community c
  JOIN areas_subdistrict s ON s.id = c.subdistrict_id
  LEFT JOIN stars_branch b ON b.community_id = c.id
  LEFT JOIN people_person p ON p.id = b.leader_id
  LEFT JOIN (SELECT community_id, count(*) AS n FROM cases_case WHERE reported_at >= :since
             AND status IN ({open_list}) GROUP BY community_id) k ON k.community_id = c.id
  ORDER BY c.code
)
"""


def run_raw(sql, period, since):
    from django.db import connection

    params = {"period": period.pk, "since": since, "gates": period.foundation_gates}
    if connection.vendor == "sqlite":
        params["since"] = since.strftime("%Y-%m-%d %H:%M:%S")  # Django stores UTC text there
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(sql.replace(":period", "%(period)s").replace(":since", "%(since)s").replace(":gates", "%(gates)s"), params)
        else:
            cursor.execute(sql, params)
        return cursor.fetchone()[0]


def same_collection(ours, theirs):
    """'' when both hold the same features (properties equal, coordinates within 1e-6), else what differs."""
    a = {f["id"]: f for f in json.loads(ours)["features"]}
    b = {f["id"]: f for f in json.loads(theirs)["features"]}
    if set(a) != set(b):
        return f"features differ: {len(a)} vs {len(b)}"
    for code in a:
        if a[code]["properties"] != b[code]["properties"]:
            diff = {k: (v, b[code]["properties"].get(k)) for k, v in a[code]["properties"].items()
                    if b[code]["properties"].get(k) != v}
            return f"properties of {code} differ: {diff}"
        if json.dumps(a[code]["geometry"]["coordinates"]) != json.dumps(b[code]["geometry"]["coordinates"]):
            return f"geometry of {code} differs"
    return ""


def bench_server(runs):
    import datetime as dt

    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from apps.stars.api_summary import current_period

    period = current_period()
    client = Client()
    client.force_login(leader_user())
    url = f"/api/stars/choropleth/?period={period.code}"
    sql = raw_sql(connection.vendor)
    since = timezone.now() - dt.timedelta(days=30)
    ours = client.get(url)
    raw = run_raw(sql, period, since)
    difference = same_collection(ours.content, raw)
    size, zipped = len(ours.content), len(gzip.compress(ours.content))
    timings = interleaved(
        {
            "raw SQL (same FeatureCollection)": (lambda: run_raw(sql, period, since), None),
            "endpoint, outlines cached": (lambda: client.get(url), None),
            "endpoint, outline cache cleared": (lambda: client.get(url), cache.clear),
        },
        runs,
    )
    print(f"\n[choropleth] {connection.vendor}, period {period.code}, 214 communities, median of {runs} runs in turns")
    print(f"[choropleth] answer checked against the raw SQL: {'same features and properties' if not difference else difference}")
    base = timings["raw SQL (same FeatureCollection)"]
    for name, ms in timings.items():
        print(f"[choropleth] {name:34s} {ms:7.1f} ms   x{ms / base:4.2f} of raw SQL")
    warm = timings["endpoint, outlines cached"]
    cold = timings["endpoint, outline cache cleared"]
    print(f"[choropleth] server time under {SERVER_TARGET_MS} ms: cached {verdict(warm < SERVER_TARGET_MS)} "
          f"({warm:.1f} ms), uncached {verdict(cold < SERVER_TARGET_MS)} ({cold:.1f} ms)")
    print(f"[choropleth] size {size / 1000:.1f} KB ({zipped / 1000:.1f} KB gzipped); under {SIZE_TARGET // 1000} KB: "
          f"{verdict(size < SIZE_TARGET)}")
    return ours.content


# --- 2. time to interactive in headless Chromium -----------------------------------------------

BASELINE_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<link rel="icon" href="data:,"><link rel="stylesheet" href="/static/leaflet/leaflet.css">
<style>html,body,#map{{margin:0;height:100%}}#map{{background:#eeebe3}}</style>
<script src="/static/leaflet/leaflet.js"></script></head>
<body><div id="map"></div>
<script>
const data = {data};
const palette = ["#fef0d9", "#fdd49e", "#fdbb84", "#fc8d59", "#e34a33", "#b30000"];
const map = L.map("map", {{ zoomSnap: 0.25 }});
const layer = L.geoJSON(data, {{ style: (f) => ({{ className: "community", fillColor: palette[f.properties.level],
  fillOpacity: 0.92, color: "#fff", weight: 0.9 }}) }});
map.fitBounds(layer.getBounds());
layer.addTo(map);
if (document.querySelectorAll("path.community").length === data.features.length) performance.mark("baseline:ready");
</script></body></html>
"""


def bench_browser(loads, collection):
    from django.db import connection
    from playwright.sync_api import sync_playwright

    from load_client import Gunicorn

    static_root = Path(tempfile.mkdtemp(prefix="gridgov-bench-static-"))
    env = {"DATABASE_URL": os.environ["DATABASE_URL"], "STATIC_ROOT": str(static_root), "LOG_LEVEL": "ERROR",
           "DB_CONN_MAX_AGE": "60"}
    try:
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT,
                       env={**os.environ, **env}, check=True, timeout=300)
        (static_root / "bench-dashboard-baseline.html").write_text(
            BASELINE_PAGE.format(data=collection.decode("utf-8")), encoding="utf-8"
        )
        connection.close()
        with Gunicorn(env=env, workers=2, threads=4, ready_path="/accounts/login/") as server:
            base = f"http://127.0.0.1:{server.port}"
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                page = context.new_page()
                page.goto(f"{base}/accounts/login/?next=/dashboard/", timeout=30_000)
                page.fill("#id_username", LEADER)
                page.fill("#id_password", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_selector("#dashboard[data-ready='1']", timeout=30_000)  # warm: caches, connections
                page.goto(f"{base}/static/bench-dashboard-baseline.html")
                page.wait_for_function("performance.getEntriesByName('baseline:ready').length > 0", timeout=30_000)

                def load(url, ready):
                    page.goto("about:blank")
                    page.goto(url, timeout=30_000)
                    page.wait_for_function(f"performance.getEntriesByName('{ready}').length > 0", timeout=30_000)
                    return page.evaluate(
                        f"""() => {{
                          const mark = performance.getEntriesByName('{ready}')[0].startTime;
                          const nav = performance.getEntriesByType('navigation')[0];
                          return {{ready: mark, dom: nav.domContentLoadedEventEnd,
                                   paths: document.querySelectorAll('path.community').length}};
                        }}"""
                    )

                ours, theirs = [], []
                for _ in range(loads):  # in turns, like the server timings
                    ours.append(load(f"{base}/dashboard/", "dashboard:ready"))
                    theirs.append(load(f"{base}/static/bench-dashboard-baseline.html", "baseline:ready"))
                browser.close()
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
    ready = statistics.median(r["ready"] for r in ours)
    dom = statistics.median(r["dom"] for r in ours)
    baseline = statistics.median(r["ready"] for r in theirs)
    print(f"\n[browser] headless Chromium 1280x800, gunicorn (2 workers), no base tiles, median of {loads} loads in turns")
    each = ", ".join(f"{r['ready']:.0f}" for r in ours)
    print(f"[browser] dashboard: {ours[0]['paths']} polygons drawn at {ready:7.0f} ms after navigation start "
          f"(DOMContentLoaded {dom:.0f} ms); loads: {each}")
    print(f"[browser] baseline (static page, Leaflet, the same GeoJSON inline): {baseline:7.0f} ms; "
          f"ratio x{ready / baseline:.1f}")
    print(f"[browser] interactive under {TTI_TARGET_MS} ms: {verdict(ready < TTI_TARGET_MS)} ({ready:.0f} ms)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="server timings per contender")
    parser.add_argument("--loads", type=int, default=5, help="page loads per contender")
    parser.add_argument("--no-browser", action="store_true", help="server figures only")
    args = parser.parse_args()
    prepare()
    collection = bench_server(args.runs)
    if not args.no_browser:
        bench_browser(args.loads, collection)


if __name__ == "__main__":
    main()
