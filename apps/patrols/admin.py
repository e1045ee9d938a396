"""Admin for patrol check-ins: read-only records on a Leaflet map (check-ins are written by `check_in` only)."""

from django.contrib import admin

from apps.areas.admin import MapAdmin
from apps.patrols.models import Patrol


@admin.register(Patrol)
class PatrolAdmin(MapAdmin):
    list_display = ("checked_in_at", "cadre", "zone", "community", "distance_m", "accuracy_m", "source")
    list_filter = ("source", ("checked_in_at", admin.DateFieldListFilter))
    list_select_related = ("cadre", "zone", "community")
    search_fields = ("cadre__name", "cadre__code", "zone__code", "zone__name", "community__name")
    date_hierarchy = "checked_in_at"
    readonly_fields = ("client_id", "cadre", "zone", "community", "checked_in_at", "distance_m", "accuracy_m",
                       "source")
    # The point is shown on the map; a check-in is evidence of a visit, not something to redraw.
    modifiable = False

    def has_add_permission(self, request):
        return False
