"""How many reports fall near an area border: by level and by sub-district, over the simulated cases.

    manage.py border_report [--metres 30] [--all] [--store] [--json]

One bulk query asks, for every case, the nearest other grid within the distance
and whether a zone edge of its community is within it (the questions a new
report asks in its place query, apps/cases/borders.py), so cases stored before
border-aware routing are counted too. A case counts once, at its highest
level: sub-district border, else community border, else grid border, else zone
edge only. `--store` writes `near_border` and `border` (both candidates and the
rule) on the counted cases that do not carry them yet.
"""

import json
import time
from collections import Counter, defaultdict

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Exists, OuterRef, Subquery

from apps.areas.models import Grid, SubDistrict
from apps.areas.spatial import PointX, PointY
from apps.cases.borders import CloseToPoint, border_metres, describe, other_grids
from apps.cases.models import Case, Category
from apps.compounds.models import Zone

LEVELS = ("subdistrict", "community", "grid", "zone")
BATCH = 500


def near_border_rows(cases, metres):
    """(case id, grid id, community id, sub-district id, zone id, category id, lon, lat, other grid id or
    None, zone edge near, stored flag) for each case, in one query."""
    point = OuterRef("point")
    zone_edges = Zone.objects.filter(community_id=OuterRef("community_id")).filter(
        CloseToPoint("geom", metres=metres, edge=True, point=point)
    )
    return cases.annotate(
        other_grid=Subquery(other_grids(None, None, metres, OuterRef("grid_id"), point=point).values("pk")[:1]),
        zone_edge=Exists(zone_edges),
    ).values_list("pk", "grid_id", "community_id", "subdistrict_id", "zone_id", "category_id", PointX("point"),
                  PointY("point"), "other_grid", "zone_edge", "near_border")


def level_of(row, grids):
    """The highest border level a case is near, or None."""
    _pk, _grid, community, subdistrict, _zone, _cat, _x, _y, other, zone_edge, _stored = row
    if other is not None:
        other_community, other_subdistrict = grids[other]
        if other_subdistrict != subdistrict:
            return "subdistrict"
        if other_community != community:
            return "community"
        return "grid"
    return "zone" if zone_edge else None


class Command(BaseCommand):
    help = "Count the simulated cases that lie near a grid, community, sub-district or zone border."

    def add_arguments(self, parser):
        parser.add_argument("--metres", type=float, default=None,
                            help="distance to a border (default: GRIDGOV_BORDER_M)")
        parser.add_argument("--all", action="store_true", help="every case, not only the simulated ones")
        parser.add_argument("--store", action="store_true",
                            help="write near_border and border on counted cases that lack them")
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")

    def handle(self, *args, **options):
        metres = border_metres() if options["metres"] is None else options["metres"]
        if metres <= 0:
            raise CommandError("The distance must be positive (--metres or GRIDGOV_BORDER_M).")
        cases = Case.objects.all() if options["all"] else Case.objects.filter(source=Case.Source.SIMULATION)
        grids = {pk: (c, s) for pk, c, s in Grid.objects.values_list("pk", "community_id", "community__subdistrict_id")}
        started = time.perf_counter()
        rows = list(near_border_rows(cases.order_by("pk"), metres))
        seconds = time.perf_counter() - started
        report = self.count(rows, grids, metres, seconds)
        if options["store"]:
            report["stored"] = self.store(rows, grids, metres)
        if options["json"]:
            self.stdout.write(dumps(report))
        else:
            self.print(report)
        return None

    def count(self, rows, grids, metres, seconds):
        names = dict(SubDistrict.objects.values_list("pk", "name"))
        codes = dict(SubDistrict.objects.values_list("pk", "code"))
        by_level, totals, stored = Counter(), Counter(), Counter()
        by_subdistrict = defaultdict(Counter)
        for row in rows:
            level = level_of(row, grids)
            subdistrict = row[3]
            totals[subdistrict] += 1
            if level:
                by_level[level] += 1
                by_subdistrict[subdistrict][level] += 1
            stored[(bool(level), bool(row[10]))] += 1
        n = len(rows)
        near = sum(by_level.values())
        return {
            "metres": metres,
            "cases": n,
            "near_border": near,
            "share": round(near / n, 4) if n else 0.0,
            "by_level": {level: by_level[level] for level in LEVELS},
            "by_subdistrict": [
                {"code": codes[pk], "name": names[pk], "cases": totals[pk],
                 "near_border": sum(by_subdistrict[pk].values()),
                 **{level: by_subdistrict[pk][level] for level in LEVELS}}
                for pk in sorted(totals, key=lambda pk: codes[pk])
            ],
            "stored_flags": {"agree": stored[(True, True)] + stored[(False, False)],
                             "near_not_stored": stored[(True, False)], "stored_not_near": stored[(False, True)]},
            "query_seconds": round(seconds, 2),
        }

    def store(self, rows, grids, metres):
        """Describe and save the counted cases that carry no border yet; the number written."""
        categories = Category.objects.select_related("default_department").in_bulk()
        todo = [row for row in rows if level_of(row, grids) and not row[10]]
        written = 0
        for start in range(0, len(todo), BATCH):
            changed = []
            for pk, grid, _c, _s, zone, category, x, y, _other, _zone_edge, _stored in todo[start:start + BATCH]:
                border = describe(lon=x, lat=y, category=categories[category], chosen_grid_id=grid,
                                  chosen_zone_id=zone, metres=metres)
                if border:
                    changed.append(Case(pk=pk, near_border=True, border=border))
            Case.objects.bulk_update(changed, ["near_border", "border"])
            written += len(changed)
        return written

    def print(self, r):
        w = self.stdout.write
        w(f"Cases near a border (within {r['metres']:g} m), {r['cases']} cases: {r['near_border']} "
          f"({r['share']:.1%}); bulk query {r['query_seconds']:.2f} s")
        labels = {"subdistrict": "sub-district border", "community": "community border",
                  "grid": "grid border (same community)", "zone": "zone edge only"}
        for level in LEVELS:
            w(f"  {labels[level]:30s} {r['by_level'][level]:6d}")
        w(f"  {'sub-district':16s} {'cases':>6s} {'near':>6s} {'share':>6s} " + " ".join(f"{lv:>11s}" for lv in LEVELS))
        for s in r["by_subdistrict"]:
            share = s["near_border"] / s["cases"] if s["cases"] else 0
            w(f"  {s['name']:16s} {s['cases']:6d} {s['near_border']:6d} {share:6.1%} "
              + " ".join(f"{s[lv]:11d}" for lv in LEVELS))
        f = r["stored_flags"]
        w(f"Stored flags: {f['agree']} agree, {f['near_not_stored']} near but not flagged (stored before border "
          f"routing, or another distance), {f['stored_not_near']} flagged but not near")
        if "stored" in r:
            w(f"Stored near_border and border on {r['stored']} cases.")


def dumps(value):
    return json.dumps(value, ensure_ascii=False, indent=2)
