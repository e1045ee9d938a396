"""The header's 片区规划 link, for the logins that may open /compounds/."""

from django import template
from django.urls import reverse

from apps.compounds.views import may_plan

register = template.Library()


@register.simple_tag(takes_context=True)
def compounds_nav(context):
    """{"url", "current"} of the planning page for a login that may open it, else None."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not may_plan(user):
        return None
    match = getattr(request, "resolver_match", None)
    return {"url": reverse("compounds"), "current": bool(match and match.url_name == "compounds")}
