"""Keep SpatiaLite's R-tree indexes on after migrations.

Django remakes a SQLite table to add a constraint or alter a column; on
SpatiaLite the remade table's geometry column comes back registered with
`spatial_index_enabled = 0`, so every spatial filter on it scans the table
(seen here on areas_subdistrict, areas_community and compounds_zone after a
fresh `migrate`). After each migrate we re-create any index left disabled.
"""

from django.db import connections


def restore_spatial_indexes(using="default", **kwargs):
    connection = connections[using]
    if connection.vendor != "sqlite" or not getattr(connection.ops, "spatialite", False):
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT f_table_name, f_geometry_column FROM geometry_columns WHERE spatial_index_enabled = 0"
        )
        disabled = cursor.fetchall()
        restored = []
        for table, column in disabled:
            if table.startswith("iso_") or table.startswith("sql_"):
                continue  # SpatiaLite's own metadata tables
            cursor.execute(f'DROP TABLE IF EXISTS "idx_{table}_{column}"')
            cursor.execute("SELECT CreateSpatialIndex(%s, %s)", [table, column])
            restored.append(f"{table}.{column}")
    return restored
