"""Admin for party branches: demonstration and weak-branch flags, the accountable leader."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.areas.admin import ByRelated, RelatedLabelsMixin, related_column
from apps.areas.models import Community, SubDistrict
from apps.stars.models import Branch


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
