"""Planted KPI-gaming patterns: a known number of each, on top of a simulated year (`simulate(plants=True)`).

A separate step after the background year (apps/cases/simulation.py), so the
background's outcomes are untouched. Reproducible from the seed: candidates are
taken in client-id order (a function of the seed) and drawn with a generator
seeded from it. Returns the planted cases' numbers per signal code of
apps/integrity (the test finds exactly these).

What is planted (defaults in PLANTS):
- photo_reused: pairs of closed cases; the later one's result photo is the
  earlier one's picture sent again, recompressed (the later case is planted);
- photo_far: a result photo 300-900 m from the case point;
- photo_early: a result photo taken 1-48 hours before dispatch;
  (photos go on background cases' last report_handled event as real JPEGs
  with EXIF time and GPS, through evidence.attach_photos like any upload)
- reopen_churn: a new report 4-20 m from a closed case, same category, 2 hours
  to 5 days after the closure; it is registered, dispatched and accepted;
- fast_verification: two new cases 300 m or more apart in one grid, verified
  (failed, so neither closes) by the grid's worker 5-20 s apart; the second is
  planted;
- deadline_requests: new cases of one department whose extension is asked with
  under 5% of the handling window left, then granted, handled and verified.

So the plants create no pattern they were not meant to: new cases' closures
are placed where no report of their category lies within 60 m in the 7 days
after, and every planted verification is a day or more from any other by the
same worker.
"""

import datetime as dt
import math
import uuid

import numpy as np
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q

from apps.areas.locate import locate_many
from apps.cases.calendar import add_working_hours
from apps.cases.evidence import attach_photos
from apps.cases.intake import report_case
from apps.cases.models import Case, CaseEvent, Category, Status
from apps.cases.photo_samples import jpeg_bytes
from apps.cases.simulation_plan import CLIENT_ID_NAMESPACE, points_in, shift
from apps.cases.workflow import transition

PLANTS = {"photo_reused": 12, "photo_far": 9, "photo_early": 7, "reopen_churn": 10, "fast_verification": 8,
          "deadline_requests": 15}
SOURCE = Case.Source.SIMULATION
CHURN_CLEAR_M = 60  # twice the default churn distance: a planted closure never makes churn by chance
VERIFIER_CLEAR = dt.timedelta(days=1)
EARTH_M_PER_DEG = 111_320.0


class PlantError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def plant_patterns(world, cast, *, seed, start, end, counts=None):
    """Plant `counts` (default PLANTS) of each pattern among the simulated cases in [start, end); {code: [numbers]}."""
    counts = {**PLANTS, **(counts or {})}
    planter = Planter(world, cast, seed=seed, start=start, end=end)
    with transaction.atomic():
        planted = {
            **planter.photos(counts["photo_reused"], counts["photo_far"], counts["photo_early"]),
            "reopen_churn": planter.churn(counts["reopen_churn"]),
            "fast_verification": planter.fast_verifications(counts["fast_verification"]),
            "deadline_requests": planter.deadline_requests(counts["deadline_requests"]),
        }
    return {code: sorted(numbers) for code, numbers in planted.items()}


def metres(a, b):
    dx = (b[0] - a[0]) * EARTH_M_PER_DEG * math.cos(math.radians((a[1] + b[1]) / 2))
    return math.hypot(dx, (b[1] - a[1]) * 110_950.0)


class Planter:
    def __init__(self, world, cast, *, seed, start, end):
        self.world, self.cast, self.seed, self.start, self.end = world, cast, seed, start, end
        self.rng = np.random.default_rng([seed, 12])
        self.calendar = world.calendar
        self.categories = Category.objects.select_related("default_department").in_bulk(
            [c.id for c in world.categories])
        self.verifications = []  # (worker id, moment) of planted verifications

    # --- photos on background cases ---------------------------------------------

    def photos(self, reused, far, early):
        handled = {
            e.case_id: e for e in CaseEvent.objects.filter(
                case__source=SOURCE, case__status=Status.CLOSED, case__closure__in=["on_time", "overdue"],
                action="report_handled", at__gte=self.start, at__lt=self.end, case__dispatched_at__isnull=False,
            ).select_related("case", "actor").order_by("case__client_id", "at", "pk")
        }
        pool = sorted(handled.values(), key=lambda e: str(e.case.client_id))
        wanted = 2 * reused + far + early
        if len(pool) < wanted:
            raise PlantError(f"{len(pool)} closed simulated cases: too few to plant {wanted} photos")
        picked = [pool[i] for i in self.rng.choice(len(pool), size=wanted, replace=False).tolist()]
        planted = {"photo_reused": [], "photo_far": [], "photo_early": []}
        for k in range(reused):
            first, second = sorted(picked[2 * k:2 * k + 2], key=lambda e: (e.at, e.pk))
            seed = self.picture()
            original = self.photo(first, seed)
            copy = self.photo(second, seed, quality=60)  # the same picture sent again, recompressed
            if copy.similar_to_id != original.pk:
                raise PlantError(f"the recompressed copy of picture {seed} is not a near-duplicate of it")
            planted["photo_reused"].append(second.case.number)
        rest = picked[2 * reused:]
        for event in rest[:far]:
            self.photo(event, self.picture(), far=float(self.rng.uniform(300, 900)))
            planted["photo_far"].append(event.case.number)
        for event in rest[far:]:
            self.photo(event, self.picture(), early=dt.timedelta(hours=float(self.rng.uniform(1, 48))))
            planted["photo_early"].append(event.case.number)
        return planted

    def picture(self):
        return int(self.rng.integers(1 << 31))

    def photo(self, event, seed, *, quality=85, far=None, early=None):
        """Attach one result photo to `event` through the evidence checks (apps/cases/evidence.py)."""
        case = event.case
        distance = far if far is not None else float(self.rng.uniform(4, 40))
        angle = float(self.rng.uniform(0, 2 * math.pi))
        lon, lat = shift(case.point.x, case.point.y, distance * math.cos(angle), distance * math.sin(angle))
        if early is not None:
            taken = case.dispatched_at - early
        else:
            taken = event.at - min(dt.timedelta(minutes=30), (event.at - case.dispatched_at) / 2)
        data = jpeg_bytes(seed, taken=taken, lon=lon, lat=lat, size=(320, 240), quality=quality)
        (row,) = attach_photos(case, event, [(ContentFile(data, name="result.jpg"), "image/jpeg", len(data))],
                               by=event.actor, now=self.end)
        return row

    # --- new cases --------------------------------------------------------------

    def client_id(self, kind, k):
        return uuid.uuid5(CLIENT_ID_NAMESPACE, f"plant:{self.seed}:{kind}:{k}")

    def moment(self, lo_days=14, hi_days=12):
        """A working-hours moment between `lo_days` after the start and `hi_days` before the end."""
        first, last = self.start + dt.timedelta(days=lo_days), self.end - dt.timedelta(days=hi_days)
        if last <= first:
            raise PlantError("the simulated period is too short to plant patterns (four weeks at least)")
        at = first + (last - first) * float(self.rng.uniform(0, 1))
        return add_working_hours(self.calendar, at, float(self.rng.uniform(0.2, 2)))

    def report(self, kind, k, category, lon, lat, grid_id, at):
        case, _created = report_case(
            by=self.cast.grid_workers[grid_id], category=category, lon=round(lon, 7), lat=round(lat, 7),
            description=f"{category.name}，现场复查。", client_id=self.client_id(kind, k), at=at, source=SOURCE,
            notify=False,
        )
        return case

    def act(self, case, action, actor, at, note="", **params):
        transition(case, action, by=actor, note=note, at=at, notify=False, calendar=self.calendar, **params)
        return at

    def later(self, at, hours):
        return add_working_hours(self.calendar, at, hours)

    def desk(self, case):
        return self.cast.desks[case.subdistrict_id]

    def handler(self, category):
        return self.cast.handlers[category.default_department_id]

    def to_handling(self, case, category, at):
        at = self.act(case, "register", self.desk(case), self.later(at, 0.2))
        at = self.act(case, "dispatch", self.desk(case), self.later(at, 0.1), department=category.default_department)
        return self.act(case, "accept", self.handler(category), self.later(at, 0.2))

    def grid_at(self, lon, lat):
        return locate_many(np.array([[round(lon, 7), round(lat, 7)]]))[0]

    def churn_clear(self, category, lon, lat, reported_at, closed_at=None):
        """True when a new case here makes no churn by chance: no case of `category` within CHURN_CLEAR_M
        closed in the 8 days before its report, nor (when it closes) reported in the 8 days after its closure."""
        window = dt.timedelta(days=8)
        near = Q(closed_at__gte=reported_at - window, closed_at__lte=reported_at)
        if closed_at is not None:
            near |= Q(reported_at__gte=closed_at, reported_at__lte=closed_at + window)
        points = Case.objects.filter(near, category=category).values_list("point", flat=True)
        return all(metres((lon, lat), (p.x, p.y)) > CHURN_CLEAR_M for p in points)

    def verifier_free(self, worker, at):
        if any(w == worker.pk and abs(t - at) < VERIFIER_CLEAR for w, t in self.verifications):
            return False
        return not CaseEvent.objects.filter(actor=worker, action__in=["verify_pass", "verify_fail"],
                                            at__gt=at - VERIFIER_CLEAR, at__lt=at + VERIFIER_CLEAR).exists()

    def categories_with_handler(self):
        return [c for c in self.world.categories if c.department_id in self.cast.handlers
                and self.categories[c.id].default_department_id == c.department_id]

    def churn(self, n):
        closed = list(
            Case.objects.filter(source=SOURCE, status=Status.CLOSED, closure__in=["on_time", "overdue"],
                                closed_at__gte=self.start, closed_at__lt=self.end - dt.timedelta(days=8))
            .select_related("category", "category__default_department").order_by("client_id")
        )
        planted = []
        for i in self.rng.permutation(len(closed)).tolist():
            if len(planted) == n:
                break
            original = closed[i]
            if original.category.default_department_id not in self.cast.handlers:
                continue
            at = original.closed_at + dt.timedelta(hours=float(self.rng.uniform(2, 120)))
            distance, angle = float(self.rng.uniform(4, 20)), float(self.rng.uniform(0, 2 * math.pi))
            lon, lat = shift(original.point.x, original.point.y, distance * math.cos(angle),
                             distance * math.sin(angle))
            grid_id = self.grid_at(lon, lat)  # a few metres may cross into the next grid: its worker reports
            if grid_id not in self.cast.grid_workers:
                continue
            case = self.report("churn", len(planted), original.category, lon, lat, grid_id, at)
            self.to_handling(case, original.category, at)
            planted.append(case.number)
        if len(planted) < n:
            raise PlantError(f"only {len(planted)} of {n} churn pairs could be planted")
        return planted

    def fast_verifications(self, n):
        categories = self.categories_with_handler()
        planted = []
        for _attempt in range(50 * n):
            if len(planted) == n:
                break
            g = int(self.rng.integers(len(self.world.grid_ids)))
            grid_id = int(self.world.grid_ids[g])
            xs, ys = points_in(self.world.grid_geoms[g], 24, self.rng)
            pairs = [(metres((xs[a], ys[a]), (xs[b], ys[b])), a, b) for a in range(24) for b in range(a + 1, 24)]
            distance, a, b = max(pairs)
            if distance < 300:
                continue
            worker = self.cast.grid_workers[grid_id]
            info = categories[int(self.rng.integers(len(categories)))]
            category = self.categories[info.id]
            reported = self.moment()
            handled = self.later(self.later(self.later(self.later(reported, 0.2), 0.1), 0.2), 1)
            verify_at = self.later(handled, 1)
            points = ((xs[a], ys[a]), (xs[b], ys[b]))
            if not (self.verifier_free(worker, verify_at)
                    and all(self.churn_clear(category, x, y, reported) for x, y in points)
                    and all(self.grid_at(x, y) == grid_id for x, y in points)):
                continue
            cases = []
            for j, (x, y) in enumerate(points):
                case = self.report("fast", 2 * len(planted) + j, category, x, y, grid_id, reported)
                self.to_handling(case, category, reported)
                self.act(case, "report_handled", self.handler(category), handled, result="已处置完毕")
                cases.append(case)
            gap = dt.timedelta(seconds=float(self.rng.uniform(5, 20)))
            self.act(cases[0], "verify_fail", worker, verify_at, "现场复核不合格")
            self.act(cases[1], "verify_fail", worker, verify_at + gap, "现场复核不合格")
            self.verifications.append((worker.pk, verify_at))
            planted.append(cases[1].number)
        if len(planted) < n:
            raise PlantError(f"only {len(planted)} of {n} fast verifications could be planted")
        return planted

    def deadline_requests(self, n):
        by_department = {}
        for info in self.categories_with_handler():
            by_department.setdefault(info.department_id, []).append(info)
        departments = sorted(by_department)
        department = departments[int(self.rng.integers(len(departments)))]
        planted = []
        for _attempt in range(50 * n):
            if len(planted) == n:
                break
            infos = by_department[department]
            category = self.categories[infos[int(self.rng.integers(len(infos)))].id]
            g = int(self.rng.integers(len(self.world.grid_ids)))
            grid_id = int(self.world.grid_ids[g])
            x, y = points_in(self.world.grid_geoms[g], 1, self.rng)
            reported = self.moment(hi_days=25)
            hours = category.handle_hours
            dispatched = self.later(self.later(reported, 0.2), 0.1)
            deadline = self.later(dispatched, hours)
            extra = max(4, hours // 2)
            handled = self.later(deadline, extra * 0.5)
            verify_at = self.later(handled, 0.5)
            closed = verify_at
            worker = self.cast.grid_workers[grid_id]
            if not (self.verifier_free(worker, verify_at) and self.grid_at(x[0], y[0]) == grid_id
                    and self.churn_clear(category, x[0], y[0], reported, closed)):
                continue
            case = self.report("deadline", len(planted), category, x[0], y[0], grid_id, reported)
            at = self.to_handling(case, category, reported)
            # Under 5% of the window left: 97-99.5% of the working hours from dispatch gone.
            at = self.act(case, "request_extension", self.handler(category),
                          self.later(case.dispatched_at, hours * float(self.rng.uniform(0.97, 0.995))),
                          "材料采购中，申请延期", hours=extra)
            self.act(case, "grant_extension", self.desk(case), max(self.later(at, 0.05), at), hours=extra)
            self.act(case, "report_handled", self.handler(category), handled, result="已处置完毕")
            self.act(case, "verify_pass", worker, verify_at)
            self.verifications.append((worker.pk, verify_at))
            planted.append(case.number)
        if len(planted) < n:
            raise PlantError(f"only {len(planted)} of {n} deadline requests could be planted")
        return planted
