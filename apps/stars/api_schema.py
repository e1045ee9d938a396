"""OpenAPI descriptions of the stars API's inputs and outputs (the views build the JSON in api_payload)."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from apps.stars.models import AssessmentStatus

STATUS_HELP = " | ".join(AssessmentStatus.values)


class StarErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What is wrong, in the user's language (Chinese by default).")
    code = serializers.CharField(help_text="invalid | not_allowed | not_yours | too_large | no_period | not_found")
    field = serializers.CharField(required=False, help_text="The input at fault, e.g. points, star, evidence.")


class StarPeriodSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    notice_days = serializers.IntegerField()
    foundation_gates = serializers.BooleanField()
    current = serializers.BooleanField()


class StarIndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    max_points = serializers.IntegerField()
    measure = serializers.CharField(help_text="'' scored by hand; three_zero, branch_strength, ten_star_share measured.")


class StarCriterionSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="village | community")
    star = serializers.IntegerField(min_value=1, max_value=5)
    name = serializers.CharField()
    pass_score = serializers.IntegerField()
    indicators = StarIndicatorSerializer(many=True)


class StarSubDistrictBriefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class StarLeaderSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()


class StarBranchBriefSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The community's 12-digit code.")
    name = serializers.CharField()
    community = serializers.CharField()
    kind = serializers.CharField(help_text="village | community")
    subdistrict = StarSubDistrictBriefSerializer()
    demonstration = serializers.CharField()
    demonstration_label = serializers.CharField()
    weak = serializers.BooleanField()
    leader = StarLeaderSerializer(allow_null=True)
    history_url = serializers.CharField()


class StarApplicationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    branch = StarBranchBriefSerializer()
    period = serializers.CharField()
    star = serializers.IntegerField()
    star_name = serializers.CharField()
    kind = serializers.CharField(help_text="village | community")
    status = serializers.CharField(help_text=STATUS_HELP)
    status_label = serializers.CharField()
    self_score = serializers.IntegerField(allow_null=True)
    score = serializers.FloatField(allow_null=True)
    pass_score = serializers.IntegerField()
    applied_at = serializers.DateTimeField()
    notice_ends_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    open_objections = serializers.IntegerField()
    actions = serializers.ListField(child=serializers.CharField(), help_text="What you may do now.")
    url = serializers.CharField()


class StarScoredIndicatorSerializer(StarIndicatorSerializer):
    measure_label = serializers.CharField()
    points = serializers.FloatField(allow_null=True, help_text="The task force's points, null until scored.")
    scored_by = serializers.CharField()
    scored_measured = serializers.BooleanField(help_text="The points were filled in by the platform's measure.")
    measured = serializers.JSONField(allow_null=True, help_text="What the platform measured for this branch and period.")


class StarEvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.CharField(allow_null=True)
    image = serializers.BooleanField()
    note = serializers.CharField()
    uploaded_by = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class StarObjectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    lodged_by = serializers.CharField()
    lodged_at = serializers.DateTimeField()
    outcome = serializers.CharField()
    outcome_label = serializers.CharField()
    resolution = serializers.CharField()


class StarEventSerializer(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField()
    to = serializers.CharField()
    from_label = serializers.CharField()
    to_label = serializers.CharField()
    actor = serializers.CharField()
    actor_role = serializers.CharField()
    note = serializers.CharField()
    data = serializers.JSONField()
    at = serializers.DateTimeField()

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.CharField()  # a Python keyword, so not a class attribute
        return fields


class StarApplicationDetailSerializer(StarApplicationSerializer):
    statement = serializers.CharField()
    indicators = StarScoredIndicatorSerializer(many=True)
    scored_total = serializers.FloatField(allow_null=True)
    scored_all = serializers.BooleanField()
    evidence = StarEvidenceSerializer(many=True)
    objections = StarObjectionSerializer(many=True)
    timeline = StarEventSerializer(many=True)


class StarApplyInputSerializer(serializers.Serializer):
    star = serializers.IntegerField(min_value=1, max_value=5)
    statement = serializers.CharField(help_text="The self-assessment.")
    self_score = serializers.IntegerField(min_value=0, max_value=100, required=False)
    period = serializers.CharField(required=False, help_text="Period code; default the current period.")
    branch = serializers.CharField(required=False, help_text="Community code; administrators only (a secretary applies for their own branch).")
    evidence = serializers.ListField(child=serializers.FileField(), required=False,
                                     help_text="Up to 10 files: photos, PDF, Word, Excel, PowerPoint, text; 20 MB each.")
    evidence_note = serializers.CharField(required=False, help_text="Evidence that is not a file (a note, a link).")


class StarActionInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, help_text="Reason; required to refuse, object, resolve and revoke.")
    points = serializers.DictField(child=serializers.DecimalField(max_digits=5, decimal_places=1), required=False,
                                   help_text="score: {indicator code: points}, each within 0..its max points.")
    lodged_by = serializers.CharField(required=False, help_text="object: who lodges it (default you).")
    objection = serializers.IntegerField(required=False, help_text="resolve: the objection's id.")
    upheld = serializers.BooleanField(required=False, help_text="resolve: true upholds it (the star is then refused).")


class StarHistoryAssessmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    star = serializers.IntegerField()
    star_name = serializers.CharField()
    status = serializers.CharField(help_text=STATUS_HELP)
    status_label = serializers.CharField()
    self_score = serializers.IntegerField(allow_null=True)
    score = serializers.FloatField(allow_null=True)
    pass_score = serializers.IntegerField(allow_null=True)
    applied_at = serializers.DateTimeField()
    notice_ends_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    events = StarEventSerializer(many=True)


class StarHistoryPeriodSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    level = serializers.IntegerField(help_text="Stars held at the end of the period (0 without 支部过硬星 when it gates).")
    stars = serializers.ListField(child=serializers.IntegerField())
    assessments = StarHistoryAssessmentSerializer(many=True)


class StarBranchHistorySerializer(serializers.Serializer):
    branch = StarBranchBriefSerializer()
    periods = StarHistoryPeriodSerializer(many=True)


def error(description):
    return OpenApiResponse(StarErrorSerializer, description=description)


class StarApplicationPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = StarApplicationSerializer(many=True)
