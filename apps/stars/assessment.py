"""The star assessment workflow: apply -> sub-district review -> task force scoring ->
public notice (公示, objections) -> award or refuse; revoke (摘星) at any time.

One table of (status, action) -> status, who may act, and one `transition()`
that locks the row, writes an `AssessmentEvent` and saves with update_fields,
like the case workflow (apps/cases/workflow.py).
"""

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.people.models import Role
from apps.stars.models import (
    Assessment,
    AssessmentEvent,
    AssessmentStatus,
    Evidence,
    Objection,
    Score,
    StarCriterion,
    TaskForce,
)

A = AssessmentStatus

TRANSITIONS = {
    (A.APPLIED, "review_pass"): A.SCORING,
    (A.APPLIED, "review_refuse"): A.REFUSED,
    (A.APPLIED, "withdraw"): A.WITHDRAWN,
    (A.SCORING, "score"): A.SCORING,
    (A.SCORING, "publish"): A.NOTICE,
    (A.SCORING, "refuse"): A.REFUSED,
    (A.NOTICE, "object"): A.NOTICE,
    (A.NOTICE, "resolve"): A.NOTICE,
    (A.NOTICE, "award"): A.AWARDED,
    (A.NOTICE, "refuse"): A.REFUSED,
    (A.AWARDED, "revoke"): A.REVOKED,
}
# reviewer: the branch's sub-district (its leader) or an administrator;
# task_force: a member of the task force for this star and branch kind;
# secretary: the branch's own secretary; staff: anyone logged in with a person.
ACTORS = {
    "review_pass": "reviewer",
    "review_refuse": "reviewer",
    "withdraw": "secretary",
    "score": "task_force",
    "publish": "task_force",
    "refuse": "task_force",
    "object": "staff",
    "resolve": "task_force",
    "award": "task_force",
    "revoke": "revoker",
}
NOTE_REQUIRED = {"review_refuse", "refuse", "object", "resolve", "revoke"}


class AssessmentError(Exception):
    status_code = 400

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(AssessmentError):
    status_code = 409


class NotYours(AssessmentError):
    status_code = 403


def task_force_for(assessment):
    return TaskForce.objects.filter(kind=assessment.criterion.kind, star=assessment.star).first()


def is_member(person, assessment):
    return TaskForce.objects.filter(kind=assessment.criterion.kind, star=assessment.star, members=person).exists()


def is_admin(person):
    return person.role == Role.ADMINISTRATOR or (person.user_id and person.user.is_superuser)


def may_act(person, assessment, action):
    if person is None:
        return False
    kind = ACTORS[action]
    subdistrict_id = assessment.branch.community.subdistrict_id
    if kind == "reviewer":
        return is_admin(person) or (person.role == Role.LEADER and person.subdistrict_id == subdistrict_id)
    if kind == "secretary":
        return person.role == Role.BRANCH_SECRETARY and person.community_id == assessment.branch.community_id
    if kind == "task_force":
        return person.role == Role.TASK_FORCE_MEMBER and is_member(person, assessment)
    if kind == "revoker":
        return is_admin(person) or (person.role == Role.TASK_FORCE_MEMBER and is_member(person, assessment))
    return kind == "staff"


def apply(*, branch, period, star, by, statement="", self_score=None, evidence=(), at=None):
    """A branch applies for a star in a period; AssessmentError when it already has, or the star is unknown."""
    at = at or timezone.now()
    if by is not None and not (is_admin(by) or (by.role == Role.BRANCH_SECRETARY and by.community_id == branch.community_id)):
        raise NotYours(_("Only the branch's secretary applies for its stars."))
    criterion = StarCriterion.objects.filter(period=period, kind=branch.community.kind, star=star).first()
    if criterion is None:
        raise AssessmentError(_("There is no star %(star)s for this branch kind in %(period)s.")
                              % {"star": star, "period": period.name}, field="star")
    if self_score is not None and not 0 <= self_score <= 100:
        raise AssessmentError(_("The self-assessed score must be between 0 and 100."), field="self_score")
    if Assessment.objects.filter(branch=branch, period=period, star=star).exists():
        raise NotAllowed(_("%(branch)s has already applied for %(star)s in %(period)s.")
                         % {"branch": branch.name, "star": criterion.name, "period": period.name}, field="star")
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                branch=branch, period=period, criterion=criterion, star=star, statement=statement,
                self_score=self_score, applied_at=at,
            )
            AssessmentEvent.objects.create(assessment=assessment, action="apply", to_status=assessment.status,
                                           actor=by, at=at)
            for item in evidence:
                Evidence.objects.create(assessment=assessment, uploaded_by=by, **item)
    except IntegrityError:
        raise NotAllowed(_("%(branch)s has already applied for this star in this period.")
                         % {"branch": branch.name}, field="star") from None
    return assessment


def transition(assessment, action, *, by, note="", at=None, **params):
    """Take `action` on `assessment` as person `by`; return the event written."""
    if action not in ACTORS:
        raise AssessmentError(_("Unknown action: %(action)s.") % {"action": action})
    at = at or timezone.now()
    with transaction.atomic():
        locked = (
            Assessment.objects.select_for_update()
            .select_related("criterion", "period", "branch__community")
            .get(pk=assessment.pk)
        )
        new_status = TRANSITIONS.get((locked.status, action))
        if new_status is None:
            raise NotAllowed(
                _("“%(action)s” is not possible while the application is “%(status)s”.")
                % {"action": action, "status": locked.get_status_display()}
            )
        if not may_act(by, locked, action):
            raise NotYours(_("“%(action)s” on this application is not yours to take.") % {"action": action})
        note = (note or "").strip()
        if action in NOTE_REQUIRED and not note:
            raise AssessmentError(_("Give a reason in the note."), field="note")
        changed = {"status", "version"}
        data = EFFECTS.get(action, lambda *a, **k: {})(locked, by=by, at=at, note=note, changed=changed, **params)
        old = locked.status
        locked.status = new_status
        locked.version += 1
        locked.save(update_fields=sorted(changed))
        event = AssessmentEvent.objects.create(
            assessment=locked, action=action, from_status=old, to_status=new_status, actor=by, note=note,
            data=data or {}, at=at,
        )
    assessment.refresh_from_db()
    return event


def _score(assessment, *, by, at, note, changed, points=None, **kwargs):
    """points: {indicator id or code: value}; each within 0..the indicator's points."""
    if not points:
        raise AssessmentError(_("Give points for at least one indicator."), field="points")
    indicators = {i.pk: i for i in assessment.criterion.indicators.all()}
    by_code = {i.code: i for i in indicators.values()}
    rows = []
    for key, value in points.items():
        indicator = indicators.get(key) if isinstance(key, int) else by_code.get(str(key)) or (
            indicators.get(int(key)) if str(key).isdigit() else None
        )
        if indicator is None:
            raise AssessmentError(_("Indicator %(key)s is not part of this star.") % {"key": key}, field="points")
        try:
            value = Decimal(str(value))
        except ArithmeticError:
            raise AssessmentError(_("Points for %(name)s must be a number.") % {"name": indicator.name},
                                  field="points") from None
        if not Decimal(0) <= value <= indicator.max_points:
            raise AssessmentError(
                _("Points for %(name)s must be between 0 and %(max)s, got %(value)s.")
                % {"name": indicator.name, "max": indicator.max_points, "value": value},
                field="points",
            )
        rows.append((indicator, value))
    # One read and at most two writes whatever the number of indicators (the
    # row lock taken by transition() keeps a concurrent score out); the sample
    # seed scores some 2,000 applications this way.
    existing = {s.indicator_id: s for s in assessment.scores.filter(indicator__in=[i for i, _v in rows])}
    new, updated = [], []
    for indicator, value in rows:
        score = existing.get(indicator.pk)
        if score is None:
            new.append(Score(assessment=assessment, indicator=indicator, points=value, by=by, at=at,
                             note=note[:200], measured=False))
        else:
            score.points, score.by, score.at, score.note, score.measured = value, by, at, note[:200], False
            updated.append(score)
    Score.objects.bulk_create(new)
    Score.objects.bulk_update(updated, ["points", "by", "at", "note", "measured"])
    return {"points": {i.code: str(v) for i, v in rows}}


def total_score(assessment):
    return sum((s.points for s in assessment.scores.all()), Decimal(0))


def _publish(assessment, *, by, at, changed, **kwargs):
    missing = assessment.criterion.indicators.exclude(scores__assessment=assessment)
    if missing.exists():
        names = "、".join(missing.values_list("name", flat=True)[:5])
        raise NotAllowed(_("Score every indicator first; missing: %(names)s.") % {"names": names})
    total = total_score(assessment)
    pass_score = assessment.criterion.pass_score
    if total < pass_score:
        raise NotAllowed(_("%(total)s points is below the %(pass)s that earn the star: refuse it instead.")
                         % {"total": total, "pass": pass_score})
    assessment.score = total
    assessment.pass_score = pass_score
    assessment.notice_ends_at = at + dt.timedelta(days=assessment.period.notice_days)
    changed.update({"score", "pass_score", "notice_ends_at"})
    return {"score": str(total), "notice_ends_at": assessment.notice_ends_at.isoformat()}


def _refuse(assessment, *, by, at, changed, **kwargs):
    assessment.score = total_score(assessment) if assessment.scores.exists() else assessment.score
    assessment.pass_score = assessment.criterion.pass_score
    assessment.decided_at = at
    changed.update({"score", "pass_score", "decided_at"})
    return {}


def _object(assessment, *, by, at, note, changed, lodged_by="", **kwargs):
    if assessment.notice_ends_at and at > assessment.notice_ends_at:
        raise NotAllowed(_("The public notice closed on %(date)s; objections are no longer taken.")
                         % {"date": timezone.localtime(assessment.notice_ends_at).strftime("%Y-%m-%d %H:%M")})
    objection = Objection.objects.create(assessment=assessment, text=note, lodged_by=lodged_by or (by.name if by else ""),
                                         lodged_at=at)
    return {"objection": objection.pk}


def _resolve(assessment, *, by, at, note, changed, objection=None, upheld=False, **kwargs):
    target = assessment.objections.filter(pk=getattr(objection, "pk", objection), outcome="").first()
    if target is None:
        raise AssessmentError(_("Choose an open objection to resolve."), field="objection")
    target.outcome = Objection.Outcome.UPHELD if upheld else Objection.Outcome.DISMISSED
    target.resolution = note
    target.save(update_fields=["outcome", "resolution"])
    return {"objection": target.pk, "outcome": target.outcome}


def _award(assessment, *, by, at, changed, **kwargs):
    if assessment.notice_ends_at is None or at < assessment.notice_ends_at:
        raise NotAllowed(_("The public notice runs until %(date)s; award after it closes.")
                         % {"date": timezone.localtime(assessment.notice_ends_at).strftime("%Y-%m-%d %H:%M")
                            if assessment.notice_ends_at else "-"})
    if assessment.objections.filter(outcome="").exists():
        raise NotAllowed(_("Resolve every objection before the award."))
    if assessment.objections.filter(outcome=Objection.Outcome.UPHELD).exists():
        raise NotAllowed(_("An objection was upheld: refuse the star instead."))
    assessment.decided_at = at
    changed.add("decided_at")
    return {"score": str(assessment.score)}


def _revoke(assessment, *, by, at, changed, **kwargs):
    assessment.revoked_at = at
    changed.add("revoked_at")
    return {}


EFFECTS = {
    "score": _score,
    "publish": _publish,
    "refuse": _refuse,
    "review_refuse": _refuse,
    "object": _object,
    "resolve": _resolve,
    "award": _award,
    "revoke": _revoke,
}
