"""Every geometry column is spatially indexed after migrate, on both databases."""

import pytest
from django.apps import apps
from django.contrib.gis.db.models import GeometryField
from django.db import connection

pytestmark = pytest.mark.django_db


def geometry_tables():
    return sorted(
        (model._meta.db_table, field.column)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, GeometryField)
    )


def test_every_geometry_column_has_a_working_spatial_index():
    tables = geometry_tables()
    assert ("areas_community", "geom") in tables
    with connection.cursor() as cursor:
        for table, column in tables:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT count(*) FROM pg_indexes WHERE tablename = %s AND indexdef ILIKE %s",
                    [table, f"%USING gist ({column}%"],
                )
                assert cursor.fetchone()[0] == 1, table
            else:
                cursor.execute(
                    "SELECT spatial_index_enabled FROM geometry_columns WHERE f_table_name = %s AND f_geometry_column = %s",
                    [table, column],
                )
                assert cursor.fetchone()[0] == 1, table
