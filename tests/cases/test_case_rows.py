"""The case list's fast rows (apps/cases/rows.py) are CaseSerializer's JSON, row for row, at constant queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from rest_framework.renderers import JSONRenderer

from apps.cases.models import OPEN_STATUSES, Case, Category
from apps.cases.rows import case_rows
from apps.cases.serializers import LIST_RELATED, CaseSerializer

pytestmark = pytest.mark.django_db

ORDER = ("-reported_at", "-id")


def serialized(cases):
    """What the list sent before rows.py: the serializer over model instances."""
    return CaseSerializer(cases.select_related(*LIST_RELATED), many=True).data


def same_json(rows, data):
    # Bytes, not just ==: True == 1 and 1.0 == 1 would hide a change of type in the JSON.
    assert rows == data
    assert JSONRenderer().render(rows) == JSONRenderer().render(data)


@pytest.fixture
def variety(cast, walk):
    """Cases in every shape a row takes: each status with its dates, deadlines, closure and department."""
    cases = [walk(status) for status in (
        "reported", "registered", "rejected", "merged", "dispatched", "handling", "extension_requested", "pending",
        "handled", "closed",
    )]
    nobody = Category.objects.create(code="Z9901", name="无人负责的类别", kind="event", group="测试类")
    unroutable = cast.report(category=nobody, address="文化路与农业路交叉口东北角")
    assert unroutable.unroutable and unroutable.department_id is None
    cases.append(unroutable)
    cases.append(cast.report(by=cast.other_worker, grid=cast.other_grid, at=timezone.now() - dt.timedelta(days=3)))
    late = walk("handling")
    Case.objects.filter(pk=late.pk).update(handle_deadline=timezone.now() - dt.timedelta(hours=1), warning="red")
    cases.append(late)
    return cases


@pytest.mark.parametrize("zone,language", [(None, "zh-hans"), ("UTC", "en"), ("America/New_York", "zh-hans")])
def test_rows_are_what_the_serializer_sends(variety, zone, language):
    cases = Case.objects.order_by(*ORDER)
    assert cases.count() >= len(variety)
    with translation.override(language), timezone.override(zone or timezone.get_default_timezone()):
        same_json(case_rows(cases), serialized(cases))
        # A page, as the paginator slices it.
        same_json(case_rows(cases[3:9]), serialized(cases[3:9]))
    shapes = {(r["status"], r["department"] is None, r["closure"], r["unroutable"]) for r in case_rows(cases)}
    assert {("closed", False, "on_time", False), ("merged", True, "", False), ("reported", True, "", True)} <= shapes


def test_the_list_sends_the_serializers_rows_in_its_order_and_envelope(cast, api_as, variety):
    centre = api_as(cast.centre)
    everything = Case.objects.order_by(*ORDER)
    first = centre.get("/api/cases/?page_size=4").json()
    assert list(first) == ["count", "next", "previous", "results"]
    assert first["count"] == everything.count() and first["previous"] is None and "page=2" in first["next"]
    same_json(first["results"], serialized(everything[:4]))
    second = centre.get("/api/cases/?page_size=4&page=2").json()
    same_json(second["results"], serialized(everything[4:8]))
    open_ = centre.get("/api/cases/?queue=open&ordering=handle_deadline&page_size=1000").json()
    expected = everything.filter(status__in=OPEN_STATUSES).order_by("handle_deadline", "-reported_at")
    assert 0 < expected.count() < everything.count()
    same_json(open_["results"], serialized(expected))
    assert open_["next"] is None


def test_a_page_of_five_and_a_page_of_fifty_cost_the_same_queries(cast, api_as, walk):
    centre = api_as(cast.centre)
    for status in ("reported", "dispatched", "closed"):
        walk(status)
    for _ in range(9):
        cast.report()
    with CaptureQueriesContext(connection) as five:
        assert len(centre.get("/api/cases/?page_size=5").json()["results"]) == 5
    with CaptureQueriesContext(connection) as fifty:
        body = centre.get("/api/cases/?page_size=50").json()
    assert len(body["results"]) == Case.objects.count() == 12
    # person, count, the working calendar's periods and days (time_left), rows
    assert len(five.captured_queries) == len(fifty.captured_queries) <= 5
