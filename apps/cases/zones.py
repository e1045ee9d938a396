"""Cases follow the zones: when a zoning plan retires zones, their cases move to the zone now in force.

A case keeps the zone it was located to (so counts never redo point-in-polygon),
and `Case.zone` protects the zone row; `apps.compounds.zone_plans.apply_zone_plan`
sends `zones_replaced` before it deletes retired zones, inside its transaction.
The new zone is found as at report time (`intake.zone_and_rule_here`): the
lowest-code zone of the case's community whose boundary holds the point, or none.
"""

from django.db.models import OuterRef, Subquery


def move_cases_off_retired_zones(sender, *, retired, zones, **kwargs):
    """One UPDATE: each case of a retired zone gets the zone in force holding its point, else NULL."""
    from apps.cases.models import Case

    if not retired:
        return 0
    holding = (
        zones.exclude(pk__in=retired)
        .filter(community=OuterRef("community_id"), geom__intersects=OuterRef("point"))
        .order_by("code")
        .values("pk")[:1]
    )
    return Case.objects.filter(zone_id__in=list(retired)).update(zone=Subquery(holding))
