"""The Celery jobs of the drafts, called directly: claim, progress, result or error, and the sweeper."""

import datetime as dt

import pytest
import time_machine
from plans_cast import offices, scene, english  # noqa: F401  (fixtures)

from apps.compounds import assignment_plans, plan_common, tasks, zone_plans
from apps.compounds.models import AssignmentPlan, Compound, PlanStatus, ZonePlan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def published(monkeypatch):
    """The jobs handed to the broker, instead of a broker."""
    sent = []
    monkeypatch.setattr(tasks, "publish", lambda task, plan_id: sent.append((task.name, plan_id)) or True)
    return sent


def queued(scene, **params):
    return zone_plans.queue_zone_plan(scene, {"target": 2, **params}, by=None)


def test_the_job_claims_computes_and_stores_the_draft(scene, clock, monkeypatch):
    plan = queued(scene)
    seen = []
    real = tasks.progress_writer

    def spying(model, plan_id):
        write = real(model, plan_id)

        def report(done, total):
            write(done, total)
            seen.append(ZonePlan.objects.get(pk=plan_id).progress)

        return report

    monkeypatch.setattr(tasks, "progress_writer", spying)
    tasks.run_zone_plan(plan.pk)  # the task function itself, in this process
    plan.refresh_from_db()
    assert plan.status == PlanStatus.READY and plan.progress == 100 and plan.error == ""
    assert plan.items.count() == Compound.objects.filter(community=scene).count()
    assert seen and seen == sorted(seen) and all(0 <= p <= 99 for p in seen)


def test_a_job_runs_once_however_often_its_message_comes(scene):
    plan = queued(scene)
    tasks.run_zone_plan_job(plan.pk)
    items = sorted(plan.items.values_list("pk", flat=True))
    assert tasks.run_zone_plan_job(plan.pk) is None  # a redelivered message: nothing to claim
    assert sorted(plan.items.values_list("pk", flat=True)) == items


def test_a_job_for_a_deleted_row_returns_quietly():
    assert tasks.run_zone_plan_job(987654) is None
    assert tasks.run_assignment_plan_job(987654) is None


def test_a_refused_job_stores_a_clear_error(scene):
    plan = queued(scene)
    compound = Compound.objects.filter(community=scene).order_by("code").first()
    Compound.objects.filter(pk=compound.pk).update(households=0)  # made bad after the request was accepted
    tasks.run_zone_plan_job(plan.pk)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.FAILED and compound.code in plan.error
    assert not plan.items.exists()


def test_an_unexpected_error_fails_the_draft_instead_of_leaving_it_running(scene, monkeypatch):
    plan = queued(scene)

    def crash(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr(zone_plans.zoning, "plan_zones", crash)
    tasks.run_zone_plan_job(plan.pk)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.FAILED and "KeyError" in plan.error


def test_a_draft_discarded_while_computing_keeps_no_result(scene):
    plan = queued(scene)
    assert tasks.claim(ZonePlan, plan.pk)
    plan_common.discard_plan(plan, by=None)
    assert zone_plans.compute_zone_plan(ZonePlan.objects.get(pk=plan.pk)) is None
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DISCARDED and not plan.items.exists()


def test_progress_is_written_in_whole_percents_and_only_while_running(scene):
    plan = queued(scene)
    tasks.claim(ZonePlan, plan.pk)
    report = tasks.progress_writer(ZonePlan, plan.pk)
    report(1, 3)
    assert ZonePlan.objects.get(pk=plan.pk).progress == 33
    report(3, 3)
    assert ZonePlan.objects.get(pk=plan.pk).progress == 99  # 100 only with the stored result
    ZonePlan.objects.filter(pk=plan.pk).update(status=PlanStatus.DISCARDED, progress=5)
    report(2, 2)
    assert ZonePlan.objects.get(pk=plan.pk).progress == 5


def test_the_assignment_job_stores_the_draft(offices):
    plan = assignment_plans.queue_assignment_plan({}, by=None)
    tasks.run_assignment_plan(plan.pk)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.READY and plan.items.count() == plan.report["cadres"]


def test_the_assignment_job_names_a_department_with_no_office(offices):
    from apps.people.models import Department, Role

    plan = assignment_plans.queue_assignment_plan({}, by=None)
    department = Department.objects.filter(people__role=Role.ZONE_CADRE).order_by("code").first()
    Department.objects.filter(pk=department.pk).update(office_point=None)
    tasks.run_assignment_plan_job(plan.pk)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.FAILED and department.name in plan.error


# --- the sweeper ------------------------------------------------------------------


def test_the_sweeper_resends_queued_jobs_older_than_a_minute(scene, clock, published):
    fresh = queued(scene)
    clock.shift(dt.timedelta(seconds=30))
    assert tasks.sweep() == [] and published == []  # the job published on commit may still be on its way
    clock.shift(dt.timedelta(seconds=31))
    assert tasks.sweep() == [("ZonePlan", fresh.pk)]
    assert published == [("apps.compounds.tasks.run_zone_plan", fresh.pk)]
    assert tasks.sweep() == []  # re-sent: the next sweep waits another minute
    clock.shift(dt.timedelta(seconds=61))
    assert tasks.sweep() == [("ZonePlan", fresh.pk)]


def test_the_sweeper_requeues_a_job_whose_worker_went_silent(scene, clock, published):
    plan = queued(scene)
    tasks.claim(ZonePlan, plan.pk)
    clock.shift(dt.timedelta(minutes=5))
    assert tasks.sweep() == []  # still computing, as far as anyone knows
    clock.shift(dt.timedelta(minutes=6))
    assert tasks.sweep() == [("ZonePlan", plan.pk)]
    plan.refresh_from_db()
    assert plan.status == PlanStatus.QUEUED
    tasks.run_zone_plan_job(plan.pk)  # the re-sent job runs
    plan.refresh_from_db()
    assert plan.status == PlanStatus.READY


def test_the_sweeper_leaves_finished_drafts_alone(scene, clock, published):
    plan = queued(scene)
    tasks.run_zone_plan_job(plan.pk)
    AssignmentPlan.objects.create(status=PlanStatus.FAILED, params={}, error="x")
    clock.shift(dt.timedelta(hours=1))
    assert tasks.sweep() == [] and published == []


def test_a_job_is_published_only_when_its_row_is_committed(scene, published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        plan = queued(scene)
        tasks.enqueue(plan)
    assert published == []  # nothing before the commit: a worker could not see the row
    for callback in callbacks:
        callback()
    assert tasks.wait_published()
    assert published == [("apps.compounds.tasks.run_zone_plan", plan.pk)]


def test_publishing_with_the_broker_down_is_quiet(scene):
    from celery_helpers import use_broker

    plan = queued(scene)
    with use_broker("redis://127.0.0.1:1/0"):
        assert tasks.publish(tasks.run_zone_plan, plan.pk) is False
    plan.refresh_from_db()
    assert plan.status == PlanStatus.QUEUED
