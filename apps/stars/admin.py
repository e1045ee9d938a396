"""Admin for the five-star program.

Branches (demonstration and weak-branch flags, the accountable leader);
periods with their targets; criteria with their indicators, editable per
period (an award keeps the pass score it was decided with, so editing never
rewrites a past award); task forces with members; assessments read-mostly,
with their events, scores, evidence and objections inline (every change goes
through the workflow, never the admin); household ratings with masked
householders; sub-district five-good; district red flags.
"""

from django import forms
from django.contrib import admin
from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from apps.areas.admin import ByRelated, RelatedLabelsMixin, related_column
from apps.areas.models import Community, SubDistrict
from apps.stars.models import (
    FIVE_GOODS,
    TEN_STANDARDS,
    Assessment,
    AssessmentEvent,
    Branch,
    Evidence,
    FiveGood,
    HouseholdRating,
    Indicator,
    Objection,
    Period,
    RedFlag,
    Score,
    StarCriterion,
    Target,
    TaskForce,
)


@admin.register(Branch)
class BranchAdmin(RelatedLabelsMixin, admin.ModelAdmin):
    list_display = (
        "name",
        related_column("community", Community),
        "community_kind",
        related_column("community__subdistrict", SubDistrict),
        "demonstration",
        "weak",
        "leader",
    )
    list_filter = ("demonstration", "weak", "community__kind", ("community__subdistrict", ByRelated))
    list_select_related = ("community__subdistrict", "leader")
    search_fields = ("name", "community__name", "community__code", "leader__name")
    autocomplete_fields = ("community", "leader")

    @admin.display(description=_("kind"), ordering="community__kind")
    def community_kind(self, branch):
        return branch.community.get_kind_display()


# --- periods, targets, criteria -------------------------------------------------------------------


class TargetInline(RelatedLabelsMixin, admin.TabularInline):
    model = Target
    extra = 0
    autocomplete_fields = ("subdistrict",)


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "starts_on", "ends_on", "notice_days", "foundation_gates")
    search_fields = ("code", "name")
    inlines = [TargetInline]


@admin.register(Target)
class TargetAdmin(RelatedLabelsMixin, admin.ModelAdmin):
    list_display = ("period", "area", "five_star", "four_star", "three_star")
    list_filter = ("period",)
    list_select_related = ("period", "subdistrict")
    autocomplete_fields = ("subdistrict",)

    @admin.display(description=_("area"), ordering="subdistrict__code")
    def area(self, target):
        return target.subdistrict.name if target.subdistrict_id else _("the whole district")


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ("code", "name", "max_points", "measure")


@admin.register(StarCriterion)
class StarCriterionAdmin(RelatedLabelsMixin, admin.ModelAdmin):
    list_display = ("name", "period", "kind", "star", "pass_score", "points")
    list_filter = ("period", "kind", "star")
    list_select_related = ("period",)
    search_fields = ("name", "indicators__name")
    inlines = [IndicatorInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(total_points=Sum("indicators__max_points"))

    @admin.display(description=_("points of its indicators"), ordering="total_points")
    def points(self, criterion):
        return criterion.total_points


@admin.register(TaskForce)
class TaskForceAdmin(RelatedLabelsMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "star", "lead_department", "member_count")
    list_filter = ("kind", "star")
    list_select_related = ("lead_department",)
    autocomplete_fields = ("lead_department", "members")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(members_n=Count("members"))

    @admin.display(description=_("members"), ordering="members_n")
    def member_count(self, task_force):
        return task_force.members_n


# --- assessments: read-mostly, the workflow writes them ----------------------------------------


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    model = AssessmentEvent
    fields = ("at", "action", "from_status", "to_status", "actor", "note")
    readonly_fields = fields
    ordering = ("at", "pk")


class ScoreInline(ReadOnlyInline):
    model = Score
    fields = ("indicator", "points", "measured", "by", "at", "note")
    readonly_fields = fields


class EvidenceInline(ReadOnlyInline):
    model = Evidence
    fields = ("file", "note", "uploaded_by", "uploaded_at")
    readonly_fields = fields


class ObjectionInline(ReadOnlyInline):
    model = Objection
    fields = ("lodged_at", "lodged_by", "text", "outcome", "resolution")
    readonly_fields = fields


@admin.register(Assessment)
class AssessmentAdmin(RelatedLabelsMixin, admin.ModelAdmin):
    """Read-only: statuses change through the workflow (the /stars/ page or the API), which keeps the events."""

    list_display = ("branch", "period", "star", "criterion_name", "status", "score", "applied_at", "decided_at")
    list_filter = ("period", "status", "star", "criterion__kind", ("branch__community__subdistrict", ByRelated))
    list_select_related = ("branch", "period", "criterion")
    search_fields = ("branch__name", "branch__community__code")
    date_hierarchy = "applied_at"
    inlines = [ScoreInline, EvidenceInline, ObjectionInline, EventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("star"), ordering="criterion__name")
    def criterion_name(self, assessment):
        return assessment.criterion.name


# --- four-level linkage ----------------------------------------------------------------------


class BitsField(forms.MultipleChoiceField):
    """A bitmask shown as one checkbox per named bit (ten standards, five goods)."""

    def __init__(self, names, **kwargs):
        super().__init__(choices=[(str(i), name) for i, name in enumerate(names)], required=False,
                         widget=forms.CheckboxSelectMultiple, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, int) or value is None:
            value = value or 0
            return [str(i) for i in range(len(self.choices)) if value & (1 << i)]
        return value

    def clean(self, value):
        return sum(1 << int(i) for i in super().clean(value))

    def has_changed(self, initial, data):
        return super().has_changed(self.prepare_value(initial), data)


class HouseholdRatingForm(forms.ModelForm):
    standards = BitsField(TEN_STANDARDS, label=_("standards met"))

    class Meta:
        model = HouseholdRating
        fields = ("period", "community", "household_code", "holder", "standards")


@admin.register(HouseholdRating)
class HouseholdRatingAdmin(RelatedLabelsMixin, admin.ModelAdmin):
    form = HouseholdRatingForm
    list_display = ("household_code", "masked", related_column("community", Community), "period", "stars")
    list_filter = ("period", ("community__subdistrict", ByRelated))
    list_select_related = ("community", "period")
    search_fields = ("household_code", "community__code", "community__name")
    autocomplete_fields = ("community",)

    @admin.display(description=_("householder"))
    def masked(self, rating):
        return rating.masked_holder

    @admin.display(description=_("stars"), ordering="standards")
    def stars(self, rating):
        return rating.stars


class FiveGoodForm(forms.ModelForm):
    goods = BitsField(FIVE_GOODS, label=_("goods met"))

    class Meta:
        model = FiveGood
        fields = ("period", "subdistrict", "goods", "note")


@admin.register(FiveGood)
class FiveGoodAdmin(RelatedLabelsMixin, admin.ModelAdmin):
    form = FiveGoodForm
    list_display = (related_column("subdistrict", SubDistrict), "period", "goods_met")
    list_filter = ("period",)
    list_select_related = ("subdistrict", "period")
    autocomplete_fields = ("subdistrict",)

    @admin.display(description=_("goods met"))
    def goods_met(self, five_good):
        return "、".join(name for i, name in enumerate(FIVE_GOODS) if five_good.goods & (1 << i)) or "—"


@admin.register(RedFlag)
class RedFlagAdmin(admin.ModelAdmin):
    list_display = ("field", "period", "awarded_on", "recalled_on")
    list_filter = ("period",)
    list_select_related = ("period",)
    search_fields = ("field",)
