"""Admin for zones (with their five cadres inline) and unmanaged compounds, on Leaflet maps."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from apps.areas.admin import ByRelated, MapAdmin, RelatedLabelsMixin, related_column
from apps.areas.models import Community, SubDistrict
from apps.compounds.models import AssignmentPlan, Compound, Zone, ZoneAssignment, ZonePlan


class ZoneAssignmentInline(RelatedLabelsMixin, admin.TabularInline):
    model = ZoneAssignment
    extra = 0
    autocomplete_fields = ("cadre",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "cadre":
            kwargs["label"] = _("cadre sent down")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Zone)
class ZoneAdmin(MapAdmin):
    list_display = (
        "code",
        "name",
        related_column("community", Community),
        related_column("community__subdistrict", SubDistrict),
        "households",
        "cadre_count",
    )
    list_filter = (("community__subdistrict", ByRelated),)
    list_select_related = ("community__subdistrict",)
    search_fields = ("code", "name", "community__name")
    autocomplete_fields = ("community",)
    inlines = (ZoneAssignmentInline,)

    def get_queryset(self, request):
        # One COUNT per page, not one query per row.
        return super().get_queryset(request).annotate(cadre_count=Count("assignments"))

    @admin.display(description=_("cadres"), ordering="cadre_count")
    def cadre_count(self, zone):
        return zone.cadre_count


@admin.register(Compound)
class CompoundAdmin(MapAdmin):
    list_display = (
        "code",
        "name",
        related_column("zone", Zone),
        related_column("community", Community),
        "households",
        "address",
    )
    list_filter = (("community__subdistrict", ByRelated),)
    list_select_related = ("zone", "community")
    search_fields = ("code", "name", "address", "zone__name", "community__name")
    autocomplete_fields = ("zone", "community")


class PlanAdmin(admin.ModelAdmin):
    """Drafts are made on /compounds/ or by the commands; the admin shows them and their history."""

    list_filter = ("status",)
    date_hierarchy = "created_at"
    readonly_fields = (
        "status", "progress", "params", "report", "outcome", "error", "base_fingerprint", "created_by",
        "created_at", "updated_at", "applied_by", "applied_at",
    )
    list_select_related = ("created_by", "applied_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ZonePlan)
class ZonePlanAdmin(PlanAdmin):
    list_display = ("id", "status", related_column("community", Community), "progress", "created_by", "created_at",
                    "applied_at")
    list_select_related = ("community", "created_by", "applied_by")
    readonly_fields = ("community", "report_in_force", *PlanAdmin.readonly_fields)


@admin.register(AssignmentPlan)
class AssignmentPlanAdmin(PlanAdmin):
    list_display = ("id", "status", "progress", "created_by", "created_at", "applied_at")
