"""Who sees and does what in supervision, on top of `apps.people.access`.

- administrators and people who see the whole district (command centre,
  district leaders): every branch;
- a leader or dispatcher of a sub-district: that sub-district's branches;
- a member of an inspection group (an inspector, usually): the villages of
  their groups, in every campaign they belong to;
- a branch secretary: their own branch.
Someone may be several of these (a sub-district leader in a group): the union.
Research visits are made by leaders in their area and by inspectors in their
groups' villages; weak-branch plans are organised by administrators and by the
leaders of the branch's area.
"""

from django.db.models import Q
from django.http import Http404

from apps.people.access import person_for, sees_whole_district, visible_subdistricts
from apps.people.models import Role
from apps.stars.models import Branch
from apps.supervision.models import Finding, InspectionGroup, WeakBranchPlan


def visible_branches(person):
    if person is None:
        return Branch.objects.none()
    if sees_whole_district(person):
        return Branch.objects.all()
    q = Q(community__subdistrict__in=visible_subdistricts(person)) | Q(inspection_groups__members=person)
    if person.role == Role.BRANCH_SECRETARY and person.community_id is not None:
        q |= Q(community_id=person.community_id)
    return Branch.objects.filter(pk__in=Branch.objects.filter(q).values("pk"))


def visitable_branches(person):
    """Branches a person may log a research visit to: leaders their area, inspectors their groups' villages."""
    if person is None:
        return Branch.objects.none()
    if sees_whole_district(person):
        return Branch.objects.all()
    q = Q(community__subdistrict__in=visible_subdistricts(person)) | Q(inspection_groups__members=person)
    return Branch.objects.filter(pk__in=Branch.objects.filter(q).values("pk"))


def groups_of(person):
    if person is None:
        return InspectionGroup.objects.none()
    return InspectionGroup.objects.filter(members=person)


def is_group_member(person, group_id):
    return person is not None and InspectionGroup.objects.filter(pk=group_id, members=person).exists()


def is_secretary_of(person, branch):
    return (person is not None and person.role == Role.BRANCH_SECRETARY
            and person.community_id is not None and person.community_id == branch.community_id)


def organises_plans_for(person, branch):
    """Administrators, whole-district leaders, and the leaders of the branch's sub-district."""
    if person is None:
        return False
    if sees_whole_district(person):
        return person.role != Role.DISPATCHER
    return person.role == Role.LEADER and person.subdistrict_id == branch.community.subdistrict_id


def visible_findings(person):
    return Finding.objects.filter(branch__in=visible_branches(person))


def visible_plans(person):
    if person is None:
        return WeakBranchPlan.objects.none()
    return WeakBranchPlan.objects.filter(Q(branch__in=visible_branches(person)) | Q(leader=person))


def get_finding_for(user, pk):
    """The finding if the user may see it; 404 otherwise (outside one's area nothing is revealed)."""
    finding = (visible_findings(person_for(user)).filter(pk=pk)
               .select_related("branch__community__subdistrict", "group__campaign", "inspection").first())
    if finding is None:
        raise Http404("No such finding in your area.")
    return finding


def get_plan_for(user, pk):
    plan = visible_plans(person_for(user)).filter(pk=pk).select_related("branch__community", "leader").first()
    if plan is None:
        raise Http404("No such plan in your area.")
    return plan
