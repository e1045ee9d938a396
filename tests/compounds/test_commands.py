"""manage.py plan_zones and assign_cadres: the report, --json, --apply (idempotent), clear errors."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from plans_cast import offices, scene, english  # noqa: F401  (fixtures)

from apps.compounds.models import AssignmentPlan, Compound, PlanStatus, Zone, ZoneAssignment, ZonePlan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_plan_zones_prints_the_report_beside_the_zones_in_force_and_applies_nothing(scene):
    zones = sorted(Zone.objects.values_list("pk", "code"))
    out, err = run("plan_zones", "--community", scene.code, "--target", "2")
    assert f"community {scene.code}" in out
    assert "load coefficient of variation" in out and "in force" in out
    assert "Not applied (use --apply)." in out
    assert "zoning" in err  # the progress bar goes to stderr
    assert sorted(Zone.objects.values_list("pk", "code")) == zones
    assert ZonePlan.objects.get().status == PlanStatus.READY  # the draft stays, for the page


def test_plan_zones_json(scene):
    out, _err = run("plan_zones", "--community", scene.code, "--cap", "2000", "--json", "--verbosity", "0")
    body = json.loads(out)
    assert body["status"] == "ready" and body["params"]["cap"] == 2000
    assert body["report"]["crossings"] == 0 and "load_cv" in body["report_in_force"]
    assert set(body["diff"]) == {"moved", "kept", "new", "gone"}


def test_plan_zones_apply_twice_changes_nothing_the_second_time(scene):
    out, _err = run("plan_zones", "--community", scene.code, "--target", "1", "--apply")
    assert "Applied:" in out
    assert Zone.objects.filter(community=scene).count() == 1
    after_first = (sorted(Zone.objects.values_list("pk", "code", "households")),
                   sorted(Compound.objects.values_list("pk", "zone_id")),
                   sorted(ZoneAssignment.objects.values_list("zone_id", "cadre_id")))
    out, _err = run("plan_zones", "--community", scene.code, "--target", "1", "--apply")
    assert "already match this plan: nothing changed" in out
    assert (sorted(Zone.objects.values_list("pk", "code", "households")),
            sorted(Compound.objects.values_list("pk", "zone_id")),
            sorted(ZoneAssignment.objects.values_list("zone_id", "cadre_id"))) == after_first


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--community", "410105999999"], "No community with code '410105999999'"),
        (["--community", "{scene}", "--target", "500"], "cannot make 500 zones"),
        (["--target", "2"], "too few"),
        (["--band", "-1"], "band"),
    ],
)
def test_plan_zones_errors_name_what_is_at_fault_and_write_nothing(scene, args, words):
    args = [a.replace("{scene}", scene.code) for a in args]
    with pytest.raises(CommandError) as refused:
        run("plan_zones", *args, "--verbosity", "0")
    assert words in str(refused.value)
    if "500" in words:
        assert scene.name in str(refused.value)
    assert not ZonePlan.objects.exists()


def test_plan_zones_refuses_target_and_cap_together(scene):
    with pytest.raises(CommandError):
        run("plan_zones", "--target", "2", "--cap", "300")


def test_assign_cadres_prints_the_report_and_rule_costs(offices):
    out, err = run("assign_cadres")
    assert "total distance (m)" in out and "optimality gap" in out
    assert "What each rule costs" in out and "max_per_department" in out
    assert "Not applied" in out
    assert AssignmentPlan.objects.get().status == PlanStatus.READY


def test_assign_cadres_apply_twice_changes_nothing_the_second_time(offices):
    out, _err = run("assign_cadres", "--apply", "--verbosity", "0")
    assert "Applied:" in out
    first = sorted(ZoneAssignment.objects.values_list("zone_id", "cadre_id", "is_head"))
    assert len(first) == 5 * Zone.objects.count()
    out, _err = run("assign_cadres", "--apply", "--json", "--verbosity", "0")
    body = json.loads(out)
    assert body["moved"] == 0 and body["outcome"] == {"unchanged": True, "moved": 0}
    assert sorted(ZoneAssignment.objects.values_list("zone_id", "cadre_id", "is_head")) == first


def test_assign_cadres_without_heads_or_department_limit(offices):
    out, _err = run("assign_cadres", "--no-head", "--max-per-department", "0", "--json", "--verbosity", "0")
    params = json.loads(out)["params"]
    assert params["head_from_office"] is False and params["max_per_department"] is None


def test_assign_cadres_names_the_department_with_no_office(offices):
    from apps.people.models import Department, Role

    department = Department.objects.filter(people__role=Role.ZONE_CADRE).order_by("code").first()
    Department.objects.filter(pk=department.pk).update(office_point=None)
    with pytest.raises(CommandError) as refused:
        run("assign_cadres", "--verbosity", "0")
    assert department.name in str(refused.value)
    assert not AssignmentPlan.objects.exists()


@pytest.mark.parametrize(("args", "words"), [(["--per-zone", "6"], "cannot fill"),
                                             (["--max-per-department", "-1"], "--max-per-department")])
def test_assign_cadres_bad_options(offices, args, words):
    with pytest.raises(CommandError) as refused:
        run("assign_cadres", *args, "--verbosity", "0")
    assert words in str(refused.value)
