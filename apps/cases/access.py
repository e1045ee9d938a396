"""Which cases a person sees: their area, their department's parts, their own reports.

- grid worker: cases in their grids, and the ones they reported;
- zone cadre: cases in their zones (`Case.zone`), and the ones they reported;
- dispatcher, leader: their sub-district, or the whole district when they have none
  (the command centre, district leaders);
- handler: cases where their department has a part (lead or co-handler);
- administrator or Django superuser: every case;
- anyone else: none.

A case outside one's area is a 404 (nothing says it exists); an action on a
visible case that is not the person's to take is a 403 from the workflow.
Subqueries rather than joins through many-to-many tables, so a case never
comes back twice and counts stay right.
"""

from django.http import Http404
from django.utils.translation import gettext as _

from apps.cases.models import Case, CasePart
from apps.people.access import person_for, sees_whole_district
from apps.people.models import Role


def cases_visible_to(person):
    cases = Case.objects.all()
    if person is None:
        return cases.none()
    if sees_whole_district(person):
        return cases
    if person.role in (Role.DISPATCHER, Role.LEADER):
        # sees_whole_district() took those without a sub-district.
        return cases.filter(subdistrict_id=person.subdistrict_id)
    if person.role == Role.GRID_WORKER:
        return cases.filter(grid_id__in=person.grids.values("pk")) | cases.filter(reporter=person)
    if person.role == Role.ZONE_CADRE:
        return cases.filter(zone_id__in=person.zone_assignments.values("zone_id")) | cases.filter(reporter=person)
    if person.role == Role.HANDLER and person.department_id:
        return cases.filter(pk__in=CasePart.objects.filter(department_id=person.department_id).values("case_id"))
    return cases.none()


def cases_for_user(user):
    """`cases_visible_to` for a login; a superuser with no person sees every case."""
    if user is not None and user.is_authenticated and user.is_superuser:
        return Case.objects.all()
    return cases_visible_to(person_for(user))


def get_case_for(user, number, queryset=None):
    """The case with this number if the user may see it; 404 otherwise, revealing nothing."""
    cases = cases_for_user(user)
    if queryset is not None:
        cases = queryset & cases
    case = cases.filter(number=number).first()
    if case is None:
        raise Http404(_("No case %(number)s in your area.") % {"number": number})
    return case
