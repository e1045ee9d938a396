"""GET /api/evaluation/: the evaluation figures for a period, with the counting rules.

Who may read them: administrators, the command centre and district leaders the
whole district; a sub-district's dispatchers and leaders their sub-district
(its grids, and each department's figures over its cases only). Anyone else
gets 403: evaluation is a management view, not a person's own work.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.areas.models import SubDistrict
from apps.cases.api_support import ApiError
from apps.cases.evaluation import (
    COUNTS,
    GROUPINGS,
    HANDLING_TIME_BASIS,
    RATES,
    RULES,
    PeriodError,
    evaluate,
    parse_period,
    ranking,
)
from apps.people.access import person_for, sees_whole_district
from apps.people.models import Role

READER_ROLES = (Role.DISPATCHER, Role.LEADER, Role.ADMINISTRATOR)
RANK_KEYS = RATES + COUNTS + ("mean_handling_hours",)


def subdistricts_for(user):
    """Sub-district ids whose cases a user's evaluation counts; None for the whole district.

    PermissionDenied (403) for anyone who does not read evaluation.
    """
    if user.is_authenticated and user.is_superuser:
        return None
    person = person_for(user)
    if person is None or person.role not in READER_ROLES:
        raise PermissionDenied(_("Evaluation is for dispatchers, leaders and administrators."))
    if sees_whole_district(person):
        return None
    return [person.subdistrict_id]


def narrowed_to(scope, code):
    """The scope narrowed to the sub-district with this code (the `subdistrict` parameter), if any.

    ApiError 404 rather than 403 for a code outside the scope: it reveals nothing.
    """
    if not code:
        return scope
    area = SubDistrict.objects.filter(code=code).values_list("pk", flat=True).first()
    if area is None or (scope is not None and area not in scope):
        raise ApiError(404, _("No sub-district %(code)s in your area.") % {"code": code}, "not_found", "subdistrict")
    return [area]


def period_parameters(default):
    """The OpenAPI parameters of a period (`period`, or `from` and `to`) and `subdistrict`."""
    return [
        OpenApiParameter("period", OpenApiTypes.STR, description=f"2026, 2026-Q3 or 2026-09 (default: {default})."),
        OpenApiParameter("from", OpenApiTypes.DATE, description="First day (with to, instead of period)."),
        OpenApiParameter("to", OpenApiTypes.DATE, description="Last day, inclusive."),
        OpenApiParameter("subdistrict", OpenApiTypes.STR, description="9-digit code: only this sub-district's cases."),
    ]


def evaluation_answer(user, params):
    """The API's body for these query parameters; ApiError (400/403/404) for a bad request."""
    scope = subdistricts_for(user)
    try:
        period = parse_period(params.get("period"), params.get("from"), params.get("to"))
    except PeriodError as exc:
        raise ApiError(400, exc.message, "bad_period", exc.field) from None
    by = params.get("by") or "department"
    if by not in GROUPINGS:
        raise ApiError(400, _("by must be one of: %(choices)s.") % {"choices": ", ".join(GROUPINGS)}, "invalid", "by")
    scope = narrowed_to(scope, params.get("subdistrict"))
    rows = evaluate(period, by, subdistricts=scope)
    key = params.get("rank")
    if key:
        if key not in RANK_KEYS:
            raise ApiError(400, _("rank must be one of: %(choices)s.") % {"choices": ", ".join(RANK_KEYS)},
                           "invalid", "rank")
        rows = ranking(rows, key)
    for row in rows:
        for rate in RATES:
            if row[rate] is not None:
                row[rate] = round(row[rate], 4)
    return {
        "period": {"label": period.label, "from": period.first.isoformat(), "to": period.last.isoformat()},
        "by": by,
        "scope": "district" if scope is None else "subdistrict",
        "mean_handling_time": HANDLING_TIME_BASIS,
        "rows": rows,
        "rules": [{"key": key, "rule": str(text)} for key, text in RULES],
    }


class EvaluationView(APIView):
    @extend_schema(
        summary="Evaluation figures per department, sub-district or grid for a period",
        description=(
            "Counts (reported, dispatched, handled, due, closed, closed_on_time, overdue, reworked, extended, "
            "returned, pending), rates (closure_rate 结案率, on_time_rate 按期结案率, rework_rate 返工率, "
            "extension_rate 延期率; null when the denominator is 0) and mean_handling_hours (wall-clock) per "
            "row, with the counting rules. A sub-district's dispatchers and leaders see their sub-district's "
            "cases only; others 403."
        ),
        parameters=[
            *period_parameters("this month"),
            OpenApiParameter("by", OpenApiTypes.STR, enum=list(GROUPINGS), description="Default department."),
            OpenApiParameter("rank", OpenApiTypes.STR, enum=list(RANK_KEYS),
                             description="Order rows best first by this figure and add a rank."),
        ],
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="{period, by, scope, mean_handling_time, rows, rules}"),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="{detail, code, field}: a bad parameter."),
            403: OpenApiResponse(OpenApiTypes.OBJECT, description="Not a dispatcher, leader or administrator."),
            404: OpenApiResponse(OpenApiTypes.OBJECT, description="A sub-district outside your area."),
        },
        tags=["evaluation"],
    )
    def get(self, request):
        return Response(evaluation_answer(request.user, request.query_params))
