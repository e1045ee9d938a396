#!/usr/bin/env python
"""Layer endpoints against one raw SQL statement producing the same FeatureCollection.

    DATABASE_URL=postgis://... .venv/bin/python bench/bench_api.py [--runs 20]

For each layer, at district zoom (whole district, zoom 12) and at street level
(a 1 km bbox at the centre, zoom 16): the median server time of our endpoint
(Django test Client, logged in, so authentication and the view are counted)
beside the median time of one SQL statement that builds the same GeoJSON in the
database (json_agg on PostGIS, group_concat on SpatiaLite). Targets: within
1.5x of the SQL; communities at district zoom under 300 KB. No assertions.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "gis_data" / "district.gpkg"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")


def prepare_database():
    """Create (PostGIS), migrate and load the sample when the district tables are empty."""
    import django

    ensure_postgis_database()
    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # lets the test Client's "testserver" host in
    call_command("migrate", verbosity=0)
    from apps.areas.models import Grid

    if not Grid.objects.exists():
        print(f"loading {SAMPLE.relative_to(ROOT)} ...", flush=True)
        call_command("load_district", str(SAMPLE), verbosity=0)


def ensure_postgis_database():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgis://", "postgres://", "postgresql://")):
        return
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    params = dict(host=cfg["HOST"] or None, port=cfg["PORT"] or None, user=cfg["USER"], password=cfg["PASSWORD"])
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]).fetchone():
            conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
    with psycopg.connect(dbname=cfg["NAME"], autocommit=True, **params) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")


def logged_in_client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(username="bench-user")
    client = Client()
    client.force_login(user)
    return client


def median_ms(fn, runs):
    fn()  # warm caches and connections
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


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


def raw_sql(layer, bbox, tolerance, vendor, rtree):
    """One statement returning the whole FeatureCollection as text."""
    source, props = LAYERS[layer]
    minx, miny, maxx, maxy = bbox
    if vendor == "postgresql":
        geom = f"ST_SimplifyPreserveTopology(t.geom, {tolerance})" if tolerance else "t.geom"
        properties = "json_build_object(" + ", ".join(f"'{name}', {expr}" for name, expr in props) + ")"
        return (
            "SELECT json_build_object('type', 'FeatureCollection', 'numberReturned', count(*), 'features', "
            "coalesce(json_agg(json_build_object('type', 'Feature', 'id', t.code, "
            f"'geometry', ST_AsGeoJSON({geom}, 6)::json, 'properties', {properties}) ORDER BY t.code), '[]'))::text "
            f"FROM {source} "
            f"WHERE ST_Intersects(t.geom, ST_MakeEnvelope({minx}, {miny}, {maxx}, {maxy}, 4326))"
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    prepare_database()

    import json

    from django.db import connection

    from apps.areas.geojson import tolerance_for_zoom
    from apps.areas.models import District

    vendor = connection.vendor
    client = logged_in_client()
    district = District.objects.get()
    dxmin, dymin, dxmax, dymax = district.geom.extent
    # Street level around a compound, so that every layer has something there.
    from apps.compounds.models import Compound

    compounds = Compound.objects.order_by("code")
    cx, cy = compounds[compounds.count() // 2].geom.point_on_surface.coords
    cases = [
        ("district z12", 12, (dxmin, dymin, dxmax, dymax)),
        ("street z16", 16, (cx - 0.0055, cy - 0.0045, cx + 0.0055, cy + 0.0045)),  # about 1 km x 1 km
    ]
    # The request-cycle floor: same client and login, an endpoint refusing a bad
    # parameter before any query of its own (session, user, middleware, DRF).
    floor = median_ms(lambda: client.get("/api/layers/grids/?zoom=x"), args.runs)
    print(f"bench_api on {connection.vendor} ({connection.settings_dict['NAME']}), median of {args.runs} runs")
    print(f"request floor (auth + middleware + DRF, no layer query): {floor:.1f} ms")
    print(
        f"{'layer':<13}{'case':<14}{'features':>9}{'endpoint ms':>13}{'raw SQL ms':>12}{'ratio':>7}"
        f"{'-floor':>8}{'KB':>9}{'SQL KB':>9}"
    )
    worst = worst_net = 0.0
    for layer in LAYERS:
        sqlite_rtree = vendor == "sqlite" and rtree_enabled(layer)
        for label, zoom, bbox in cases:
            url = f"/api/layers/{layer}/?zoom={zoom}&bbox={','.join(f'{v:.6f}' for v in bbox)}"
            response = client.get(url)
            body = response.content
            features = json.loads(body)["numberReturned"]
            sql = raw_sql(layer, tuple(float(f"{v:.6f}") for v in bbox), tolerance_for_zoom(zoom), vendor, sqlite_rtree)

            def run_sql(sql=sql):
                with connection.cursor() as cursor:
                    cursor.execute(sql)
                    return cursor.fetchone()[0]

            sql_text = run_sql()
            if json.loads(sql_text)["numberReturned"] != features:
                print(f"  !! {layer} {label}: SQL found {json.loads(sql_text)['numberReturned']} features")
            ours = median_ms(lambda url=url: client.get(url), args.runs)
            base = median_ms(run_sql, args.runs)
            ratio = ours / base
            net = max(ours - floor, 0) / base
            worst, worst_net = max(worst, ratio), max(worst_net, net)
            print(
                f"{layer:<13}{label:<14}{features:>9}{ours:>13.1f}{base:>12.1f}{ratio:>7.2f}{net:>8.2f}"
                f"{len(body) / 1024:>9.1f}{len(sql_text.encode()) / 1024:>9.1f}"
            )
    communities = client.get("/api/layers/communities/?zoom=11").content
    print(
        f"worst ratio {worst:.2f}, {worst_net:.2f} without the request floor (target <= 1.5); "
        f"all communities at zoom 11: {len(communities) / 1024:.1f} KB (target < 300)"
    )


if __name__ == "__main__":
    main()
