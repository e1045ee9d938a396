"""GET /api/stars/summary/: branches at each level, targets and gaps, for the reader's area.

Who reads star figures, and which part of the district: leaders, dispatchers and
administrators (and Django superusers). Whole-district people read every
sub-district; a sub-district's leader or dispatcher reads their sub-district
only, and the answer's "district" block is then their sub-district's. Anyone
else gets 403. The dashboard (apps/dashboard) reads the same scope, periods and
trend from here, so its map, charts and this API never disagree.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.areas.geojson import BadParameter
from apps.areas.models import District, SubDistrict
from apps.people.access import person_for, sees_whole_district
from apps.people.models import Role
from apps.stars.api_support import current_period
from apps.stars.levels import level_of, summary
from apps.stars.models import Assessment, AssessmentStatus, Branch, Period

READER_ROLES = (Role.LEADER, Role.DISPATCHER, Role.ADMINISTRATOR)


# --- the reader's area ---------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    whole: bool
    code: str
    name: str
    subdistricts: QuerySet  # unevaluated: used as a subquery, never listed

    def as_json(self):
        return {"whole": self.whole, "code": self.code, "name": self.name}

    def limit(self, queryset, path):
        """`queryset` narrowed to the area through the sub-district at `path` (untouched for the whole district)."""
        return queryset if self.whole else queryset.filter(**{f"{path}__in": self.subdistricts})


def reader_scope(user):
    """The reader's Scope; PermissionDenied (403) for anyone who may not read star figures."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Log in to read the five-star figures."))
    person = person_for(user)
    if not user.is_superuser and (person is None or person.role not in READER_ROLES):
        raise PermissionDenied(_("The five-star figures are for leaders, dispatchers and administrators."))
    if user.is_superuser or sees_whole_district(person):
        district = District.objects.only("code", "name").first()
        return Scope(
            whole=True,
            code=district.code if district else "",
            name=district.name if district else "",
            subdistricts=SubDistrict.objects.all(),
        )
    own = SubDistrict.objects.only("code", "name").get(pk=person.subdistrict_id)
    return Scope(whole=False, code=own.code, name=own.name, subdistricts=SubDistrict.objects.filter(pk=own.pk))


# --- periods ---------------------------------------------------------------------------


def resolve_period(raw, today=None):
    """The period with code `raw`, or the current one when empty; BadParameter (400) when unknown.

    None when there is no period at all (a fresh install before the program starts).
    """
    raw = (raw or "").strip()
    if not raw:
        return current_period(today)
    period = Period.objects.filter(code=raw).first()
    if period is None:
        raise BadParameter("period", _("There is no assessment period with code %(code)s.") % {"code": repr(raw[:20])})
    return period


def period_list(selected):
    """Every period, oldest first; `selected` marks the one shown."""
    return [
        {
            "code": p.code,
            "name": p.name,
            "starts_on": p.starts_on.isoformat(),
            "ends_on": p.ends_on.isoformat(),
            "selected": selected is not None and p.pk == selected.pk,
        }
        for p in Period.objects.order_by("starts_on")
    ]


# --- figures -----------------------------------------------------------------------------


def trend(scope):
    """Branches at each level (0-5) in every period, oldest first: three queries."""
    periods = list(Period.objects.order_by("starts_on"))
    branch_ids = list(scope.limit(Branch.objects, "community__subdistrict").values_list("pk", flat=True))
    held = defaultdict(lambda: defaultdict(set))
    awarded = (
        scope.limit(Assessment.objects.filter(status=AssessmentStatus.AWARDED), "branch__community__subdistrict")
        .order_by()
        .values_list("period_id", "branch_id", "star")
    )
    for period_id, branch_id, star in awarded:
        held[period_id][branch_id].add(star)
    result = []
    for period in periods:
        counts = Counter(level_of(held[period.pk].get(b, set()), period.foundation_gates) for b in branch_ids)
        result.append(
            {"period": period.code, "name": period.name, "levels": {str(n): counts.get(n, 0) for n in range(6)}}
        )
    return result


def summary_answer(user, query):
    """The summary API's body for these query parameters (PermissionDenied, BadParameter, or None: no period)."""
    scope = reader_scope(user)
    period = resolve_period(query.get("period"))
    if period is None:
        return None
    subdistricts = list(scope.subdistricts.order_by("code"))
    answer = summary(period, subdistricts)
    if not scope.whole:
        # levels.summary counts the whole district in "district": a
        # sub-district's reader gets their own figures there instead.
        own = answer["subdistricts"][0]
        answer["district"] = {key: value for key, value in own.items() if key not in ("code", "name")}
    answer["period_name"] = period.name
    answer["scope"] = scope.as_json()
    answer["periods"] = period_list(period)
    answer["trend"] = trend(scope)
    return answer


class SummaryView(APIView):
    @extend_schema(
        summary="Five-star branches by level, with targets, for the district and each sub-district",
        description=(
            "For the period (default: the one containing today): the number of branches at each level 0-5, "
            "and per target level (five_star, four_star, three_star) the target, branches holding it now, "
            "branches that reach it if every application in flight is awarded (in_pipeline), and the gap. "
            "`district` is the reader's whole area: a sub-district's leader or dispatcher gets their "
            "sub-district there and in `subdistricts`. Also every period (`periods`) and the branches at "
            "each level in every period (`trend`). 403 for anyone but leaders, dispatchers and administrators."
        ),
        parameters=[OpenApiParameter("period", OpenApiTypes.STR, description="Period code, e.g. 2026.")],
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description='{"detail": message, "field": "period"}'),
            403: OpenApiResponse(OpenApiTypes.OBJECT),
            404: OpenApiResponse(OpenApiTypes.OBJECT, description="No assessment period exists yet."),
        },
        tags=["stars"],
    )
    def get(self, request):
        answer = summary_answer(request.user, request.query_params)
        if answer is None:
            return Response({"detail": _("No assessment period has been created yet.")}, status=404)
        return Response(answer)
