"""The header's 通报 link, shown to those who read bulletins or duty lists."""

from django import template
from django.urls import reverse

from apps.bulletins.access import may_read

register = template.Library()


@register.simple_tag(takes_context=True)
def bulletins_nav(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not may_read(user):
        return None
    from apps.people.access import person_for
    from apps.people.models import Role

    person = person_for(user)
    url = reverse("bulletin-duties") if person is not None and person.role == Role.HANDLER else reverse("bulletins")
    match = getattr(request, "resolver_match", None)
    return {"url": url, "current": bool(match and (match.url_name or "").startswith("bulletin"))}
