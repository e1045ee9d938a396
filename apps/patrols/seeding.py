"""Sample check-ins for the sample district: deterministic, plausible, made through `check_in`.

What is made is a function of (seed, weeks, until) and the zones and cadres in
the database, never of the clock or of what ran before: each planned check-in
carries a client id derived from its zone, week and rank, so a second run
returns the rows the first one made (the verb answers a known client id with
its row) and writes nothing.

Plausible: most zones are patrolled most weeks, by one to three of their five
cadres, on working days between 08:00 and 18:00, a few zones are neglected
(patrolled one week in three), and a point now and then lies just outside the
zone (a gate, the street in front), never more than 60 m out.
"""

import datetime as dt
import random
import uuid
from dataclasses import dataclass

import numpy as np
import shapely
from django.db import transaction
from django.utils import timezone
from pyproj import Transformer

from apps.areas.models import METRIC_SRID, SRID
from apps.compounds.models import Zone, ZoneAssignment
from apps.patrols.checkin import check_in
from apps.patrols.models import Patrol
from apps.patrols.weeks import week_of

NAMESPACE = uuid.UUID("5d0b7a8e-6a39-4c1c-9f3e-2f6a1d0c4b71")
DEFAULT_SEED = 410105
NEGLECTED_SHARE = 0.12  # zones patrolled about one week in three
DILIGENT_VISIT = 0.93  # chance a zone is visited in a week
NEGLECTED_VISIT = 0.33
OUTSIDE_SHARE = 0.08  # check-ins taken just outside the zone (<= 60 m)


@dataclass(frozen=True)
class PlannedPatrol:
    client_id: uuid.UUID
    zone: str
    cadre: str
    at: dt.datetime
    lon: float
    lat: float
    accuracy: float


_TO_METRIC = Transformer.from_crs(SRID, METRIC_SRID, always_xy=True)
_TO_DEGREES = Transformer.from_crs(METRIC_SRID, SRID, always_xy=True)
CANDIDATES = 64  # random points tried at once; a zone fills at least a few percent of its bounding box


def _metric_shape(geom):
    """The zone as a prepared shapely geometry in metres, and its easternmost vertex."""
    shape = shapely.transform(shapely.from_wkb(bytes(geom.wkb)),
                              lambda xy: np.column_stack(_TO_METRIC.transform(xy[:, 0], xy[:, 1])))
    shapely.prepare(shape)
    coords = shapely.get_coordinates(shape)
    east = coords[coords[:, 0].argmax()]
    return shape, (float(east[0]), float(east[1]))


def _point_in(zone, rng, outside):
    """(lon, lat) of a random point inside the zone, or 5-60 m east of its easternmost vertex.

    The zone comes from `_metric_shape`. Shapely and pyproj work on arrays: a
    GEOS call per candidate point through GeoDjango took minutes for 281 zones.
    """
    shape, (ex, ey) = zone
    if outside:
        # A spot on the street in front: east of the easternmost vertex, exactly that far out.
        x, y = ex + rng.uniform(5, 60), ey
    else:
        xmin, ymin, xmax, ymax = shape.bounds
        x = y = None
        for _round in range(8):
            xs = np.array([rng.uniform(xmin, xmax) for _ in range(CANDIDATES)])
            ys = np.array([rng.uniform(ymin, ymax) for _ in range(CANDIDATES)])
            inside = np.flatnonzero(shapely.contains_xy(shape, xs, ys))
            if inside.size:
                x, y = float(xs[inside[0]]), float(ys[inside[0]])
                break
        if x is None:
            p = shape.point_on_surface()
            x, y = p.x, p.y
    lon, lat = _TO_DEGREES.transform(x, y)
    return round(lon, 7), round(lat, 7)


def plan_patrols(zones, *, weeks, until, seed=DEFAULT_SEED):
    """The check-ins to make: a list of PlannedPatrol, sorted by time.

    zones: [(code, geometry in EPSG:4326, [cadre codes])] in any order.
    The `weeks` ISO weeks ending with the one holding the day before `until`;
    nothing on or after `until`.
    """
    last_day = until - dt.timedelta(days=1)
    last = week_of(last_day)
    week_list = [last.previous(i) for i in reversed(range(weeks))]
    planned = []
    for code, geom, cadres in sorted(zones, key=lambda z: z[0]):
        if not cadres:
            continue
        rng = random.Random(f"{seed}:{code}")
        neglected = rng.random() < NEGLECTED_SHARE
        metric = _metric_shape(geom)
        cadres = sorted(cadres)
        for week in week_list:
            wrng = random.Random(f"{seed}:{code}:{week.code}")
            if wrng.random() >= (NEGLECTED_VISIT if neglected else DILIGENT_VISIT):
                continue
            visitors = wrng.sample(cadres, k=min(len(cadres), wrng.choice((1, 1, 2, 2, 3))))
            rank = 0
            for cadre in visitors:
                for _visit in range(wrng.choice((1, 1, 1, 2))):
                    day = week.monday + dt.timedelta(days=wrng.randrange(5 if wrng.random() < 0.85 else 7))
                    if day > last_day:
                        continue
                    moment = dt.datetime.combine(day, dt.time(wrng.randrange(8, 18), wrng.randrange(60),
                                                              wrng.randrange(60)))
                    lon, lat = _point_in(metric, wrng, wrng.random() < OUTSIDE_SHARE)
                    planned.append(PlannedPatrol(
                        client_id=uuid.uuid5(NAMESPACE, f"{seed}:{code}:{week.code}:{rank}"),
                        zone=code, cadre=cadre, at=timezone.make_aware(moment), lon=lon, lat=lat,
                        accuracy=round(wrng.uniform(4, 35), 1),
                    ))
                    rank += 1
    planned.sort(key=lambda p: (p.at, p.zone, str(p.client_id)))
    return planned


def zones_for_seeding():
    """[(zone code, geometry, [cadre codes])] of every zone in force."""
    cadres = {}
    for zone_id, code in ZoneAssignment.objects.values_list("zone_id", "cadre__code"):
        cadres.setdefault(zone_id, []).append(code)
    return [(z.code, z.geom, cadres.get(z.pk, [])) for z in Zone.objects.only("code", "geom")]


@dataclass(frozen=True)
class SeedResult:
    planned: int
    created: int


def seed_patrols(*, weeks, until, seed=DEFAULT_SEED):
    """Make the planned check-ins through `check_in`; known ones are returned, not made again."""
    from apps.people.models import Person

    planned = plan_patrols(zones_for_seeding(), weeks=weeks, until=until, seed=seed)
    known = set(Patrol.objects.filter(client_id__in=[p.client_id for p in planned]).values_list("client_id",
                                                                                                 flat=True))
    todo = [p for p in planned if p.client_id not in known]
    zones = {z.code: z for z in Zone.objects.filter(code__in={p.zone for p in todo}).only("code", "name",
                                                                                          "community_id")}
    people = {c.code: c for c in Person.objects.filter(code__in={p.cadre for p in todo})}
    created = 0
    with transaction.atomic():
        for p in todo:
            _patrol, made = check_in(by=people[p.cadre], zone=zones[p.zone], lon=p.lon, lat=p.lat,
                                     accuracy=p.accuracy, client_id=p.client_id, at=p.at)
            created += made
    return SeedResult(planned=len(planned), created=created)
