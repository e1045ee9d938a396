"""The supervision API (/api/supervision/): campaigns, inspections, findings and their actions, plans, visits.

Views parse, check access, call one verb, answer. Refusals: 400 bad input
({"detail", "code", "field"}; nothing written), 403 not yours, 404 not in your
area, 409 not possible in this status.
"""

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.people.access import person_for
from apps.supervision import parse, records, workflow
from apps.supervision.access import (
    get_finding_for, get_plan_for, groups_of, visible_branches, visible_findings, visible_plans,
)
from apps.supervision.errors import NotYourAction, TransitionNotAllowed, WorkflowError
from apps.supervision.models import InspectionCampaign, Photo, ResearchRound, Visit
from apps.supervision.queries import current_round, overview, round_coverage
from apps.supervision.serializers import (
    SupervisionActionInputSerializer, SupervisionCampaignSerializer, SupervisionErrorSerializer, SupervisionFindingDetailSerializer, SupervisionFindingInputSerializer,
    SupervisionFindingSerializer, SupervisionInspectionInputSerializer, SupervisionInspectionResultSerializer, SupervisionPlanInputSerializer, SupervisionPlanSerializer,
    SupervisionRoundCoverageSerializer, SupervisionRoundSerializer, SupervisionVisitInputSerializer, SupervisionVisitSerializer,
)

TAGS = ["supervision"]
CODES = {TransitionNotAllowed: "transition_not_allowed", NotYourAction: "not_your_action"}


class ApiError(APIException):
    def __init__(self, exc):
        self.status_code = exc.status_code
        body = {"detail": exc.message, "code": next((c for k, c in CODES.items() if isinstance(exc, k)), "invalid")}
        if exc.field:
            body["field"] = exc.field
        super().__init__(body)


def error(description):
    return OpenApiResponse(SupervisionErrorSerializer, description=description)


def _person(request):
    person = person_for(request.user)
    if person is None:
        raise Http404(_("No supervision work for this account."))
    return person


FINDING_RELATED = ("branch__community__subdistrict", "group__campaign")


def finding_detail(finding, person):
    finding = type(finding).objects.select_related(*FINDING_RELATED).prefetch_related(
        "rectifications__submitted_by", "rectifications__decided_by", "photos").get(pk=finding.pk)
    return SupervisionFindingDetailSerializer(finding, context={"actions": workflow.FINDING.actions_for(person, finding)}).data


class CampaignListView(APIView):
    @extend_schema(summary="Inspection campaigns with your groups and their villages",
                   responses={200: SupervisionCampaignSerializer(many=True)}, tags=TAGS)
    def get(self, request):
        person = _person(request)
        groups = groups_of(person).prefetch_related("branches__community", "members")
        by_campaign = {}
        for group in groups:
            by_campaign.setdefault(group.campaign_id, []).append(group)
        campaigns = InspectionCampaign.objects.filter(pk__in=list(by_campaign))
        return Response(SupervisionCampaignSerializer(campaigns, many=True, context={"groups": by_campaign}).data)


class SummaryView(APIView):
    @extend_schema(summary="Counts of findings, overdue, look-back and weak-branch plans in your area",
                   responses={200: OpenApiTypes.OBJECT}, tags=TAGS)
    def get(self, request):
        return Response(overview(visible_branches(_person(request))))


class FindingListView(APIView):
    @extend_schema(
        summary="Findings you may see (your groups' villages, your area, your branch)",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, description="open, rectifying, submitted, returned, signed_off"),
            OpenApiParameter("overdue", OpenApiTypes.BOOL), OpenApiParameter("lookback", OpenApiTypes.BOOL),
            OpenApiParameter("branch", OpenApiTypes.STR, description="village/community code"),
        ],
        responses={200: SupervisionFindingSerializer(many=True)}, tags=TAGS,
    )
    def get(self, request):
        findings = visible_findings(_person(request)).select_related(*FINDING_RELATED)
        q = request.query_params
        if q.get("status"):
            findings = findings.filter(status=q["status"])
        if q.get("overdue") in ("1", "true"):
            findings = findings.filter(overdue=True)
        if q.get("lookback") in ("1", "true"):
            findings = findings.filter(lookback=True)
        if q.get("branch"):
            findings = findings.filter(branch__community__code=q["branch"])
        return Response(SupervisionFindingSerializer(findings.order_by("due_on", "id")[:2000], many=True).data)

    @extend_schema(
        summary="Record a finding (a member of the inspection group, in one of its villages)",
        request={"multipart/form-data": SupervisionFindingInputSerializer, "application/json": SupervisionFindingInputSerializer},
        responses={201: SupervisionFindingDetailSerializer, 400: error("Bad input (no deadline, no responsible party...)"),
                   403: error("Not a member of the group.")},
        tags=TAGS,
    )
    def post(self, request):
        person = _person(request)
        try:
            data, photos = parse.read_body(request)
            finding = records.record_finding(
                parse.group(data), parse.branch(data), by=person, step=parse.text(data, "step") or "other",
                description=parse.text(data, "description"), responsible_party=parse.text(data, "responsible_party"),
                deadline_days=data.get("deadline_days"), photos=photos,
            )
        except WorkflowError as exc:
            raise ApiError(exc) from None
        return Response(finding_detail(finding, person), status=201)


class FindingDetailView(APIView):
    @extend_schema(summary="A finding: facts, timeline, rectifications, photos, your actions",
                   responses={200: SupervisionFindingDetailSerializer, 404: error("Not in your area.")}, tags=TAGS)
    def get(self, request, pk):
        return Response(finding_detail(get_finding_for(request.user, pk), _person(request)))


class FindingActionView(APIView):
    @extend_schema(
        summary="Take an action on a finding",
        description="start, submit {text, photos} (the branch secretary); sign_off, send_back {note}, "
                    "lookback_pass, reopen {note} (a member of the finding's group).",
        parameters=[OpenApiParameter("action", OpenApiTypes.STR, OpenApiParameter.PATH,
                                     enum=sorted(workflow.FINDING_ACTORS))],
        request={"multipart/form-data": SupervisionActionInputSerializer, "application/json": SupervisionActionInputSerializer},
        responses={200: SupervisionFindingDetailSerializer, 400: error("Bad input; nothing written."),
                   403: error("Not yours to take."), 404: error("Not in your area."),
                   409: error("Not possible in this status (e.g. a rectification on a signed-off finding).")},
        tags=TAGS,
    )
    def post(self, request, pk, action):
        person = _person(request)
        finding = get_finding_for(request.user, pk)
        try:
            data, photos = parse.read_body(request)
            workflow.transition(finding, action, by=person, note=parse.text(data, "note"),
                                **({"text": parse.text(data, "text"), "photos": photos} if action == "submit" else {}))
        except WorkflowError as exc:
            raise ApiError(exc) from None
        return Response(finding_detail(finding, person))


class PhotoView(APIView):
    @extend_schema(summary="An evidence photo (only for those who may see its finding)",
                   responses={(200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY), 404: error("Not yours to see.")},
                   tags=TAGS)
    def get(self, request, pk):
        photo = Photo.objects.filter(pk=pk).first()
        if photo is None:
            raise Http404(_("No such photo."))
        get_finding_for(request.user, photo.finding_id)
        if settings.MEDIA_X_ACCEL:
            # nginx sends the file from its internal /media/ location (as for case photos).
            response = HttpResponse(content_type=photo.content_type)
            response["X-Accel-Redirect"] = settings.MEDIA_URL + photo.file.name
        else:
            try:
                response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
            except FileNotFoundError:
                raise Http404(_("No such photo.")) from None
        response["Cache-Control"] = "private, max-age=3600"
        return response


class InspectionCreateView(APIView):
    @extend_schema(
        summary="Record a matter checked against the 四议两公开一监督 checklist; each problem becomes a finding",
        request={"multipart/form-data": SupervisionInspectionInputSerializer, "application/json": SupervisionInspectionInputSerializer},
        responses={201: SupervisionInspectionResultSerializer, 400: error("Bad input; nothing written."),
                   403: error("Not a member of the group.")},
        tags=TAGS,
    )
    def post(self, request):
        person = _person(request)
        try:
            data, photos = parse.read_body(request)
            inspection, findings = records.record_inspection(
                parse.group(data), parse.branch(data), by=person, matter=parse.text(data, "matter"),
                answers=parse.answers(data), responsible_party=parse.text(data, "responsible_party"),
                deadline_days=data.get("deadline_days"), note=parse.text(data, "note"), photos=photos,
            )
        except WorkflowError as exc:
            raise ApiError(exc) from None
        findings = [type(f).objects.select_related(*FINDING_RELATED).get(pk=f.pk) for f in findings]
        return Response({"inspection": inspection.pk, "problems": [f.step for f in findings],
                         "findings": SupervisionFindingSerializer(findings, many=True).data}, status=201)


class PlanListView(APIView):
    @extend_schema(summary="Weak-branch rectification plans you may see",
                   responses={200: SupervisionPlanSerializer(many=True)}, tags=TAGS)
    def get(self, request):
        plans = (visible_plans(_person(request)).select_related("branch__community__subdistrict", "leader")
                 .prefetch_related("milestones"))
        return Response(SupervisionPlanSerializer(plans, many=True).data)

    @extend_schema(
        summary="Make a weak-branch plan (flags the branch weak and lax)",
        request={"application/json": SupervisionPlanInputSerializer},
        responses={201: SupervisionPlanSerializer, 400: error("Bad input; nothing written."), 403: error("Not yours.")},
        tags=TAGS,
    )
    def post(self, request):
        person = _person(request)
        try:
            data, _photos = parse.read_body(request)
            plan = records.create_plan(parse.branch(data), by=person, problems=parse.text(data, "problems"),
                                       measures=parse.text(data, "measures"), leader=parse.leader(data),
                                       milestones=parse.milestones(data))
        except WorkflowError as exc:
            raise ApiError(exc) from None
        return Response(SupervisionPlanSerializer(plan).data, status=201)


class PlanActionView(APIView):
    @extend_schema(
        summary="Take an action on a weak-branch plan",
        description="submit (responsible leader or branch secretary, every milestone done); sign_off, "
                    "send_back {note} (administrators and the leaders of the branch's area). Sign-off clears "
                    "the branch's weak flag.",
        parameters=[OpenApiParameter("action", OpenApiTypes.STR, OpenApiParameter.PATH,
                                     enum=sorted(workflow.PLAN_ACTORS))],
        request={"application/json": SupervisionActionInputSerializer},
        responses={200: SupervisionPlanSerializer, 400: error("Bad input."), 403: error("Not yours."),
                   404: error("Not in your area."), 409: error("Not possible in this status.")},
        tags=TAGS,
    )
    def post(self, request, pk, action):
        person = _person(request)
        plan = get_plan_for(request.user, pk)
        try:
            data, _photos = parse.read_body(request)
            workflow.plan_transition(plan, action, by=person, note=parse.text(data, "note"))
        except WorkflowError as exc:
            raise ApiError(exc) from None
        return Response(SupervisionPlanSerializer(plan).data)


class MilestoneDoneView(APIView):
    @extend_schema(
        summary="Report a milestone of a plan done",
        request={"application/json": OpenApiTypes.OBJECT},
        responses={200: SupervisionPlanSerializer, 400: error("Bad input."), 403: error("Not yours."), 404: error("No such.")},
        tags=TAGS,
    )
    def post(self, request, pk, milestone):
        person = _person(request)
        plan = get_plan_for(request.user, pk)
        item = plan.milestones.filter(pk=milestone).first()
        if item is None:
            raise Http404(_("No such milestone."))
        try:
            data, _photos = parse.read_body(request)
            records.complete_milestone(item, by=person, done_on=parse.date(data, "done_on"),
                                       note=parse.text(data, "note"))
        except WorkflowError as exc:
            raise ApiError(exc) from None
        return Response(SupervisionPlanSerializer(plan).data)


class RoundListView(APIView):
    @extend_schema(summary="Research rounds (过筛子)", responses={200: SupervisionRoundSerializer(many=True)}, tags=TAGS)
    def get(self, request):
        _person(request)
        return Response(SupervisionRoundSerializer(ResearchRound.objects.all(), many=True).data)


class RoundCoverageView(APIView):
    @extend_schema(summary="Which branches of your area were visited in the round, and which not",
                   responses={200: SupervisionRoundCoverageSerializer, 404: error("No such round.")}, tags=TAGS)
    def get(self, request, pk):
        person = _person(request)
        research_round = ResearchRound.objects.filter(pk=pk).first()
        if research_round is None:
            raise Http404(_("No such research round."))
        return Response(SupervisionRoundCoverageSerializer(round_coverage(research_round, visible_branches(person))).data)


class VisitListView(APIView):
    @extend_schema(
        summary="Research visits in your area (latest round by default)",
        parameters=[OpenApiParameter("round", OpenApiTypes.INT)],
        responses={200: SupervisionVisitSerializer(many=True)}, tags=TAGS,
    )
    def get(self, request):
        person = _person(request)
        round_id = request.query_params.get("round")
        if round_id and not round_id.isdigit():
            raise Http404(_("No such research round."))
        research_round = ResearchRound.objects.filter(pk=round_id).first() if round_id else current_round()
        visits = Visit.objects.filter(round=research_round, branch__in=visible_branches(person)).select_related(
            "branch__community__subdistrict", "visitor")
        return Response(SupervisionVisitSerializer(visits, many=True).data)

    @extend_schema(
        summary="Log a research visit to a branch of your area",
        request={"application/json": SupervisionVisitInputSerializer, "multipart/form-data": SupervisionVisitInputSerializer},
        responses={201: SupervisionVisitSerializer, 400: error("Bad input (a branch outside your area...); nothing written.")},
        tags=TAGS,
    )
    def post(self, request):
        person = _person(request)
        try:
            data, _photos = parse.read_body(request)
            visit = records.record_visit(parse.research_round(data), parse.branch(data), by=person,
                                         visited_on=parse.date(data, "visited_on"), checked=parse.text(data, "checked"),
                                         issues=parse.text(data, "issues"), issues_count=data.get("issues_count"))
        except WorkflowError as exc:
            raise ApiError(exc) from None
        return Response(SupervisionVisitSerializer(visit).data, status=201)
