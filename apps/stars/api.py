"""Stars API: periods, criteria, applications (apply, list by queue, read, act), evidence, branch history.

Each view parses, checks access (apps/stars/access.py), calls one function of
the workflow (apps/stars/assessment.py) and renders. Refusals map to HTTP as
the workflow defines them: 400 bad input (with the field), 409 not possible
now (a second application, an award before the notice closed), 403 not yours
(a member scoring another task force's star), 404 outside what one may see.
"""

import mimetypes
import os

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.stars import api_support as parse
from apps.stars.access import (
    ADMIN,
    QUEUES,
    SECRETARY,
    get_assessment_for,
    get_branch_for,
    queue,
    viewer_for,
)
from apps.stars.api_payload import (
    assessment_detail,
    assessment_row,
    branch_history,
    detail_queryset,
    list_queryset,
    measured_for,
)
from apps.stars.api_schema import (
    StarActionInputSerializer,
    StarApplicationDetailSerializer,
    StarApplicationPageSerializer,
    StarApplyInputSerializer,
    StarBranchHistorySerializer,
    StarCriterionSerializer,
    StarPeriodSerializer,
    error,
)
from apps.stars.assessment import TRANSITIONS, AssessmentError, NotAllowed, NotYours, apply, may_act, transition
from apps.stars.models import Assessment, Branch, BranchKind, Evidence, Period, StarCriterion

TAGS = ["stars"]
PERIOD_PARAMETER = OpenApiParameter("period", OpenApiTypes.STR, description="Period code; default the current period.")


class ApplicationPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def read_body(request):
    parse.check_body_size(request)
    try:
        return request.data, request.FILES
    except RequestDataTooBig:
        raise parse.too_large() from None
    except TooManyFieldsSent:
        raise parse.ApiError(400, _("Too many fields in the request."), "invalid") from None


def detail_of(assessment, viewer):
    assessment = detail_queryset(Assessment.objects.filter(pk=assessment.pk)).get()
    return assessment_detail(assessment, viewer, measured_for([assessment])[assessment.pk])


def precheck(viewer, assessment, action):
    """409 (not now) and 403 (not yours) before any input is read, as the workflow orders them.

    Without it a member who sends bad points for another task force's star
    would get a 400 about the points; the workflow checks again under its lock.
    """
    if (assessment.status, action) not in TRANSITIONS:
        raise parse.workflow_error(NotAllowed(
            _("“%(action)s” is not possible while the application is “%(status)s”.")
            % {"action": action, "status": assessment.get_status_display()}))
    full = Assessment.objects.select_related("criterion", "branch__community").get(pk=assessment.pk)
    if not may_act(viewer.person, full, action):
        raise parse.workflow_error(NotYours(
            _("“%(action)s” on this application is not yours to take.") % {"action": action}))


class PeriodListView(APIView):
    @extend_schema(summary="Assessment periods, newest first", responses={200: StarPeriodSerializer(many=True)}, tags=TAGS)
    def get(self, request):
        viewer_for(request.user)
        current = parse.current_period()
        return Response([
            {
                "code": p.code, "name": p.name, "starts_on": p.starts_on, "ends_on": p.ends_on,
                "notice_days": p.notice_days, "foundation_gates": p.foundation_gates,
                "current": current is not None and p.pk == current.pk,
            }
            for p in Period.objects.order_by("-starts_on")
        ])


class CriteriaView(APIView):
    @extend_schema(
        summary="The stars of a period with their indicators and points",
        parameters=[
            PERIOD_PARAMETER,
            OpenApiParameter("kind", OpenApiTypes.STR, enum=BranchKind.values, description="Branch kind; default both."),
        ],
        responses={200: StarCriterionSerializer(many=True), 400: error("Unknown period or kind.")},
        tags=TAGS,
    )
    def get(self, request):
        viewer_for(request.user)
        period = parse.period_from(request.query_params)
        criteria = StarCriterion.objects.filter(period=period).prefetch_related("indicators")
        kind = request.query_params.get("kind")
        if kind:
            if kind not in BranchKind.values:
                raise parse.bad("kind", _("Kind must be village or community."))
            criteria = criteria.filter(kind=kind)
        return Response([
            {
                "kind": c.kind, "star": c.star, "name": c.name, "pass_score": c.pass_score,
                "indicators": [
                    {"code": i.code, "name": i.name, "max_points": i.max_points, "measure": i.measure}
                    for i in sorted(c.indicators.all(), key=lambda i: i.code)
                ],
            }
            for c in criteria.order_by("kind", "star")
        ])


class ApplicationListView(APIView):
    pagination_class = ApplicationPagination

    @extend_schema(
        summary="Star applications you may see, by queue",
        operation_id="stars_applications_list",
        description=(
            "queue: review (waiting for the sub-district), scoring (with the task force), notice (on public "
            "notice; everyone with a stars role reads these), awarded, mine (waiting for you; a secretary: "
            "your branch's), all (default). Task-force members see their own task force's applications only."
        ),
        parameters=[
            OpenApiParameter("queue", OpenApiTypes.STR, enum=list(QUEUES)),
            PERIOD_PARAMETER,
            OpenApiParameter("star", OpenApiTypes.INT, description="1-5."),
            OpenApiParameter("branch", OpenApiTypes.STR, description="Community code."),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="Default 50, at most 200."),
        ],
        responses={200: StarApplicationPageSerializer, 400: error("Bad parameter."), 404: error("Not for you.")},
        tags=TAGS,
    )
    def get(self, request):
        viewer = viewer_for(request.user)
        params = request.query_params
        name = params.get("queue") or "all"
        if name not in QUEUES:
            raise parse.bad("queue", _("Unknown queue: %(queue)s.") % {"queue": name})
        rows = queue(viewer, name, parse.period_from(params))
        star = parse.integer(params, "star", low=1, high=5)
        if star:
            rows = rows.filter(star=star)
        if params.get("branch"):
            rows = rows.filter(branch__community__code=params["branch"])
        rows = list_queryset(rows).order_by("applied_at", "pk")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        now = timezone.now()
        return paginator.get_paginated_response([assessment_row(a, viewer, now) for a in page])

    @extend_schema(
        summary="Apply for a star (the branch secretary), with evidence",
        description=(
            "Multipart with evidence files, or JSON without. One application per branch, star and period: "
            "a second one is refused with 409 and writes nothing. 413 for a body larger than ten 20 MB files."
        ),
        request={"multipart/form-data": StarApplyInputSerializer, "application/json": StarApplyInputSerializer},
        responses={
            201: StarApplicationDetailSerializer,
            400: error("Bad input; nothing written."),
            403: error("Only a branch's secretary (or an administrator) applies."),
            404: error("Not for you."),
            409: error("The branch already applied for this star in this period."),
            413: error("Request too large."),
        },
        tags=TAGS,
    )
    def post(self, request):
        viewer = viewer_for(request.user)
        if viewer.kind not in (SECRETARY, ADMIN):
            raise parse.ApiError(403, _("Only the branch's secretary applies for its stars."), "not_yours")
        data, files = read_body(request)
        period = parse.period_from(data)
        star = parse.integer(data, "star", required=True, low=1, high=5)
        statement = parse.text(data, "statement", parse.MAX_STATEMENT, required=True)
        self_score = parse.integer(data, "self_score", low=0, high=100)
        branch = self.branch_of(viewer, data)
        uploads = parse.evidence_files(files)
        note = parse.text(data, "evidence_note", parse.MAX_NOTE)
        evidence = [{"file": upload} for upload in uploads] + ([{"note": note}] if note else [])
        try:
            assessment = apply(branch=branch, period=period, star=star, by=viewer.person, statement=statement,
                               self_score=self_score, evidence=evidence)
        except AssessmentError as exc:
            raise parse.workflow_error(exc) from None
        return Response(detail_of(assessment, viewer), status=status.HTTP_201_CREATED)

    @staticmethod
    def branch_of(viewer, data):
        code = parse.text(data, "branch", 12)
        if viewer.kind == SECRETARY:
            branch = Branch.objects.select_related("community").get(community_id=viewer.person.community_id)
            if code and code != branch.community.code:
                raise parse.ApiError(403, _("You apply for your own branch only."), "not_yours", "branch")
            return branch
        if not code:
            raise parse.bad("branch", _("Name the branch by its community code."))
        branch = Branch.objects.select_related("community").filter(community__code=code).first()
        if branch is None:
            raise parse.bad("branch", _("Unknown branch: %(code)s.") % {"code": code})
        return branch


class ApplicationDetailView(APIView):
    @extend_schema(
        summary="A star application in full",
        description="Scores per indicator with the platform's measured values beside them, the self-assessment, "
        "evidence, objections, the timeline and the actions you may take now.",
        responses={200: StarApplicationDetailSerializer, 404: error("No such application that you may see.")},
        tags=TAGS,
    )
    def get(self, request, pk):
        viewer, assessment = get_assessment_for(request.user, pk)
        return Response(detail_of(assessment, viewer))


class ApplicationActionView(APIView):
    @extend_schema(
        summary="Take an action on a star application",
        description=(
            "Actions: review_pass, review_refuse, withdraw, score {points: {code: value}}, publish, refuse, "
            "object (note = the objection), resolve {objection, upheld}, award, revoke. 400 bad input (field "
            "says which: points for a score outside an indicator's range); 409 not possible now (an award "
            "before the notice closed, an objection after it); 403 not yours (another task force's star)."
        ),
        parameters=[OpenApiParameter("action", OpenApiTypes.STR, OpenApiParameter.PATH, enum=parse.ACTIONS)],
        request={"application/json": StarActionInputSerializer, "multipart/form-data": StarActionInputSerializer},
        responses={
            200: StarApplicationDetailSerializer,
            400: error("Bad input; nothing written."),
            403: error("Not yours to take."),
            404: error("No such application that you may see."),
            409: error("Not possible in this status or at this time."),
        },
        tags=TAGS,
    )
    def post(self, request, pk, action):
        viewer, assessment = get_assessment_for(request.user, pk, acting=True)
        data, _files = read_body(request)
        if action not in parse.ACTIONS:
            raise parse.bad("action", _("Unknown action: %(action)s.") % {"action": action})
        precheck(viewer, assessment, action)
        note, params = parse.action_params(action, data)
        try:
            transition(assessment, action, by=viewer.person, note=note, **params)
        except AssessmentError as exc:
            raise parse.workflow_error(exc) from None
        return Response(detail_of(assessment, viewer))


class EvidenceFileView(APIView):
    """Evidence is served only to those who may see the application, never from a public media URL."""

    @extend_schema(
        summary="An evidence file of a star application",
        responses={(200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
                   404: error("No such evidence that you may see.")},
        tags=TAGS,
    )
    def get(self, request, pk):
        item = Evidence.objects.filter(pk=pk).exclude(file="").first()
        if item is None:
            raise Http404(_("No such evidence."))
        get_assessment_for(request.user, item.assessment_id)
        name = os.path.basename(item.file.name)
        try:
            handle = item.file.open("rb")
        except FileNotFoundError:
            raise Http404(_("No such evidence.")) from None
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        response = FileResponse(handle, content_type=content_type, filename=name,
                                as_attachment=not parse.is_image(name))
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class BranchHistoryView(APIView):
    @extend_schema(
        summary="A branch's history: every period's level and stars, every application and its events",
        responses={200: StarBranchHistorySerializer, 404: error("No such branch that you may see.")},
        tags=TAGS,
    )
    def get(self, request, code):
        _viewer, branch = get_branch_for(request.user, code)
        return Response(branch_history(branch))
