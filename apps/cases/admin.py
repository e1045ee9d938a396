"""Admin for what an administrator tunes in the case workflow: categories (time limits,
三零 flags, whether their cases are public on Open311), duty rules, office hours and holidays.

Cases and their events are not edited here: only `workflow.transition()` writes a status.
"""

from django.contrib import admin

from apps.areas.admin import ByRelated, RelatedLabelsMixin, related_column
from apps.cases.models import CalendarDay, Category, DutyRule, WorkingPeriod
from apps.people.models import Department


@admin.register(Category)
class CategoryAdmin(RelatedLabelsMixin, admin.ModelAdmin):
    list_display = ("code", "name", "group", "kind", related_column("default_department", Department),
                    "handle_hours", "verify_hours", "public", "active")
    list_editable = ("public", "active")
    list_filter = ("kind", "public", "active", "group")
    list_select_related = ("default_department",)
    search_fields = ("code", "name", "group")
    autocomplete_fields = ("default_department",)


@admin.register(DutyRule)
class DutyRuleAdmin(RelatedLabelsMixin, admin.ModelAdmin):
    list_display = ("category", related_column("department", Department), "subdistrict", "community", "grid", "note")
    list_filter = (("department", ByRelated),)
    list_select_related = ("category", "department", "subdistrict", "community", "grid")
    search_fields = ("category__code", "category__name", "department__name", "note")
    autocomplete_fields = ("category", "department", "subdistrict", "community", "grid")


@admin.register(WorkingPeriod)
class WorkingPeriodAdmin(admin.ModelAdmin):
    list_display = ("weekday", "start", "end")
    ordering = ("weekday", "start")


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"
