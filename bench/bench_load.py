#!/usr/bin/env python
"""load_district on the sample against reading it and one raw INSERT of the same rows.

    DATABASE_URL=postgis://... .venv/bin/python bench/bench_load.py
    DATABASE_URL=spatialite:///... .venv/bin/python bench/bench_load.py

Uses a database of its own: `gridgov_bench` on the PostGIS server of
DATABASE_URL (dropped and created, left loaded for the other benchmarks), or a
temporary SpatiaLite file. It times
1. `load_district gis_data/district.gpkg` into the empty, migrated database;
2. the same load again (idempotent: reads, validates, compares, writes nothing);
3. the baseline: every layer read with pyogrio, then one executemany INSERT per
   layer into scratch tables (geometry through ST_GeomFromWKB / GeomFromWKB),
   in one transaction: the least any loader must do.
It prints each figure, the ratio to the baseline and the target (a load under
30 s). No assertions; the whole run is bounded by an alarm.
"""

import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "gis_data" / "district.gpkg"
TARGET_S = 30.0
TIME_LIMIT_S = 600
BENCH_DB = "gridgov_bench"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")


def main():
    signal.signal(signal.SIGALRM, lambda *_: sys.exit(f"bench_load: gave up after {TIME_LIMIT_S} s"))
    signal.alarm(TIME_LIMIT_S)
    url = os.environ.get("DATABASE_URL", "spatialite:///")
    postgis = url.startswith(("postgis://", "postgres://", "postgresql://"))
    scratch = None
    if postgis:
        server = _server_params(url)
        _recreate_postgis_database(server)
        os.environ["DATABASE_URL"] = _with_name(url, BENCH_DB)
    else:
        scratch = tempfile.NamedTemporaryFile(prefix="gridgov_bench_", suffix=".sqlite3", delete=False)
        scratch.close()
        os.environ["DATABASE_URL"] = f"spatialite:///{scratch.name}"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"database: {connection.vendor} ({'gridgov_bench' if postgis else scratch.name}); "
              f"migrated in {time.perf_counter() - started:.1f} s")

        first = _timed(lambda: call_command("load_district", str(SAMPLE), verbosity=0))
        second = _timed(lambda: call_command("load_district", str(SAMPLE), verbosity=0))
        baseline, rows = baseline_insert(connection, postgis)

        print(f"sample: {SAMPLE.relative_to(ROOT)}, {rows} rows in 9 layers")
        print(f"load_district into an empty database: {first:6.2f} s")
        print(f"load_district again (nothing changes): {second:6.2f} s")
        print(f"baseline: pyogrio read + raw executemany INSERT: {baseline:6.2f} s")
        print(f"ratio load / baseline: {first / baseline:.1f}x (reload {second / baseline:.1f}x)")
        verdict = "met" if max(first, second) < TARGET_S else "MISSED"
        print(f"target: each load under {TARGET_S:.0f} s: {verdict}")
    finally:
        connections.close_all()
        # The PostGIS database stays, migrated and loaded: the other benchmarks use it as it is.
        if scratch:
            os.unlink(scratch.name)


def baseline_insert(connection, postgis):
    """Read all layers with pyogrio and INSERT their rows with one executemany per layer."""
    import pyogrio
    import shapely
    from django.db import transaction

    # Any geometry type: the area layers are MultiPolygons, the departments' offices Points.
    geom_type = "geometry(Geometry, 4326)" if postgis else "BLOB"
    from_wkb = "ST_GeomFromWKB(%s, 4326)" if postgis else "GeomFromWKB(%s, 4326)"
    started = time.perf_counter()
    total = 0
    layers = [str(name) for name, _ in pyogrio.list_layers(SAMPLE)]
    with transaction.atomic(), connection.cursor() as cursor:
        for layer in layers:
            frame = pyogrio.read_dataframe(SAMPLE, layer=layer)
            columns = [c for c in frame.columns if c != "geometry"]
            spatial = "geometry" in frame.columns
            table = f"bench_scratch_{layer}"
            ddl = ", ".join([f'"{c}" text' for c in columns] + ([f"geom {geom_type}"] if spatial else []))
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"CREATE TABLE {table} ({ddl})")
            values = frame[columns].astype(str).values.tolist()
            if spatial:
                wkb = shapely.to_wkb(shapely.force_2d(frame.geometry.values))
                values = [row + [bytes(g)] for row, g in zip(values, wkb, strict=True)]
            placeholders = ", ".join(["%s"] * len(columns) + ([from_wkb] if spatial else []))
            cursor.executemany(f"INSERT INTO {table} VALUES ({placeholders})", values)
            total += len(values)
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        for layer in layers:
            cursor.execute(f"DROP TABLE IF EXISTS bench_scratch_{layer}")
    return elapsed, total


def _timed(function):
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def _server_params(url):
    import dj_database_url

    cfg = dj_database_url.parse(url)
    return {"host": cfg["HOST"] or None, "port": cfg["PORT"] or None, "user": cfg["USER"], "password": cfg["PASSWORD"]}


def _with_name(url, name):
    return urlsplit(url)._replace(path=f"/{name}").geturl()


def _recreate_postgis_database(server):
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    with psycopg.connect(dbname=BENCH_DB, autocommit=True, **server) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")


if __name__ == "__main__":
    main()
