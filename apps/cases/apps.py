from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "apps.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from apps.cases.zones import move_cases_off_retired_zones
        from apps.compounds.signals import zones_replaced

        zones_replaced.connect(move_cases_off_retired_zones, dispatch_uid="cases.move_off_retired_zones")
