"""Admin for the spatial base: every boundary is edited on a Leaflet map.

Also the admin helpers the other apps' admins share: our foreign keys carry no
verbose_name, so labels, column heads and filter titles are taken from the
related model's (translated) name instead of the bare field name.
"""

from django.contrib import admin
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdmin

from apps.areas.basemap import admin_leaflet_overrides
from apps.areas.models import Community, District, Grid, SubDistrict

admin.site.site_header = format_lazy("{} · GridGov", _("Grid Governance Platform"))
admin.site.site_title = _("Grid Governance Platform")
admin.site.index_title = _("Administration")


def _has_default_name(db_field):
    return str(db_field.verbose_name) == db_field.name.replace("_", " ")


class RelatedLabelsMixin:
    """Form labels of relation fields from the related model's verbose name."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if _has_default_name(db_field):
            kwargs.setdefault("label", capfirst(db_field.related_model._meta.verbose_name))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if _has_default_name(db_field):
            kwargs.setdefault("label", capfirst(db_field.related_model._meta.verbose_name_plural))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ByRelated(admin.RelatedFieldListFilter):
    """A relation filter titled with the related model's name ("by sub-district")."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = field.related_model._meta.verbose_name


class ByRelatedInUse(ByRelated, admin.RelatedOnlyFieldListFilter):
    """ByRelated offering only the values some row uses (departments that have people)."""


def related_column(path, model):
    """A changelist column following `path` ("community__subdistrict"), headed by `model`'s name."""

    @admin.display(description=model._meta.verbose_name, ordering=path)
    def column(obj):
        for part in path.split("__"):
            obj = getattr(obj, part, None)
            if obj is None:
                return None
        return obj

    column.__name__ = path
    return column


class MapAdmin(RelatedLabelsMixin, LeafletGeoAdmin):
    """LeafletGeoAdmin over the configured base map (plain when there is none)."""

    @property
    def settings_overrides(self):
        # Read per request, so the admin follows GRIDGOV_BASEMAP as the map page does.
        return admin_leaflet_overrides()


@admin.register(District)
class DistrictAdmin(MapAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(SubDistrict)
class SubDistrictAdmin(MapAdmin):
    list_display = ("code", "name", related_column("district", District), "households", "population")
    list_select_related = ("district",)
    search_fields = ("code", "name")


@admin.register(Community)
class CommunityAdmin(MapAdmin):
    list_display = ("code", "name", "kind", related_column("subdistrict", SubDistrict), "households", "population")
    list_filter = ("kind", ("subdistrict", ByRelated))
    list_select_related = ("subdistrict",)
    search_fields = ("code", "name")
    autocomplete_fields = ("subdistrict",)


@admin.register(Grid)
class GridAdmin(MapAdmin):
    list_display = (
        "code",
        "name",
        related_column("community", Community),
        related_column("community__subdistrict", SubDistrict),
        "households",
        "population",
    )
    list_filter = ("community__kind", ("community__subdistrict", ByRelated))
    list_select_related = ("community__subdistrict",)
    search_fields = ("code", "name", "community__name")
    autocomplete_fields = ("community",)
