"""Pages of the case workflow: the dispatch desk, the handling desk, a case, the inbox, the ranking.

Views parse, check access, call one function and render. The desks are thin
pages over the cases API (their scripts fetch the queues and act through
`/api/cases/<number>/actions/<action>/`); the case page, the inbox and the
ranking are rendered here. Server values reach scripts through data-*
attributes, `{% url %}` and json_script only.
"""

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from apps.areas.basemap import basemap_config
from apps.areas.geojson import BadParameter
from apps.cases.access import cases_for_user, get_case_for
from apps.cases.borders import border_panel
from apps.cases.api_support import filter_cases
from apps.cases.context import DISPATCH_ROLES, EVALUATION_ROLES, HANDLE_ROLES
from apps.cases.models import Attachment, Case, Notification
from apps.cases.views_evidence import evidence_panel
from apps.cases.views_ranking import ranking_context
from apps.cases.views_strings import (
    NUMBER,
    STATUS_GROUP,
    api_urls,
    desk_strings,
    desk_tabs,
    district_bounds,
    notification_kinds,
    timeline_rows,
)
from apps.people.access import area_bounds, person_for

INBOX_PAGE = 100
CLOSED_STATUSES = ("closed", "rejected", "merged")


def person_in_role(request, roles, *, superuser=True):
    """The request's person when their role is one of `roles`; 403 otherwise.

    A Django superuser with no person passes where `superuser` allows it (the
    desks): they administer the platform and may look at any desk.
    """
    person = person_for(request.user)
    if person is not None and person.role in roles:
        return person
    if superuser and request.user.is_superuser:
        return person
    raise PermissionDenied


def first_tab_with_work(user, tabs, now):
    """The key of the first tab whose queue holds a case for `user`, else the first tab.

    The desk opens there: a dispatcher whose 新上报 is empty while 在办 and 超期
    hold cases sees those at once. One count per tab, on the same filters the
    tab's list uses (GET /api/cases/ with its query).
    """
    person = person_for(user)
    cases = cases_for_user(user)
    for key, _label, query in tabs:
        try:
            if filter_cases(cases, QueryDict(query), person, now).exists():
                return key
        except BadParameter:
            continue
    return tabs[0][0] if tabs else None


def _desk(request, template, desk):
    tabs = desk_tabs(desk)
    return render(
        request,
        template,
        {
            "desk": desk,
            "tabs": tabs,
            "initial_tab": first_tab_with_work(request.user, tabs, timezone.now()),
            "desk_config": {
                **basemap_config(),
                "desk": desk,
                "bounds": district_bounds(),
                "area": area_bounds(person_for(request.user)),
                "timeZone": settings.TIME_ZONE,
            },
            "desk_strings": desk_strings(),
            "api": api_urls(),
        },
    )


@login_required
def dispatch_desk(request):
    person_in_role(request, DISPATCH_ROLES)
    return _desk(request, "cases/dispatch.html", "dispatch")


@login_required
def handle_desk(request):
    # Handlers only: a superuser has no department whose cases the desk could list.
    person_in_role(request, HANDLE_ROLES, superuser=False)
    return _desk(request, "cases/handle.html", "handle")


@login_required
def case_page(request, number):
    case = get_case_for(
        request.user,
        number,
        Case.objects.select_related(
            "category", "grid", "community", "subdistrict", "zone", "department", "reporter", "merged_into"
        ).defer("community__geom", "subdistrict__geom", "zone__geom"),
    )
    # A list: the timeline and the evidence panel both walk it (one query for the photos).
    events = list(
        case.events.select_related("actor", "department").prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("pk"))
        )
    )
    photos = case.attachments.filter(event__action="report").order_by("pk")
    evidence = evidence_panel(case, events, request.user, person_for(request.user))
    return render(
        request,
        "cases/case.html",
        {
            "case": case,
            "status_group": STATUS_GROUP.get(case.status, "closed"),
            "show_warning": case.status not in CLOSED_STATUSES and case.handle_deadline is not None,
            "timeline": timeline_rows(case, events),
            "photos": photos,
            "evidence": evidence,
            "border": border_panel(case, person_for(request.user)),
            "parts": case.parts.select_related("department").order_by("-lead", "department__code"),
            "case_map": {
                **basemap_config(),
                "point": [case.point.x, case.point.y],
                "number": case.number,
                "grid": json.loads(case.grid.geom.json),
            },
        },
    )


@login_required
def inbox_page(request):
    person = person_for(request.user)
    notifications = []
    if person is not None:
        notifications = list(
            Notification.objects.filter(recipient=person, delivered_at__isnull=False)
            .select_related("case")
            .order_by("-created_at")[:INBOX_PAGE]
        )
    kinds = notification_kinds()
    for notification in notifications:
        notification.kind_label = kinds.get(notification.kind, notification.kind)
    return render(
        request,
        "cases/inbox.html",
        {
            "notifications": notifications,
            "read_url": reverse("api-inbox-read", args=[NUMBER]),
            "placeholder": NUMBER,
        },
    )


@login_required
def evaluation_page(request):
    person = person_in_role(request, EVALUATION_ROLES)
    context = ranking_context(request, person)
    return render(request, "cases/evaluation.html", context, status=400 if context["error"] else 200)

