#!/usr/bin/env python
"""The KPI-gaming signals over a simulated year of 20,000 cases, each beside raw SQL counting the rows it reads.

    DATABASE_URL=postgis://... .venv/bin/python bench/bench_signals.py [--runs 5] [--cases 20000]

Prepares the database first: creates it (PostGIS), migrates, loads the sample
district and seeds the categories where missing; with fewer than `--cases`
simulated cases it runs `simulate_cases` (the workflow, minutes) for 2026 up to
1 December; then plants the patterns (apps/cases/simulation_plants.py) unless
they are there. Then, for the year, the median time of each signal (its queries
and its Python) beside the median time of one raw SQL COUNT over the rows that
signal reads, the whole answer (`compute_signals`: every signal, grouped by
department and grid, with the cases) beside a plain COUNT over the year's
cases, and what each signal found (planted and background). Goal: every signal
together under 2 s on both databases. No assertions.
"""

import argparse
import datetime as dt
import os
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")

from common import median_seconds, prepare_district, verdict  # noqa: E402 (after the path is set)

YEAR = 2026
UNTIL = dt.date(YEAR, 12, 1)
SEED = 410105
GOAL_SECONDS = 2.0

# Raw SQL reading (fetchall) the rows each signal reads in the period (%s: start, end): what is
# left beside it is the signal's own work in Python. Churn reads its closed cases and its reports.
POINT = "ST_X(c.point), ST_Y(c.point)"
BASELINES = {
    "photo_reused": "SELECT a.id, a.case_id, a.phash FROM cases_attachment a WHERE a.phash IS NOT NULL",
    "photo_far": "SELECT a.case_id, e.at, a.distance_m FROM cases_attachment a JOIN cases_caseevent e "
                 "ON e.id = a.event_id WHERE e.action IN ('report_handled', 'report_part') AND e.at >= %s "
                 "AND e.at < %s AND a.distance_m > 100",
    "photo_early": "SELECT a.case_id, e.at, a.taken_at FROM cases_attachment a JOIN cases_caseevent e "
                   "ON e.id = a.event_id JOIN cases_case c ON c.id = a.case_id WHERE e.action IN "
                   "('report_handled', 'report_part') AND e.at >= %s AND e.at < %s AND a.taken_at < c.dispatched_at",
    "reopen_churn": f"SELECT c.id, c.category_id, c.reported_at, c.closed_at, {POINT} FROM cases_case c "
                    "WHERE c.reported_at >= %s AND c.reported_at < %s OR c.closed_at >= %s AND c.closed_at < %s",
    "fast_verification": f"SELECT e.actor_id, e.at, e.case_id, {POINT} FROM cases_caseevent e JOIN cases_case c "
                         "ON c.id = e.case_id WHERE e.action IN ('verify_pass', 'verify_fail') "
                         "AND e.at >= %s AND e.at < %s ORDER BY e.actor_id, e.at",
    "deadline_requests": "SELECT e.case_id, e.at, e.data FROM cases_caseevent e WHERE e.action IN "
                         "('request_extension', 'request_pending') AND e.at >= %s AND e.at < %s",
}


def prepare(n_cases):
    prepare_district()
    from django.core.management import call_command
    from django.utils import timezone

    from apps.cases.models import Case
    from apps.cases.simulation import ensure_cast, load_world
    from apps.cases.simulation_plan import CLIENT_ID_NAMESPACE
    from apps.cases.simulation_plants import plant_patterns

    call_command("seed_cases", verbosity=0, stdout=open(os.devnull, "w"))
    simulated = Case.objects.filter(source=Case.Source.SIMULATION)
    if simulated.count() < n_cases:
        print(f"{simulated.count()} simulated cases: running simulate_cases --cases {n_cases} --clear "
              f"(through the workflow, minutes) ...", flush=True)
        call_command("simulate_cases", cases=n_cases, year=YEAR, until=UNTIL, clear=True, verbosity=0,
                     stdout=open(os.devnull, "w"))
    tz = timezone.get_default_timezone()
    # A year another benchmark simulated may end today (simulate_cases' default): nothing is planted after now.
    start, end = dt.datetime(YEAR, 1, 1, tzinfo=tz), min(dt.datetime.combine(UNTIL, dt.time(), tz), timezone.now())
    from apps.integrity.compute import Window, compute_signals

    background = {s["code"]: {c["number"] for c in s["cases"]} for s in compute_signals(Window(start, end))}
    plants = None
    marker = uuid.uuid5(CLIENT_ID_NAMESPACE, f"plant:{SEED}:churn:0")  # the first planted case's client id
    if Case.objects.filter(client_id=marker).exists():
        print("the patterns are planted already: background and plants are not told apart", flush=True)
    else:
        print("planting the patterns ...", flush=True)
        world = load_world()
        plants = plant_patterns(world, ensure_cast(world), seed=SEED, start=start, end=end)
    return start, end, background, plants


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cases", type=int, default=20000)
    args = parser.parse_args()
    start, end, background, plants = prepare(args.cases)

    from django.db import connection

    from apps.cases.models import Case
    from apps.integrity.compute import Window, active_rules, compute_signals, find_hits
    from apps.integrity.rules import params_for

    window = Window(start, end)
    n_cases = Case.objects.filter(reported_at__gte=start, reported_at__lt=end).count()
    print(f"{connection.vendor}: {n_cases} cases reported {start:%Y-%m-%d}..{end:%Y-%m-%d}, median of {args.runs} runs")

    def raw(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql, [start, end] * (sql.count("%s") // 2))
            return len(cursor.fetchall())

    print(f"{'signal':<20} {'found':>6} {'signal ms':>10} {'raw SQL ms':>11} {'rows read':>10} {'ratio':>7}")
    total = 0.0
    for code, rule in active_rules():
        params = params_for(code, rule.params)
        hits, _every = find_hits(code, window, params)
        seconds = median_seconds(lambda: find_hits(code, window, params), args.runs)
        base = median_seconds(lambda: raw(BASELINES[code]), args.runs)
        total += seconds
        print(f"{code:<20} {len({h.case_id for h in hits}):>6} {1000 * seconds:>10.1f} {1000 * base:>11.1f} "
              f"{raw(BASELINES[code]):>10} {seconds / base if base else 0:>6.1f}x")
    whole = median_seconds(lambda: compute_signals(window), args.runs)
    def count():
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM cases_case WHERE reported_at >= %s AND reported_at < %s", [start, end])
            return cursor.fetchone()[0]

    count = median_seconds(count, args.runs)
    print(f"every signal, found only: {1000 * total:.0f} ms")
    print(f"compute_signals (every signal grouped by department and grid, with its cases): {1000 * whole:.0f} ms "
          f"beside a plain COUNT over the year's cases {1000 * count:.1f} ms; goal < {GOAL_SECONDS:.0f} s: "
          f"{verdict(whole < GOAL_SECONDS)}")
    after = {s["code"]: {c["number"] for c in s["cases"]} for s in compute_signals(window)}
    for code in after:
        line = f"  {code:<20} found {len(after[code]):>4}"
        if plants is not None:
            planted = set(plants[code])
            exact = after[code] - background[code] == planted and not planted & background[code]
            line += f" = background {len(background[code])} + planted {len(planted)} ({'exact' if exact else 'NOT EXACT'})"
        print(line)


if __name__ == "__main__":
    main()
