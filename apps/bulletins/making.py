"""Making a bulletin: compute, store (replacing the period's earlier one), announce to the leaders.

1. Parse the period and refuse one that has not ended (`today` is the only
   clock the maker reads, and only for that refusal).
2. Compute the figures (`compute.compute`: no clock inside).
3. Store under (kind, period) in one transaction: a second making updates the
   same row, never adds one.
4. If the figures are new or changed, write one inbox notification per leader
   with its outbox row in the same transaction; delivery is queued on commit.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.bulletins.compute import compute
from apps.bulletins.models import Bulletin, Kind
from apps.bulletins.periods import parse_ended
from apps.cases.notify import notify_text
from apps.people.models import Person, Role


def make_bulletin(kind, period, *, today=None, by=None, announce=True):
    """Make (or remake) the bulletin of `kind` for `period` (text); returns (bulletin, created).

    BulletinPeriodError (with the field at fault) for a malformed or unfinished period.
    """
    today = today or timezone.localdate()
    span = parse_ended(kind, period, today=today)
    data = compute(span)
    try:
        return _store(kind, span, data, by=by, announce=announce)
    except IntegrityError:
        # Two makers at once (beat and a click) both found no row; the loser updates the winner's.
        return _store(kind, span, data, by=by, announce=announce)


def _store(kind, span, data, *, by, announce):
    with transaction.atomic():
        bulletin = Bulletin.objects.select_for_update().filter(kind=kind, period=span.code).first()
        created = bulletin is None
        changed = created or bulletin.data != data
        if created:
            bulletin = Bulletin(kind=kind, period=span.code)
        bulletin.starts_on, bulletin.ends_on, bulletin.data = span.first, span.last, data
        bulletin.made_at, bulletin.made_by = timezone.now(), by
        bulletin.save()
        if announce and changed:
            announce_bulletin(bulletin)
    return bulletin, created


def announce_bulletin(bulletin):
    """One inbox notification per leader, in the platform's language; delivery queued on commit."""
    with translation.override(settings.LANGUAGE_CODE):
        text = _("%(title)s %(period)s is out: %(url)s") % {
            "title": Kind(bulletin.kind).label, "period": bulletin.period,
            "url": reverse("bulletin", args=[bulletin.kind, bulletin.period])}
    return notify_text(Person.objects.filter(role=Role.LEADER), "bulletin", text)
