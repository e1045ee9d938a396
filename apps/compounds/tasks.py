"""Celery jobs that compute zoning and assignment drafts, and the sweeper that keeps them moving.

The API writes a queued row and answers 202; on commit the job is published
from a short-lived thread, so a request never waits on the broker, and a broker
outage only delays the job: the sweeper re-sends queued rows older than a
minute, and re-queues running rows whose worker stopped reporting progress
(a crash; `acks_late` redelivers the message too, and the conditional claim
makes the second run a no-op while the first is alive).
"""

import datetime as dt
import logging
import threading

from celery import shared_task
from django.db import OperationalError, transaction
from django.utils import timezone

from apps.compounds import assignment_plans, plan_common, zone_plans
from apps.compounds.models import AssignmentPlan, PlanStatus, ZonePlan

log = logging.getLogger(__name__)

RESEND_AFTER = dt.timedelta(minutes=1)
# A job beats (progress, updated_at) at least every component; zoning 64,400
# compounds took 15 s in bench_zoning, so ten silent minutes mean a dead worker.
STALE_AFTER = dt.timedelta(minutes=10)
RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "retry_backoff_max": 60, "max_retries": 5}


def claim(model, plan_id):
    """Mark a queued row running; True for the one caller that wins it."""
    now = timezone.now()
    return bool(
        model.objects.filter(pk=plan_id, status=PlanStatus.QUEUED).update(
            status=PlanStatus.RUNNING, progress=0, error="", updated_at=now
        )
    )


def fail(model, plan_id, message):
    model.objects.filter(pk=plan_id, status=PlanStatus.RUNNING).update(
        status=PlanStatus.FAILED, error=message[:4000], updated_at=timezone.now()
    )


def progress_writer(model, plan_id):
    """A zoning progress callback that writes whole percents (at most 100 small UPDATEs a job)."""
    last = [-1]

    def report(done, total):
        percent = min(99, int(100 * done / max(total, 1)))
        if percent > last[0]:
            last[0] = percent
            model.objects.filter(pk=plan_id, status=PlanStatus.RUNNING).update(
                progress=percent, updated_at=timezone.now()
            )

    return report


def _run_job(rows, plan_id, compute, what):
    """Claim the draft, compute it, store it; a refusal (bad data, impossible target) becomes the row's error.

    `rows` is the draft model's queryset (with what `compute(plan)` reads alongside);
    `what` names the draft in the log.
    """
    model = rows.model
    if not claim(model, plan_id):
        return None
    plan = rows.get(pk=plan_id)
    try:
        return compute(plan)
    except plan_common.PlanError as exc:
        fail(model, plan_id, exc.message)
    except OperationalError:
        # The database went away: put the row back for the retry (and the sweeper).
        model.objects.filter(pk=plan_id, status=PlanStatus.RUNNING).update(status=PlanStatus.QUEUED)
        raise
    except Exception as exc:
        log.exception("%s %s failed", what, plan_id)
        fail(model, plan_id, f"internal error: {exc.__class__.__name__}: {exc}")
    return None


def run_zone_plan_job(plan_id):
    return _run_job(
        ZonePlan.objects.select_related("community"), plan_id,
        lambda plan: zone_plans.compute_zone_plan(plan, progress=progress_writer(ZonePlan, plan_id)), "zoning plan",
    )


def run_assignment_plan_job(plan_id):
    return _run_job(AssignmentPlan.objects.all(), plan_id, assignment_plans.compute_assignment_plan, "assignment plan")


@shared_task(acks_late=True, ignore_result=True, **RETRY)
def run_zone_plan(plan_id):
    run_zone_plan_job(plan_id)


@shared_task(acks_late=True, ignore_result=True, **RETRY)
def run_assignment_plan(plan_id):
    run_assignment_plan_job(plan_id)


TASKS = {ZonePlan: run_zone_plan, AssignmentPlan: run_assignment_plan}


def sweep(now=None):
    """Re-send queued jobs older than a minute, re-queue running ones gone silent; return what was sent."""
    now = now or timezone.now()
    sent = []
    for model, task in TASKS.items():
        model.objects.filter(status=PlanStatus.RUNNING, updated_at__lte=now - STALE_AFTER).update(
            status=PlanStatus.QUEUED, updated_at=now - RESEND_AFTER
        )
        waiting = model.objects.filter(status=PlanStatus.QUEUED, updated_at__lte=now - RESEND_AFTER)
        stale = list(waiting.values_list("pk", flat=True))
        if stale:
            # Touched so the next sweep waits another minute for this send to be taken.
            model.objects.filter(pk__in=stale, status=PlanStatus.QUEUED).update(updated_at=now)
        for plan_id in stale:
            publish(task, plan_id)
            sent.append((model.__name__, plan_id))
    return sent


@shared_task(acks_late=True, ignore_result=True, **RETRY)
def sweep_plans():
    return len(sweep())


def publish(task, plan_id):
    """Hand a job to the broker; an outage is logged and left to the sweeper."""
    try:
        task.apply_async(args=[plan_id], retry=False)
        return True
    except Exception as exc:  # kombu raises OperationalError and friends
        log.warning("broker unavailable, plan %s left to the sweeper: %s", plan_id, exc)
        return False


_publishing = []


def enqueue(plan):
    """On commit, publish the plan's job from a thread of its own: the request answers at once."""
    task = TASKS[type(plan)]

    def start():
        thread = threading.Thread(target=publish, args=(task, plan.pk), name=f"plan-{plan.pk}", daemon=True)
        _publishing[:] = [t for t in _publishing if t.is_alive()] + [thread]
        thread.start()

    transaction.on_commit(start)


def wait_published(timeout=5.0):
    """Wait for this process's publishing threads (tests, and a command that must not exit early)."""
    for thread in list(_publishing):
        thread.join(timeout)
    return not any(t.is_alive() for t in _publishing)
