"""Signals of the compounds app.

``zones_replaced`` is sent by :func:`apps.compounds.zone_plans.apply_zone_plan` inside its
transaction, after the new and changed Zone rows are saved with their geometry and
BEFORE the retired Zone rows are deleted, with keyword arguments:

* ``retired``: list[int], ids of the Zone rows about to be deleted;
* ``zones``: QuerySet of the Zone rows in force after the apply (to re-locate by point).

Receivers (cases: ``Case.zone`` is ``on_delete=PROTECT``; patrols) must move their rows
off the retired zones (to the zone in force containing their point, else NULL) in one
UPDATE each.
"""

import django.dispatch

zones_replaced = django.dispatch.Signal()
