#!/usr/bin/env python
"""Locating points: /api/locate/ against raw SQL, and locate_many against a bare shapely STRtree.

    DATABASE_URL=postgis://... .venv/bin/python bench/bench_locate.py [--points 500] [--bulk 100000]

1. /api/locate/ p50/p95 over random points inside the district (Django test
   Client, logged in), beside the raw SQL point-in-polygon query that finds the
   same grid, community, sub-district and branch. Target: p50 < 5 ms on PostGIS.
2. locate_many over 100,000 random points in the district's bbox (fixed seed),
   cold (tree built from the database) and warm (cached tree), beside a bare
   shapely STRtree built in this run over the same grid geometries and queried
   with the same points. Target: warm within 5x of the bare query.
No assertions: figures and ratios only.
"""

import argparse
import statistics
import time

import numpy as np
import shapely

from bench_api import logged_in_client, prepare_database

SEED = 410105


def percentile(values, q):
    return float(np.percentile(np.asarray(values), q))


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


def raw_locate_sql(vendor, rtree):
    select = (
        "SELECT g.code, c.code, s.code, b.name FROM areas_grid g "
        "JOIN areas_community c ON c.id = g.community_id JOIN areas_subdistrict s ON s.id = c.subdistrict_id "
        "LEFT JOIN stars_branch b ON b.community_id = c.id "
    )
    if vendor == "postgresql":
        return select + "WHERE ST_Intersects(g.geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326)) ORDER BY g.code LIMIT 1"
    where = "WHERE Intersects(g.geom, MakePoint(%s, %s, 4326))"
    if rtree:
        where += (
            " AND g.id IN (SELECT pkid FROM idx_areas_grid_geom"
            " WHERE xmin <= %s AND xmax >= %s AND ymin <= %s AND ymax >= %s)"
        )
    return select + where + " ORDER BY g.code LIMIT 1"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=500)
    parser.add_argument("--bulk", type=int, default=100_000)
    args = parser.parse_args()
    prepare_database()

    from django.db import connection

    from apps.areas.locate import _cache, locate, locate_many
    from apps.areas.models import District, Grid

    vendor = connection.vendor
    rtree = False
    if vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT spatial_index_enabled FROM geometry_columns WHERE f_table_name = 'areas_grid'"
            )
            rtree = (cursor.fetchone() or [0])[0] == 1
    district = District.objects.get()
    outline = shapely.from_wkb(bytes(district.geom.wkb))
    shapely.prepare(outline)
    xmin, ymin, xmax, ymax = outline.bounds
    rng = np.random.default_rng(SEED)

    # 1. single points, inside the district
    candidates = np.column_stack([rng.uniform(xmin, xmax, args.points * 3), rng.uniform(ymin, ymax, args.points * 3)])
    inside = candidates[shapely.contains_xy(outline, candidates[:, 0], candidates[:, 1])][: args.points]
    client = logged_in_client()
    sql = raw_locate_sql(vendor, rtree)

    def api(lon, lat):
        response = client.get("/api/locate/", {"lon": repr(float(lon)), "lat": repr(float(lat))})
        return response.json()["grid"]["code"]

    def raw(lon, lat):
        params = [lon, lat] + ([lon, lon, lat, lat] if rtree else [])
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    api(*inside[0]), raw(*inside[0])  # warm up
    api_ms, raw_ms, orm_ms, mismatches = [], [], [], 0
    for lon, lat in inside:
        t_api, code_api = timed(lambda: api(lon, lat))
        t_raw, code_raw = timed(lambda: raw(float(lon), float(lat)))
        t_orm, _where = timed(lambda: locate(lon, lat))
        api_ms.append(t_api)
        raw_ms.append(t_raw)
        orm_ms.append(t_orm)
        mismatches += code_api != code_raw
    print(f"bench_locate on {vendor} ({connection.settings_dict['NAME']}), {len(inside)} points in the district")
    print(f"{'':<22}{'p50 ms':>9}{'p95 ms':>9}")
    for label, values in (("/api/locate/", api_ms), ("locate() (ORM)", orm_ms), ("raw SQL", raw_ms)):
        print(f"{label:<22}{percentile(values, 50):>9.2f}{percentile(values, 95):>9.2f}")
    print(
        f"ratio p50 endpoint/raw {statistics.median(api_ms) / statistics.median(raw_ms):.2f}; "
        f"target p50 < 5 ms on PostGIS; answers differing from raw SQL: {mismatches}"
    )

    # 2. many points at once
    bulk = np.column_stack([rng.uniform(xmin, xmax, args.bulk), rng.uniform(ymin, ymax, args.bulk)])
    _cache["signature"] = _cache["index"] = None  # a cold start: the next call builds the tree
    cold_ms, ids = timed(lambda: locate_many(bulk))
    warm = [timed(lambda: locate_many(bulk))[0] for _ in range(3)]

    rows = list(Grid.objects.order_by("code").values_list("id", "geom"))
    load_ms, geoms = timed(lambda: shapely.from_wkb([bytes(g.wkb) for _pk, g in rows]))
    build_ms, tree = timed(lambda: shapely.STRtree(geoms))
    points = shapely.points(bulk)

    def bare():
        return tree.query(points, predicate="intersects")

    def bare_from_coordinates():
        return tree.query(shapely.points(bulk), predicate="intersects")

    bare_ms = min(timed(bare)[0] for _ in range(3))
    bare_xy_ms = min(timed(bare_from_coordinates)[0] for _ in range(3))
    pairs = bare()
    located = sum(pk is not None for pk in ids)
    # Sanity: the same points hit a grid in both (ties aside, the sets agree).
    agree = located == len(np.unique(pairs[0]))
    warm_ms = min(warm)
    print(f"locate_many of {args.bulk:,} points ({located:,} in a grid; agrees with bare tree: {agree})")
    print(f"  cold (load {len(rows)} grids + build + query): {cold_ms:8.1f} ms")
    print(f"  warm (cached tree, signature query + query + ties): {warm_ms:8.1f} ms")
    print(
        f"  bare shapely STRtree.query, points made: {bare_ms:8.1f} ms "
        f"(build {build_ms:.1f} ms, WKB parse {load_ms:.1f} ms)"
    )
    print(f"  bare shapely, points made from the coordinates + query: {bare_xy_ms:8.1f} ms")
    print(
        f"  ratio warm/bare query {warm_ms / bare_ms:.2f} (target <= 5); warm/bare from coordinates "
        f"{warm_ms / bare_xy_ms:.2f}; cold/(parse+build+bare from coordinates) "
        f"{cold_ms / (load_ms + build_ms + bare_xy_ms):.2f}"
    )


if __name__ == "__main__":
    main()
