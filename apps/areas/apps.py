from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AreasConfig(AppConfig):
    name = "apps.areas"
    label = "areas"
    verbose_name = _("Areas")

    def ready(self):
        from apps.areas.layerversion import connect_layer_signals
        from apps.areas.spatialite import restore_spatial_indexes

        post_migrate.connect(restore_spatial_indexes, dispatch_uid="areas.restore_spatial_indexes")
        connect_layer_signals()
