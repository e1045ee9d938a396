"""A simulated year of cases for the sample district, made through the workflow (`manage.py simulate_cases`).

Every case is reported with `report_case()` and moved with `transition()`, at
explicit times and without notifications, so its events, deadlines, parts and
closure are exactly what the workflow writes and evaluation counts from. The
plan comes from `apps.cases.simulation_plan` (plain data, one seed).

Steps of `simulate`:
1. load the world (grids, zones and their cadres, categories, calendar): a
   missing district or categories stop the run before anything is deleted;
2. without `clear`, do nothing when simulated cases exist; with it, delete
   them (and only them) first;
3. make the cast where missing, without logins: a grid worker per grid (GW +
   grid code), a dispatcher per sub-district (DSP + its code) and the command
   centre (DSP + district code), a handler per default department (HD + code);
4. plan the year and run it, 500 cases per transaction (`manage.py
   simulate_cases` writes from two processes on PostGIS, split by sub-district).
"""

import datetime as dt
import multiprocessing
import os
import queue as queue_module
import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.contrib.gis.db.models.functions import AsWKB
from django.db import connection, connections, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from apps.areas.locate import locate_many
from apps.areas.models import Community, District, Grid, SubDistrict
from apps.cases.calendar import load_calendar
from apps.cases.intake import report_case
from apps.cases.models import OPEN_STATUSES, Case, CaseEvent, Category
from apps.cases.simulation_plan import DESCRIPTIONS, CategoryInfo, World, plan_year
from apps.cases.simulation_plants import PlantError, plant_patterns
from apps.cases.workflow import WorkflowError, transition
from apps.compounds.models import Zone, ZoneAssignment
from apps.people.models import Department, Person, Role

SOURCE = Case.Source.SIMULATION
BATCH = 500  # cases per transaction: one commit per batch instead of one per transition


class SimulationError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class Result:
    created: int = 0
    existing: int = 0
    deleted: int = 0
    seconds: float = 0.0
    summary: dict = field(default_factory=dict)
    plants: dict = field(default_factory=dict)  # signal code -> numbers of the planted cases (plants=True)


def simulate(*, cases=20000, seed=410105, year=2026, until=None, clear=False, progress=False, workers=1,
             plants=False):
    """Make the simulated year unless it exists; return what was done and a summary of outcomes.

    `until` (a date) ends the period: no report and no step on or after it. None
    means today when `year` is the year in progress (no simulated case lies in the
    future) and the whole year otherwise. Everything the run decides is a function
    of (seed, year, until, cases): tests pass `until` and get the same year on any day.
    `plants` then plants a known number of each KPI-gaming pattern, a separate
    step (apps/cases/simulation_plants.py) that leaves the year's outcomes as they are.
    """
    result = Result()
    world = load_world()  # first: a missing district or categories stops the run before anything is deleted
    if clear:
        result.deleted = delete_simulated()
    result.existing = Case.objects.filter(source=SOURCE).count()
    if result.existing:
        result.summary = summarize()
        return result
    started = time.perf_counter()
    cast = ensure_cast(world)
    if until is None:
        until = default_until(year)
    plans = plan_year(world, n=cases, seed=seed, year=year, tz=timezone.get_default_timezone(), locate=locate_many,
                      until=until)
    result.created = run(plans, world, cast, progress=progress, workers=workers)
    if plants:
        tz = timezone.get_default_timezone()
        end = dt.datetime(year + 1, 1, 1, tzinfo=tz)
        if until is not None:
            end = min(end, dt.datetime.combine(until, dt.time(0, 0), tz))
        try:
            result.plants = plant_patterns(world, cast, seed=seed, start=dt.datetime(year, 1, 1, tzinfo=tz), end=end)
        except PlantError as exc:
            raise SimulationError(exc.message) from exc
    result.seconds = time.perf_counter() - started
    result.summary = summarize()
    return result


def default_until(year):
    """The demo's end of period: today for the year in progress, the whole year otherwise."""
    today = timezone.localdate()
    return today if year == today.year else None


# --- the world and the cast ------------------------------------------------------


def load_world():
    grids = list(
        Grid.objects.order_by("code").values_list(
            "id", "name", "population", "community__kind", "community__subdistrict_id", AsWKB("geom")
        )
    )
    if not grids:
        raise SimulationError(_("There are no grids: load the district first (manage.py load_district)."))
    categories = list(Category.objects.filter(active=True).order_by("code"))
    if not categories:
        raise SimulationError(_("There are no case categories: run manage.py seed_cases first."))
    departments = list(
        Department.objects.filter(pk__in={c.default_department_id for c in categories if c.default_department_id})
        .order_by("code").values_list("pk", flat=True)
    )
    if not departments:
        raise SimulationError(_("No category has a default department: check the categories in the admin."))
    # The old city: sub-districts with communities only (gis_data/README.md).
    with_villages = set(Community.objects.filter(kind=Community.Kind.VILLAGE).values_list("subdistrict_id", flat=True))
    zones = list(Zone.objects.order_by("code").values_list("id", "name", "households", AsWKB("geom")))
    cadres = {}
    for zone_id, cadre_id in ZoneAssignment.objects.filter(cadre__role=Role.ZONE_CADRE).order_by(
        "zone__code", "cadre__code"
    ).values_list("zone_id", "cadre_id"):
        cadres.setdefault(zone_id, []).append(cadre_id)
    return World(
        grid_ids=np.array([g[0] for g in grids], dtype=np.int64),
        grid_names=[g[1] for g in grids],
        grid_geoms=shapely.from_wkb([bytes(g[5]) for g in grids]),
        grid_population=np.array([g[2] for g in grids], dtype=float),
        grid_subdistrict=np.array([g[4] for g in grids], dtype=np.int64),
        grid_old_city=np.array([g[4] not in with_villages for g in grids]),
        grid_village=np.array([g[3] == Community.Kind.VILLAGE for g in grids]),
        zone_names=[z[1] for z in zones],
        zone_geoms=shapely.from_wkb([bytes(z[3]) for z in zones]) if zones else np.array([]),
        zone_households=np.array([z[2] for z in zones], dtype=float),
        zone_cadres=[cadres.get(z[0], []) for z in zones],
        categories=[
            CategoryInfo(c.pk, c.code, c.name, c.group, c.handle_hours, c.verify_hours,
                         c.default_department_id or departments[0])
            for c in categories
        ],
        departments=departments,
        calendar=load_calendar(),
    )


@dataclass
class Cast:
    grid_workers: dict  # grid id -> Person
    desks: dict  # sub-district id (None: the command centre) -> dispatcher
    handlers: dict  # department id -> Person
    cadres: dict  # person id -> Person

    def actor(self, key):
        kind, ref = key
        if kind == "desk":
            return self.desks[ref]
        if kind == "handler":
            return self.handlers[ref]
        if kind == "cadre":
            return self.cadres[ref]
        return self.grid_workers[ref]  # "patrol" and "grid_worker"


@transaction.atomic
def ensure_cast(world):
    """The people the simulation acts as, created where missing (idempotent)."""
    grids = dict(Grid.objects.values_list("pk", "code"))
    names = dict(zip(world.grid_ids.tolist(), world.grid_names))
    workers = _people(
        {f"GW{grids[g]}": dict(name=f"{names[g]}网格员"[:50], role=Role.GRID_WORKER) for g in names}
    )
    through = Person.grids.through
    through.objects.bulk_create(
        [through(person_id=workers[f"GW{grids[g]}"].pk, grid_id=g) for g in names], ignore_conflicts=True
    )
    district = District.objects.order_by("code").first()
    desk_specs = {f"DSP{district.code}": dict(name=f"{district.name}指挥中心调度员", role=Role.DISPATCHER)}
    subdistricts = list(SubDistrict.objects.order_by("code"))
    desk_specs.update({
        f"DSP{sd.code}": dict(name=f"{sd.name}调度员", role=Role.DISPATCHER, subdistrict_id=sd.pk) for sd in subdistricts
    })
    desks = _people(desk_specs)
    departments = Department.objects.in_bulk(world.departments)
    handlers = _people({
        f"HD{d.code}": dict(name=f"{d.name}处置员"[:50], role=Role.HANDLER, department_id=d.pk)
        for d in departments.values()
    })
    cadre_ids = {pk for zone in world.zone_cadres for pk in zone}
    return Cast(
        grid_workers={g: workers[f"GW{grids[g]}"] for g in names},
        desks={None: desks[f"DSP{district.code}"]} | {sd.pk: desks[f"DSP{sd.code}"] for sd in subdistricts},
        handlers={d.pk: handlers[f"HD{d.code}"] for d in departments.values()},
        cadres=Person.objects.in_bulk(cadre_ids),
    )


def _people(specs):
    """Persons by code, created from `specs` where missing; an existing one must have the role we act in."""
    existing = Person.objects.filter(code__in=specs).select_related("department")
    found = {p.code: p for p in existing}
    for code, person in found.items():
        spec = specs[code]
        if person.role != spec["role"] or person.department_id != spec.get("department_id", person.department_id):
            raise SimulationError(
                _("Person %(code)s exists as %(role)s; the simulation needs it as %(wanted)s.")
                % {"code": code, "role": person.get_role_display(), "wanted": spec["role"]}
            )
    Person.objects.bulk_create([Person(code=code, **spec) for code, spec in specs.items() if code not in found])
    # Re-read: SQLite returns no ids from bulk_create on older versions, and the FKs are wanted cached.
    return {p.code: p for p in Person.objects.filter(code__in=specs).select_related("department")}


# --- running the plan --------------------------------------------------------------


def run(plans, world, cast, *, progress=False, workers=1):
    """Run `plans` through the workflow; return the number of cases made.

    With `workers` > 1 the sub-districts are shared out between forked
    processes (a duplicate is merged within its sub-district, so each process
    holds every case it needs); each process writes its own batches.
    """
    with tqdm(total=len(plans), unit="case", disable=not progress, desc="simulating cases") as bar:
        if workers <= 1 or not parallel_allowed():
            return _run_plans(plans, world, cast, bar.update)
        return _run_parallel(split_by_subdistrict(plans, workers), world, cast, bar.update)


def _run_plans(plans, world, cast, update):
    categories = Category.objects.select_related("default_department").in_bulk([c.id for c in world.categories])
    departments = Department.objects.in_bulk(world.departments)
    cases = {}
    made = 0
    for start in range(0, len(plans), BATCH):
        batch = plans[start:start + BATCH]
        with transaction.atomic():
            for plan in batch:
                case, created = run_case(plan, world, cast, categories, departments, cases)
                cases[plan.index] = case.pk
                made += created
        update(len(batch))
    return made


def split_by_subdistrict(plans, workers):
    """`workers` lists of plans, whole sub-districts each, about equal in size, in time order."""
    sizes = Counter(plan.subdistrict_id for plan in plans)
    loads, owner = [0] * workers, {}
    for subdistrict, size in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])):
        k = loads.index(min(loads))
        owner[subdistrict] = k
        loads[k] += size
    groups = [[] for _ in range(workers)]
    for plan in plans:
        groups[owner[plan.subdistrict_id]].append(plan)
    return [group for group in groups if group]


def _run_parallel(groups, world, cast, update):
    # Forked children must not share the parent's database connection.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = [context.Process(target=_worker, args=(group, world, cast, queue), daemon=True) for group in groups]
    for process in processes:
        process.start()
    made, finished, errors = 0, 0, []
    while finished < len(processes):
        try:
            kind, value = queue.get(timeout=5)
        except queue_module.Empty:
            if not any(process.is_alive() for process in processes) and queue.empty():
                errors.append(_("a simulation process stopped without a report"))
                break
            continue
        if kind == "progress":
            update(value)
        else:
            finished += 1
            made += value if kind == "done" else 0
            if kind == "error":
                errors.append(value)
    for process in processes:
        process.join()
    if errors:
        raise SimulationError("; ".join(errors))
    return made


def _worker(plans, world, cast, queue):
    try:
        queue.put(("done", _run_plans(plans, world, cast, lambda n: queue.put(("progress", n)))))
    except Exception as exc:  # reported to the parent, which raises it as a SimulationError
        queue.put(("error", getattr(exc, "message", repr(exc))))
    finally:
        connections.close_all()


def parallel_allowed():
    """Only on PostGIS outside a transaction: SQLite has one writer, and forked
    processes would not see data the caller has not committed (a test's)."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def default_workers():
    return min(2, os.cpu_count() or 1) if parallel_allowed() else 1


def run_case(plan, world, cast, categories, departments, cases):
    template = DESCRIPTIONS[plan.index % len(DESCRIPTIONS)]
    case, created = report_case(
        by=cast.actor(plan.reporter), category=categories[plan.category.id], lon=plan.lon, lat=plan.lat,
        description=template.format(place=plan.place, what=plan.category.name), client_id=plan.client_id,
        address=plan.place, at=plan.reported_at, source=SOURCE, notify=False,
    )
    if not created:
        return case, False
    for step in plan.steps:
        params = dict(step.params)
        if "department" in params:
            params["department"] = departments[params["department"]]
            params["co_departments"] = [departments[d] for d in params.get("co_departments", ())]
        if "target" in params:
            params["target"] = Case.objects.get(pk=cases[params["target"]])
        try:
            transition(case, step.action, by=cast.actor(step.actor), note=step.note, at=step.at, notify=False,
                       calendar=world.calendar, **params)
        except WorkflowError as exc:
            raise SimulationError(
                _("Simulated case %(index)s (%(outcome)s), step %(action)s: %(message)s")
                % {"index": plan.index, "outcome": plan.outcome, "action": step.action, "message": exc.message}
            ) from exc
    return case, True


# --- clearing and counting ---------------------------------------------------------


def delete_simulated():
    """Delete the simulated cases (their events, parts, photos and notifications go with them)."""
    simulated = Case.objects.filter(source=SOURCE)
    deleted = 0
    while True:
        # A duplicate protects the case it was merged into: delete the cases nobody points at, then repeat.
        ids = list(simulated.filter(merged__isnull=True).values_list("pk", flat=True))
        if not ids:
            break
        for start in range(0, len(ids), 2000):
            with transaction.atomic():
                deleted += Case.objects.filter(pk__in=ids[start:start + 2000]).delete()[1].get(Case._meta.label, 0)
    left = simulated.count()
    if left:
        raise SimulationError(
            _("%(n)s simulated cases were not deleted: other cases are merged into them.") % {"n": left}
        )
    return deleted


def summarize():
    """Counts of the simulated cases by status, closure and the outcomes that matter to evaluation."""
    simulated = Case.objects.filter(source=SOURCE)
    events = dict(
        CaseEvent.objects.filter(case__source=SOURCE).order_by().values_list("action").annotate(n=Count("id"))
        .values_list("action", "n")
    )
    return {
        "cases": simulated.count(),
        "status": dict(simulated.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n")),
        "closure": dict(
            simulated.exclude(closure="").order_by().values_list("closure").annotate(n=Count("id"))
            .values_list("closure", "n")
        ),
        "open": simulated.filter(status__in=OPEN_STATUSES).count(),
        "reworked": simulated.filter(rework_count__gt=0).count(),
        "extended": simulated.filter(extension_count__gt=0).count(),
        "joint": simulated.filter(parts__lead=False).values("pk").distinct().count(),
        "in_zones": simulated.filter(zone__isnull=False).count(),
        "by_cadres": simulated.filter(reporter__role=Role.ZONE_CADRE).count(),
        "events": dict(sorted(events.items())),
    }

