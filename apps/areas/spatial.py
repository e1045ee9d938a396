"""Spatial query helpers that give the same answer on PostGIS and SpatiaLite."""

from django.contrib.gis.db.models.functions import GeomOutputGeoFunc
from django.db import connection
from django.db.models import BooleanField, F, FloatField, Func, Value
from django.db.models.expressions import Expression, RawSQL

from apps.areas.models import SRID


class SimplifyPreserveTopology(GeomOutputGeoFunc):
    """ST_SimplifyPreserveTopology (PostGIS) / SimplifyPreserveTopology (SpatiaLite).

    Django ships no simplify function; both engines keep every ring valid.
    """

    function = "ST_SimplifyPreserveTopology"

    def __init__(self, expression, tolerance, **extra):
        super().__init__(expression, Value(float(tolerance), output_field=FloatField()), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="SimplifyPreserveTopology", **extra_context)


class Intersects(Expression):
    """True where the geometry intersects a shape made of numbers, boundary included.

    The numbers go to the database as they are (no geometry adapter), so a query
    can be compiled once with placeholders in their stead and run again with
    other numbers (apps.areas.compiled, apps.areas.geojson). Subclasses name the
    shape's SQL on each engine, with %%s for the numbers and %d for the SRID.
    """

    output_field = BooleanField()
    postgis = spatialite = ""

    def __init__(self, geom, numbers):
        super().__init__()
        self.geom = F(geom) if isinstance(geom, str) else geom
        self.numbers = tuple(numbers)

    def get_source_expressions(self):
        return [self.geom]

    def set_source_expressions(self, exprs):
        (self.geom,) = exprs

    def as_sql(self, compiler, connection):
        geom_sql, geom_params = compiler.compile(self.geom)
        if connection.vendor == "sqlite":
            template = "Intersects(%s, " + self.spatialite + ") > 0"
        else:
            template = "ST_Intersects(%s, " + self.postgis + ")"
        return template % (geom_sql, SRID), (*geom_params, *self.numbers)


class IntersectsBBox(Intersects):
    """ST_Intersects(geom, ST_MakeEnvelope(minx, miny, maxx, maxy))."""

    postgis = "ST_MakeEnvelope(%%s, %%s, %%s, %%s, %d)"
    spatialite = "BuildMbr(%%s, %%s, %%s, %%s, %d)"

    def __init__(self, geom, bbox):
        super().__init__(geom, bbox)


class IntersectsPoint(Intersects):
    """ST_Intersects(geom, the point (lon, lat)): `locate` compiles its query once."""

    postgis = "ST_SetSRID(ST_MakePoint(%%s, %%s), %d)"
    spatialite = "MakePoint(%%s, %%s, %d)"

    def __init__(self, geom, lon, lat):
        super().__init__(geom, (lon, lat))


def within_bbox(queryset, bbox, geom="geom"):
    """Rows whose geometry intersects the bbox, boundary included, same answer on both engines.

    Not drf-gis' InBBoxFilter: SpatiaLite's MbrOverlaps misses a polygon that
    holds the whole bbox, PostGIS' && finds it (stack.md).
    """
    return spatial_prefilter(queryset, bbox, geom).filter(IntersectsBBox(geom, bbox))


def spatial_prefilter(queryset, bbox, geom="geom"):
    """On SpatiaLite, narrow to the R-tree candidates first.

    PostGIS' ST_Intersects uses the GiST index by itself; SpatiaLite's
    Intersects() is a plain function and would test every row. SQLite's R-tree
    rounds stored boxes outward, so it never drops a true hit. But when SQLite
    remakes a table (some migrations do) SpatiaLite disables its index and
    leaves a stale R-tree behind, so the R-tree is trusted only while
    geometry_columns says it is enabled; otherwise every row is a candidate.

    Both branches sit inside one `pk IN (... UNION ALL ...)`: SQLite then looks
    the candidates up by rowid. Written as `pk IN (R-tree) OR index off`, the
    same test made SQLite walk the whole table (EXPLAIN QUERY PLAN: SCAN, not
    SEARCH ... rowid=?), which grows with the table, not with the answer.
    """
    if connection.vendor != "sqlite":
        return queryset
    model = queryset.model
    table, column = model._meta.db_table, model._meta.get_field(geom).column
    pk = model._meta.pk.column
    minx, miny, maxx, maxy = bbox
    enabled = (
        "EXISTS (SELECT 1 FROM geometry_columns WHERE f_table_name = %s AND f_geometry_column = %s"
        " AND spatial_index_enabled = 1)"
    )
    names = (table.lower(), column.lower())
    candidates = RawSQL(
        f'SELECT pkid FROM "idx_{table}_{column}" WHERE xmin <= %s AND xmax >= %s AND ymin <= %s AND ymax >= %s'
        f" AND {enabled} UNION ALL SELECT \"{pk}\" FROM \"{table}\" WHERE NOT {enabled}",
        (maxx, minx, maxy, miny, *names, *names),
    )
    return queryset.filter(pk__in=candidates)


class PointX(Func):
    """The longitude of a point as a number: ST_X (PostGIS) / X (SpatiaLite), no geometry to parse in Python."""

    function = "ST_X"
    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="X", **extra_context)


class PointY(Func):
    """The latitude of a point as a number: ST_Y (PostGIS) / Y (SpatiaLite)."""

    function = "ST_Y"
    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="Y", **extra_context)
