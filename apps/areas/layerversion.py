"""The version of the map layers' data: read by every layer request, changed by every edit.

The base-map boundaries change only when GIS data is loaded or edited, so the
layer endpoints key their ETags and their server-side cache on one token
(`LayerVersion`, one row). It changes in the same transaction as the data:
`load_district` calls `bump_layer_version()` once, and any save or delete of a
model whose rows show in a layer (its geometry, a property or a count) bumps
it through the signals connected here (the admin, scripts, tests).
Bulk writes (`QuerySet.update`, `bulk_create`) send no signal: code that
writes layer data in bulk calls `bump_layer_version()` itself.
"""

import uuid

from django.db import IntegrityError, connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from apps.areas.models import LayerVersion

# Labels, not imports: compounds and stars depend on areas, never the reverse.
LAYER_SOURCES = [
    "areas.District",
    "areas.SubDistrict",
    "areas.Community",
    "areas.Grid",
    "compounds.Zone",
    "compounds.Compound",
    "compounds.ZoneAssignment",  # the cadre counts
    "stars.Branch",  # branch name and demonstration status on the communities
]
ROW_ID = 1
NO_VERSION = "0"  # before anything was loaded (and after a test flush)


def current_layer_version():
    """The current token: one query on a one-row table.

    A plain cursor rather than the ORM: compiling even this small queryset
    costs more than running it (about 0.1 ms, measured on this machine).
    """
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT token FROM "{LayerVersion._meta.db_table}" WHERE id = %s', [ROW_ID])
        row = cursor.fetchone()
    return row[0] if row else NO_VERSION


def bump_layer_version():
    """Give the layers a new token (inside the caller's transaction, if any); return it."""
    values = {"token": uuid.uuid4().hex, "changed_at": timezone.now()}
    if LayerVersion.objects.filter(pk=ROW_ID).update(**values):
        return values["token"]
    try:
        with transaction.atomic():
            LayerVersion.objects.create(pk=ROW_ID, **values)
    except IntegrityError:
        # Another transaction created the row first: ours must still change it,
        # or data committed after theirs would be served under their token.
        LayerVersion.objects.filter(pk=ROW_ID).update(**values)
    return values["token"]


def _data_changed(sender, **kwargs):
    bump_layer_version()


def _cadres_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        bump_layer_version()


def connect_layer_signals():
    for label in LAYER_SOURCES:
        post_save.connect(_data_changed, sender=label, dispatch_uid=f"layerversion.save.{label}")
        post_delete.connect(_data_changed, sender=label, dispatch_uid=f"layerversion.delete.{label}")
    # zone.cadres.add()/remove() write ZoneAssignment rows without post_save.
    m2m_changed.connect(_cadres_changed, sender="compounds.ZoneAssignment", dispatch_uid="layerversion.cadres")
