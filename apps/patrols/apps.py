from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolsConfig(AppConfig):
    name = "apps.patrols"
    label = "patrols"
    verbose_name = _("Patrols")

    def ready(self):
        # When a zone plan is applied, patrols leave the retired zones in the same transaction.
        from apps.compounds.signals import zones_replaced
        from apps.patrols.checkin import relocate_patrols

        zones_replaced.connect(relocate_patrols, dispatch_uid="patrols.relocate_patrols")
