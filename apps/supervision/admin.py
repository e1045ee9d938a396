"""Admin for supervision: campaigns and groups, findings (read their timeline), plans, rounds and visits.

Statuses are shown read-only: they move only through the workflow (`workflow.py`).
"""

from django.contrib import admin

from apps.supervision.models import (
    Finding, FindingEvent, Inspection, InspectionCampaign, InspectionGroup, Milestone, PlanEvent, Rectification,
    ResearchRound, Visit, WeakBranchPlan,
)


class GroupInline(admin.TabularInline):
    model = InspectionGroup
    extra = 0
    filter_horizontal = ("members", "branches")


@admin.register(InspectionCampaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "starts_on", "ends_on", "period")
    fields = ("name", "kind", "starts_on", "ends_on", "period")  # the name first, not DateSpan's dates
    list_select_related = ("period",)
    inlines = [GroupInline]


@admin.register(InspectionGroup)
class GroupAdmin(admin.ModelAdmin):
    list_display = ("name", "campaign")
    list_select_related = ("campaign",)
    list_filter = ("campaign",)
    filter_horizontal = ("members", "branches")


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ("branch", "matter", "inspected_on", "inspector", "group")
    list_select_related = ("branch", "inspector", "group__campaign")
    list_filter = ("group__campaign", "inspected_on")
    search_fields = ("branch__name", "branch__community__code", "matter")
    raw_id_fields = ("branch", "inspector")


class FindingEventInline(admin.TabularInline):
    model = FindingEvent
    extra = 0
    can_delete = False
    readonly_fields = ("action", "from_status", "to_status", "actor", "note", "at")


class RectificationInline(admin.TabularInline):
    model = Rectification
    extra = 0
    can_delete = False
    readonly_fields = ("text", "status", "submitted_by", "submitted_at", "decided_by", "decided_at", "decision_note")


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ("pk", "branch", "step", "responsible_party", "due_on", "status", "overdue", "lookback")
    list_select_related = ("branch",)
    list_filter = ("status", "overdue", "lookback", "group__campaign", "step")
    search_fields = ("branch__name", "branch__community__code", "description", "responsible_party")
    readonly_fields = ("status", "overdue", "escalated_at", "closed_at", "lookback_checked_at", "created_by",
                       "created_at", "found_on", "due_on")
    raw_id_fields = ("branch", "inspection")
    inlines = [RectificationInline, FindingEventInline]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class PlanEventInline(admin.TabularInline):
    model = PlanEvent
    extra = 0
    can_delete = False
    readonly_fields = ("action", "from_status", "to_status", "actor", "note", "at")


@admin.register(WeakBranchPlan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("branch", "leader", "status", "created_at", "signed_off_at")
    list_select_related = ("branch", "leader")
    list_filter = ("status",)
    search_fields = ("branch__name", "branch__community__code")
    readonly_fields = ("status", "signed_off_at", "created_by", "created_at")
    raw_id_fields = ("branch", "leader")
    inlines = [MilestoneInline, PlanEventInline]


@admin.register(ResearchRound)
class RoundAdmin(admin.ModelAdmin):
    list_display = ("name", "starts_on", "ends_on")
    fields = ("name", "starts_on", "ends_on")


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ("branch", "round", "visitor", "visited_on", "issues_count")
    list_select_related = ("branch", "round", "visitor")
    list_filter = ("round",)
    search_fields = ("branch__name", "branch__community__code", "visitor__name")
    raw_id_fields = ("branch", "visitor")
