"""Template helpers of the five-star pages, and the header's 五星支部 link."""

from django import template
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from apps.stars.access import may_open_stars

register = template.Library()


@register.filter
def when(value):
    """An ISO timestamp from the API payload as "YYYY-MM-DD HH:MM" (already in local time)."""
    if not value:
        return ""
    parsed = parse_datetime(value) if isinstance(value, str) else value
    return parsed.strftime("%Y-%m-%d %H:%M") if parsed else value


@register.simple_tag(takes_context=True)
def stars_nav(context):
    """The header's 五星支部 link ({"url", "current"}) for a login that may open /stars/, else None."""
    request = context.get("request")
    if not may_open_stars(getattr(request, "user", None)):
        return None
    match = getattr(request, "resolver_match", None)
    return {"url": reverse("stars"), "current": bool(match and (match.url_name or "").startswith("stars"))}


@register.filter
def percent(value):
    """0.0493 -> "4.9%"; None (nothing rated) -> "—"."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"
