"""What every benchmark does first: a database of its own, migrated, with the sample district.

Not a benchmark itself (bench/run.sh runs bench/bench_*.py).
"""

import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "gis_data" / "district.gpkg"


def ensure_postgis_database():
    """Create DATABASE_URL's database with the postgis extension when it is PostGIS and missing."""
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


def prepare_district():
    """Set Django up on a created, migrated database holding the sample district (loaded when empty)."""
    import django

    ensure_postgis_database()
    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    from apps.areas.models import Grid

    setup_test_environment()  # lets the test Client's "testserver" host in
    call_command("migrate", verbosity=0)
    if not Grid.objects.exists():
        print(f"loading {SAMPLE.relative_to(ROOT)} ...", flush=True)
        call_command("load_district", str(SAMPLE), verbosity=0)


def verdict(ok):
    return "met" if ok else "MISSED"


def median_seconds(fn, runs):
    """The median wall-clock seconds of `runs` calls of fn()."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)
