"""Cases API: report, list, read, act. Each view parses, checks access, calls one function, renders.

Reports go through `intake.report_case`, actions through `workflow.transition`;
refusals map to HTTP as the workflow defines them: 409 not in this status (or
changed meanwhile), 403 not this person's action, 400 bad input, 404 a case
outside the person's area.
"""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.authentication import TokenAuthentication
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.cases import api_support as parse
from apps.cases.access import cases_for_user, get_case_for
from apps.cases.evidence import attach_photos, similar_cases_for
from apps.cases.intake import category_by_code, report_case
from apps.cases.models import Attachment, Case, CaseEvent, CasePart
from apps.cases.routing import suggest_department
from apps.cases.rows import CaseRows, case_rows
from apps.cases.serializers import (
    LIST_RELATED,
    ActionInputSerializer,
    CaseDetailSerializer,
    CaseSerializer,
    ErrorSerializer,
    ReportInputSerializer,
    ReportReceiptSerializer,
    receipt,
)
from apps.cases.workflow import ACTIONS, WorkflowError, allowed_actions, available, may_act, transition
from apps.people.access import person_for
from apps.people.models import Role

REPORTER_ROLES = (Role.GRID_WORKER, Role.ZONE_CADRE, Role.ADMINISTRATOR)
CONTACT_ROLES = (Role.DISPATCHER, Role.ADMINISTRATOR)


class CasePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    # The dispatch desk draws a whole queue (up to 1,000 cases) in one request.
    max_page_size = 1000


def read_body(request):
    """request.data and request.FILES, with 413 for a body no report could need."""
    parse.check_body_size(request)
    try:
        return request.data, request.FILES
    except RequestDataTooBig:
        raise parse.too_large() from None
    except TooManyFieldsSent:
        raise parse.ApiError(400, _("Too many fields in the request."), "invalid") from None


def detail_of(case, request, person):
    """The case in full for this person: timeline, parts, their actions, suggestion and duplicates."""
    case = (
        Case.objects.select_related(*LIST_RELATED, "grid__community__subdistrict", "reporter", "merged_into")
        .prefetch_related(
            Prefetch("parts", CasePart.objects.select_related("department").order_by("-lead", "department__code")),
            Prefetch(
                "events",
                CaseEvent.objects.select_related("actor", "department").prefetch_related(
                    Prefetch("attachments", Attachment.objects.order_by("pk"))
                ),
            ),
        )
        .get(pk=case.pk)
    )
    user = request.user
    photos = [a for event in case.events.all() for a in event.attachments.all()]
    context = {
        "number": case.number,
        "similar_cases": similar_cases_for(user, photos),
        "allowed_actions": [
            a for a in allowed_actions(case.status) if may_act(person, case, a) and available(case, a)
        ],
        "suggestion": suggest_department(case.category, case.grid),
        "duplicates": parse.possible_duplicates(case, cases_for_user(user)),
        "sees_contact": user.is_superuser or (person is not None and person.role in CONTACT_ROLES),
    }
    return CaseDetailSerializer(case, context=context).data


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Bad input: {detail, field, code}; nothing written."),
    403: OpenApiResponse(ErrorSerializer, description="Not yours to do."),
    404: OpenApiResponse(ErrorSerializer, description="No such case in your area."),
}
LIST_PARAMETERS = [
    OpenApiParameter("status", OpenApiTypes.STR, description="Comma-separated statuses."),
    OpenApiParameter(
        "queue", OpenApiTypes.STR, enum=list(parse.QUEUES),
        description="mine: waiting for you (dispatcher: to register, dispatch or decide; handler: your "
        "department's part to do; grid worker: to verify); open; to_verify; overdue; reported: by you.",
    ),
    OpenApiParameter("category", OpenApiTypes.STR, description="Category code."),
    OpenApiParameter("grid", OpenApiTypes.STR, description="15-digit grid code."),
    OpenApiParameter("subdistrict", OpenApiTypes.STR, description="9-digit sub-district code."),
    OpenApiParameter("department", OpenApiTypes.STR, description="Lead department code."),
    OpenApiParameter("bbox", OpenApiTypes.STR, description="minlon,minlat,maxlon,maxlat (EPSG:4326)."),
    OpenApiParameter("ordering", OpenApiTypes.STR, enum=list(parse.ORDERINGS), description="Default -reported_at."),
]


class CaseListView(generics.ListAPIView):
    serializer_class = CaseSerializer
    pagination_class = CasePagination

    def get_queryset(self):
        person = person_for(self.request.user)
        # list() reads only the columns a row shows (apps/cases/rows.py): codes and
        # names of the grid, community and sub-district, never their boundaries.
        cases = cases_for_user(self.request.user)
        return parse.filter_cases(cases, self.request.query_params, person, timezone.now())

    @extend_schema(
        summary="The cases you may see, filtered and paged",
        description="Constant query count per page. Your area decides what is listed: see apps/cases/access.py.",
        parameters=LIST_PARAMETERS, responses={200: CaseSerializer(many=True), 400: ERRORS[400]}, tags=["cases"],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        """CaseSerializer's JSON built from plain values (apps/cases/rows.py): 1,000 rows in a fifth of the time."""
        cases = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(CaseRows(cases))
        if page is None:
            return Response(case_rows(cases))
        return self.get_paginated_response(page)

    @extend_schema(
        summary="Report a case (grid workers, zone cadres)",
        description=(
            "Multipart (with photos) or JSON. The point must lie in the district and, for a grid worker, in "
            "their grids (a zone cadre: their zones' communities). A retry with the same client_id returns "
            "the case it made with 200, never a second case. 413 for a body larger than any valid report."
        ),
        request={"multipart/form-data": ReportInputSerializer, "application/json": ReportInputSerializer},
        responses={
            201: OpenApiResponse(
                ReportReceiptSerializer, description="The receipt: number, place, suggested department; GET url for "
                "the case in full."
            ),
            200: OpenApiResponse(ReportReceiptSerializer, description="A retry: the receipt of the case this "
                                 "client_id made."),
            400: ERRORS[400],
            403: ERRORS[403],
            409: OpenApiResponse(ErrorSerializer, description="client_id used by someone else's report."),
            413: OpenApiResponse(ErrorSerializer, description="Request too large."),
        },
        tags=["cases"],
    )
    def post(self, request):
        person = person_for(request.user)
        if person is None or person.role not in REPORTER_ROLES:
            raise parse.ApiError(403, _("Only grid workers and zone cadres report cases."), "not_a_reporter")
        data, files = read_body(request)
        # Phones retry on a weak connection: they must name the report so a retry finds it.
        token_client = isinstance(request.successful_authenticator, TokenAuthentication)
        client_id = parse.client_id(data, required=token_client)
        code = parse.text(data, "category", 12, required=True)
        category = category_by_code(code)
        if category is None:
            raise parse.BadParameter("category", _("Unknown category: %(code)s.") % {"code": code})
        lon, lat = parse.coordinate(data, "lon"), parse.coordinate(data, "lat")
        description = parse.text(data, "description", parse.MAX_DESCRIPTION)
        address = parse.text(data, "address", parse.MAX_ADDRESS)
        photos = parse.uploaded_photos(files)
        try:
            # A known client_id comes back as (its case, False): a retry, answered with its receipt.
            case, created = report_case(
                by=person, category=category, lon=lon, lat=lat, description=description, client_id=client_id,
                address=address, photos=photos,
            )
        except WorkflowError as exc:
            raise parse.workflow_error(exc) from None
        if not created:
            return self.retried(case, person)
        intake = case.intake
        body = receipt(case, intake.suggestion, intake.photos, intake.zone_code)
        return Response(body, status=status.HTTP_201_CREATED)

    def retried(self, case, person):
        if case.reporter_id != person.pk:
            raise parse.ApiError(409, _("This client_id belongs to another report."), "client_id_taken", "client_id")
        case = Case.objects.select_related(*LIST_RELATED, "zone", "grid__community__subdistrict").get(pk=case.pk)
        photos = Attachment.objects.filter(case=case, event__action="report").order_by("pk")
        zone = case.zone.code if case.zone_id else None
        return Response(receipt(case, suggest_department(case.category, case.grid), photos, zone))


class CaseDetailView(APIView):
    @extend_schema(
        summary="A case in full: timeline, parts, your actions, suggested department, possible duplicates",
        responses={200: CaseDetailSerializer, 404: ERRORS[404]},
        tags=["cases"],
    )
    def get(self, request, number):
        case = get_case_for(request.user, number)
        return Response(detail_of(case, request, person_for(request.user)))


class CaseActionView(APIView):
    @extend_schema(
        summary="Take an action on a case",
        description=(
            "Actions: " + ", ".join(ACTIONS) + ". 409 when the case's status does not allow it or the version "
            "you sent is stale (someone else acted first); 403 when it is not yours to take (e.g. verifying a "
            "case your department handled); 400 for bad input (a deadline in the past, an unknown department, "
            "a missing reason); 404 for a case outside your area. Returns the case in full."
        ),
        parameters=[OpenApiParameter("action", OpenApiTypes.STR, OpenApiParameter.PATH, enum=ACTIONS)],
        request={"multipart/form-data": ActionInputSerializer, "application/json": ActionInputSerializer},
        responses={
            200: CaseDetailSerializer,
            **ERRORS,
            409: OpenApiResponse(ErrorSerializer, description="Not allowed in this status, or changed meanwhile."),
        },
        tags=["cases"],
    )
    def post(self, request, number, action):
        person = person_for(request.user)
        case = get_case_for(request.user, number)
        data, files = read_body(request)
        note, version, photos, params = parse.action_input(
            action, data, files, target_cases=cases_for_user(request.user), now=timezone.now()
        )
        saved = []
        try:
            with transaction.atomic():
                event = transition(case, action, by=person, note=note, expected_version=version, **params)
                saved = attach_photos(case, event, photos, by=person, now=event.at)
        except WorkflowError as exc:
            raise parse.workflow_error(exc) from None
        except Exception:
            # The rows rolled back; the files they named must go too.
            for attachment in saved:
                attachment.file.delete(save=False)
            raise
        return Response(detail_of(case, request, person))
