"""Reports close to an area border: both candidates, the rule that chose one, and re-routing.

A report is placed in the lowest-code grid holding its point (apps.areas.locate).
When the point lies within GRIDGOV_BORDER_M metres (default 30) of another grid
(and so maybe of another community or sub-district) or of a zone's edge, the
case keeps both candidates in `Case.border` and is flagged `near_border`, so the
dispatcher sees that the choice was close and can move the case in one action
(`reroute` in apps/cases/workflow.py). A point near the district's outer edge
has no other candidate and is not near a border.

Cost: the report's one place query (`locate(extra=...)`) asks two more yes/no
questions of the same row, both narrowed by the spatial index first: is another
grid within the distance, and is a zone edge of the grid's community within it.
Only a report that answers yes to either pays for the details (`describe`: two
small queries, compiled once).

Distances are in metres in EPSG:4547 (METRIC_SRID), the same on PostGIS and
SpatiaLite. Candidates are narrowed first by a box in degrees that holds every
point within the distance (see METRES_PER_DEGREE_FLOOR).
"""

import functools

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, Exists, FloatField, Func, OuterRef, Subquery
from django.db.models.expressions import Expression, F
from django.utils.translation import gettext as _

from apps.areas.compiled import IdSlot, compiled, fill, instance_of
from apps.areas.models import METRIC_SRID, SRID, Grid
from apps.compounds.models import Zone

# The distance in metres, a slot of the compiled place query (locate(..., border_m=...)).
BORDER_M = IdSlot.named("border_m")
# Narrowing box: a degree of latitude is at least 110,574 m and a degree of longitude 111,320 m x
# cos(latitude), so no direction has fewer than 110,574 x cos(latitude) metres per degree; 1% off
# for the projection's scale. A point within `m` metres is within m / that many degrees.
METRES_PER_DEGREE_FLOOR = 0.99 * 110574.0


def _radius(y, y_params, metres):
    """(sql, params) of the narrowing radius in degrees at latitude `y` for `metres`."""
    return f"(%s / ({METRES_PER_DEGREE_FLOOR} * cos(radians({y}))))", (metres, *y_params)
LEVELS = ("subdistrict", "community", "grid", "zone")


def border_metres():
    """The configured distance (settings.GRIDGOV_BORDER_M); 0 turns the border test off."""
    return float(getattr(settings, "GRIDGOV_BORDER_M", 30) or 0)


class _NearPoint(Expression):
    """An expression about a geometry and a point given as numbers (lon, lat: values or slots, sent
    as they are so a compiled query keeps its slots) or as a point expression (`point=`, e.g.
    OuterRef("point") in a bulk query over cases)."""

    def __init__(self, geom, lon=None, lat=None, *, point=None):
        super().__init__()
        self.geom = F(geom) if isinstance(geom, str) else geom
        self.lon, self.lat, self.point = lon, lat, point

    def get_source_expressions(self):
        return [self.geom] if self.point is None else [self.geom, self.point]

    def set_source_expressions(self, exprs):
        if self.point is None:
            (self.geom,) = exprs
        else:
            self.geom, self.point = exprs

    def point_sql(self, compiler, connection):
        """(point geometry, x, y) as (sql, params) pairs."""
        sqlite = connection.vendor == "sqlite"
        if self.point is None:
            geom = (f"MakePoint(%s, %s, {SRID})" if sqlite else f"ST_SetSRID(ST_MakePoint(%s, %s), {SRID})",
                    (self.lon, self.lat))
            return geom, ("%s", (self.lon,)), ("%s", (self.lat,))
        sql, params = compiler.compile(self.point)
        x, y = ("X", "Y") if sqlite else ("ST_X", "ST_Y")
        return (sql, tuple(params)), (f"{x}({sql})", tuple(params)), (f"{y}({sql})", tuple(params))

    def metres_sql(self, compiler, connection, geom_sql, geom_params, edge):
        transform = "Transform" if connection.vendor == "sqlite" else "ST_Transform"
        shape = f"{transform}({geom_sql}, {METRIC_SRID})"
        if edge:
            shape = f"ST_Boundary({shape})"
        (point, point_params), _x, _y = self.point_sql(compiler, connection)
        return (f"ST_Distance({shape}, {transform}({point}, {METRIC_SRID}))",
                (*geom_params, *point_params))


class MetresToPoint(_NearPoint):
    """Distance in metres (EPSG:4547) from a geometry, or its edge (`edge=True`), to the point."""

    output_field = FloatField()

    def __init__(self, geom, lon=None, lat=None, edge=False, *, point=None):
        super().__init__(geom, lon, lat, point=point)
        self.edge = edge

    def as_sql(self, compiler, connection):
        geom_sql, geom_params = compiler.compile(self.geom)
        return self.metres_sql(compiler, connection, geom_sql, geom_params, self.edge)


class CloseToPoint(_NearPoint):
    """True where the geometry (or its edge) comes within `metres` of the point: a cheap degree box
    test first (ST_DWithin in degrees on PostGIS, which uses the GiST index; an MBR test on
    SpatiaLite), so the metric distance is computed for a few rows only."""

    output_field = BooleanField()

    def __init__(self, geom, lon=None, lat=None, metres=None, edge=False, *, point=None):
        super().__init__(geom, lon, lat, point=point)
        self.metres, self.edge = metres, edge

    def as_sql(self, compiler, connection):
        geom_sql, geom_params = compiler.compile(self.geom)
        (point, point_params), (x, x_params), (y, y_params) = self.point_sql(compiler, connection)
        m = self.metres
        d, r = _radius(y, y_params, m)
        if connection.vendor == "sqlite":
            box = f"MbrIntersects({geom_sql}, BuildMbr({x} - {d}, {y} - {d}, {x} + {d}, {y} + {d}, {SRID})) = 1"
            box_params = (*geom_params, *x_params, *r, *y_params, *r, *x_params, *r, *y_params, *r)
        else:
            box = f"ST_DWithin({geom_sql}, {point}, {d})"
            box_params = (*geom_params, *point_params, *r)
        distance_sql, distance_params = self.metres_sql(compiler, connection, geom_sql, geom_params, self.edge)
        return f"({box} AND {distance_sql} <= %s)", (*box_params, *distance_params, m)


class InRtreeBox(_NearPoint):
    """SpatiaLite: the row's id is among the R-tree entries whose box meets the narrowing box around
    the point (as apps.areas.spatial.spatial_prefilter: every row while the index is disabled).
    Always true on PostGIS, whose ST_DWithin uses the GiST index by itself."""

    output_field = BooleanField()

    def __init__(self, model, lon=None, lat=None, metres=None, *, point=None):
        super().__init__(F("pk"), lon, lat, point=point)
        self.model, self.metres = model, metres

    def as_sql(self, compiler, connection):
        if connection.vendor != "sqlite":
            return "TRUE", ()
        pk_sql, pk_params = compiler.compile(self.geom)
        _point, (x, x_params), (y, y_params) = self.point_sql(compiler, connection)
        model = self.model
        table, column, pk = model._meta.db_table, model._meta.get_field("geom").column, model._meta.pk.column
        enabled = ("EXISTS (SELECT 1 FROM geometry_columns WHERE f_table_name = %s AND f_geometry_column = %s"
                   " AND spatial_index_enabled = 1)")
        names = (table.lower(), column.lower())
        d, r = _radius(y, y_params, self.metres)
        sql = (f'{pk_sql} IN (SELECT pkid FROM "idx_{table}_{column}" WHERE xmin <= {x} + {d} AND xmax >= {x} - {d}'
               f" AND ymin <= {y} + {d} AND ymax >= {y} - {d} AND {enabled}"
               f' UNION ALL SELECT "{pk}" FROM "{table}" WHERE NOT {enabled})')
        params = (*pk_params, *x_params, *r, *x_params, *r, *y_params, *r, *y_params, *r, *names, *names)
        return sql, params


def other_grids(lon, lat, metres, exclude, *, point=None):
    """Grids other than `exclude` (an id or OuterRef) within `metres` of the point, nearest first
    (then lowest code)."""
    near = {"lon": lon, "lat": lat, "point": point}
    grids = Grid.objects.exclude(pk=exclude).filter(
        InRtreeBox(Grid, metres=metres, **near), CloseToPoint("geom", metres=metres, **near)
    )
    if point is not None and connection.vendor == "sqlite":
        # SQLite resolves no outer column in a subquery's ORDER BY: keep the grids at the least
        # distance (a subquery one level further down, so its outer references go two levels up).
        deeper = {"lon": None, "lat": None, "point": OuterRef(point)}
        least = (
            Grid.objects.exclude(pk=OuterRef(exclude))
            .filter(InRtreeBox(Grid, metres=metres, **deeper), CloseToPoint("geom", metres=metres, **deeper))
            .order_by()
            .values(least=Func(MetresToPoint("geom", **deeper), function="MIN", output_field=FloatField()))
        )
        return grids.alias(border_distance=MetresToPoint("geom", **near)).filter(
            border_distance__lte=Subquery(least)).order_by("code")
    return grids.annotate(border_distance=MetresToPoint("geom", **near)).order_by("border_distance", "code")


def border_here(lon, lat):
    """Annotations of the report's grid row (`locate(extra=...)`): whether another grid, and whether a
    zone edge of the grid's community, lies within the distance.

    Yes/no only, no "nearest": ordering by distance here made PostgreSQL keep re-planning the
    prepared place query (its generic plan looked dear), +0.8 ms on every report; the nearest is
    found by the details query, which only near-border reports run.
    """
    near = {"lon": lon, "lat": lat, "metres": BORDER_M}
    other_grids_near = Grid.objects.exclude(pk=OuterRef("pk")).filter(
        InRtreeBox(Grid, **near), CloseToPoint("geom", **near)
    )
    zone_edges = Zone.objects.filter(community_id=OuterRef("community_id")).filter(
        CloseToPoint("geom", edge=True, **near)
    )
    return {"border_grid": Exists(other_grids_near), "border_zone": Exists(zone_edges)}


# --- the details, for a report that is near a border -----------------------------------------------


def area(obj):
    return None if obj is None else {"id": obj["id"], "code": obj["code"], "name": obj["name"]}


GRID_FACTS = ("id", "code", "name", "community_id", "community__code", "community__name",
              "community__subdistrict_id", "community__subdistrict__code", "community__subdistrict__name",
              "border_distance", "rule_level", "rule_department_id", "rule_department_code", "rule_department_name")


# Both detail queries are compiled once per engine (apps.areas.compiled), with slots for the point,
# the distance, the communities and the category: building them with the ORM on every near-border
# report cost more than running them.
COMMUNITY_A, COMMUNITY_B = IdSlot.named("border_community_a"), IdSlot.named("border_community_b")
ZONE_FACTS = ("id", "code", "name", "community_id", "edge_m", "inside")


@functools.lru_cache(maxsize=8)
def grid_facts_sql(vendor):
    from apps.areas.locate import LAT, LON
    from apps.cases.routing import CATEGORY, duty_rule_here

    rows = (
        Grid.objects.filter(InRtreeBox(Grid, LON, LAT, BORDER_M), CloseToPoint("geom", LON, LAT, BORDER_M))
        .annotate(border_distance=MetresToPoint("geom", LON, LAT), **duty_rule_here(LON, LAT))
        .order_by()  # sorted in Python: an ORDER BY on the distance keeps PostgreSQL re-planning
        .values_list(*GRID_FACTS)
    )
    return compiled(rows, (LON, LAT, BORDER_M, CATEGORY))


@functools.lru_cache(maxsize=8)
def zones_near_sql(vendor):
    from apps.areas.locate import LAT, LON
    from apps.areas.spatial import IntersectsPoint

    rows = (
        Zone.objects.filter(community_id__in=[COMMUNITY_A, COMMUNITY_B])
        .filter(CloseToPoint("geom", LON, LAT, BORDER_M))
        .annotate(edge_m=MetresToPoint("geom", LON, LAT, edge=True), inside=IntersectsPoint("geom", LON, LAT))
        .values_list(*ZONE_FACTS)
        .order_by()  # sorted in Python, as the grids
    )
    return compiled(rows, (COMMUNITY_A, COMMUNITY_B, LON, LAT, BORDER_M))


def _run(sql_and_template, values):
    sql, template = sql_and_template
    with connection.cursor() as cursor:
        cursor.execute(sql, fill(template, values))
        return cursor.fetchall()


def _grid_facts(lon, lat, category, metres):
    """The grids within `metres` of the point (the one holding it first, at 0 m), nearest first (then
    lowest code): each one's areas, distance and the department its duty rule gives for `category`
    (asked as a new report asks it: routing.duty_rule_here), in one query."""
    from apps.areas.locate import LAT, LON
    from apps.cases.routing import CATEGORY, explain
    from apps.people.models import Department

    rows = _run(grid_facts_sql(connection.vendor), {LON: lon, LAT: lat, BORDER_M: metres, CATEGORY: category.pk})
    rows.sort(key=lambda row: (row[GRID_FACTS.index("border_distance")], row[1]))  # nearest, then lowest code
    facts = []
    for r in (dict(zip(GRID_FACTS, row)) for row in rows):
        department = instance_of(Department, {"id": r["rule_department_id"], "code": r["rule_department_code"],
                                              "name": r["rule_department_name"]})
        names = {"grid": r["name"], "community": r["community__name"],
                 "subdistrict": r["community__subdistrict__name"]}
        facts.append({
            "grid": {"id": r["id"], "code": r["code"], "name": r["name"]},
            "community": {"id": r["community_id"], "code": r["community__code"], "name": r["community__name"]},
            "subdistrict": {"id": r["community__subdistrict_id"], "code": r["community__subdistrict__code"],
                            "name": r["community__subdistrict__name"]},
            "distance_m": float(r["border_distance"]),
            "department": department_of(explain(category, r["rule_level"], department, names)),
        })
    return facts


def _zones_near(community_ids, lon, lat, metres):
    """Zones of these communities whose edge is within `metres` of the point or that hold it:
    [{id, code, name, community_id, edge_m, inside}], nearest edge first."""
    from apps.areas.locate import LAT, LON

    a, b = (list(community_ids) * 2)[:2]
    rows = _run(zones_near_sql(connection.vendor), {COMMUNITY_A: a, COMMUNITY_B: b, LON: lon, LAT: lat,
                                                    BORDER_M: metres})
    rows.sort(key=lambda row: (row[4], row[1]))  # nearest edge, then lowest code
    return [dict(zip(ZONE_FACTS, row[:4]), edge_m=float(row[4]), inside=bool(row[5])) for row in rows]


def department_of(suggestion):
    d = suggestion.department
    return None if d is None else {"code": d.code, "name": d.name, "level": suggestion.level}


def describe(*, lon, lat, category, chosen_grid_id, chosen_zone_id, metres):
    """The `Case.border` JSON for a point in `chosen_grid_id` (and zone `chosen_zone_id`, or None)
    near a border, or {} when a closer look finds none. The other candidate is the nearest other
    grid within `metres` (then the lowest code), else the other side of a zone edge.
    """
    grids = _grid_facts(lon, lat, category, metres)
    chosen = next((g for g in grids if g["grid"]["id"] == chosen_grid_id), None)
    if chosen is None:  # the grid no longer holds the point (its boundary moved)
        return {}
    other = next((g for g in grids if g["grid"]["id"] != chosen_grid_id), None)
    communities = {chosen["community"]["id"]} | ({other["community"]["id"]} if other else set())
    zones = _zones_near(communities, lon, lat, metres)
    by_id = {z["id"]: z for z in zones}
    chosen_zone = by_id.get(chosen_zone_id)
    if chosen_zone_id and chosen_zone is None:  # holds the point, so it is within any distance
        z = Zone.objects.filter(pk=chosen_zone_id).values("id", "code", "name", "community_id").first()
        chosen_zone = dict(z, edge_m=None, inside=True) if z else None
    place = {k: chosen[k] for k in ("grid", "community", "subdistrict")}
    place["zone"] = area(chosen_zone)
    place["department"] = chosen["department"]
    if other is not None:
        # Another grid within reach: the other candidate is that grid, and the zone of its
        # community nearest the point (none if no zone edge of it is within reach).
        near = [z for z in zones if z["community_id"] == other["community"]["id"] and z["edge_m"] <= metres]
        other_zone = near[0] if near else None
        if other["community"]["id"] == chosen["community"]["id"]:
            other_zone = chosen_zone
        candidate = {k: other[k] for k in ("grid", "community", "subdistrict")}
        candidate["zone"] = area(other_zone)
        candidate["department"] = other["department"]
        levels = ["grid"]
        if other["community"]["id"] != chosen["community"]["id"]:
            levels.append("community")
        if other["subdistrict"]["id"] != chosen["subdistrict"]["id"]:
            levels.append("subdistrict")
        distance = other["distance_m"]
        rule = {"kind": "grid_on_border" if distance < 0.05 else "grid_inside",
                "chosen": place["grid"]["name"], "other": candidate["grid"]["name"]}
    else:
        # Same grid; a zone edge within reach: the other candidate is the other side of that edge.
        own = [z for z in zones if z["community_id"] == chosen["community"]["id"] and z["edge_m"] <= metres]
        if not own:
            return {}
        if chosen_zone is not None:
            others = [z for z in own if z["id"] != chosen_zone["id"]]
            if chosen_zone.get("edge_m") is not None and chosen_zone["edge_m"] <= metres:
                edge = chosen_zone["edge_m"]
            elif others:
                edge = others[0]["edge_m"]
            else:
                return {}
            other_zone = others[0] if others else None
            rule = {"kind": "zone_inside", "chosen": chosen_zone["name"],
                    "other": other_zone["name"] if other_zone else None}
        else:
            other_zone = own[0]
            edge = other_zone["edge_m"]
            rule = {"kind": "zone_outside", "chosen": None, "other": other_zone["name"]}
        candidate = {k: chosen[k] for k in ("grid", "community", "subdistrict")}
        candidate["zone"] = area(other_zone)
        candidate["department"] = chosen["department"]
        levels = []
        distance = edge
    if (place["zone"] or {}).get("id") != (candidate["zone"] or {}).get("id"):
        levels.append("zone")
    distance = round(float(distance), 1)
    rule["distance_m"] = distance
    return {
        "levels": [level for level in LEVELS if level in levels],
        "distance_m": distance,
        "threshold_m": metres,
        "chosen": place,
        "other": candidate,
        "rule": rule,
        "rule_text": rule_text(rule),
    }


def rule_text(rule):
    """The rule that chose the place, in the reader's language."""
    kind, n = rule.get("kind"), rule.get("distance_m")
    values = {"chosen": rule.get("chosen"), "other": rule.get("other"), "n": n}
    if kind == "grid_inside":
        return _("The point lies inside grid %(chosen)s (point in polygon); grid %(other)s is %(n)s m away.") % values
    if kind == "grid_on_border":
        return _("The point lies on the border of grids %(chosen)s and %(other)s; the grid with the lower code, "
                 "%(chosen)s, takes it.") % values
    if kind == "zone_inside" and rule.get("other"):
        return _("The point lies inside zone %(chosen)s (point in polygon), %(n)s m from zone %(other)s.") % values
    if kind == "zone_inside":
        return _("The point lies inside zone %(chosen)s (point in polygon), %(n)s m from its edge; outside it "
                 "the case belongs to no zone.") % values
    if kind == "zone_outside":
        return _("The point lies in no zone (point in polygon); zone %(other)s is %(n)s m away.") % values
    if kind == "reroute":
        return _("Rerouted by %(by)s from %(from)s to %(to)s.") % {
            "by": rule.get("by") or "", "from": rule.get("from") or "", "to": rule.get("to") or ""}
    return ""


def with_rule_text(border):
    """`border` with its rule spoken in the active language (stored text is the reporter's)."""
    if not border:
        return {}
    return {**border, "rule_text": rule_text(border.get("rule") or {})}


def border_of_report(where, category, lon, lat):
    """(near_border, border JSON) for a new report from its place query's answers."""
    extra = where.extra
    if not extra.get("border_grid") and not extra.get("border_zone"):
        return False, {}
    border = describe(
        lon=float(lon), lat=float(lat), category=category, chosen_grid_id=where.grid.pk,
        chosen_zone_id=extra.get("zone_id"), metres=border_metres(),
    )
    return bool(border), border


def place_label(place):
    """"grid name / zone name" of a candidate, for events and rule text."""
    parts = [place["grid"]["name"]]
    if place.get("zone"):
        parts.append(place["zone"]["name"])
    return " / ".join(parts)


def border_panel(case, person):
    """The case page's border notice: both candidates, the rule, and the reroute button when the
    reader may take it (the dispatcher of the case's current area, in a status that allows it)."""
    from django.urls import reverse

    from apps.cases.workflow import TRANSITIONS, available, may_act

    if not case.near_border or not case.border:
        return None
    border = with_rule_text(case.border)
    reroute = None
    if (case.status, "reroute") in TRANSITIONS and available(case, "reroute") and may_act(person, case, "reroute"):
        other = border["other"]
        reroute = {
            "url": reverse("api-case-action", args=[case.number, "reroute"]),
            "version": case.version,
            "grid": other["grid"]["code"],
            "zone": (other.get("zone") or {}).get("code") or "",
            "label": place_label(other),
        }
    return {**border, "reroute": reroute}
