"""Writes of the bulletins app: incentives, judges' scores, duty items, reminder letters, publicity.

Each checks everything first and raises InputError naming the field (and the
sub-district, branch or person) at fault; nothing is written then.
"""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.areas.models import SubDistrict
from apps.bulletins.models import (
    DutyItem, DutyStatus, Incentive, IncentiveKind, ObservationScore, PublicityCounter, ReminderLetter,
)
from apps.bulletins.periods import BulletinPeriodError, parse
from apps.stars.models import AssessmentStatus, Branch


class InputError(ValueError):
    def __init__(self, field, message):
        super().__init__(message)
        self.field = field
        self.message = message


def _decimal(field, value, *, required):
    if value in (None, ""):
        if required:
            raise InputError(field, _("%(field)s is required.") % {"field": field})
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise InputError(field, _("%(field)s=%(value)s is not a number.") % {"field": field, "value": value}) from None
    if not number.is_finite():
        raise InputError(field, _("%(field)s=%(value)s is not a number.") % {"field": field, "value": value})
    return number


def incentive_period(text):
    """A year (2026), quarter (2026-Q4) or month (2026-11), normalised."""
    text = (text or "").strip().upper()
    if re.fullmatch(r"\d{4}", text):
        return text
    for kind in ("quarterly", "monthly"):
        try:
            return parse(kind, text).code
        except BulletinPeriodError:
            continue
    raise InputError("period", _("period=%(value)s: use a year (2026), a quarter (2026-Q4) or a month (2026-11).")
                     % {"value": text})


def grant_incentive(*, kind, period, reason, by, branch=None, person=None, amount=None, basis_bulletin=None,
                    basis_award=None, granted_on=None):
    """Record an incentive; `branch` / `person` / bases are model instances or None."""
    if kind not in IncentiveKind.values:
        raise InputError("kind", _("kind=%(value)s: use commendation, recommendation, subsidy or promotion.")
                         % {"value": kind})
    period = incentive_period(period)
    if (branch is None) == (person is None):
        raise InputError("branch", _("Give either a branch or a person, not both and not neither."))
    who = branch.name if branch is not None else person.name
    amount = _decimal("amount", amount, required=kind == IncentiveKind.SUBSIDY)
    if amount is not None and amount < 0:
        raise InputError("amount", _("amount=%(amount)s for %(who)s: an incentive's amount cannot be negative.")
                         % {"amount": amount, "who": who})
    if amount is not None and amount.as_tuple().exponent < -2:
        raise InputError("amount", _("amount=%(amount)s: at most two decimals (fen).") % {"amount": amount})
    if not (reason or "").strip():
        raise InputError("reason", _("Say the reason for the incentive to %(who)s.") % {"who": who})
    if basis_bulletin is None and basis_award is None:
        raise InputError("basis", _("Name the basis of the incentive to %(who)s: a bulletin or a star award.")
                         % {"who": who})
    if basis_award is not None and basis_award.status != AssessmentStatus.AWARDED:
        raise InputError("basis_award", _("Star application #%(id)s is not an award in force.")
                         % {"id": basis_award.pk})
    if branch is not None:
        subdistrict_id = Branch.objects.filter(pk=branch.pk).values_list("community__subdistrict_id", flat=True).get()
    else:
        subdistrict_id = person.subdistrict_id
    return Incentive.objects.create(
        kind=kind, period=period, branch=branch, person=person, subdistrict_id=subdistrict_id, amount=amount,
        reason=reason.strip(), basis_bulletin=basis_bulletin, basis_award=basis_award,
        granted_on=granted_on or timezone.localdate(), granted_by=by)


def enter_scores(period, scores, *, judge, at=None):
    """A judge's scores of a quarter: {sub-district code: score (0-100)}; all or nothing.

    Entering again replaces the judge's earlier score of that sub-district.
    """
    try:
        period = parse("quarterly", period).code
    except BulletinPeriodError as exc:
        raise InputError("period", exc.message) from None
    if not scores:
        raise InputError("scores", _("Give at least one sub-district's score."))
    areas = dict(SubDistrict.objects.filter(code__in=list(scores)).values_list("code", "pk"))
    names = dict(SubDistrict.objects.filter(code__in=list(scores)).values_list("code", "name"))
    checked = {}
    for code, value in scores.items():
        if code not in areas:
            raise InputError("scores", _("No sub-district %(code)s.") % {"code": code})
        number = _decimal(f"scores.{code}", value, required=True)
        if number < 0 or number > 100:
            raise InputError(f"scores.{code}", _("%(name)s (%(code)s): score %(score)s is out of range 0-100.")
                             % {"name": names[code], "code": code, "score": value})
        if number.as_tuple().exponent < -1:
            raise InputError(f"scores.{code}", _("%(name)s (%(code)s): give the score to one decimal.")
                             % {"name": names[code], "code": code})
        checked[code] = number
    at = at or timezone.now()
    with transaction.atomic():
        return [ObservationScore.objects.update_or_create(
            period=period, subdistrict_id=areas[code], judge=judge,
            defaults={"score": number, "entered_at": at})[0] for code, number in sorted(checked.items())]


def add_duty_item(department, *, task, owner, due_on, status=DutyStatus.PENDING):
    if not (task or "").strip():
        raise InputError("task", _("Say the task for %(department)s.") % {"department": department.name})
    if not (owner or "").strip():
        raise InputError("owner", _("Name the owner of the task for %(department)s.") % {"department": department.name})
    if not isinstance(due_on, dt.date):
        raise InputError("due_on", _("Give the deadline (YYYY-MM-DD) of the task for %(department)s.")
                         % {"department": department.name})
    if status not in DutyStatus.values:
        raise InputError("status", _("status=%(value)s: use pending, in_progress or done.") % {"value": status})
    return DutyItem.objects.create(department=department, task=task.strip(), owner=owner.strip(), due_on=due_on,
                                   status=status)


def set_duty_status(item, status, *, on):
    if status not in DutyStatus.values:
        raise InputError("status", _("status=%(value)s: use pending, in_progress or done.") % {"value": status})
    item.status = status
    item.done_on = on if status == DutyStatus.DONE else None
    item.save(update_fields=["status", "done_on"])
    return item


def send_reminder(department, *, kind, subject, body, items, sent_on, by):
    """Record a letter or prompt sent to a department about some of its duty items."""
    if kind not in ReminderLetter.LetterKind.values:
        raise InputError("kind", _("kind=%(value)s: use letter or prompt.") % {"value": kind})
    if not (subject or "").strip() or not (body or "").strip():
        raise InputError("subject", _("A letter to %(department)s needs a subject and a text.")
                         % {"department": department.name})
    foreign = [i for i in items if i.department_id != department.pk]
    if foreign:
        raise InputError("items", _("Duty item #%(id)s is not a task of %(department)s.")
                         % {"id": foreign[0].pk, "department": department.name})
    with transaction.atomic():
        letter = ReminderLetter.objects.create(department=department, kind=kind, subject=subject.strip(),
                                               body=body.strip(), sent_on=sent_on, sent_by=by)
        letter.items.set(items)
    return letter


def count_publicity(subdistrict, year, *, manuals=0, posters=0, briefings=0):
    """Add to a sub-district's publicity counters of a year (negative corrections may not go below zero)."""
    with transaction.atomic():
        row, _created = PublicityCounter.objects.select_for_update().get_or_create(subdistrict=subdistrict, year=year)
        for field, delta in (("manuals", manuals), ("posters", posters), ("briefings", briefings)):
            value = getattr(row, field) + int(delta)
            if value < 0:
                raise InputError(field, _("%(name)s: %(field)s would fall below zero.")
                                 % {"name": subdistrict.name, "field": field})
            setattr(row, field, value)
        row.save()
    return row


def lookup(model, field, value, *, key="pk"):
    """The row of `model` whose `key` is `value`, or InputError naming the field (None for an empty value)."""
    if value in (None, ""):
        return None
    try:
        row = model.objects.filter(**{key: value}).first()
    except (TypeError, ValueError, DjangoValidationError):  # e.g. {} or "x" for a numeric key
        row = None
    if row is None:
        raise InputError(field, _("%(field)s=%(value)s: no such record.") % {"field": field, "value": value})
    return row

