from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompoundsConfig(AppConfig):
    name = "apps.compounds"
    label = "compounds"
    verbose_name = _("Unmanaged compounds")
