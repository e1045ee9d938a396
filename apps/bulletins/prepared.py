"""The bulletin's queries, compiled by the ORM once with slots for the period's dates and moments.

The whole-district bulletin spent more Python time building and compiling its
queries (the case counts are a GROUP BY with a dozen conditional counts) than
PostgreSQL took to answer them. As on the other hot paths (`apps.areas.compiled`,
README "Hot paths"), each query is built and compiled once per database engine
with stand-in values where a period's dates, moments and row ids go, and each
bulletin runs that SQL with its own values through the ORM's converters. The
SQL is exactly what the ORM would run; a stand-in the ORM rewrote or dropped
while compiling is an error at compile time, not a wrong figure.

A builder must use its arguments as they are and build the same shape of
query whatever their values: a value worked out from one (the moment after a
day, the earlier of two days) would be compiled in as a constant, so it is a
slot of its own (`end_moment`, `lower` in apps.bulletins.compute).

`apps.areas.compiled.Slot` stands for texts and numbers passed as they are;
dates and datetimes are prepared by their fields (adapted per engine: kept on
PostgreSQL, turned into UTC text on SQLite), so their stand-ins are dates and
moments of 1901 that no bulletin asks about, matched after the same adaptation;
a row id's stand-in is a negative number no row takes (as `IdSlot`'s).
"""

import datetime as dt
import threading

from django.core.exceptions import EmptyResultSet
from django.db import connection


def _stand_in(kind, index):
    if kind == "date":
        return dt.date(1901, 1, 1) + dt.timedelta(days=index)
    if kind == "datetime":
        return dt.datetime(1901, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(minutes=index)
    if kind == "id":
        return -1_999_998_000 - index  # in every integer column's range, apart from IdSlot's
    raise ValueError(f"a slot is a date, a datetime or an id, not {kind!r}")


def _adapted(kind, value):
    """`value` as the ORM passes a date or datetime field's value to this database."""
    if kind == "date":
        return connection.ops.adapt_datefield_value(value)
    if kind == "id":
        return int(value)
    return connection.ops.adapt_datetimefield_value(value)


class Prepared:
    """A values() queryset made by `build(**slots)`, compiled once per engine, run with `rows(**values)`.

    `slots` names each argument of `build` and its kind ("date", "datetime" or "id").
    `rows` gives the dicts iterating the queryset would give for those values.
    """

    def __init__(self, build, **slots):
        self.build = build
        self.slots = slots
        self._compiled = {}
        self._lock = threading.Lock()

    def compile(self):
        """(sql, template, names, converters) for this engine; template holds slot names where values go."""
        vendor = connection.vendor
        if vendor not in self._compiled:
            with self._lock:
                if vendor not in self._compiled:
                    self._compiled[vendor] = self._compile()
        return self._compiled[vendor]

    def _compile(self):
        stand_ins = {name: _stand_in(kind, i) for i, (name, kind) in enumerate(sorted(self.slots.items()))}
        queryset = self.build(**stand_ins)
        query = queryset.query
        compiler = query.get_compiler(connection=connection)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            raise RuntimeError(f"stand-ins made the query empty: {sorted(self.slots)!r}") from None
        by_value = {_adapted(self.slots[name], value): name for name, value in stand_ins.items()}
        template, found = [], set()
        for param in params:
            if isinstance(param, (dt.date, str, int)) and not isinstance(param, bool) and param in by_value:
                template.append(_Slot(by_value[param]))
                found.add(by_value[param])
            else:
                template.append(param)
        missing = sorted(set(self.slots) - found)
        if missing:
            raise RuntimeError(f"stand-ins lost in compilation: {missing!r}")
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        if len(names) != len(compiler.select):
            raise RuntimeError("a values() queryset is needed: its columns are not its values")
        converters = compiler.get_converters([expression for expression, _sql, _alias in compiler.select])
        return sql, tuple(template), tuple(names), converters

    def rows(self, **values):
        """The queryset's rows (dicts) for these values of its slots."""
        if set(values) != set(self.slots):
            raise TypeError(f"give exactly the slots {sorted(self.slots)!r}")
        sql, template, names, converters = self.compile()
        params = [_adapted(self.slots[p.name], values[p.name]) if isinstance(p, _Slot) else p for p in template]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        result = []
        for row in fetched:
            row = list(row)
            for position, (functions, expression) in converters.items():
                for convert in functions:
                    row[position] = convert(row[position], expression, connection)
            result.append(dict(zip(names, row)))
        return result


class _Slot:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name
