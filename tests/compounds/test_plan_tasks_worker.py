"""A real Celery worker on a Redis of the test's own computes a draft asked for through the API.

The worker is a separate process on the test database (PostGIS, or SpatiaLite in
a file: GRIDGOV_TEST_SQLITE_FILE); every wait polls the database with a deadline,
and the fixtures' teardown stops the worker and the redis-server.
"""

import pytest
from celery_helpers import broker, use_broker, wait_for, worker, worker_db  # noqa: F401 (fixtures)
from plans_cast import client_of, person

from apps.areas.models import Community
from apps.compounds import tasks
from apps.compounds.models import Compound, PlanStatus, ZonePlan
from apps.people.models import Role

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WAIT = 60  # seconds; a community's draft takes well under one here


def test_a_draft_asked_for_on_the_page_is_computed_by_the_worker(district, worker, broker):
    community = Community.objects.filter(compounds__isnull=False).order_by("code").first()
    admin = person("P-W-ADMIN", Role.ADMINISTRATOR)
    with use_broker(broker.url):
        response = client_of(admin).post("/api/compounds/plans/", {"community": community.code, "target": 1},
                                         format="json")
        assert tasks.wait_published()
    assert response.status_code == 202, response.content
    plan = ZonePlan.objects.get(pk=response.json()["id"])
    ready = wait_for(lambda: ZonePlan.objects.get(pk=plan.pk).status in (PlanStatus.READY, PlanStatus.FAILED), WAIT)
    assert ready, f"worker log:\n{worker.log()[-3000:]}"
    plan.refresh_from_db()
    assert plan.status == PlanStatus.READY, plan.error
    assert plan.progress == 100
    assert plan.items.count() == Compound.objects.filter(community=community).count()
    assert set(plan.items.values_list("zone_key", flat=True)) == {f"{community.code}:01"}
