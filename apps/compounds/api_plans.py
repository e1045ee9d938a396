"""Zoning and assignment drafts over HTTP: the API the /compounds/ page works with.

Each view parses, checks access (`apps.people.access.planning_communities`),
calls one verb of `zone_plans` / `assignment_plans`, renders. Computing a draft is a Celery
job: the POST writes a queued row and answers 202 at once, even with the broker
down (the sweeper re-sends). Errors are {"detail", "code", "field"?}: 400 bad
input, 403 planning is not yours, 404 a draft or community outside your area,
409 not in this status or the zones in force changed since the draft was made.
"""

import json

import shapely
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.compounds import assignment_plans, plan_common, tasks, zone_plans
from apps.compounds.models import AssignmentPlan, Compound, PlanStatus, Zone, ZoneAssignment, ZonePlan
from apps.people.access import planning_communities, plans_whole_district

LIST_LIMIT = 100


class ApiError(APIException):
    def __init__(self, status_code, message, code, field=None):
        self.status_code = status_code
        body = {"detail": message, "code": code}
        if field:
            body["field"] = field
        super().__init__(body)


def refused(exc):
    return ApiError(exc.status, exc.message, exc.code, exc.field)


# --- access -------------------------------------------------------------------


def planner_communities(user):
    communities = planning_communities(user)
    if communities is None:
        raise ApiError(403, _("Zoning and cadre assignment are for administrators and sub-district staff."),
                       "forbidden")
    return communities


def get_zone_plan_for(user, pk):
    """The draft if the user may plan its scope; 403 for non-planners, 404 outside one's area."""
    communities = planner_communities(user)
    plan = ZonePlan.objects.select_related("community", "created_by").filter(pk=pk).first()
    visible = plan is not None and (
        plans_whole_district(user) if plan.community_id is None else communities.filter(pk=plan.community_id).exists()
    )
    if not visible:
        raise ApiError(404, _("No zoning draft %(id)s in your area.") % {"id": pk}, "not_found")
    return plan


def get_assignment_plan_for(user, pk):
    planner_communities(user)
    plan = AssignmentPlan.objects.select_related("created_by").filter(pk=pk).first()
    if plan is None or not plans_whole_district(user):
        raise ApiError(404, _("No assignment draft %(id)s in your area.") % {"id": pk}, "not_found")
    return plan


def body_of(request):
    data = request.data
    if not isinstance(data, dict):
        raise ApiError(400, _("The request body must be a JSON object."), "invalid")
    return data


# --- rendering ----------------------------------------------------------------


def actions_of(plan):
    if plan.status == PlanStatus.READY:
        return ["move", "replan", "apply", "discard"] if isinstance(plan, ZonePlan) else ["apply", "discard"]
    if plan.status in plan_common.OPEN:
        return ["discard"]
    return []


def _who(user):
    return user.get_username() if user is not None else None


def summary_of(plan):
    return {
        "id": plan.pk,
        "status": plan.status,
        "progress": plan.progress,
        "scope": {"community": plan.community.code if plan.community_id else None,
                  "community_name": plan.community.name if plan.community_id else None},
        "created_at": plan.created_at,
        "created_by": _who(plan.created_by),
    }


def zone_plan_detail(plan):
    """The draft in full: reports, the diff against the zones in force, its zones and the codes they get."""
    body = {
        **summary_of(plan),
        "url": reverse("api-zone-plan", args=[plan.pk]),
        "error": plan.error,
        "params": plan.params,
        "report": plan.report,
        "report_in_force": plan.report_in_force,
        "outcome": plan.outcome,
        "applied_at": plan.applied_at,
        "diff": {"moved": [], "kept": [], "new": [], "gone": []},
        "zones": [],
        "actions": actions_of(plan),
    }
    if plan.status in (PlanStatus.READY, PlanStatus.APPLIED):
        resolution = zone_plans.resolve(plan)
        if plan.status == PlanStatus.READY:
            body["diff"] = zone_plans.diff_of(resolution)
        rows = resolution.compounds
        body["zones"] = [
            {
                "key": key,
                "code": resolution.codes[key],
                "community": rows[members[0]]["community__code"],
                "households": sum(rows[pk]["households"] for pk in members),
                "compounds": len(members),
            }
            for key, members in sorted(resolution.keys.items())
        ]
    return body


def assignment_plan_detail(plan):
    items = list(plan.items.select_related("cadre__department").order_by("zone_code", "-is_head", "cadre__code"))
    names = dict(Zone.objects.values_list("code", "name"))
    in_force = dict(ZoneAssignment.objects.values_list("cadre__code", "zone__code"))
    zones = {}
    for item in items:
        zone = zones.setdefault(item.zone_code, {"code": item.zone_code, "name": names.get(item.zone_code, ""),
                                                 "cadres": []})
        zone["cadres"].append({
            "code": item.cadre.code,
            "name": item.cadre.name,
            "department": item.cadre.department.name if item.cadre.department_id else None,
            "distance_m": item.distance_m,
            "head": item.is_head,
        })
    moved = []
    if plan.status == PlanStatus.READY:
        moved = [
            {"cadre": item.cadre.code, "name": item.cadre.name, "from_zone": in_force.get(item.cadre.code),
             "to_zone": item.zone_code}
            for item in sorted(items, key=lambda i: i.cadre.code)
            if in_force.get(item.cadre.code) != item.zone_code
        ]
    return {
        "id": plan.pk,
        "url": reverse("api-assignment-plan", args=[plan.pk]),
        "status": plan.status,
        "progress": plan.progress,
        "error": plan.error,
        "params": plan.params,
        "report": plan.report,
        "outcome": plan.outcome,
        "created_at": plan.created_at,
        "created_by": _who(plan.created_by),
        "applied_at": plan.applied_at,
        "diff": {"moved": moved},
        "zones": list(zones.values()),
        "actions": actions_of(plan),
    }


def queued_body(plan, name):
    return {"id": plan.pk, "status": plan.status, "progress": plan.progress, "url": reverse(name, args=[plan.pk])}


# --- schema -------------------------------------------------------------------


STATUS_HELP = "One of: " + ", ".join(PlanStatus.values) + "."


class ZoningErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    field = serializers.CharField(required=False)


class ZonePlanInputSerializer(serializers.Serializer):
    community = serializers.CharField(required=False, help_text="12-digit community code; omit for the district.")
    target = serializers.IntegerField(required=False, help_text="Zones to make (default: as many as in force).")
    cap = serializers.IntegerField(required=False, help_text="Most households a zone may hold (instead of target).")
    band = serializers.FloatField(required=False, help_text="Distance band in metres (default 200).")
    start = serializers.CharField(
        required=False, help_text='"plan" (default): a new zoning; "in_force": the zones in force, to edit by hand.'
    )


class DraftQueuedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text=STATUS_HELP)
    progress = serializers.IntegerField()
    url = serializers.CharField()


class ZonePlanScopeSerializer(serializers.Serializer):
    community = serializers.CharField(allow_null=True)
    community_name = serializers.CharField(allow_null=True)


class ZonePlanSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text=STATUS_HELP)
    progress = serializers.IntegerField()
    scope = ZonePlanScopeSerializer()
    created_at = serializers.DateTimeField()
    created_by = serializers.CharField(allow_null=True)


class ZonePlanMovedCompoundSerializer(serializers.Serializer):
    compound = serializers.CharField()
    name = serializers.CharField()
    from_zone = serializers.CharField()
    to_zone = serializers.CharField()


class ZonePlanDiffSerializer(serializers.Serializer):
    moved = ZonePlanMovedCompoundSerializer(many=True)
    kept = serializers.ListField(child=serializers.CharField())
    new = serializers.ListField(child=serializers.CharField())
    gone = serializers.ListField(child=serializers.CharField())


class ZonePlanZoneSerializer(serializers.Serializer):
    key = serializers.CharField()
    code = serializers.CharField(help_text="The code the zone gets on apply (kept zones keep theirs).")
    community = serializers.CharField()
    households = serializers.IntegerField()
    compounds = serializers.IntegerField()


class ZonePlanDetailSerializer(ZonePlanSummarySerializer):
    url = serializers.CharField()
    error = serializers.CharField()
    params = serializers.JSONField()
    report = serializers.JSONField(help_text="zoning_report.Report.as_dict(): zones, crossings, load_cv, problems, ...")
    report_in_force = serializers.JSONField()
    outcome = serializers.JSONField(
        help_text="After apply: kept, new, retired, carried and released cadres, short zones."
    )
    applied_at = serializers.DateTimeField(allow_null=True)
    diff = ZonePlanDiffSerializer()
    zones = ZonePlanZoneSerializer(many=True)
    actions = serializers.ListField(
        child=serializers.CharField(), help_text="Allowed now: move, replan, apply, discard."
    )


class ZonePlanMoveSerializer(serializers.Serializer):
    compound = serializers.CharField(help_text="Compound code.")
    zone = serializers.CharField(help_text='Draft zone key "<community code>:NN" of the same community.')


class ZonePlanReplanSerializer(serializers.Serializer):
    community = serializers.CharField(help_text="12-digit community code.")
    zones = serializers.IntegerField(help_text="How many zones the community gets.")


class AssignmentPlanInputSerializer(serializers.Serializer):
    per_zone = serializers.IntegerField(required=False, help_text="Cadres a zone (default 5).")
    max_per_department = serializers.IntegerField(
        required=False, allow_null=True,
        help_text="Most cadres of one department in a zone (default 2; null: no limit).",
    )
    head_from_office = serializers.BooleanField(required=False, help_text="A head from the zone's sub-district office.")
    minimax = serializers.BooleanField(required=False, help_text="Minimise the longest distance first.")


class AssignmentPlanCadreSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    department = serializers.CharField(allow_null=True)
    distance_m = serializers.FloatField(allow_null=True)
    head = serializers.BooleanField()


class AssignmentPlanZoneSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    cadres = AssignmentPlanCadreSerializer(many=True)


class AssignmentPlanMovedCadreSerializer(serializers.Serializer):
    cadre = serializers.CharField()
    name = serializers.CharField()
    from_zone = serializers.CharField(allow_null=True)
    to_zone = serializers.CharField()


class AssignmentPlanDiffSerializer(serializers.Serializer):
    moved = AssignmentPlanMovedCadreSerializer(many=True)


class AssignmentPlanDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    status = serializers.CharField(help_text=STATUS_HELP)
    progress = serializers.IntegerField()
    error = serializers.CharField()
    params = serializers.JSONField()
    report = serializers.JSONField(help_text="assignment report: total_m, mean_m, max_m, optimal, gap, rule_costs, ...")
    outcome = serializers.JSONField()
    created_at = serializers.DateTimeField()
    created_by = serializers.CharField(allow_null=True)
    applied_at = serializers.DateTimeField(allow_null=True)
    diff = AssignmentPlanDiffSerializer()
    zones = AssignmentPlanZoneSerializer(many=True)
    actions = serializers.ListField(child=serializers.CharField(), help_text="Allowed now: apply, discard.")


def error(description):
    return OpenApiResponse(ZoningErrorSerializer, description=description)


E403 = error("Zoning and assignment are not yours (only administrators and sub-district staff plan).")
E404_PLAN = error("No such draft in your area.")
E409_STATUS = error("The draft is not in a status that allows this.")
GEOJSON = OpenApiResponse(OpenApiTypes.OBJECT, description="GeoJSON FeatureCollection.")
TAGS = ["compounds"]


# --- zoning drafts --------------------------------------------------------------


class ZonePlanListView(APIView):
    @extend_schema(
        summary="Zoning drafts of my area, newest first",
        responses={200: ZonePlanSummarySerializer(many=True), 403: E403},
        tags=TAGS,
    )
    def get(self, request):
        communities = planner_communities(request.user)
        visible = Q(community__in=communities)
        if plans_whole_district(request.user):
            visible |= Q(community__isnull=True)
        drafts = (
            ZonePlan.objects.filter(visible).exclude(status=PlanStatus.SUPERSEDED)
            .select_related("community", "created_by").order_by("-created_at", "-id")[:LIST_LIMIT]
        )
        return Response([summary_of(plan) for plan in drafts])

    @extend_schema(
        summary="Ask for a zoning draft of the district or one community (a Celery job)",
        description=(
            "Answers 202 with the queued draft at once, even while the broker is down (a sweeper re-sends "
            "the job). Poll the draft's url for progress. Sub-district staff give one community of their "
            "sub-district."
        ),
        request=ZonePlanInputSerializer,
        responses={
            202: DraftQueuedSerializer,
            400: error("Bad input (target and cap both, a target above the compounds, a bad band); nothing written."),
            403: E403,
            404: error("No such community in your area."),
        },
        tags=TAGS,
    )
    def post(self, request):
        communities = planner_communities(request.user)
        data = body_of(request)
        try:
            community = None
            if data.get("community") not in (None, ""):
                community = zone_plans.community_by_code(data["community"], communities)
            elif not plans_whole_district(request.user):
                raise ApiError(403, _("Your drafts are for one community of your sub-district: give its code."),
                               "scope", "community")
            plan = zone_plans.queue_zone_plan(community, data, by=request.user)
        except plan_common.PlanError as exc:
            raise refused(exc) from None
        tasks.enqueue(plan)
        return Response(queued_body(plan, "api-zone-plan"), status=202)


class ZonePlanDetailView(APIView):
    @extend_schema(
        summary="A zoning draft: status, progress, reports, diff against the zones in force, its zones",
        responses={200: ZonePlanDetailSerializer, 403: E403, 404: E404_PLAN},
        tags=TAGS,
    )
    def get(self, request, pk):
        plan = get_zone_plan_for(request.user, pk)
        return Response(zone_plan_detail(plan))


class ZonePlanCompoundsView(APIView):
    @extend_schema(
        summary="The draft's compounds as GeoJSON, with draft zone, the code it gets and the zone in force",
        responses={200: GEOJSON, 403: E403, 404: E404_PLAN},
        tags=TAGS,
    )
    def get(self, request, pk):
        plan = get_zone_plan_for(request.user, pk)
        resolution = zone_plans.resolve(plan)
        key_of = {compound: key for key, members in resolution.keys.items() for compound in members}
        shapes = plan_common.scope_compounds(plan.community).annotate(shape=AsGeoJSON("geom", precision=6))
        features = []
        for compound, shape in shapes.order_by("code").values_list("pk", "shape"):
            row = resolution.compounds[compound]
            key = key_of.get(compound)
            features.append({
                "type": "Feature",
                "geometry": json.loads(shape),
                "properties": {
                    "code": row["code"], "name": row["name"], "households": row["households"],
                    "community_code": row["community__code"], "zone": key,
                    "zone_code": resolution.codes.get(key), "zone_in_force": row["zone__code"],
                },
            })
        return Response({"type": "FeatureCollection", "features": features})


class ZonePlanZonesView(APIView):
    @extend_schema(
        summary="The draft's zone outlines as GeoJSON (the union of each zone's compounds)",
        responses={200: GEOJSON, 403: E403, 404: E404_PLAN},
        tags=TAGS,
    )
    def get(self, request, pk):
        plan = get_zone_plan_for(request.user, pk)
        resolution = zone_plans.resolve(plan)
        geoms = dict(plan_common.scope_compounds(plan.community).values_list("pk", "geom"))
        rows = resolution.compounds
        features = []
        for key, members in sorted(resolution.keys.items()):
            outline = shapely.union_all([plan_common.shape_of(geoms[pk]) for pk in members])
            features.append({
                "type": "Feature",
                "geometry": json.loads(shapely.to_geojson(shapely.set_precision(outline, 1e-6))),
                "properties": {
                    "key": key, "code": resolution.codes[key], "community_code": rows[members[0]]["community__code"],
                    "households": sum(rows[pk]["households"] for pk in members), "compounds": len(members),
                },
            })
        return Response({"type": "FeatureCollection", "features": features})


class ZonePlanMoveView(APIView):
    @extend_schema(
        summary="Move one compound of the draft to another draft zone of its community",
        request=ZonePlanMoveSerializer,
        responses={
            200: ZonePlanDetailSerializer,
            400: error("Unknown compound or zone key, or a zone of another community (a zone never crosses one)."),
            403: E403, 404: E404_PLAN, 409: E409_STATUS,
        },
        tags=TAGS,
    )
    def post(self, request, pk):
        plan = get_zone_plan_for(request.user, pk)
        data = body_of(request)
        code = data.get("compound")
        compound = None
        if isinstance(code, str):
            compound = Compound.objects.select_related("community").filter(code=code).first()
        if compound is None:
            raise ApiError(400, _("Unknown compound: %(code)s.") % {"code": repr(code)[:40]}, "invalid", "compound")
        try:
            plan = zone_plans.move_compound(plan, compound, data.get("zone"), by=request.user)
        except plan_common.PlanError as exc:
            raise refused(exc) from None
        return Response(zone_plan_detail(get_zone_plan_for(request.user, plan.pk)))


class ZonePlanReplanView(APIView):
    @extend_schema(
        summary="Re-plan one community of the draft into a number of zones (synchronous: one community is quick)",
        request=ZonePlanReplanSerializer,
        responses={
            200: ZonePlanDetailSerializer,
            400: error("Unknown community, a community outside the draft, or more zones than compounds."),
            403: E403, 404: E404_PLAN, 409: E409_STATUS,
        },
        tags=TAGS,
    )
    def post(self, request, pk):
        plan = get_zone_plan_for(request.user, pk)
        data = body_of(request)
        try:
            community = zone_plans.community_by_code(data.get("community"), planner_communities(request.user))
            zone_plans.replan_community(plan, community, data.get("zones"), by=request.user)
        except plan_common.PlanError as exc:
            raise refused(exc) from None
        return Response(zone_plan_detail(get_zone_plan_for(request.user, plan.pk)))


class ZonePlanApplyView(APIView):
    @extend_schema(
        summary="Apply the draft: zones, compounds' zones and cadres rewritten in one transaction",
        description=(
            "Zones whose compounds are unchanged keep their code and row; new zones get fresh codes; each "
            "retired zone's cadres go to the new zone inheriting most of its households (outcome.carried), "
            "the rest are released and zones short of cadres listed (outcome.short) for the assignment step."
        ),
        request=None,
        responses={
            200: ZonePlanDetailSerializer,
            400: error("The draft breaks a hard rule (crossing, disconnected, unassigned, empty); nothing written."),
            403: E403, 404: E404_PLAN,
            409: error("The zones in force changed since the draft was made, or the draft is not ready."),
        },
        tags=TAGS,
    )
    def post(self, request, pk):
        plan = get_zone_plan_for(request.user, pk)
        try:
            zone_plans.apply_zone_plan(plan, by=request.user)
        except plan_common.PlanError as exc:
            raise refused(exc) from None
        return Response(zone_plan_detail(get_zone_plan_for(request.user, plan.pk)))


class ZonePlanDiscardView(APIView):
    @extend_schema(
        summary="Discard the draft",
        request=None,
        responses={200: ZonePlanDetailSerializer, 403: E403, 404: E404_PLAN, 409: E409_STATUS},
        tags=TAGS,
    )
    def post(self, request, pk):
        plan = get_zone_plan_for(request.user, pk)
        try:
            plan_common.discard_plan(plan, by=request.user)
        except plan_common.PlanError as exc:
            raise refused(exc) from None
        return Response(zone_plan_detail(get_zone_plan_for(request.user, plan.pk)))


# --- assignment drafts ----------------------------------------------------------


def whole_district_planner(user):
    planner_communities(user)
    if not plans_whole_district(user):
        raise ApiError(403, _("Cadres are assigned for the whole district, by its administrators."), "forbidden")


class AssignmentPlanListView(APIView):
    @extend_schema(
        summary="Assignment drafts, newest first (administrators)",
        responses={200: DraftQueuedSerializer(many=True), 403: E403},
        tags=TAGS,
    )
    def get(self, request):
        whole_district_planner(request.user)
        drafts = AssignmentPlan.objects.exclude(status=PlanStatus.SUPERSEDED).order_by("-created_at", "-id")
        return Response([queued_body(plan, "api-assignment-plan") for plan in drafts[:LIST_LIMIT]])

    @extend_schema(
        summary="Ask for an assignment of the cadres to the zones (a Celery job)",
        description="Answers 202 with the queued draft at once, even while the broker is down.",
        request=AssignmentPlanInputSerializer,
        responses={
            202: DraftQueuedSerializer,
            400: error("Bad input, or fewer cadres than zones x per_zone; nothing written."),
            403: E403,
        },
        tags=TAGS,
    )
    def post(self, request):
        whole_district_planner(request.user)
        try:
            plan = assignment_plans.queue_assignment_plan(body_of(request), by=request.user)
        except plan_common.PlanError as exc:
            raise refused(exc) from None
        tasks.enqueue(plan)
        return Response(queued_body(plan, "api-assignment-plan"), status=202)


class AssignmentPlanDetailView(APIView):
    @extend_schema(
        summary="An assignment draft: report, cadres moved, each zone's cadres with distance and head",
        responses={200: AssignmentPlanDetailSerializer, 403: E403, 404: E404_PLAN},
        tags=TAGS,
    )
    def get(self, request, pk):
        return Response(assignment_plan_detail(get_assignment_plan_for(request.user, pk)))


class AssignmentPlanApplyView(APIView):
    @extend_schema(
        summary="Apply the assignment: every zone's cadres rewritten in one transaction",
        request=None,
        responses={
            200: AssignmentPlanDetailSerializer, 403: E403, 404: E404_PLAN,
            409: error("Zones, cadres or assignments changed since the draft was made, or it is not ready."),
        },
        tags=TAGS,
    )
    def post(self, request, pk):
        plan = get_assignment_plan_for(request.user, pk)
        try:
            assignment_plans.apply_assignment_plan(plan, by=request.user)
        except plan_common.PlanError as exc:
            raise refused(exc) from None
        return Response(assignment_plan_detail(get_assignment_plan_for(request.user, pk)))


class AssignmentPlanDiscardView(APIView):
    @extend_schema(
        summary="Discard the assignment draft",
        request=None,
        responses={200: AssignmentPlanDetailSerializer, 403: E403, 404: E404_PLAN, 409: E409_STATUS},
        tags=TAGS,
    )
    def post(self, request, pk):
        plan = get_assignment_plan_for(request.user, pk)
        try:
            plan_common.discard_plan(plan, by=request.user)
        except plan_common.PlanError as exc:
            raise refused(exc) from None
        return Response(assignment_plan_detail(get_assignment_plan_for(request.user, pk)))
