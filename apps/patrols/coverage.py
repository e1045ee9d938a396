"""Who may read patrols, and the weekly coverage of zones: visited or not, per zone and per sub-district.

Coverage is two queries whatever the size of the area: the zones in force
(with their community, sub-district and number of cadres) and the week's
check-ins grouped by zone (count, distinct cadres, last visit), read through
the (checked_in_at, zone) index.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.http import Http404
from django.utils.translation import gettext as _

from apps.areas.geojson import count_of
from apps.areas.models import District, SubDistrict
from apps.compounds.models import Zone, ZoneAssignment
from apps.patrols.models import Patrol
from apps.people.access import person_for, sees_whole_district, visible_subdistricts
from apps.people.models import Role

READER_ROLES = (Role.LEADER, Role.DISPATCHER, Role.ADMINISTRATOR)


@dataclass(frozen=True)
class Scope:
    whole: bool
    code: str
    name: str
    subdistricts: object  # QuerySet of SubDistrict


def may_read_coverage(user):
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    person = person_for(user)
    return person is not None and person.role in READER_ROLES


def coverage_scope(user, subdistrict_code=None):
    """The reader's area, narrowed to one sub-district when asked.

    PermissionDenied for anyone but leaders, dispatchers and administrators;
    Http404 for a sub-district outside the reader's area (as for an unknown one).
    """
    if not may_read_coverage(user):
        raise PermissionDenied(_("Patrol coverage is for leaders, dispatchers and administrators."))
    person = person_for(user)
    whole = user.is_superuser or sees_whole_district(person)
    area = SubDistrict.objects.all() if whole else visible_subdistricts(person)
    if subdistrict_code:
        own = area.filter(code=subdistrict_code).only("code", "name").first()
        if own is None:
            raise Http404(_("No sub-district %(code)s in your area.") % {"code": subdistrict_code})
        return Scope(False, own.code, own.name, SubDistrict.objects.filter(pk=own.pk))
    if whole:
        district = District.objects.only("code", "name").first()
        return Scope(True, district.code if district else "", district.name if district else "", area)
    own = area.only("code", "name").first()
    if own is None:
        raise PermissionDenied(_("Your account has no area."))
    return Scope(False, own.code, own.name, area)


def patrols_for(user):
    """The check-ins a user may list: a cadre their own, a sub-district's staff theirs, the district all.

    PermissionDenied for anyone else (grid workers, handlers, task forces, inspectors).
    """
    if user is None or not user.is_authenticated:
        raise PermissionDenied(_("Log in to read patrols."))
    if user.is_superuser:
        return Patrol.objects.all()
    person = person_for(user)
    if person is not None and person.role == Role.ZONE_CADRE:
        return Patrol.objects.filter(cadre=person)
    if person is None or person.role not in READER_ROLES:
        raise PermissionDenied(_("Patrols are for zone cadres, leaders, dispatchers and administrators."))
    if sees_whole_district(person):
        return Patrol.objects.all()
    return Patrol.objects.filter(community__subdistrict__in=visible_subdistricts(person))


def weekly_coverage(week, scope):
    """The coverage of `scope`'s zones in `week`: a JSON-ready dict.

    {week, start, end, scope, totals, subdistricts: [...], zones: [...]}; a zone
    is visited when at least one check-in of the week names it.
    """
    start, end = week.bounds()
    zones = list(
        Zone.objects.filter(community__subdistrict__in=scope.subdistricts)
        .annotate(n_cadres=count_of(ZoneAssignment, "zone"))
        .order_by("code")
        .values("pk", "code", "name", "community__code", "community__name", "community__subdistrict_id",
                "n_cadres")
    )
    visits = {
        row["zone_id"]: row
        for row in Patrol.objects.filter(checked_in_at__gte=start, checked_in_at__lt=end,
                                         zone__community__subdistrict__in=scope.subdistricts)
        .values("zone_id")
        .annotate(patrols=Count("pk"), cadres=Count("cadre", distinct=True), last=Max("checked_in_at"))
        .order_by()
    }
    subdistricts = {
        s.pk: {"code": s.code, "name": s.name, "zones": 0, "visited": 0, "patrols": 0, "share": None}
        for s in scope.subdistricts.order_by("code").only("code", "name")
    }
    rows = []
    for z in zones:
        seen = visits.get(z["pk"])
        sub = subdistricts[z["community__subdistrict_id"]]
        row = {
            "code": z["code"],
            "name": z["name"],
            "community_code": z["community__code"],
            "community_name": z["community__name"],
            "subdistrict_code": sub["code"],
            "subdistrict_name": sub["name"],
            "visited": seen is not None,
            "patrols": seen["patrols"] if seen else 0,
            "cadres_patrolled": seen["cadres"] if seen else 0,
            "cadres": z["n_cadres"],
            "last_visit": seen["last"].isoformat() if seen else None,
        }
        rows.append(row)
        sub["zones"] += 1
        sub["visited"] += row["visited"]
        sub["patrols"] += row["patrols"]
    for sub in subdistricts.values():
        sub["share"] = round(sub["visited"] / sub["zones"], 4) if sub["zones"] else None
    n_zones = len(rows)
    n_visited = sum(r["visited"] for r in rows)
    return {
        "week": week.code,
        "start": week.monday.isoformat(),
        "end": week.sunday.isoformat(),
        "scope": {"whole": scope.whole, "code": scope.code, "name": scope.name},
        "totals": {
            "zones": n_zones,
            "visited": n_visited,
            "share": round(n_visited / n_zones, 4) if n_zones else None,
            "patrols": sum(r["patrols"] for r in rows),
        },
        "subdistricts": list(subdistricts.values()),
        "zones": rows,
    }
