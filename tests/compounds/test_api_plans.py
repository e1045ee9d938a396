"""/api/compounds/plans/ and /api/compounds/assignments/: who may plan, the bodies, each refusal."""

from io import StringIO

import pytest
import yaml
from celery_helpers import use_broker
from django.core.management import call_command
from plans_cast import client_of, in_force_plan, key_of, move, scene, users, english  # noqa: F401  (fixtures)

from apps.compounds import assignment_plans, tasks, zone_plans
from apps.compounds.models import AssignmentPlan, Compound, PlanStatus, Zone, ZonePlan, ZonePlanItem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens there: the broker is down


@pytest.fixture(autouse=True)
def broker_down():
    """Every publish in these tests meets a stopped broker; the API must answer regardless."""
    with use_broker(DEAD_BROKER):
        yield
    tasks.wait_published()


def post(user, url, body=None):
    return client_of(user).post(url, body or {}, format="json")


# --- asking for a draft -----------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("administrator", 202),
        ("superuser", 202),
        ("dispatcher_of_home", 202),
        ("leader_of_home", 202),
        ("dispatcher_of_other", 404),
        ("centre", 403),
        ("grid_worker", 403),
        ("cadre", 403),
        ("no_person", 403),
    ],
)
def test_who_may_ask_for_a_draft_of_a_community(users, scene, who, status, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(users[who], "/api/compounds/plans/", {"community": scene.code, "target": 2})
    assert response.status_code == status, response.content
    if status == 202:
        body = response.json()
        assert body["status"] == "queued" and body["progress"] == 0
        assert body["url"] == f"/api/compounds/plans/{body['id']}/"
        assert ZonePlan.objects.get(pk=body["id"]).status == PlanStatus.QUEUED  # waits for the sweeper
    else:
        assert set(response.json()) >= {"detail", "code"}
        assert not ZonePlan.objects.exists()


def test_anonymous_requests_are_refused(scene):
    from rest_framework.test import APIClient

    assert APIClient().post("/api/compounds/plans/", {"community": scene.code}, format="json").status_code in (401, 403)
    assert APIClient().get("/api/compounds/plans/").status_code in (401, 403)


def test_sub_district_staff_must_name_a_community(users):
    response = post(users["dispatcher_of_home"], "/api/compounds/plans/", {"target": 10})
    assert response.status_code == 403 and response.json()["code"] == "scope"
    assert not ZonePlan.objects.exists()


def test_an_administrator_may_ask_for_the_whole_district(users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post(users["administrator"], "/api/compounds/plans/", {"target": 281})
    assert response.status_code == 202
    assert len(callbacks) == 1  # the job is published on commit, from a thread of its own
    assert ZonePlan.objects.get(pk=response.json()["id"]).community is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"community": "4101050010", "target": 2}, "community"),
        ({"community": 410105001001}, "community"),
        ({"target": 2, "cap": 400}, "cap"),
        ({"target": -1}, "target"),
        ({"band": -200}, "band"),
        ({"target": 100000}, "target"),
    ],
)
def test_bad_input_is_refused_by_name_and_nothing_is_written(users, body, field):
    response = post(users["administrator"], "/api/compounds/plans/", body)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field and response.json()["detail"]
    assert not ZonePlan.objects.exists()


def test_a_json_list_is_not_a_request(users):
    response = client_of(users["administrator"]).post("/api/compounds/plans/", [1, 2], format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


# --- reading drafts -----------------------------------------------------------------


@pytest.fixture
def drafts(users, scene):
    """A ready draft of the scene's community and one of the district, by the administrator."""
    return {
        "community": zone_plans.make_zone_plan(scene, {"target": 2}, by=users["administrator"]),
        "district": in_force_plan(None),
    }


@pytest.mark.parametrize(
    ("who", "community", "district"),
    [
        ("administrator", 200, 200),
        ("superuser", 200, 200),
        ("dispatcher_of_home", 200, 404),
        ("leader_of_home", 200, 404),
        ("dispatcher_of_other", 404, 404),
        ("centre", 403, 403),
        ("grid_worker", 403, 403),
        ("cadre", 403, 403),
    ],
)
def test_who_may_read_which_draft(users, drafts, who, community, district):
    client = client_of(users[who])
    assert client.get(f"/api/compounds/plans/{drafts['community'].pk}/").status_code == community
    assert client.get(f"/api/compounds/plans/{drafts['district'].pk}/").status_code == district
    assert client.get(f"/api/compounds/plans/{drafts['community'].pk}/compounds/").status_code == community
    assert client.get(f"/api/compounds/plans/{drafts['district'].pk}/zones/").status_code == district


def test_the_list_holds_my_areas_drafts_newest_first(users, drafts, django_assert_num_queries):
    with django_assert_num_queries(1):  # the drafts with scope and author (the person comes with the login)
        admin = client_of(users["administrator"]).get("/api/compounds/plans/").json()
    assert [d["id"] for d in admin] == [drafts["district"].pk, drafts["community"].pk]
    home = client_of(users["dispatcher_of_home"]).get("/api/compounds/plans/").json()
    assert [d["id"] for d in home] == [drafts["community"].pk]
    assert home[0]["scope"]["community"] == drafts["community"].community.code
    assert home[0]["created_by"] == "p-admin"
    assert client_of(users["dispatcher_of_other"]).get("/api/compounds/plans/").json() == []
    assert client_of(users["grid_worker"]).get("/api/compounds/plans/").status_code == 403


def test_a_draft_in_full(users, drafts, scene):
    body = client_of(users["dispatcher_of_home"]).get(f"/api/compounds/plans/{drafts['community'].pk}/").json()
    assert body["status"] == "ready" and body["progress"] == 100 and body["error"] == ""
    assert body["scope"]["community"] == scene.code
    assert body["params"]["target"] == 2
    assert body["report"]["zones"] == 2 and body["report_in_force"]["zones"] == Zone.objects.filter(community=scene).count()
    assert body["actions"] == ["move", "replan", "apply", "discard"]
    assert {z["key"] for z in body["zones"]} == {f"{scene.code}:01", f"{scene.code}:02"}
    assert sum(z["compounds"] for z in body["zones"]) == Compound.objects.filter(community=scene).count()
    assert set(body["diff"]) == {"moved", "kept", "new", "gone"}
    in_force = set(Zone.objects.filter(community=scene).values_list("code", flat=True))
    assert set(body["diff"]["gone"]) | set(body["diff"]["kept"]) == in_force
    for zone in body["zones"]:
        assert zone["code"].startswith(f"Z{scene.code}")


def test_the_drafts_compounds_and_zones_as_geojson(users, drafts, scene, django_assert_max_num_queries):
    client = client_of(users["administrator"])
    with django_assert_max_num_queries(12):
        compounds = client.get(f"/api/compounds/plans/{drafts['community'].pk}/compounds/").json()
    assert compounds["type"] == "FeatureCollection"
    assert len(compounds["features"]) == Compound.objects.filter(community=scene).count()
    first = compounds["features"][0]
    assert first["geometry"]["type"] == "MultiPolygon"
    assert set(first["properties"]) == {"code", "name", "households", "community_code", "zone", "zone_code",
                                        "zone_in_force"}
    compound = Compound.objects.select_related("zone").get(code=first["properties"]["code"])
    assert first["properties"]["zone_in_force"] == compound.zone.code
    assert first["properties"]["zone"] == key_of(drafts["community"], compound)
    with django_assert_max_num_queries(12):
        zones = client.get(f"/api/compounds/plans/{drafts['community'].pk}/zones/").json()
    assert len(zones["features"]) == 2
    assert {f["properties"]["households"] for f in zones["features"]} <= {
        z["households"] for z in client.get(f"/api/compounds/plans/{drafts['community'].pk}/").json()["zones"]
    }


# --- editing, applying, discarding ----------------------------------------------------------


def test_move_through_the_api_answers_the_updated_draft(users, move):
    community, compound, source, target = move
    plan = in_force_plan(community)
    key = key_of(plan, Compound.objects.filter(zone=target).first())
    response = post(users["administrator"], f"/api/compounds/plans/{plan.pk}/move/", {"compound": compound.code, "zone": key})
    assert response.status_code == 200, response.content
    body = response.json()
    assert [m["compound"] for m in body["diff"]["moved"]] == [compound.code]
    assert body["diff"]["moved"][0]["from_zone"] == source.code


def test_move_to_another_community_is_refused_with_400(users, move):
    community, compound, _source, _target = move
    plan = in_force_plan(None)
    foreign = key_of(plan, Compound.objects.exclude(community=community).order_by("code").first())
    response = post(users["administrator"], f"/api/compounds/plans/{plan.pk}/move/",
                    {"compound": compound.code, "zone": foreign})
    assert response.status_code == 400
    assert response.json()["code"] == "crossing" and compound.code in response.json()["detail"]


def test_move_of_an_unknown_compound_is_refused_by_name(users, move):
    community, *_ = move
    plan = in_force_plan(community)
    response = post(users["administrator"], f"/api/compounds/plans/{plan.pk}/move/",
                    {"compound": "C000000000000000", "zone": f"{community.code}:01"})
    assert response.status_code == 400 and response.json()["field"] == "compound"
    assert "C000000000000000" in response.json()["detail"]
    assert "未知楼院" in response.json()["detail"]  # the interface's language (Chinese unless switched)


def test_replan_through_the_api(users, scene):
    plan = in_force_plan(scene)
    response = post(users["leader_of_home"], f"/api/compounds/plans/{plan.pk}/replan/",
                    {"community": scene.code, "zones": 1})
    assert response.status_code == 200, response.content
    assert [z["key"] for z in response.json()["zones"]] == [f"{scene.code}:01"]
    refused = post(users["leader_of_home"], f"/api/compounds/plans/{plan.pk}/replan/",
                   {"community": scene.code, "zones": 500})
    assert refused.status_code == 400 and refused.json()["field"] == "zones"


def test_apply_through_the_api_then_a_stale_draft_gets_409(users, move):
    community, compound, _source, target = move
    first, second = in_force_plan(community), in_force_plan(community)
    for plan in (first, second):
        zone_plans.move_compound(plan, compound, key_of(plan, Compound.objects.filter(zone=target).first()), by=None)
    applied = post(users["dispatcher_of_home"], f"/api/compounds/plans/{first.pk}/apply/")
    assert applied.status_code == 200, applied.content
    assert applied.json()["status"] == "applied" and applied.json()["actions"] == []
    assert applied.json()["outcome"]["retired"]
    stale = post(users["administrator"], f"/api/compounds/plans/{second.pk}/apply/")
    assert stale.status_code == 409 and stale.json()["code"] == "zones_changed"


def test_apply_of_a_draft_breaking_a_rule_gets_400_and_writes_nothing(users, move):
    community, compound, *_ = move
    plan = in_force_plan(None)
    elsewhere = Compound.objects.exclude(community=community).order_by("code").first()
    ZonePlanItem.objects.filter(plan=plan, compound=compound).update(zone_key=key_of(plan, elsewhere))
    zones = sorted(Zone.objects.values_list("pk", "code"))
    response = post(users["administrator"], f"/api/compounds/plans/{plan.pk}/apply/")
    assert response.status_code == 400 and response.json()["code"] == "hard_rule"
    assert sorted(Zone.objects.values_list("pk", "code")) == zones


def test_sub_district_staff_cannot_touch_another_sub_districts_draft(users, scene):
    plan = in_force_plan(scene)
    for action in ("move", "replan", "apply", "discard"):
        assert post(users["dispatcher_of_other"], f"/api/compounds/plans/{plan.pk}/{action}/").status_code == 404
        assert post(users["grid_worker"], f"/api/compounds/plans/{plan.pk}/{action}/").status_code == 403
    plan.refresh_from_db()
    assert plan.status == PlanStatus.READY


def test_discard_then_nothing_more(users, scene):
    plan = in_force_plan(scene)
    response = post(users["dispatcher_of_home"], f"/api/compounds/plans/{plan.pk}/discard/")
    assert response.status_code == 200 and response.json()["status"] == "discarded"
    assert post(users["dispatcher_of_home"], f"/api/compounds/plans/{plan.pk}/discard/").status_code == 409
    assert post(users["dispatcher_of_home"], f"/api/compounds/plans/{plan.pk}/apply/").status_code == 409


# --- assignment drafts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("administrator", 202),
        ("superuser", 202),
        ("dispatcher_of_home", 403),
        ("leader_of_home", 403),
        ("centre", 403),
        ("grid_worker", 403),
        ("cadre", 403),
    ],
)
def test_only_administrators_ask_for_an_assignment(users, who, status, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(users[who], "/api/compounds/assignments/", {"max_per_department": 2})
    assert response.status_code == status, response.content
    assert AssignmentPlan.objects.count() == (1 if status == 202 else 0)


def test_assignment_drafts_are_hidden_outside_the_district_planners(users):
    plan = AssignmentPlan.objects.create(params=assignment_plans.ASSIGN_DEFAULTS, status=PlanStatus.QUEUED)
    assert client_of(users["administrator"]).get(f"/api/compounds/assignments/{plan.pk}/").status_code == 200
    assert client_of(users["dispatcher_of_home"]).get(f"/api/compounds/assignments/{plan.pk}/").status_code == 404
    assert client_of(users["grid_worker"]).get(f"/api/compounds/assignments/{plan.pk}/").status_code == 403
    assert post(users["dispatcher_of_home"], f"/api/compounds/assignments/{plan.pk}/discard/").status_code == 404
    assert post(users["administrator"], f"/api/compounds/assignments/{plan.pk}/apply/").status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"per_zone": 0}, "per_zone"),
        ({"per_zone": 6}, "per_zone"),  # 1,405 cadres cannot fill 281 zones with six
        ({"max_per_department": "two"}, "max_per_department"),
        ({"minimax": "yes"}, "minimax"),
    ],
)
def test_bad_assignment_input_is_refused_by_name(users, body, field):
    response = post(users["administrator"], "/api/compounds/assignments/", body)
    assert response.status_code == 400 and response.json()["field"] == field
    assert not AssignmentPlan.objects.exists()


# --- the schema -----------------------------------------------------------------------------


def test_every_endpoint_is_in_the_schema_with_its_refusals(capsys):
    out = StringIO()
    call_command("spectacular", "--validate", stdout=out)
    # No warning of ours (tests/api/test_api_schema.py fails on anyone's).
    assert "api_plans" not in capsys.readouterr().err
    paths = yaml.safe_load(out.getvalue())["paths"]
    create = paths["/api/compounds/plans/"]["post"]["responses"]
    assert {"202", "400", "403", "404"} <= set(create)
    apply = paths["/api/compounds/plans/{id}/apply/"]["post"]["responses"]
    assert {"200", "400", "403", "404", "409"} <= set(apply)
    for path in ("/api/compounds/plans/{id}/", "/api/compounds/plans/{id}/compounds/", "/api/compounds/plans/{id}/zones/",
                 "/api/compounds/plans/{id}/move/", "/api/compounds/plans/{id}/replan/",
                 "/api/compounds/plans/{id}/discard/", "/api/compounds/assignments/",
                 "/api/compounds/assignments/{id}/", "/api/compounds/assignments/{id}/apply/",
                 "/api/compounds/assignments/{id}/discard/"):
        assert path in paths, path
