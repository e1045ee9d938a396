"""SQL compiled by the ORM once, then run many times with other values.

Building and compiling a queryset costs Python time on every request (0.3-2 ms
for a query with joins and subqueries), often more than the database takes to
answer it. Hot queries compile once per shape, with slots where a request's
values go, and each request runs that SQL with its own values. The SQL is
exactly what the ORM would have run; a slot the ORM rewrote while compiling
(and would so answer another question) is an error at compile time.
"""


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
    sql, params = queryset.query.sql_with_params()
    present = {p for p in params if isinstance(p, (str, int))}
    missing = [s for s in slots if s not in present]
    if missing:
        raise RuntimeError(f"placeholders lost in compilation: {missing!r}")
    return sql, tuple(params)


def fill(template, values):
    """The template's params with each slot replaced by its value from `values` ({slot: value})."""
    return [values.get(p, p) if isinstance(p, (str, int)) else p for p in template]
