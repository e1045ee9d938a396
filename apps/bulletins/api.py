"""The bulletins API (/api/bulletins/): bulletins, making on demand, incentives and their totals,
judges' scores, duty lists, reminder letters, publicity. Access as in `access.py`."""

from django.db.models import Count, Sum
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.bulletins import access, verbs
from apps.bulletins.making import make_bulletin
from apps.bulletins.models import Bulletin, DutyItem, Incentive, ObservationScore, PublicityCounter, ReminderLetter
from apps.bulletins.periods import BulletinPeriodError
from apps.bulletins.views import get_bulletin
from apps.people.models import Person
from apps.stars.models import Assessment, Branch

TAGS = ["bulletins"]


class BulletinErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    field = serializers.CharField(required=False)


class BadInput(APIException):
    status_code = 400

    def __init__(self, exc):
        super().__init__({"detail": exc.message, "code": "invalid", "field": exc.field})


def error(description):
    return OpenApiResponse(BulletinErrorSerializer, description=description)


class BulletinSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(help_text="weekly, monthly or quarterly")
    url = serializers.SerializerMethodField()
    pdf = serializers.SerializerMethodField()
    xlsx = serializers.SerializerMethodField()

    class Meta:
        model = Bulletin
        fields = ["id", "kind", "period", "starts_on", "ends_on", "made_at", "url", "pdf", "xlsx"]

    def get_url(self, obj) -> str:
        return reverse("bulletin", args=[obj.kind, obj.period])

    def get_pdf(self, obj) -> str:
        return reverse("bulletin-pdf", args=[obj.kind, obj.period])

    def get_xlsx(self, obj) -> str:
        return reverse("bulletin-xlsx", args=[obj.kind, obj.period])


class BulletinDetailSerializer(BulletinSerializer):
    class Meta(BulletinSerializer.Meta):
        fields = BulletinSerializer.Meta.fields + ["data"]


class MakeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["weekly", "monthly", "quarterly"])
    period = serializers.CharField(help_text="2026-W47, 2026-11 or 2026-Q4")


class BulletinListView(APIView):
    @extend_schema(summary="Bulletins made so far, newest first",
                   parameters=[OpenApiParameter("kind", OpenApiTypes.STR, description="weekly, monthly, quarterly")],
                   responses={200: BulletinSerializer(many=True), 404: error("Not a reader of bulletins.")}, tags=TAGS)
    def get(self, request):
        access.reader(request.user)
        rows = Bulletin.objects.defer("data").order_by("-ends_on", "kind")
        if request.query_params.get("kind"):
            rows = rows.filter(kind=request.query_params["kind"])
        return Response(BulletinSerializer(rows[:500], many=True).data)

    @extend_schema(summary="Make (or remake) a bulletin now; making one twice replaces it",
                   request=MakeSerializer,
                   responses={201: BulletinDetailSerializer, 200: BulletinDetailSerializer,
                              400: error("Malformed period, or a period not ended yet."),
                              403: error("Only administrators and the district's leaders.")}, tags=TAGS)
    def post(self, request):
        access.reader(request.user)
        person = access.check_maker(request.user)
        try:
            bulletin, created = make_bulletin(request.data.get("kind", ""), request.data.get("period", ""), by=person)
        except BulletinPeriodError as exc:
            raise BadInput(exc) from None
        return Response(BulletinDetailSerializer(bulletin).data, status=201 if created else 200)


class BulletinDetailView(APIView):
    @extend_schema(summary="One bulletin with its figures (rows in rank order, totals)",
                   responses={200: BulletinDetailSerializer, 404: error("No such bulletin.")}, tags=TAGS)
    def get(self, request, kind, period):
        access.reader(request.user)
        return Response(BulletinDetailSerializer(get_bulletin(kind, period)).data)


class IncentiveSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(help_text="commendation, recommendation, subsidy or promotion")
    branch_code = serializers.CharField(source="branch.community.code", read_only=True, default=None)
    person_code = serializers.CharField(source="person.code", read_only=True, default=None)
    subdistrict_code = serializers.CharField(source="subdistrict.code", read_only=True, default=None)
    recipient = serializers.SerializerMethodField()

    class Meta:
        model = Incentive
        fields = ["id", "kind", "period", "branch_code", "person_code", "recipient", "subdistrict_code", "amount",
                  "reason", "basis_bulletin", "basis_award", "granted_on"]

    def get_recipient(self, obj) -> str:
        return str(obj.recipient)


class IncentiveInputSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="commendation, recommendation, subsidy, promotion")
    period = serializers.CharField(help_text="2026, 2026-Q4 or 2026-11")
    branch = serializers.CharField(required=False, help_text="village/community code of the branch")
    person = serializers.CharField(required=False, help_text="person code")
    amount = serializers.CharField(required=False, help_text="yuan, not negative; required for a subsidy")
    reason = serializers.CharField()
    basis_bulletin = serializers.IntegerField(required=False)
    basis_award = serializers.IntegerField(required=False, help_text="id of an awarded star application")


class IncentiveListView(APIView):
    @extend_schema(summary="Incentives in your area", parameters=[
        OpenApiParameter("period", OpenApiTypes.STR), OpenApiParameter("kind", OpenApiTypes.STR),
        OpenApiParameter("subdistrict", OpenApiTypes.STR)],
        responses={200: IncentiveSerializer(many=True)}, tags=TAGS)
    def get(self, request):
        rows = access.incentives_for(request.user)
        q = request.query_params
        for param, field in (("period", "period"), ("kind", "kind"), ("subdistrict", "subdistrict__code")):
            if q.get(param):
                rows = rows.filter(**{field: q[param]})
        rows = rows.select_related("branch__community", "person", "subdistrict").order_by("-period", "id")
        return Response(IncentiveSerializer(rows[:2000], many=True).data)

    @extend_schema(summary="Record an incentive (administrators and the district's leaders)",
                   request=IncentiveInputSerializer,
                   responses={201: IncentiveSerializer, 400: error("Bad input (negative amount, no basis...)"),
                              403: error("Not yours to grant.")}, tags=TAGS)
    def post(self, request):
        access.reader(request.user)
        person = access.check_maker(request.user)
        d = request.data
        try:
            incentive = verbs.grant_incentive(
                kind=d.get("kind", ""), period=d.get("period", ""), reason=d.get("reason", ""), by=person,
                branch=verbs.lookup(Branch, "branch", d.get("branch"), key="community__code"),
                person=verbs.lookup(Person, "person", d.get("person"), key="code"), amount=d.get("amount"),
                basis_bulletin=verbs.lookup(Bulletin, "basis_bulletin", d.get("basis_bulletin")),
                basis_award=verbs.lookup(Assessment, "basis_award", d.get("basis_award")))
        except verbs.InputError as exc:
            raise BadInput(exc) from None
        return Response(IncentiveSerializer(incentive).data, status=201)


class TotalSerializer(serializers.Serializer):
    period = serializers.CharField()
    subdistrict_code = serializers.CharField(allow_null=True)
    incentives = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class IncentiveTotalsView(APIView):
    @extend_schema(summary="Incentives and amounts per period and sub-district (your area)",
                   parameters=[OpenApiParameter("period", OpenApiTypes.STR)],
                   responses={200: TotalSerializer(many=True)}, tags=TAGS)
    def get(self, request):
        rows = access.incentives_for(request.user)
        if request.query_params.get("period"):
            rows = rows.filter(period=request.query_params["period"])
        totals = (rows.values("period", "subdistrict__code").annotate(incentives=Count("pk"), amount=Sum("amount"))
                  .order_by("-period", "subdistrict__code"))
        return Response(TotalSerializer([{**t, "subdistrict_code": t.pop("subdistrict__code")} for t in totals],
                                        many=True).data)


class ScoreSerializer(serializers.ModelSerializer):
    subdistrict_code = serializers.CharField(source="subdistrict.code")
    judge_code = serializers.CharField(source="judge.code")

    class Meta:
        model = ObservationScore
        fields = ["period", "subdistrict_code", "judge_code", "score", "note", "entered_at"]


class ScoresInputSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="a quarter, 2026-Q4")
    scores = serializers.DictField(child=serializers.CharField(), help_text="{sub-district code: score 0-100}")


class ObservationScoreView(APIView):
    @extend_schema(summary="Judges' observation scores of a quarter (your area)",
                   parameters=[OpenApiParameter("period", OpenApiTypes.STR, required=True)],
                   responses={200: ScoreSerializer(many=True)}, tags=TAGS)
    def get(self, request):
        access.reader(request.user)
        rows = ObservationScore.objects.filter(period=request.query_params.get("period", ""),
                                               subdistrict__in=access.subdistricts_of(request.user))
        return Response(ScoreSerializer(rows.select_related("subdistrict", "judge"), many=True).data)

    @extend_schema(summary="Enter your scores as a judge (all or nothing; each 0-100)",
                   request=ScoresInputSerializer,
                   responses={201: ScoreSerializer(many=True), 400: error("Out of range, unknown sub-district."),
                              403: error("Not a judge.")}, tags=TAGS)
    def post(self, request):
        access.reader(request.user)
        judge = access.check_maker(request.user)
        if judge is None:
            raise BadInput(verbs.InputError("judge", "A judge must be a person of the platform."))
        scores = request.data.get("scores")
        if not isinstance(scores, dict):
            raise BadInput(verbs.InputError("scores", "scores: give {sub-district code: score}."))
        try:
            rows = verbs.enter_scores(request.data.get("period", ""), scores, judge=judge)
        except verbs.InputError as exc:
            raise BadInput(exc) from None
        return Response(ScoreSerializer(rows, many=True).data, status=201)


class DutySerializer(serializers.ModelSerializer):
    status = serializers.CharField(help_text="pending, in_progress or done")
    department_code = serializers.CharField(source="department.code")
    department_name = serializers.CharField(source="department.name")

    class Meta:
        model = DutyItem
        fields = ["id", "department_code", "department_name", "task", "owner", "due_on", "status", "done_on"]


class DutyListView(APIView):
    @extend_schema(summary="Duty lists (两清单) you may read", parameters=[
        OpenApiParameter("department", OpenApiTypes.STR), OpenApiParameter("status", OpenApiTypes.STR)],
        responses={200: DutySerializer(many=True)}, tags=TAGS)
    def get(self, request):
        items, _letters = access.duties_for(request.user)
        q = request.query_params
        if q.get("department"):
            items = items.filter(department__code=q["department"])
        if q.get("status"):
            items = items.filter(status=q["status"])
        return Response(DutySerializer(items.select_related("department").order_by("department__code", "due_on", "id"),
                                       many=True).data)


class LetterSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(help_text="letter (督办函) or prompt (提示)")
    department_code = serializers.CharField(source="department.code")
    items = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ReminderLetter
        fields = ["id", "department_code", "kind", "subject", "body", "items", "sent_on"]


class LetterListView(APIView):
    @extend_schema(summary="Reminder letters (一函两提示) you may read",
                   responses={200: LetterSerializer(many=True)}, tags=TAGS)
    def get(self, request):
        _items, letters = access.duties_for(request.user)
        return Response(LetterSerializer(letters.select_related("department").prefetch_related("items"),
                                         many=True).data)


class PublicitySerializer(serializers.ModelSerializer):
    subdistrict_code = serializers.CharField(source="subdistrict.code")
    subdistrict_name = serializers.CharField(source="subdistrict.name")

    class Meta:
        model = PublicityCounter
        fields = ["year", "subdistrict_code", "subdistrict_name", "manuals", "posters", "briefings"]


class PublicityListView(APIView):
    @extend_schema(summary="Publicity counters per sub-district and year (your area)",
                   responses={200: PublicitySerializer(many=True)}, tags=TAGS)
    def get(self, request):
        rows = access.publicity_for(request.user).select_related("subdistrict").order_by("-year", "subdistrict__code")
        return Response(PublicitySerializer(rows, many=True).data)


