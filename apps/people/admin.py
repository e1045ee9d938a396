"""Admin for departments and people; ~1,500 grids and ~1,400 cadres mean autocomplete, not selects."""

from django.contrib import admin
from django.contrib.auth import get_user_model

from apps.areas.admin import ByRelated, ByRelatedInUse, MapAdmin, RelatedLabelsMixin, related_column
from apps.areas.models import SubDistrict
from apps.people.models import Department, Person


@admin.register(Department)
class DepartmentAdmin(MapAdmin):
    """The office location (cadres are assigned to zones near it) is placed on a Leaflet map."""

    list_display = ("code", "name", "kind", related_column("subdistrict", SubDistrict))
    list_filter = ("kind",)
    list_select_related = ("subdistrict",)
    search_fields = ("code", "name")
    autocomplete_fields = ("subdistrict",)


@admin.register(Person)
class PersonAdmin(RelatedLabelsMixin, admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "role",
        "title",
        related_column("department", Department),
        related_column("subdistrict", SubDistrict),
        related_column("user", get_user_model()),
    )
    list_filter = ("role", ("department", ByRelatedInUse), ("subdistrict", ByRelated))
    list_select_related = ("department", "subdistrict", "user")
    search_fields = ("code", "name", "phone", "user__username")
    autocomplete_fields = ("user", "department", "subdistrict", "grids")
