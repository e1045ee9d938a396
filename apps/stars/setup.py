"""Set up the program's fixed parts: task forces, and a period with its criteria and targets.

A new period copies the previous period's criteria (so an administrator's edits
carry forward) or, for the first one, the defaults; past periods are never touched.
"""

from django.db import transaction

from apps.people.models import Department
from apps.stars import defaults
from apps.stars.models import Indicator, Period, StarCriterion, TaskForce, Target


def ensure_task_forces():
    departments = dict(Department.objects.values_list("name", "pk"))
    made = 0
    for (kind, star), lead in defaults.TASK_FORCE_LEADS.items():
        name = f"{defaults.STAR_NAMES[kind][star - 1]}（{defaults.KIND_LABEL[kind]}）专班"
        if lead not in departments:
            raise LookupError(f"department {lead} is missing: load the district first")
        made += TaskForce.objects.get_or_create(
            kind=kind, star=star, defaults={"name": name, "lead_department_id": departments[lead]}
        )[1]
    return made


@transaction.atomic
def create_period(code, name, starts_on, ends_on, *, targets=None):
    """The period with criteria copied from the latest earlier period (or the defaults) and the district target."""
    period, created = Period.objects.get_or_create(
        code=code, defaults={"name": name, "starts_on": starts_on, "ends_on": ends_on}
    )
    if not created:
        return period, False
    previous = Period.objects.filter(starts_on__lt=starts_on).exclude(pk=period.pk).order_by("-starts_on").first()
    if previous is not None and previous.criteria.exists():
        period.foundation_gates = previous.foundation_gates
        period.notice_days = previous.notice_days
        period.save(update_fields=["foundation_gates", "notice_days"])
        for old in previous.criteria.prefetch_related("indicators"):
            new = StarCriterion.objects.create(
                period=period, kind=old.kind, star=old.star, name=old.name, pass_score=old.pass_score
            )
            Indicator.objects.bulk_create(
                Indicator(criterion=new, code=i.code, name=i.name, max_points=i.max_points, measure=i.measure)
                for i in old.indicators.all()
            )
    else:
        for kind, names in defaults.STAR_NAMES.items():
            for star, star_name in enumerate(names, start=1):
                criterion = StarCriterion.objects.create(period=period, kind=kind, star=star, name=star_name)
                Indicator.objects.bulk_create(
                    Indicator(criterion=criterion, code=c, name=n, max_points=p, measure=m)
                    for c, n, p, m in defaults.INDICATORS[star_name]
                )
    Target.objects.create(period=period, **(targets or defaults.DEFAULT_TARGETS))
    return period, True
