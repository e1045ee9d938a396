"""SQL compiled by the ORM once, then run many times with other values.

Building and compiling a queryset costs Python time on every request (0.3-2 ms
for a query with joins and subqueries), often more than the database takes to
answer it. Hot queries compile once per shape, with slots where a request's
values go, and each request runs that SQL with its own values. The SQL is
exactly what the ORM would have run; a slot the ORM rewrote while compiling
(and would so answer another question) is an error at compile time.
"""

import functools

from django.core.exceptions import EmptyResultSet
from django.db import connection


class Slot(str):
    """Stands in for a text or number passed to the database as it is (no field preparation)."""

    @classmethod
    def named(cls, name):
        return cls(f"\0{name}\0")  # no real parameter value holds a NUL


class IdSlot(int):
    """Stands in for a row id in a lookup the ORM prepares as an integer (e.g. person_id=...).

    A negative number no row id takes (the ORM turns a value out of the
    column's range into "no rows"), one per name: `named` gives the same
    slot for the same name.
    """

    _slots = {}

    @classmethod
    def named(cls, name):
        if name not in cls._slots:
            slot = cls(-1_999_999_000 - len(cls._slots))  # in every integer column's range
            slot.name = name
            cls._slots.setdefault(name, slot)
        return cls._slots[name]


def compiled(queryset, slots):
    """(sql, params) of `queryset`, checking every slot survived compilation."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a slot made the ORM decide "no rows" without asking
        raise RuntimeError(f"placeholders made the query empty: {list(slots)!r}") from None
    present = {p for p in params if isinstance(p, (str, int))}
    missing = [s for s in slots if s not in present]
    if missing:
        raise RuntimeError(f"placeholders lost in compilation: {missing!r}")
    return sql, tuple(params)


def fill(template, values):
    """The template's params with each slot replaced by its value from `values` ({slot: value})."""
    return [values.get(p, p) if isinstance(p, (str, int)) else p for p in template]


@functools.lru_cache(maxsize=64)
def one_row_sql(vendor, model, related, lookups):
    """(sql, params, columns) of model.filter(lookups with slots) with `related` joined; see `fetch_one`."""
    slots = {lookup: Slot.named(lookup) for lookup in lookups}
    columns = [(path, f.attname) for path, m in paths_of(model, related) for f in m._meta.concrete_fields]
    names = [f"{path}__{attname}" if path else attname for path, attname in columns]
    sql, params = compiled(model._default_manager.filter(**slots).values_list(*names)[:1], slots.values())
    return sql, params, tuple(columns)


def paths_of(model, related):
    """[("", model), (path, related model), ...] for to-one paths like "user__person"."""
    found = [("", model)]
    for path in related:
        target = model
        for name in path.split("__"):
            target = target._meta.get_field(name).related_model
        found.append((path, target))
    return found


def fetch_one(model, lookups, related=()):
    """The row of `model` matching `lookups` ({lookup: value}, a unique key), its to-one `related` paths
    cached on it as select_related would (None where there is no row), or None; whole instances.

    The ORM compiles the query once per engine and shape; each call runs that SQL
    with its own values and builds the instances with `from_db`.
    """
    sql, template, columns = one_row_sql(connection.vendor, model, tuple(related), tuple(sorted(lookups)))
    with connection.cursor() as cursor:
        cursor.execute(sql, fill(template, {Slot.named(k): v for k, v in lookups.items()}))
        row = cursor.fetchone()
    if row is None:
        return None
    values = {}
    for (path, attname), value in zip(columns, row):
        values.setdefault(path, {})[attname] = value
    instances = {}
    for path, target in paths_of(model, related):
        fields = {name: converted(target, name, value) for name, value in values[path].items()}
        instances[path] = instance_of(target, fields)
        if path:
            parent_path, _, name = path.rpartition("__")
            parent = instances[parent_path]
            if parent is not None:
                parent._meta.get_field(name).set_cached_value(parent, instances[path])
    return instances[""]


def instance_of(model, values):
    """An instance of `model` from {attname: value} as read, the fields not read deferred; None without a pk."""
    if values.get(model._meta.pk.attname) is None:
        return None
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]  # from_db's order
    return model.from_db(connection.alias, names, [values[n] for n in names])


def converted(model, attname, value):
    """A raw database value as the model field holds it (SQLite's booleans and datetimes come back raw)."""
    field = next(f for f in model._meta.concrete_fields if f.attname == attname)
    col = field.get_col(model._meta.db_table)
    for converter in connection.ops.get_db_converters(col) + col.get_db_converters(connection):
        value = converter(value, col, connection)
    return value
