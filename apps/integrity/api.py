"""GET /api/integrity/signals/: the KPI-gaming signals for a period, per department and grid, with their cases.

Readers and scope are evaluation's (apps/cases/api_evaluation.py): a
sub-district's dispatchers and leaders see their sub-district's cases only.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.cases.api_evaluation import period_parameters
from apps.integrity.answer import signals_answer
from apps.integrity.rules import CODES
from gridgov.api_errors import ApiErrorSerializer


class SignalListView(APIView):
    @extend_schema(
        summary="KPI-gaming signals per department and grid for a period, with the cases behind each number",
        description=(
            "Each active signal (photo_reused, photo_far, photo_early, reopen_churn, fast_verification, "
            "deadline_requests) with its rule and thresholds (data: editable in the admin), its total, rows per "
            "department and per grid (count and case numbers; deadline_requests adds requests, share and flagged), "
            "and every case behind it with what was found. Default period: the twelve months ending today. "
            "A sub-district's dispatchers and leaders see their sub-district's cases only; others but "
            "administrators, the command centre and district leaders get 403."
        ),
        parameters=[
            *period_parameters("the last 12 months"),
            OpenApiParameter("signal", OpenApiTypes.STR, enum=CODES, description="Only this signal."),
        ],
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="{period, scope, signals}"),
            400: OpenApiResponse(ApiErrorSerializer, description="A bad period or signal."),
            403: OpenApiResponse(ApiErrorSerializer, description="Not a dispatcher, leader or administrator."),
            404: OpenApiResponse(ApiErrorSerializer, description="A sub-district outside your area."),
        },
        tags=["integrity"],
    )
    def get(self, request):
        return Response(signals_answer(request.user, request.query_params))
