"""Who sees what, endpoint by endpoint: the person who must see beside the one who must not.

A case outside one's area is 404 on every endpoint (nothing says it exists);
an action on a visible case that is not one's to take is 403.
"""

import io

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from apps.cases.access import cases_visible_to
from apps.cases.intake import report_case
from apps.cases.models import Case, Notification
from apps.cases.workflow import transition
from apps.people.models import Person, Role

pytestmark = pytest.mark.django_db

SEE = ["worker", "colleague", "centre", "dispatcher", "handler", "leader", "subdistrict_leader", "admin"]
NOT_SEE = ["other_worker", "other_dispatcher", "other_handler"]


def photo():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "JPEG")
    return SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def case(cast, media_root):
    """A dispatched case of the cast's grid (sub-district A), with a photo."""
    made, _ = report_case(by=cast.worker, category=cast.category, lon=cast.point()[0], lat=cast.point()[1],
                          description="路面有垃圾", photos=[photo()])
    transition(made, "register", by=cast.dispatcher)
    transition(made, "dispatch", by=cast.dispatcher, department=cast.department)
    return made


def listed(client):
    response = client.get("/api/cases/?page_size=200")
    assert response.status_code == 200
    return {row["number"] for row in response.json()["results"]}


@pytest.mark.parametrize("who", SEE)
def test_those_whose_area_holds_the_case_see_it_everywhere(cast, api_as, case, who):
    client = api_as(getattr(cast, who))
    assert case.number in listed(client)
    assert client.get(f"/api/cases/{case.number}/").status_code == 200
    photo_id = case.attachments.get().pk
    assert client.get(f"/api/cases/{case.number}/photos/{photo_id}/").status_code == 200


@pytest.mark.parametrize("who", NOT_SEE)
def test_those_outside_its_area_get_404_everywhere(cast, api_as, case, who):
    client = api_as(getattr(cast, who))
    assert case.number not in listed(client)
    assert client.get(f"/api/cases/{case.number}/").status_code == 404
    assert client.get(f"/api/cases/{case.number}/photos/{case.attachments.get().pk}/").status_code == 404
    response = client.post(f"/api/cases/{case.number}/actions/accept/", {}, format="json")
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == "dispatched"


@pytest.mark.parametrize("who", ["worker", "dispatcher", "centre", "leader", "subdistrict_leader"])
def test_an_action_on_a_visible_case_that_is_not_yours_is_403(cast, api_as, case, who):
    response = api_as(getattr(cast, who)).post(f"/api/cases/{case.number}/actions/accept/", {}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "not_your_action"
    case.refresh_from_db()
    assert (case.status, case.events.count()) == ("dispatched", 3)


def test_the_handler_of_the_department_may_accept(cast, api_as, case):
    assert api_as(cast.handler).post(f"/api/cases/{case.number}/actions/accept/", {}, format="json").json()[
        "status"] == "handling"


def test_a_photo_is_found_only_under_its_own_case(cast, api_as, case):
    other, _ = report_case(by=cast.worker, category=cast.category, lon=cast.point()[0], lat=cast.point()[1],
                           description="另一处垃圾")
    photo_id = case.attachments.get().pk
    assert api_as(cast.worker).get(f"/api/cases/{other.number}/photos/{photo_id}/").status_code == 404


def test_anonymous_and_people_with_no_area_see_nothing(cast, api_as, case):
    assert APIClient().get(f"/api/cases/{case.number}/").status_code in (401, 403)
    inspector = Person.objects.create(code="insp", name="insp", role=Role.INSPECTOR,
                                      user=User.objects.create_user("insp"))
    assert api_as(inspector).get(f"/api/cases/{case.number}/").status_code == 404
    nobody = APIClient()
    nobody.force_authenticate(User.objects.create_user("nobody"))
    assert nobody.get(f"/api/cases/{case.number}/").status_code == 404
    assert nobody.get("/api/cases/").json()["count"] == 0


def test_a_superuser_without_a_person_sees_every_case_but_acts_on_none(cast, case):
    root = APIClient()
    root.force_authenticate(User.objects.create_superuser("root", password="x"))
    assert root.get(f"/api/cases/{case.number}/").status_code == 200
    assert root.post(f"/api/cases/{case.number}/actions/accept/", {}, format="json").status_code == 403


def test_a_zone_cadre_sees_cases_in_their_zones_only(cast, api_as):
    zone = cast.cadre.zones.get()
    inside = zone.geom.point_on_surface
    in_zone, _ = report_case(by=cast.admin, category=cast.category, lon=inside.x, lat=inside.y, description="楼道堆物")
    elsewhere = cast.report(by=cast.other_worker, grid=cast.other_grid)
    client = api_as(cast.cadre)
    assert in_zone.zone == zone
    assert client.get(f"/api/cases/{in_zone.number}/").status_code == 200
    assert client.get(f"/api/cases/{elsewhere.number}/").status_code == 404
    assert listed(client) == {in_zone.number}


def test_a_grid_worker_keeps_seeing_their_own_reports_after_leaving_the_grid(cast, api_as):
    mine = cast.report()
    theirs = cast.report(by=cast.colleague)
    cast.worker.grids.set([cast.other_grid])
    client = api_as(cast.worker)
    assert client.get(f"/api/cases/{mine.number}/").status_code == 200
    assert client.get(f"/api/cases/{theirs.number}/").status_code == 404


def test_a_co_handling_department_sees_the_case_and_loses_it_when_the_return_is_approved(cast, api_as):
    case = cast.report()
    transition(case, "register", by=cast.dispatcher)
    transition(case, "dispatch", by=cast.dispatcher, department=cast.department,
               co_departments=[cast.other_department])
    assert api_as(cast.other_handler).get(f"/api/cases/{case.number}/").status_code == 200
    transition(case, "return", by=cast.handler, note="不属本部门")
    transition(case, "approve_return", by=cast.dispatcher)
    for handler in (cast.handler, cast.other_handler):
        assert api_as(handler).get(f"/api/cases/{case.number}/").status_code == 404


def test_visibility_rules_per_role(cast):
    here = cast.report()
    there = cast.report(by=cast.other_worker, grid=cast.other_grid)
    expected = {
        "worker": {here}, "colleague": {here}, "other_worker": {there}, "centre": {here, there},
        "dispatcher": {here}, "other_dispatcher": {there}, "handler": set(), "leader": {here, there},
        "subdistrict_leader": {here}, "admin": {here, there},
    }
    for who, cases in expected.items():
        assert set(cases_visible_to(getattr(cast, who))) == cases, who
    assert not cases_visible_to(None).exists()


def test_the_inbox_shows_only_your_own_notifications(cast, api_as):
    case = cast.report()
    Notification.objects.update(delivered_at=timezone.now())
    assert Notification.objects.filter(case=case, recipient=cast.dispatcher).exists()
    assert [r["case"] for r in api_as(cast.dispatcher).get("/api/inbox/").json()["results"]] == [case.number]
    assert api_as(cast.other_dispatcher).get("/api/inbox/").json()["results"] == []
    assert api_as(cast.worker).get("/api/inbox/").json()["results"] == []


def test_a_merge_target_outside_your_area_is_unknown(cast, api_as):
    case = cast.report()
    there = cast.report(by=cast.other_worker, grid=cast.other_grid)
    response = api_as(cast.dispatcher).post(f"/api/cases/{case.number}/actions/merge/", {"target": there.number},
                                            format="json")
    assert response.status_code == 400 and response.json()["field"] == "target"
    assert Case.objects.get(pk=case.pk).status == "reported"


def test_behind_nginx_the_photo_is_handed_over_only_after_the_access_check(cast, api_as, case, settings):
    settings.MEDIA_X_ACCEL = True
    attachment = case.attachments.get()
    url = f"/api/cases/{case.number}/photos/{attachment.pk}/"
    response = api_as(cast.worker).get(url)
    assert response.status_code == 200 and response["X-Accel-Redirect"] == "/media/" + attachment.file.name
    refused = api_as(cast.other_worker).get(url)
    assert refused.status_code == 404 and "X-Accel-Redirect" not in refused
