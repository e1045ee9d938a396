from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GisioConfig(AppConfig):
    """Import and export of the district's GIS data (the only app that writes every layer)."""

    name = "apps.gisio"
    label = "gisio"
    verbose_name = _("GIS import and export")
