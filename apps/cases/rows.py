"""The case list's rows as plain dicts: CaseSerializer's JSON at a fraction of its cost.

The dispatch desk draws up to 1,000 cases at once. Through CaseSerializer each
row is a model instance, a GEOS point parsed from WKB and some thirty DRF
fields: 1,000 rows took 340 ms where one SQL query fetching them takes 35 ms
(bench/bench_cases.py --only desk). Here the database hands back plain values,
the point as two numbers (ST_X/ST_Y), and Python builds the dicts with DRF's
own datetime formatting. CaseSerializer stays the contract (and the OpenAPI
schema); tests/cases/test_case_rows.py holds the two outputs equal.
"""

from rest_framework import serializers

from django.utils import timezone

from apps.areas.spatial import PointX, PointY
from apps.cases.borders import with_rule_text
from apps.cases.calendar import WorkingClock, load_calendar
from apps.cases.models import Status
from apps.cases.timeleft import time_left

# In CaseSerializer.Meta.fields order; the point is split into lon and lat.
COLUMNS = (
    "number", "status", "source", "category__code", "category__name", "category__group", "description", "address",
    PointX("point"), PointY("point"), "grid__code", "grid__name", "community__code", "community__name",
    "subdistrict__code", "subdistrict__name", "department__code", "department__name", "unroutable", "reported_at",
    "dispatched_at", "handle_deadline", "handled_at", "verify_deadline", "closed_at", "closure", "warning",
    "rework_count", "extension_count", "version", "near_border", "border",
)


def case_rows(cases, *, calendar=None, now=None):
    """CaseSerializer(cases, many=True).data as a list of dicts, in one query over the same queryset
    (and the working calendar's two, unless `calendar` is given).

    `cases` may be sliced (a page). Datetimes go through DRF's DateTimeField
    and labels through the active language, as the serializer does; `time_left`
    is counted at `now` (default: the clock).
    """
    clock = WorkingClock(calendar or load_calendar())
    now = now or timezone.now()
    # DRF's own formatting; the zone it would look up for each value (a context-local read) is looked up once.
    when = serializers.DateTimeField(default_timezone=serializers.DateTimeField().default_timezone()).to_representation
    labels = {value: str(label) for value, label in Status.choices}
    rows = []
    for (
        number, status, source, category_code, category_name, category_group, description, address, x, y,
        grid_code, grid_name, community_code, community_name, subdistrict_code, subdistrict_name,
        department_code, department_name, unroutable, reported_at, dispatched_at, handle_deadline, handled_at,
        verify_deadline, closed_at, closure, warning, rework_count, extension_count, version, near_border, border,
    ) in cases.values_list(*COLUMNS):
        rows.append({
            "number": number,
            "status": status,
            "status_display": labels.get(status, status),
            "source": source,
            "category": {"code": category_code, "name": category_name, "group": category_group},
            "description": description,
            "address": address,
            "lon": round(x, 7),
            "lat": round(y, 7),
            "grid": {"code": grid_code, "name": grid_name},
            "community": {"code": community_code, "name": community_name},
            "subdistrict": {"code": subdistrict_code, "name": subdistrict_name},
            "department": None if department_code is None else {"code": department_code, "name": department_name},
            "unroutable": bool(unroutable),
            "reported_at": when(reported_at),
            "dispatched_at": when(dispatched_at),
            "handle_deadline": when(handle_deadline),
            "handled_at": when(handled_at),
            "verify_deadline": when(verify_deadline),
            "closed_at": when(closed_at),
            "closure": closure,
            "warning": warning,
            "rework_count": rework_count,
            "extension_count": extension_count,
            "version": version,
            "time_left": time_left(clock, now, status, handle_deadline, verify_deadline),
            "near_border": bool(near_border),
            "border": with_rule_text(border) if near_border and border else None,
        })
    return rows


class CaseRows:
    """Cases as Django's Paginator wants them: counted as the queryset, a page sliced into case_rows.

    A page costs two queries, the count and its rows, whatever its length.
    """

    def __init__(self, cases):
        self.cases = cases

    def count(self):
        return self.cases.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("CaseRows is read by pages: slice it")
        return case_rows(self.cases[index])
