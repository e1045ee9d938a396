"""Spatial query helpers that give the same answer on PostGIS and SpatiaLite."""

from django.contrib.gis.db.models.functions import GeomOutputGeoFunc
from django.contrib.gis.geos import Polygon
from django.db import connection
from django.db.models import BooleanField, FloatField, Q, Value
from django.db.models.expressions import RawSQL

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


def within_bbox(queryset, bbox, geom="geom"):
    """Rows whose geometry intersects the bbox, boundary included, same answer on both engines.

    Not drf-gis' InBBoxFilter: SpatiaLite's MbrOverlaps misses a polygon that
    holds the whole bbox, PostGIS' && finds it (stack.md).
    """
    polygon = Polygon.from_bbox(bbox)
    polygon.srid = SRID
    return spatial_prefilter(queryset, bbox, geom).filter(**{f"{geom}__intersects": polygon})


def spatial_prefilter(queryset, bbox, geom="geom"):
    """On SpatiaLite, narrow to the R-tree candidates first.

    PostGIS' ST_Intersects uses the GiST index by itself; SpatiaLite's
    Intersects() is a plain function and would test every row. SQLite's R-tree
    rounds stored boxes outward, so it never drops a true hit. But when SQLite
    remakes a table (some migrations do) SpatiaLite disables its index and
    leaves a stale R-tree behind, so the R-tree is trusted only while
    geometry_columns says it is enabled; otherwise every row is a candidate.
    """
    if connection.vendor != "sqlite":
        return queryset
    model = queryset.model
    table, column = model._meta.db_table, model._meta.get_field(geom).column
    minx, miny, maxx, maxy = bbox
    candidates = RawSQL(
        f'SELECT pkid FROM "idx_{table}_{column}" WHERE xmin <= %s AND xmax >= %s AND ymin <= %s AND ymax >= %s',
        (maxx, minx, maxy, miny),
    )
    index_off = RawSQL(
        "NOT EXISTS (SELECT 1 FROM geometry_columns WHERE f_table_name = %s AND f_geometry_column = %s"
        " AND spatial_index_enabled = 1)",
        (table.lower(), column.lower()),
        output_field=BooleanField(),
    )
    return queryset.filter(Q(pk__in=candidates) | Q(index_off))
