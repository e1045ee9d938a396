#!/usr/bin/env python
"""Evaluation of a year of cases against one hand-written SQL GROUP BY of the same closure counts.

    DATABASE_URL=postgis://... .venv/bin/python bench/bench_evaluation.py [--runs 5] [--cases 20000] [--bulk]

Prepares the database first: creates it (PostGIS), migrates, loads the sample
district and seeds the categories where missing; with fewer than `--cases`
cases it runs `manage.py simulate_cases` (the workflow, minutes), or with
`--bulk` (or without that command) inserts a plausible year straight into the
tables (seconds). Then, for each grouping (department, sub-district, grid), the
median time of `evaluate()` for the whole year beside the median time of one
raw SQL statement computing due-to-close and closed per group, and checks the
two agree. Target: evaluate under 1 s on PostGIS for 20,000 cases. No assertions.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")

from common import prepare_district  # noqa: E402 (after the path is set)



def prepare_database(n_cases, year, bulk):
    prepare_district()
    from django.core.management import call_command, get_commands

    from apps.cases.models import Case

    call_command("seed_cases", verbosity=0, stdout=open(os.devnull, "w"))
    have = Case.objects.count()
    if have >= n_cases:
        return f"{have} cases already in the database"
    started = time.perf_counter()
    if not bulk and "simulate_cases" in get_commands():
        print(f"{have} cases: running simulate_cases --cases {n_cases} (through the workflow) ...", flush=True)
        call_command("simulate_cases", cases=n_cases, year=year, verbosity=0)
        how = "simulate_cases"
    else:
        print(f"{have} cases: inserting {n_cases - have} straight into the tables ...", flush=True)
        bulk_year(n_cases - have, year)
        how = "bulk insert"
    return f"{Case.objects.count()} cases ({how}, {time.perf_counter() - started:.0f} s)"


def bulk_year(n, year, seed=410105):
    """A year of cases with their parts and events, written with bulk_create (benchmark data only).

    Outcomes roughly as the simulation's: most closed on time, some late, reworked,
    extended, pending, jointly handled, a few still open; times in the year.
    """
    from django.db import transaction
    from django.utils import timezone

    from apps.areas.models import Grid
    from apps.cases.models import Case, CaseEvent, CasePart, Category
    from apps.people.models import Department

    rng = random.Random(seed)
    grids = list(Grid.objects.values_list("pk", "community_id", "community__subdistrict_id"))
    points = dict(Grid.objects.values_list("pk", "geom"))
    categories = list(Category.objects.filter(default_department__isnull=False).values_list("pk", "default_department_id"))
    departments = list(Department.objects.values_list("pk", flat=True))
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    span = (dt.datetime(year + 1, 1, 1) - dt.datetime(year, 1, 1)).total_seconds() - 10 * 86400
    hour = dt.timedelta(hours=1)
    prefix = uuid.uuid4().hex[:6]
    for batch_start in range(0, n, 2000):
        cases, plans = [], []
        for i in range(batch_start, min(n, batch_start + 2000)):
            grid, community, subdistrict = rng.choice(grids)
            category, department = rng.choice(categories)
            reported = start + dt.timedelta(seconds=rng.uniform(0, span))
            roll = rng.random()
            plan = {"department": department, "reported": reported, "co": None}
            case = Case(
                number=f"B{prefix}{i:08d}", source=Case.Source.SIMULATION, category_id=category,
                description="bench", point=points[grid].point_on_surface, grid_id=grid, community_id=community,
                subdistrict_id=subdistrict, reported_at=reported, status="reported",
            )
            if roll < 0.04:
                case.status = "rejected"
            else:
                case.department_id = department
                case.dispatched_at = reported + hour
                case.handle_deadline = case.dispatched_at + dt.timedelta(hours=rng.choice([24, 48, 72]))
                late = rng.random() < 0.12
                case.handled_at = case.handle_deadline + (hour * rng.uniform(1, 48) if late else
                                                          -hour * rng.uniform(1, 20))
                case.extension_count = int(rng.random() < 0.06)
                case.rework_count = int(rng.random() < 0.08)
                if rng.random() < 0.05:
                    plan["co"] = rng.choice([d for d in departments if d != department])
                if roll < 0.06:
                    case.status, case.handled_at = "pending", None
                elif roll < 0.09:
                    case.status, case.handled_at = "handling", None
                elif roll < 0.11:
                    case.status = "handled"
                else:
                    case.status, case.closed_at = "closed", case.handled_at + hour * 3
                    case.closure = "overdue" if late else "on_time"
            cases.append(case)
            plans.append(plan)
        with transaction.atomic():
            Case.objects.bulk_create(cases)
            if cases[0].pk is None:
                by_number = dict(Case.objects.filter(number__in=[c.number for c in cases]).values_list("number", "pk"))
                for c in cases:
                    c.pk = by_number[c.number]
            parts, events = [], []
            for case, plan in zip(cases, plans):
                events.append(CaseEvent(case_id=case.pk, action="report", to_status="reported", at=case.reported_at))
                if case.dispatched_at is None:
                    continue
                parts.append(CasePart(case_id=case.pk, department_id=case.department_id, lead=True,
                                      reported_at=case.handled_at))
                if plan["co"]:
                    parts.append(CasePart(case_id=case.pk, department_id=plan["co"], reported_at=case.handled_at
                                          and case.handled_at - hour))
                events.append(CaseEvent(case_id=case.pk, action="dispatch", from_status="registered",
                                        to_status="dispatched", at=case.dispatched_at))
                if case.handled_at:
                    events.append(CaseEvent(case_id=case.pk, action="report_handled", from_status="handling",
                                            to_status="handled", department_id=case.department_id, at=case.handled_at))
                if case.closed_at:
                    events.append(CaseEvent(case_id=case.pk, action="verify_pass", from_status="handled",
                                            to_status="closed", at=case.closed_at))
            CasePart.objects.bulk_create(parts)
            CaseEvent.objects.bulk_create(events)


# The baseline: due to close and closed per group, written by hand (same rules as evaluation.py).
# Placeholders in order: start, end, start, end, now.
DUE = """({h} IS NOT NULL AND {h} >= %s AND {h} < %s AND (c.handle_deadline IS NULL OR {h} <= c.handle_deadline))
 OR (c.handle_deadline >= %s AND c.handle_deadline < %s AND c.handle_deadline <= %s
     AND ({h} IS NULL OR {h} > c.handle_deadline))"""
KEPT = "c.status <> 'pending' AND c.closure <> 'special'"
CLOSED = "c.status = 'closed' AND c.closure IN ('on_time', 'overdue')"
SOURCES = {
    "department": ("p.department_id", "cases_casepart p JOIN cases_case c ON c.id = p.case_id", "p.reported_at"),
    "subdistrict": ("c.subdistrict_id", "cases_case c", "c.handled_at"),
    "grid": ("c.grid_id", "cases_case c", "c.handled_at"),
}


def baseline_sql(by):
    key, source, handled = SOURCES[by]
    due = f"({KEPT}) AND ({DUE.format(h=handled)})"
    return (
        f"SELECT {key}, SUM(CASE WHEN {due} THEN 1 ELSE 0 END), SUM(CASE WHEN {due} AND {CLOSED} THEN 1 ELSE 0 END) "
        f"FROM {source} GROUP BY {key}"
    )


def run_baseline(by, period, now):
    from django.db import connection

    start, end, now = (connection.ops.adapt_datetimefield_value(v) for v in (period.start, period.end, now))
    with connection.cursor() as cursor:
        cursor.execute(baseline_sql(by), [start, end, start, end, now] * 2)
        return {row[0]: (int(row[1] or 0), int(row[2] or 0)) for row in cursor.fetchall()}


def median_ms(fn, runs):
    fn()  # warm caches and connections
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--bulk", action="store_true", help="insert benchmark cases directly, not via simulate_cases")
    args = parser.parse_args()
    print(prepare_database(args.cases, args.year, args.bulk))

    from django.db import connection
    from django.utils import timezone

    from apps.cases.evaluation import evaluate, parse_period

    period = parse_period(str(args.year))
    now = timezone.now()
    print(f"database: {connection.vendor}; period {period.label}; median of {args.runs} runs")
    print(f"{'by':<12}{'rows':>6}{'evaluate ms':>14}{'raw SQL ms':>12}{'ratio':>8}  same counts")
    for by in ("department", "subdistrict", "grid"):
        rows = evaluate(period, by, now=now)
        base = run_baseline(by, period, now)
        mine = {r["id"]: (r["due"], r["closed"]) for r in rows}
        agree = all(base.get(k, (0, 0)) == v for k, v in mine.items()) and all(
            mine.get(k, (0, 0)) == v for k, v in base.items() if k is not None
        )
        ours = median_ms(lambda: evaluate(period, by, now=now), args.runs)
        theirs = median_ms(lambda: run_baseline(by, period, now), args.runs)
        print(f"{by:<12}{len(rows):>6}{ours:>14.1f}{theirs:>12.1f}{ours / theirs:>8.2f}  {'yes' if agree else 'NO'}")
    print("target: evaluate under 1000 ms on PostGIS for 20,000 cases")


if __name__ == "__main__":
    main()
