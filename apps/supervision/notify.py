"""Inbox notifications of supervision, through the cases app's inbox and outbox.

The inbox (`cases.Notification`, case-less here) and its outbox are the
platform's one delivery path, written by `apps.cases.notify.notify_text` in the
caller's transaction: delivery is queued on commit, and the outbox sweeper
re-sends what a broker outage left pending.
"""

from django.utils.translation import gettext_lazy as _

from apps.cases.notify import notify_text

MESSAGES = {
    "finding_overdue": _("Finding #%(id)s at %(branch)s is overdue (due %(due)s): escalated to you (督办)."),
}


def notify_people(people, kind, **values):
    """One notification per person (a list of Person) through the cases app's inbox; returns their ids."""
    return notify_text(people, kind, str(MESSAGES[kind]) % values)
