"""Template context for every page: the header's navigation by role and the inbox badge.

The unread count is lazy: it costs one indexed COUNT (recipient, delivered_at)
only on pages that show the header, and nothing for anonymous users or logins
without a person.
"""

from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from apps.cases.models import Notification
from apps.people.access import person_for
from apps.people.models import Role

DISPATCH_ROLES = (Role.DISPATCHER, Role.ADMINISTRATOR)
HANDLE_ROLES = (Role.HANDLER,)
EVALUATION_ROLES = (Role.LEADER, Role.DISPATCHER, Role.ADMINISTRATOR)
REPORT_ROLES = (Role.GRID_WORKER, Role.ZONE_CADRE)


def unread_count(person):
    return Notification.objects.filter(recipient=person, delivered_at__isnull=False, read_at__isnull=True).count()


def nav_items(user, person):
    """(key, url, label) of the header links this login may open, in order."""
    role = person.role if person is not None else None
    superuser = user.is_superuser
    items = [("map", reverse("map"), _("Map"))]
    if superuser or role in DISPATCH_ROLES:
        items.append(("dispatch", reverse("case-dispatch"), _("Dispatch")))
    if role in HANDLE_ROLES:
        items.append(("handle", reverse("case-handle"), _("Handle")))
    if superuser or role in EVALUATION_ROLES:
        items.append(("evaluation", reverse("case-evaluation"), _("Evaluation")))
        items.append(("dashboard", reverse("dashboard"), _("Leaders' dashboard")))
        items.append(("integrity", reverse("integrity"), _("Integrity signals")))
    return items


def header(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    person = person_for(user)
    context = {"nav_items": nav_items(user, person), "nav_current": _current(request)}
    if person is not None:
        context["inbox_url"] = reverse("case-inbox")
        context["inbox_unread"] = SimpleLazyObject(lambda: unread_count(person))
    return context


def _current(request):
    match = getattr(request, "resolver_match", None)
    name = match.url_name if match else ""
    return {
        "map": "map", "case-dispatch": "dispatch", "case-handle": "handle",
        "case-evaluation": "evaluation", "case-inbox": "inbox", "dashboard": "dashboard", "integrity": "integrity",
    }.get(name, "")
