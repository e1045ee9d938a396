"""Who reads and who makes bulletins, incentives, duty lists and publicity (apps/people/access.py rules).

- Bulletins are circulars of the whole district (通报): every leader,
  dispatcher and administrator reads them whole. The rows behind a number
  (findings, visits, branches) are operational and answer 404 outside one's
  sub-district.
- Making a bulletin on demand, granting incentives, sending reminder letters
  and entering observation scores (the judges) is for administrators and the
  district's own leaders (a leader with no sub-district).
- Incentives and publicity: one's area (district or own sub-district).
- Duty lists and letters: the district sees all; a sub-district its own
  office's; a department handler their department's.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from apps.areas.models import SubDistrict
from apps.bulletins.models import DutyItem, Incentive, PublicityCounter, ReminderLetter
from apps.people.access import person_for, sees_whole_district, visible_subdistricts
from apps.people.models import Role

READERS = (Role.LEADER, Role.DISPATCHER, Role.ADMINISTRATOR)


def reader(user):
    """The Person reading bulletins, or 404 for anyone else (nothing here is theirs)."""
    person = person_for(user)
    if user.is_authenticated and user.is_superuser:
        return person
    if person is None or person.role not in READERS:
        raise Http404(_("Bulletins are for leaders, dispatchers and administrators."))
    return person


def may_read(user):
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    person = person_for(user)
    return person is not None and person.role in (*READERS, Role.HANDLER)


def may_make(user):
    """Administrators, superusers and the district's leaders (judges of the observation)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    person = person_for(user)
    if person is None:
        return False
    return person.role == Role.ADMINISTRATOR or (person.role == Role.LEADER and person.subdistrict_id is None)


def check_maker(user):
    if not may_make(user):
        raise PermissionDenied(_("Only administrators and the district's leaders may do this."))
    return person_for(user)


def subdistricts_of(user):
    if user.is_superuser:
        return SubDistrict.objects.all()
    return visible_subdistricts(person_for(user))


def subdistrict_for(user, code):
    """The sub-district with this code if it is in the user's area; 404 otherwise."""
    area = subdistricts_of(user).filter(code=code).first()
    if area is None:
        raise Http404(_("No sub-district %(code)s in your area.") % {"code": code})
    return area


def incentives_for(user):
    reader(user)
    rows = Incentive.objects.all()
    if user.is_superuser or sees_whole_district(person_for(user)):
        return rows
    return rows.filter(subdistrict__in=subdistricts_of(user))


def publicity_for(user):
    reader(user)
    return PublicityCounter.objects.filter(subdistrict__in=subdistricts_of(user))


def duties_for(user):
    """(duty items, reminder letters) the user may read; 404 for those with none."""
    person = person_for(user)
    if user.is_superuser or sees_whole_district(person):
        return DutyItem.objects.all(), ReminderLetter.objects.all()
    if person is not None and person.role in READERS and person.subdistrict_id is not None:
        mine = {"department__subdistrict_id": person.subdistrict_id}
    elif person is not None and person.role == Role.HANDLER and person.department_id is not None:
        mine = {"department_id": person.department_id}
    else:
        raise Http404(_("No duty list for this account."))
    return DutyItem.objects.filter(**mine), ReminderLetter.objects.filter(**mine)
