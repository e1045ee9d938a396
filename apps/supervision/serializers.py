"""What the supervision API answers (and, for the OpenAPI schema, what it reads)."""

from django.urls import reverse
from rest_framework import serializers

from apps.supervision.models import (
    Finding, FindingEvent, InspectionCampaign, InspectionGroup, Milestone, Photo, PlanEvent, Rectification,
    ResearchRound, Visit, WeakBranchPlan,
)


class SupervisionErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    field = serializers.CharField(required=False)


class SupervisionBranchRefMixin(serializers.Serializer):
    branch_code = serializers.CharField(source="branch.community.code", read_only=True)
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    subdistrict_code = serializers.CharField(source="branch.community.subdistrict.code", read_only=True)


class SupervisionGroupSerializer(serializers.ModelSerializer):
    villages = serializers.SerializerMethodField()
    members = serializers.SerializerMethodField()

    class Meta:
        model = InspectionGroup
        fields = ["id", "name", "members", "villages"]

    def get_villages(self, group) -> list[str]:
        return [b.community.code for b in group.branches.all()]

    def get_members(self, group) -> list[str]:
        return [p.name for p in group.members.all()]


# Statuses and kinds are plain strings in the schema: their enums would collide by name with the
# other apps' "status" and "kind" enums (drf-spectacular names an enum after its field).
class SupervisionCampaignSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(help_text="four_two_one (四议两公开一监督) or other")
    groups = serializers.SerializerMethodField()

    class Meta:
        model = InspectionCampaign
        fields = ["id", "name", "kind", "starts_on", "ends_on", "groups"]

    def get_groups(self, campaign) -> list[dict]:
        groups = self.context.get("groups", {}).get(campaign.pk, [])
        return SupervisionGroupSerializer(groups, many=True).data


class SupervisionPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = ["id", "url", "content_type", "rectification", "uploaded_at"]

    def get_url(self, photo) -> str:
        return reverse("api-supervision-photo", args=[photo.pk])


class SupervisionEventSerializer(serializers.Serializer):
    action = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.CharField(source="actor.name", default=None, allow_null=True)
    note = serializers.CharField()
    at = serializers.DateTimeField()


class SupervisionRectificationSerializer(serializers.ModelSerializer):
    status = serializers.CharField(help_text="submitted, accepted or sent_back")
    submitted_by = serializers.CharField(source="submitted_by.name")
    decided_by = serializers.CharField(source="decided_by.name", default=None, allow_null=True)

    class Meta:
        model = Rectification
        fields = ["id", "text", "status", "submitted_by", "submitted_at", "decided_by", "decided_at",
                  "decision_note"]


class SupervisionFindingSerializer(SupervisionBranchRefMixin, serializers.ModelSerializer):
    group = serializers.CharField(source="group.name")
    campaign = serializers.CharField(source="group.campaign.name")
    status = serializers.CharField(help_text="open, rectifying, submitted, returned or signed_off")

    class Meta:
        model = Finding
        fields = ["id", "campaign", "group", "branch_code", "branch_name", "subdistrict_code", "step",
                  "description", "responsible_party", "deadline_days", "found_on", "due_on", "status", "overdue",
                  "escalated_at", "lookback", "lookback_checked_at", "closed_at", "inspection"]


class SupervisionFindingDetailSerializer(SupervisionFindingSerializer):
    events = serializers.SerializerMethodField()
    rectifications = SupervisionRectificationSerializer(many=True, read_only=True)
    photos = SupervisionPhotoSerializer(many=True, read_only=True)
    actions = serializers.SerializerMethodField()

    class Meta(SupervisionFindingSerializer.Meta):
        fields = SupervisionFindingSerializer.Meta.fields + ["events", "rectifications", "photos", "actions"]

    def get_events(self, finding) -> list[dict]:
        return SupervisionEventSerializer(FindingEvent.objects.filter(finding=finding).select_related("actor"), many=True).data

    def get_actions(self, finding) -> list[str]:
        return self.context.get("actions", [])


class SupervisionMilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "title", "due_on", "done_on", "note"]


class SupervisionPlanSerializer(SupervisionBranchRefMixin, serializers.ModelSerializer):
    leader = serializers.CharField(source="leader.name")
    status = serializers.CharField(help_text="active, submitted or signed_off")
    milestones = SupervisionMilestoneSerializer(many=True, read_only=True)
    events = serializers.SerializerMethodField()

    class Meta:
        model = WeakBranchPlan
        fields = ["id", "branch_code", "branch_name", "subdistrict_code", "problems", "measures", "leader", "status",
                  "created_at", "signed_off_at", "milestones", "events"]

    def get_events(self, plan) -> list[dict]:
        return SupervisionEventSerializer(PlanEvent.objects.filter(plan=plan).select_related("actor"), many=True).data


class SupervisionRoundSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResearchRound
        fields = ["id", "name", "starts_on", "ends_on"]


class SupervisionVisitSerializer(SupervisionBranchRefMixin, serializers.ModelSerializer):
    visitor = serializers.CharField(source="visitor.name")

    class Meta:
        model = Visit
        fields = ["id", "round", "branch_code", "branch_name", "subdistrict_code", "visitor", "visited_on",
                  "checked", "issues", "issues_count", "created_at"]


class SupervisionRoundBranchSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    subdistrict_code = serializers.CharField()
    subdistrict_name = serializers.CharField()
    visited = serializers.BooleanField()
    visits = serializers.IntegerField()
    last_visit = serializers.DateField(allow_null=True)
    issues = serializers.IntegerField()


class SupervisionRoundCoverageSerializer(serializers.Serializer):
    round = SupervisionRoundSerializer()
    branches = serializers.IntegerField()
    visited = serializers.IntegerField()
    rows = SupervisionRoundBranchSerializer(many=True)


# --- inputs (documentation; the views parse with apps.supervision.parse) ---------------------------


class SupervisionFindingInputSerializer(serializers.Serializer):
    group = serializers.IntegerField()
    branch = serializers.CharField(help_text="12-digit village code")
    step = serializers.ChoiceField(choices=Finding.Step.choices, required=False)
    description = serializers.CharField()
    responsible_party = serializers.CharField()
    deadline_days = serializers.IntegerField(min_value=1, max_value=60)
    photos = serializers.ListField(child=serializers.ImageField(), required=False)


class SupervisionInspectionInputSerializer(serializers.Serializer):
    group = serializers.IntegerField()
    branch = serializers.CharField()
    matter = serializers.CharField()
    proposed = serializers.BooleanField()
    discussed = serializers.BooleanField()
    reviewed = serializers.BooleanField()
    party_members = serializers.IntegerField(min_value=0)
    attending = serializers.IntegerField(min_value=0)
    approving = serializers.IntegerField(min_value=0)
    resolved = serializers.BooleanField()
    resolution_public = serializers.BooleanField()
    results_public = serializers.BooleanField()
    in_order = serializers.BooleanField()
    supervised = serializers.BooleanField()
    responsible_party = serializers.CharField(required=False)
    deadline_days = serializers.IntegerField(required=False)
    photos = serializers.ListField(child=serializers.ImageField(), required=False)


class SupervisionInspectionResultSerializer(serializers.Serializer):
    inspection = serializers.IntegerField()
    problems = serializers.ListField(child=serializers.CharField())
    findings = SupervisionFindingSerializer(many=True)


class SupervisionActionInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False)
    text = serializers.CharField(required=False, help_text="submit: what was done")
    photos = serializers.ListField(child=serializers.ImageField(), required=False, help_text="submit: evidence")


class SupervisionPlanInputSerializer(serializers.Serializer):
    branch = serializers.CharField()
    problems = serializers.CharField()
    measures = serializers.CharField()
    leader = serializers.CharField(help_text="the leader's person code")
    milestones = serializers.ListField(child=serializers.DictField())


class SupervisionVisitInputSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    branch = serializers.CharField()
    visited_on = serializers.DateField()
    checked = serializers.CharField()
    issues = serializers.CharField(required=False)
    issues_count = serializers.IntegerField(required=False, min_value=0)
