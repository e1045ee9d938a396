"""Make a deterministic, plausible year of cases for the sample district through the workflow.

    manage.py simulate_cases [--cases 20000] [--seed 410105] [--year 2026] [--until YYYY-MM-DD] [--clear] [--plants]

--until ends the period (no case or step on or after that day); the default is
today for the year in progress and the whole year otherwise, so no simulated
case lies in the future. The cases made are a function of (seed, year, until,
cases) alone.

What is open when the period ends looks like a working district's (held by
tests/cases/test_simulation_shape.py): about 2% of the cases, mostly the last
few working days' reports still with the desk, at a department or waiting for
verification; a share stuck at a department and overdue by days (reported
3-12 days before the end, never months); a few long-pending (挂账) cases, each
with the reason the department gave. The median open case is under 5 working
days old and no case that is not pending is older than 30 working days.

Idempotent: when simulated cases exist it does nothing; --clear deletes the
simulated cases (and only those) first. See apps/cases/simulation.py.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from apps.cases.simulation import SimulationError, default_workers, simulate
from gridgov.commands import parse_until

MAX_CASES = 1_000_000


class Command(BaseCommand):
    help = "Simulate a year of cases (hotspots, categories, every outcome) through the case workflow."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=20000, help="number of cases (default 20000)")
        parser.add_argument("--seed", type=int, default=410105, help="random seed (default 410105)")
        parser.add_argument("--year", type=int, default=2026, help="calendar year to fill (default 2026)")
        parser.add_argument("--until", type=parse_until, default=None, metavar="YYYY-MM-DD",
                            help="end of the period, exclusive (default: today in the year in progress, "
                                 "else the whole year)")
        parser.add_argument("--clear", action="store_true", help="delete the simulated cases first")
        parser.add_argument("--plants", action="store_true",
                            help="also plant a known number of each KPI-gaming pattern (apps/cases/simulation_plants.py)")
        parser.add_argument("--workers", type=int, default=0,
                            help="processes writing cases (default: 2 on PostGIS, 1 on SpatiaLite)")

    def handle(self, *args, cases, seed, year, until, clear, **options):
        if not 1 <= cases <= MAX_CASES:
            raise CommandError(f"--cases must be between 1 and {MAX_CASES}, got {cases}.")
        if not 2000 <= year <= 2100:
            raise CommandError(f"--year must be between 2000 and 2100, got {year}.")
        if seed < 0:
            raise CommandError(f"--seed must be zero or positive, got {seed}.")
        if until is not None and not dt.date(year, 1, 2) <= until <= dt.date(year + 1, 1, 1):
            raise CommandError(
                f"--until must lie between {year}-01-02 and {year + 1}-01-01 (the period ends the day before), "
                f"got {until.isoformat()}."
            )
        workers = options["workers"] or default_workers()
        if not 1 <= workers <= 8:
            raise CommandError(f"--workers must be between 1 and 8, got {workers}.")
        try:
            result = simulate(cases=cases, seed=seed, year=year, until=until, clear=clear, workers=workers,
                              progress=options["verbosity"] >= 1, plants=options["plants"])
        except SimulationError as exc:
            raise CommandError(exc.message) from exc
        if result.deleted:
            self.stdout.write(f"deleted {result.deleted} simulated cases")
        if result.existing:
            self.stdout.write(
                f"{result.existing} simulated cases exist: nothing done (use --clear to make them again)"
            )
        else:
            rate = result.created / result.seconds if result.seconds else 0
            self.stdout.write(f"simulated {result.created} cases of {year} in {result.seconds:.1f} s ({rate:.0f}/s)")
        self.write_summary(result.summary)
        if result.plants:
            self.stdout.write("planted: " + ", ".join(f"{code} {len(numbers)}" for code, numbers in result.plants.items()))

    def write_summary(self, summary):
        def line(label, counts):
            total = sum(counts.values()) or 1
            ranked = sorted(counts.items(), key=lambda kv: -kv[1])
            parts = ", ".join(f"{key} {n} ({100 * n / total:.1f}%)" for key, n in ranked)
            self.stdout.write(f"{label}: {parts}")

        self.stdout.write(f"cases: {summary['cases']}, open at the end of the period: {summary['open']}")
        line("status", summary["status"])
        line("closure", summary["closure"])
        self.stdout.write(
            f"reworked {summary['reworked']}, extended {summary['extended']}, joint handling {summary['joint']}, "
            f"in zones {summary['in_zones']} (reported by cadres {summary['by_cadres']})"
        )
        line("events", summary["events"])
