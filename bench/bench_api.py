#!/usr/bin/env python
"""Layer endpoints side by side with the raw SQL that makes the same GeoJSON, in one run.

    DATABASE_URL=postgis://... .venv/bin/python bench/bench_api.py [--runs 30] [--stat median|min]

For each layer, at district zoom (whole district, zoom 12) and at street level
(a 1 km bbox around a compound, zoom 16), the median (or the minimum, less
swayed by other processes) of --runs timings, taken in turns, of:

- raw SQL: one statement that builds the whole FeatureCollection in the
  database, run on a cursor. On PostGIS two forms are timed and the faster one
  is the baseline (json_agg of json_build_object, which parses each geometry
  again; or string_agg of text, which does not); on SpatiaLite the form with
  the R-tree prefilter (group_concat of json_object).
- plain view: a bench-only Django function view that runs that same statement
  through connection.cursor() and returns its text, served through the same
  request stack as the endpoint (same test Client and logged-in session, same
  middleware, URL resolution, session and user lookups; the view checks
  request.user.is_authenticated). Its URLconf is a module made here that
  puts the bench view first and includes the project's URLconf after it, so the
  endpoints resolve exactly as in production. This is the fair floor for small
  answers, where the request cycle costs more than the query.
- endpoint cold: our /api/layers/<layer>/ with the server-side cache cleared
  before each timed request (clearing is not timed): version query + layer
  query + rendering.
- endpoint warm: the same request with the rendered body in the server cache.
- 304: the same request with If-None-Match: the version query only.

Each endpoint answer is checked against the raw SQL's (same features, same
properties, same geometry text). Ratios are printed against the raw SQL and
against the plain view; targets (issue 2): endpoint within 1.5x of the raw SQL
that makes the same GeoJSON; all communities at zoom 11 under 300 KB.
No assertions: figures and ratios only. Noisy shared machines: look at the
ratios of one run, not at absolute times across runs.
"""


import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")

from common import prepare_district  # noqa: E402 (after the path is set)


def prepare_database():
    """Create (PostGIS), migrate and load the sample when the district tables are empty."""
    prepare_district()
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # planner statistics for freshly loaded tables; both sides gain



def logged_in_client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(username="bench-user")
    client = Client()
    client.force_login(user)
    return client


STAT = statistics.median  # --stat min: the least noisy figure on a loaded machine


def median_ms(fn, runs, setup=None):
    """Median (or --stat) wall time of fn() in ms; `setup` runs before each call, untimed."""
    return interleaved_medians({"fn": (fn, setup)}, runs)["fn"]


def interleaved_medians(contenders, runs):
    """{name: median ms} of {name: (fn, setup or None)}, timed in turns: one call of each per round.

    Turns rather than one block per contender, so that a burst of load from
    other processes on a shared machine falls on all of them alike.
    """
    times = {name: [] for name in contenders}
    for fn, _ in contenders.values():
        fn()  # warm caches and connections
    for _ in range(runs):
        for name, (fn, setup) in contenders.items():
            if setup:
                setup()
            started = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - started) * 1000)
    return {name: STAT(values) for name, values in times.items()}


# --- the raw SQL baselines ---------------------------------------------------------

# (from clause, [(property, SQL expression)]); "t" is the layer's own table.
LAYERS = {
    "subdistricts": (
        "areas_subdistrict t",
        [
            ("code", "t.code"),
            ("name", "t.name"),
            ("households", "t.households"),
            ("population", "t.population"),
            ("communities", "(SELECT count(*) FROM areas_community c WHERE c.subdistrict_id = t.id)"),
            (
                "villages",
                "(SELECT count(*) FROM areas_community c WHERE c.subdistrict_id = t.id AND c.kind = 'village')",
            ),
            (
                "grids",
                "(SELECT count(*) FROM areas_grid g JOIN areas_community c ON c.id = g.community_id"
                " WHERE c.subdistrict_id = t.id)",
            ),
        ],
    ),
    "communities": (
        "areas_community t JOIN areas_subdistrict s ON s.id = t.subdistrict_id"
        " LEFT JOIN stars_branch b ON b.community_id = t.id",
        [
            ("code", "t.code"),
            ("name", "t.name"),
            ("kind", "t.kind"),
            ("households", "t.households"),
            ("population", "t.population"),
            ("subdistrict_code", "s.code"),
            ("subdistrict_name", "s.name"),
            ("branch", "b.name"),
            ("demonstration", "b.demonstration"),
            ("grids", "(SELECT count(*) FROM areas_grid g WHERE g.community_id = t.id)"),
            ("zones", "(SELECT count(*) FROM compounds_zone z WHERE z.community_id = t.id)"),
            ("compounds", "(SELECT count(*) FROM compounds_compound k WHERE k.community_id = t.id)"),
        ],
    ),
    "grids": (
        "areas_grid t JOIN areas_community c ON c.id = t.community_id"
        " JOIN areas_subdistrict s ON s.id = c.subdistrict_id",
        [
            ("code", "t.code"),
            ("name", "t.name"),
            ("households", "t.households"),
            ("population", "t.population"),
            ("community_code", "c.code"),
            ("community_name", "c.name"),
            ("kind", "c.kind"),
            ("subdistrict_code", "s.code"),
            ("subdistrict_name", "s.name"),
        ],
    ),
    "zones": (
        "compounds_zone t JOIN areas_community c ON c.id = t.community_id"
        " JOIN areas_subdistrict s ON s.id = c.subdistrict_id",
        [
            ("code", "t.code"),
            ("name", "t.name"),
            ("households", "t.households"),
            ("community_code", "c.code"),
            ("community_name", "c.name"),
            ("subdistrict_code", "s.code"),
            ("subdistrict_name", "s.name"),
            ("compounds", "(SELECT count(*) FROM compounds_compound k WHERE k.zone_id = t.id)"),
            ("cadres", "(SELECT count(*) FROM compounds_zoneassignment a WHERE a.zone_id = t.id)"),
        ],
    ),
    "compounds": (
        "compounds_compound t JOIN compounds_zone z ON z.id = t.zone_id JOIN areas_community c ON c.id = t.community_id"
        " JOIN areas_subdistrict s ON s.id = c.subdistrict_id",
        [
            ("code", "t.code"),
            ("name", "t.name"),
            ("address", "t.address"),
            ("households", "t.households"),
            ("zone_code", "z.code"),
            ("zone_name", "z.name"),
            ("community_code", "c.code"),
            ("community_name", "c.name"),
            ("subdistrict_code", "s.code"),
            ("cadres", "(SELECT count(*) FROM compounds_zoneassignment a WHERE a.zone_id = t.zone_id)"),
        ],
    ),
}
TABLES = {
    "subdistricts": "areas_subdistrict",
    "communities": "areas_community",
    "grids": "areas_grid",
    "zones": "compounds_zone",
    "compounds": "compounds_compound",
}


def raw_sql(layer, bbox, tolerance, vendor, rtree, form="json_agg"):
    """One statement returning the whole FeatureCollection as text."""
    source, props = LAYERS[layer]
    minx, miny, maxx, maxy = bbox
    if vendor == "postgresql":
        geom = f"ST_SimplifyPreserveTopology(t.geom, {tolerance})" if tolerance else "t.geom"
        properties = "json_build_object(" + ", ".join(f"'{name}', {expr}" for name, expr in props) + ")"
        where = f"WHERE ST_Intersects(t.geom, ST_MakeEnvelope({minx}, {miny}, {maxx}, {maxy}, 4326))"
        if form == "json_agg":
            return (
                "SELECT json_build_object('type', 'FeatureCollection', 'numberReturned', count(*), 'features', "
                "coalesce(json_agg(json_build_object('type', 'Feature', 'id', t.code, "
                f"'geometry', ST_AsGeoJSON({geom}, 6)::json, 'properties', {properties}) ORDER BY t.code), '[]'))"
                "::text "
                f"FROM {source} {where}"
            )
        return (
            "SELECT '{\"type\":\"FeatureCollection\",\"numberReturned\":' || count(*) || ',\"features\":[' "
            "|| coalesce(string_agg('{\"type\":\"Feature\",\"id\":' || to_json(t.code) || ',\"geometry\":' "
            f"|| ST_AsGeoJSON({geom}, 6) || ',\"properties\":' || {properties} || '}}', ',' ORDER BY t.code), '') "
            f"|| ']}}' FROM {source} {where}"
        )
    geom = f"SimplifyPreserveTopology(t.geom, {tolerance})" if tolerance else "t.geom"
    properties = "json_object(" + ", ".join(f"'{name}', {expr}" for name, expr in props) + ")"
    where = f"Intersects(t.geom, BuildMbr({minx}, {miny}, {maxx}, {maxy}, 4326))"
    if rtree:
        where += (
            f" AND t.id IN (SELECT pkid FROM idx_{TABLES[layer]}_geom"
            f" WHERE xmin <= {maxx} AND xmax >= {minx} AND ymin <= {maxy} AND ymax >= {miny})"
        )
    return (
        "SELECT '{\"type\":\"FeatureCollection\",\"numberReturned\":' || count(*) || ',\"features\":[' "
        "|| coalesce(group_concat(feature, ','), '') || ']}' FROM ("
        "SELECT '{\"type\":\"Feature\",\"id\":' || json_quote(t.code) || ',\"geometry\":' "
        f"|| AsGeoJSON({geom}, 6) || ',\"properties\":' || {properties} || '}}' AS feature "
        f"FROM {source} WHERE {where} ORDER BY t.code)"
    )


def rtree_enabled(layer):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT spatial_index_enabled FROM geometry_columns WHERE f_table_name = %s AND f_geometry_column = 'geom'",
            [TABLES[layer]],
        )
        row = cursor.fetchone()
    return bool(row and row[0] == 1)


def run_sql(sql):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


# --- the plain-view baseline ---------------------------------------------------------

PLAIN_SQL = {}  # (layer, case) -> the raw SQL the plain view runs


def plain_view(request, layer, case):
    """The least a Django view can do for this answer: auth check, one cursor, one response."""
    from django.http import HttpResponse

    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    return HttpResponse(run_sql(PLAIN_SQL[(layer, case)]).encode("utf-8"), content_type="application/geo+json")


def install_bench_urls():
    """Serve plain_view at /bench/plain/<layer>/<case>/ beside every URL of the project's URLconf."""
    import types

    from django.conf import settings
    from django.urls import clear_url_caches, include, path

    module = types.ModuleType("bench_urls")
    module.urlpatterns = [
        path("bench/plain/<str:layer>/<str:case>/", plain_view),
        path("", include(settings.ROOT_URLCONF)),
    ]
    settings.ROOT_URLCONF = module
    clear_url_caches()


def same_features(ours, theirs):
    """Equal FeatureCollections but for `next` and key order."""
    return ours["numberReturned"] == theirs["numberReturned"] and ours["features"] == theirs["features"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--stat", choices=["median", "min"], default="median")
    args = parser.parse_args()
    global STAT
    STAT = min if args.stat == "min" else statistics.median
    prepare_database()

    import json
    import logging
    import warnings

    from django.core.cache import cache, caches
    from django.db import connection

    from apps.areas.geojson import tolerance_for_zoom
    from apps.areas.models import District
    from apps.compounds.models import Compound

    logging.getLogger("django.request").setLevel(logging.ERROR)  # no "Bad Request" lines
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise without collectstatic
    install_bench_urls()
    vendor = connection.vendor
    client = logged_in_client()
    district = District.objects.get()
    dxmin, dymin, dxmax, dymax = district.geom.extent
    # Street level around a compound, so that every layer has something there.
    compounds = Compound.objects.order_by("code")
    cx, cy = compounds[compounds.count() // 2].geom.point_on_surface.coords
    cases = [
        ("district z12", 12, (dxmin, dymin, dxmax, dymax)),
        ("street z16", 16, (cx - 0.0055, cy - 0.0045, cx + 0.0055, cy + 0.0045)),  # about 1 km x 1 km
    ]
    PLAIN_SQL[("none", "none")] = "SELECT '{}'"
    floor = median_ms(lambda: client.get("/bench/plain/none/none/"), args.runs)
    print(
        f"bench_api on {vendor} ({connection.settings_dict['NAME']}), {args.stat} of {args.runs} runs, "
        f"cache {type(caches['default']).__name__}"
    )
    print(f"request floor (plain view, logged in, SELECT '{{}}'): {floor:.2f} ms")
    print(
        f"{'layer':<13}{'case':<13}{'feat':>5}{'KB':>7} |{'raw SQL':>8}{'plain':>7} |"
        f"{'cold':>7}{'/raw':>6}{'/plain':>7}"
        f" |{'warm':>6}{'/raw':>6}{'/plain':>7} |{'304':>6}{'/plain':>7}   (ms)"
    )
    worst = {"cold/raw": 0.0, "cold/plain": 0.0, "warm/plain": 0.0, "304/plain": 0.0}
    for layer in LAYERS:
        sqlite_rtree = vendor == "sqlite" and rtree_enabled(layer)
        for label, zoom, bbox in cases:
            query = f"zoom={zoom}&bbox={','.join(f'{v:.6f}' for v in bbox)}"
            url = f"/api/layers/{layer}/?{query}"
            response = client.get(url)
            body, etag = response.content, response["ETag"]
            rounded = tuple(float(f"{v:.6f}") for v in bbox)
            forms = ["json_agg", "concat"] if vendor == "postgresql" else ["concat"]
            sqls = {}
            for form in forms:
                sqls[form] = raw_sql(layer, rounded, tolerance_for_zoom(zoom), vendor, sqlite_rtree, form)
                if not same_features(json.loads(body), json.loads(run_sql(sqls[form]))):
                    print(f"  !! {layer} {label}: the endpoint's answer differs from the {form} SQL's")
            revalidated = client.get(url, HTTP_IF_NONE_MATCH=etag)
            if revalidated.status_code != 304:
                print(f"  !! {layer} {label}: If-None-Match answered {revalidated.status_code}")
            case = label.split()[0]
            plain_url = f"/bench/plain/{layer}/{case}/"
            PLAIN_SQL[(layer, case)] = sqls[forms[0]]
            if len(forms) > 1:  # the plain view runs the faster form
                contenders = {form: (lambda sql=sql: run_sql(sql), None) for form, sql in sqls.items()}
                timed = interleaved_medians(contenders, max(5, args.runs // 2))
                PLAIN_SQL[(layer, case)] = sqls[min(timed, key=timed.get)]
            sql = PLAIN_SQL[(layer, case)]
            medians = interleaved_medians(
                {
                    "raw": (lambda sql=sql: run_sql(sql), None),
                    "plain": (lambda: client.get(plain_url), None),
                    "cold": (lambda: client.get(url), cache.clear),
                    "warm": (lambda: client.get(url), None),
                    "304": (lambda: client.get(url, HTTP_IF_NONE_MATCH=etag), None),
                },
                args.runs,
            )
            raw, plain, cold, warm, not_modified = (medians[k] for k in ("raw", "plain", "cold", "warm", "304"))
            form = next(f for f, q in sqls.items() if q == sql)
            ratios = {
                "cold/raw": cold / raw,
                "cold/plain": cold / plain,
                "warm/raw": warm / raw,
                "warm/plain": warm / plain,
                "304/plain": not_modified / plain,
            }
            for key in worst:
                worst[key] = max(worst[key], ratios[key])
            print(
                f"{layer:<13}{label:<13}{json.loads(body)['numberReturned']:>5}{len(body) / 1024:>7.1f} |"
                f"{raw:>8.2f}{plain:>7.2f} |{cold:>7.2f}{ratios['cold/raw']:>6.2f}{ratios['cold/plain']:>7.2f} |"
                f"{warm:>6.2f}{ratios['warm/raw']:>6.2f}{ratios['warm/plain']:>7.2f} |"
                f"{not_modified:>6.2f}{ratios['304/plain']:>7.2f}"
                + ("   raw: string_agg" if form == "concat" and vendor == "postgresql" else "")
            )
    communities = client.get("/api/layers/communities/?zoom=11").content
    print(
        f"worst: cold {worst['cold/raw']:.2f}x raw SQL (target <= 1.5), {worst['cold/plain']:.2f}x plain view; "
        f"warm {worst['warm/plain']:.2f}x and 304 {worst['304/plain']:.2f}x plain view"
    )
    print(f"all communities at zoom 11: {len(communities) / 1024:.1f} KB (target < 300)")


if __name__ == "__main__":
    main()
