"""The header's 督导 link, shown to those with supervision work."""

from django import template
from django.urls import reverse

from apps.people.access import person_for
from apps.supervision.views import may_open_supervision

register = template.Library()


@register.simple_tag(takes_context=True)
def supervision_nav(context):
    request = context.get("request")
    if request is None or not may_open_supervision(person_for(getattr(request, "user", None))):
        return None
    match = getattr(request, "resolver_match", None)
    return {"url": reverse("supervision"),
            "current": bool(match and (match.url_name or "").startswith("supervision"))}
