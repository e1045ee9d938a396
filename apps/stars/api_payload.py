"""The JSON the stars API returns (and the pages render from): plain dicts built from loaded rows.

Builders take rows whose relations the caller loaded (`LIST_RELATED`,
`detail_queryset`), so a list costs a constant number of queries.
"""

import os
from collections import defaultdict

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from apps.stars.access import offered_actions
from apps.stars.api_support import ACTION_LABELS, is_image
from apps.stars.indicators import Measurer
from apps.stars.levels import level_of
from apps.stars.models import (
    Assessment,
    AssessmentEvent,
    AssessmentStatus,
    Evidence,
    Indicator,
    Objection,
    Period,
    Score,
)

LIST_RELATED = ("branch__community__subdistrict", "branch__leader", "criterion", "period")
STATUS_LABELS = dict(AssessmentStatus.choices)


def stamp(value):
    return timezone.localtime(value).isoformat() if value else None


def number(value):
    return float(value) if value is not None else None


def branch_brief(branch):
    community = branch.community
    return {
        "code": community.code,
        "name": branch.name,
        "community": community.name,
        "kind": community.kind,
        "subdistrict": {"code": community.subdistrict.code, "name": community.subdistrict.name},
        "demonstration": branch.demonstration,
        "demonstration_label": str(branch.get_demonstration_display()) if branch.demonstration else "",
        "weak": branch.weak,
        "leader": ({"name": branch.leader.name, "title": branch.leader.title} if branch.leader_id else None),
        "history_url": reverse("stars-branch", args=[community.code]),
    }


def list_queryset(rows):
    return (
        rows.select_related(*LIST_RELATED)
        .defer("branch__community__geom", "branch__community__subdistrict__geom")
        .prefetch_related(Prefetch("objections", Objection.objects.order_by("lodged_at", "pk")))
    )


def detail_queryset(rows):
    return list_queryset(rows).prefetch_related(
        Prefetch("criterion__indicators", Indicator.objects.order_by("code")),
        Prefetch("scores", Score.objects.select_related("indicator", "by")),
        Prefetch("evidence", Evidence.objects.select_related("uploaded_by").order_by("pk")),
        Prefetch("events", AssessmentEvent.objects.select_related("actor").order_by("at", "pk")),
    )


def assessment_row(assessment, viewer, now=None):
    """One application in a list: who, which star, where it stands, what the viewer may do now."""
    return {
        "id": assessment.pk,
        "branch": branch_brief(assessment.branch),
        "period": assessment.period.code,
        "star": assessment.star,
        "star_name": assessment.criterion.name,
        "kind": assessment.criterion.kind,
        "status": assessment.status,
        "status_label": STATUS_LABELS[assessment.status],
        "self_score": assessment.self_score,
        "score": number(assessment.score),
        "pass_score": assessment.pass_score or assessment.criterion.pass_score,
        "applied_at": stamp(assessment.applied_at),
        "notice_ends_at": stamp(assessment.notice_ends_at),
        "decided_at": stamp(assessment.decided_at),
        "revoked_at": stamp(assessment.revoked_at),
        "open_objections": sum(1 for o in assessment.objections.all() if o.outcome == Objection.Outcome.OPEN),
        "actions": offered_actions(viewer, assessment, now),
        "url": reverse("api-star-application", args=[assessment.pk]),
    }


def event_row(event):
    return {
        "action": event.action,
        "label": str(ACTION_LABELS.get(event.action, event.action)),
        "from": event.from_status,
        "to": event.to_status,
        "from_label": str(STATUS_LABELS.get(event.from_status, "")),
        "to_label": str(STATUS_LABELS.get(event.to_status, "")),
        "actor": event.actor.name if event.actor_id else "",
        "actor_role": str(event.actor.get_role_display()) if event.actor_id else "",
        "note": event.note,
        "data": event.data,
        "at": stamp(event.at),
    }


def evidence_row(item):
    name = os.path.basename(item.file.name) if item.file else ""
    return {
        "id": item.pk,
        "name": name,
        "url": reverse("api-star-evidence", args=[item.pk]) if item.file else None,
        "image": is_image(name),
        "note": item.note,
        "uploaded_by": item.uploaded_by.name if item.uploaded_by_id else "",
        "uploaded_at": stamp(item.uploaded_at),
    }


def objection_row(objection):
    return {
        "id": objection.pk,
        "text": objection.text,
        "lodged_by": objection.lodged_by,
        "lodged_at": stamp(objection.lodged_at),
        "outcome": objection.outcome,
        "outcome_label": str(objection.get_outcome_display()),
        "resolution": objection.resolution,
    }


def indicator_rows(assessment, measured):
    """Every indicator with its points: the task force's score, and the platform's measure beside it."""
    scores = {s.indicator_id: s for s in assessment.scores.all()}
    rows = []
    for indicator in assessment.criterion.indicators.all():
        score = scores.get(indicator.pk)
        rows.append({
            "code": indicator.code,
            "name": indicator.name,
            "max_points": indicator.max_points,
            "measure": indicator.measure,
            "measure_label": str(indicator.get_measure_display()) if indicator.measure else "",
            "points": number(score.points) if score else None,
            "scored_by": (score.by.name if score.by_id else "") if score else "",
            "scored_measured": bool(score and score.measured),
            "measured": measured.get(indicator.code) if indicator.measure else None,
        })
    return rows


def assessment_detail(assessment, viewer, measured, now=None):
    """An application in full: the row, the self-assessment, every indicator, evidence, objections, timeline."""
    indicators = indicator_rows(assessment, measured)
    scored = [row["points"] for row in indicators if row["points"] is not None]
    return {
        **assessment_row(assessment, viewer, now),
        "statement": assessment.statement,
        "indicators": indicators,
        "scored_total": round(sum(scored), 1) if scored else None,
        "scored_all": len(scored) == len(indicators),
        "evidence": [evidence_row(e) for e in assessment.evidence.all()],
        "objections": [objection_row(o) for o in assessment.objections.all()],
        "timeline": [event_row(e) for e in assessment.events.all()],
    }


def branch_history(branch):
    """Every period, oldest first: the level and stars the branch held, each application and its events."""
    periods = list(Period.objects.order_by("starts_on"))
    assessments = defaultdict(list)
    rows = (
        Assessment.objects.filter(branch=branch)
        .select_related("criterion")
        .prefetch_related(Prefetch("events", AssessmentEvent.objects.select_related("actor").order_by("at", "pk")))
        .order_by("star", "applied_at")
    )
    for assessment in rows:
        assessments[assessment.period_id].append(assessment)
    result = []
    for period in periods:
        held = sorted({a.star for a in assessments[period.pk] if a.status == AssessmentStatus.AWARDED})
        result.append({
            "code": period.code,
            "name": period.name,
            "starts_on": period.starts_on.isoformat(),
            "ends_on": period.ends_on.isoformat(),
            "level": level_of(set(held), period.foundation_gates),
            "stars": held,
            "assessments": [
                {
                    "id": a.pk,
                    "star": a.star,
                    "star_name": a.criterion.name,
                    "status": a.status,
                    "status_label": STATUS_LABELS[a.status],
                    "self_score": a.self_score,
                    "score": number(a.score),
                    "pass_score": a.pass_score,
                    "applied_at": stamp(a.applied_at),
                    "notice_ends_at": stamp(a.notice_ends_at),
                    "decided_at": stamp(a.decided_at),
                    "revoked_at": stamp(a.revoked_at),
                    "events": [event_row(e) for e in a.events.all()],
                }
                for a in assessments[period.pk]
            ],
        })
    return {"branch": branch_brief(branch), "periods": result}


def measured_for(assessments):
    """{assessment id: {indicator code: the platform's measure}} with a few grouped queries per period.

    Each measure is {points (None when not measurable yet), measurable, detail, reason},
    taken by apps.stars.indicators; needs `criterion__indicators` and `branch` loaded.
    """
    by_period = defaultdict(list)
    for assessment in assessments:
        by_period[assessment.period_id].append(assessment)
    result = {}
    for group in by_period.values():
        measurer = Measurer(group[0].period, [a.branch for a in group])
        for assessment in group:
            rows = {}
            for indicator in assessment.criterion.indicators.all():
                if indicator.measure:
                    value = measurer.measure(assessment.branch, indicator)
                    rows[indicator.code] = {
                        "points": number(value.points), "measurable": value.measurable,
                        "detail": value.detail, "reason": value.reason,
                    }
            result[assessment.pk] = rows
    return result
