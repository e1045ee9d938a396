#!/usr/bin/env python
"""The monthly bulletin (通报) for the whole district over a year of cases, beside the raw SQL it runs.

    DATABASE_URL=... .venv/bin/python bench/bench_supervision.py [--runs 5] [--cases 20000] [--year 2026] [--bulk]

Prepares the database as bench_evaluation.py does (the sample district, a year
of `--cases` cases), adds the star history and the supervision sample when
missing (seed_stars, seed_supervision), then for the year's November:
1. the median time of `compute()` (every figure of the bulletin, no rendering);
2. beside it the median time of replaying the very SQL statements it ran
   (captured with execute_wrapper, run again through a bare cursor): the
   floor the database sets; goal within 2x of it, and under 2 s;
3. the PDF render of the stored bulletin on its own (WeasyPrint).
No assertions: figures are printed with met/MISSED.
"""

import argparse
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")

from bench_evaluation import prepare_database  # noqa: E402 (after the path is set)
from common import median_seconds, verdict  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--bulk", action="store_true", help="insert benchmark cases directly, not via simulate_cases")
    args = parser.parse_args()
    print(prepare_database(args.cases, args.year, args.bulk), flush=True)

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from apps.bulletins.compute import compute
    from apps.bulletins.models import Bulletin
    from apps.bulletins.periods import parse
    from apps.bulletins.render import render_pdf
    from apps.stars.models import Period
    from apps.supervision.models import Finding

    quiet = io.StringIO()
    if not Period.objects.exists():
        call_command("seed_stars", stdout=quiet)
    if not Finding.objects.exists():
        call_command("seed_supervision", stdout=quiet)
    period = parse("monthly", f"{args.year}-11")
    print(f"database: {connection.vendor}; bulletin monthly {period.code}; {args.runs} runs, medians", flush=True)

    compute(period)  # warm the caches once, as a running server would be
    statements = []

    def capture(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        data = compute(period)
    t_compute = median_seconds(lambda: compute(period), args.runs)

    def replay():
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    t_raw = median_seconds(replay, args.runs)
    bulletin, _ = Bulletin.objects.update_or_create(
        kind="monthly", period=period.code,
        defaults={"starts_on": period.first, "ends_on": period.last, "data": data,
                  "made_at": timezone.now()})
    render_pdf(bulletin)  # the first render loads Pango and the font
    t_pdf = median_seconds(lambda: render_pdf(bulletin), args.runs)
    size = len(render_pdf(bulletin))
    due = data["totals"]["cases"]["due"]
    print(f"compute (17 sub-districts, {due} cases due): {t_compute * 1000:8.1f} ms   "
          f"under 2 s: {verdict(t_compute < 2)}")
    print(f"raw SQL ({len(statements)} statements replayed): {t_raw * 1000:8.1f} ms   "
          f"ratio {t_compute / t_raw:.2f}x, within 2x: {verdict(t_compute <= 2 * t_raw)}")
    print(f"PDF render on its own:       {t_pdf * 1000:8.1f} ms   ({size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
