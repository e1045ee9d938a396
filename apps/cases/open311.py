"""Open311 GeoReport v2 at /open311/v2/: categories as services, cases as service requests.

Reading is public, as the spec intends, and shows only what is not personal:
only cases of public categories (`Category.public`: the CJ/T 214 street classes by
default; disputes, public order, hardship and petitions are private), their place
snapped to a grid of about 50 m, and no reporter, contact, handler or photo (photos
are served only to staff who see the case). A private case is absent from every
answer here, lists, single requests and tokens alike: it answers 404 as if it did
not exist. An api_key only authorises posting; it never widens what is read. Staff
read every case of their area through /api/cases/.

The services list names every active category, private ones too: a posting partner
(a hotline with an api_key) needs their codes, and a category's name says nothing
about any case.

Posting needs an api_key from OPEN311_API_KEYS; each key reports as its own system
person, and the case enters the same workflow as a patrol report
(`intake.report_case`, source open311), located to its grid.
"""

import datetime as dt
import hashlib
import hmac
import re
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from rest_framework.exceptions import APIException
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from apps.areas.locate import InvalidCoordinate, check_coordinate
from apps.cases.intake import MAX_DESCRIPTION, category_by_code, report_case
from apps.cases.models import Case, CaseEvent, Category
from apps.cases.open311_format import Open311Error, render, render_error
from apps.cases import open311_schema as doc
from apps.cases.serializers import ACTION_LABELS
from apps.cases.workflow import WorkflowError
from apps.people.models import Person, Role

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
# When the service list last changed shape; clients cache discovery by it.
CHANGESET = "2026-01-01T00:00:00+08:00"
CLOSED_STATUSES = ("closed", "rejected", "merged")
MAX_REQUESTS = 1000
WINDOW = dt.timedelta(days=90)
# Public coordinates are snapped to multiples of this many degrees: 0.0005 deg is
# 56 m north-south and 46 m east-west at the district's 34.8 deg N, so a report
# shows the block, not the doorway.
PUBLIC_STEP = 0.0005


# --- reading --------------------------------------------------------------------


def iso(value):
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def service_notice(category):
    return _("Handled within %(hours)s working hours of dispatch; verified on site within %(verify)s.") % {
        "hours": category.handle_hours, "verify": category.verify_hours,
    }


def service_of(category):
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": f"{category.group} / {category.name}",
        "metadata": False,
        "type": "realtime",
        "keywords": ", ".join([category.group, category.name, category.get_kind_display()]),
        "group": category.group,
    }


def coarse(degrees):
    """A coordinate snapped to the public grid (PUBLIC_STEP), written with at most 4 decimals."""
    return round(round(degrees / PUBLIC_STEP) * PUBLIC_STEP, 4)


def public_status(status):
    return "closed" if status in CLOSED_STATUSES else "open"


def request_of(case):
    """A case as a service request: only fields the public may read."""
    notes = case.last_note or str(ACTION_LABELS.get(case.last_action, case.last_action or ""))
    return {
        "service_request_id": case.number,
        "status": public_status(case.status),
        "status_notes": notes,
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": case.description,
        "agency_responsible": case.department.name if case.department_id else "",
        "service_notice": service_notice(case.category),
        "requested_datetime": iso(case.reported_at),
        "updated_datetime": iso(case.last_at or case.reported_at),
        "expected_datetime": iso(case.handle_deadline),
        "address": case.address,
        "address_id": "",
        "zipcode": "",
        "lat": coarse(case.point.y),
        "long": coarse(case.point.x),
        "media_url": "",
    }


def public_cases():
    """Cases of public categories, with their last step; the one gate of every Open311 read."""
    last = CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-at", "-id")
    return Case.objects.filter(category__public=True).select_related("category", "department").annotate(
        last_at=Subquery(last.values("at")[:1]),
        last_note=Subquery(last.values("note")[:1]),
        last_action=Subquery(last.values("action")[:1]),
    )


def moment(name, raw):
    """A w3c date-time (or date) from a query parameter; 400 in the spec's format otherwise."""
    raw = raw.strip()
    try:
        # An unencoded "+08:00" in a query string arrives as " 08:00".
        value = parse_datetime(re.sub(r"(T[\d:.]+) (\d\d:?\d\d)$", r"\1+\2", raw))
        if value is None and parse_date(raw):
            value = dt.datetime.combine(parse_date(raw), dt.time())
    except ValueError:
        value = None
    if value is None:
        raise Open311Error(
            400, _("%(field)s must be a date and time in ISO 8601 (w3c) format, got %(value)s.")
            % {"field": name, "value": repr(raw[:40])},
        )
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def comma_list(raw):
    return [v.strip() for v in (raw or "").split(",") if v.strip()]


def find_requests(query, now):
    """Service requests matching the spec's filters, newest first, at most 1000 and 90 days."""
    cases = public_cases()
    numbers = comma_list(query.get("service_request_id"))
    if numbers:
        # The spec: with service_request_id every other parameter is ignored.
        return cases.filter(number__in=numbers[:MAX_REQUESTS]).order_by("-reported_at", "-id")
    codes = comma_list(query.get("service_code"))
    if codes:
        cases = cases.filter(category__code__in=codes)
    statuses = comma_list(query.get("status"))
    unknown = [s for s in statuses if s not in ("open", "closed")]
    if unknown:
        raise Open311Error(400, _("status must be open or closed, got %(value)s.") % {"value": ", ".join(unknown)[:40]})
    if statuses and set(statuses) != {"open", "closed"}:
        cases = (cases.exclude if set(statuses) == {"open"} else cases.filter)(status__in=CLOSED_STATUSES)
    start = moment("start_date", query["start_date"]) if query.get("start_date") else None
    end = moment("end_date", query["end_date"]) if query.get("end_date") else None
    if start and end and end < start:
        raise Open311Error(400, _("end_date is before start_date."))
    if start and end and end - start > WINDOW:
        raise Open311Error(400, _("The date range may span at most 90 days."))
    if start is None:
        start = (end or now) - WINDOW
    if end is None:
        end = start + WINDOW
    return cases.filter(reported_at__gte=start, reported_at__lte=end).order_by("-reported_at", "-id")[:MAX_REQUESTS]


# --- posting ------------------------------------------------------------------------


def key_person(key):
    """The system person an api_key reports as, made on its first report."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:10]
    person, _created = Person.objects.get_or_create(
        code=f"OPEN311-{digest}",
        # No login and no area: it reports and is never notified or asked to act.
        defaults={"name": f"Open311 {digest[:4]}", "role": Role.INSPECTOR, "title": "Open311"},
    )
    return person


def check_key(raw):
    key = (raw or "").strip()
    if key and any(hmac.compare_digest(key.encode(), known.encode()) for known in settings.OPEN311_API_KEYS):
        return key
    raise Open311Error(403, _("Invalid or missing api_key."))


def a_float(data, name, field):
    try:
        return check_coordinate(field, data.get(name))
    except InvalidCoordinate as exc:
        raise Open311Error(400, exc.message.replace(f"({field})", f"({name})")) from None


def create_request(data, query):
    """Report a case from a POST; return (case, category). Some clients put api_key in the query string."""
    key = check_key(data.get("api_key") or query.get("api_key"))
    code = data.get("service_code")
    code = code.strip() if isinstance(code, str) else ""
    if not code:
        raise Open311Error(400, _("service_code is required."))
    category = category_by_code(code)
    if category is None:
        raise Open311Error(400, _("Unknown service_code: %(code)s.") % {"code": code[:20]})
    if data.get("lat") in (None, "") or data.get("long") in (None, ""):
        raise Open311Error(400, _("A location is required: lat and long (address_string alone is not enough)."))
    lat, lon = a_float(data, "lat", "lat"), a_float(data, "long", "lon")
    description = (data.get("description") or "").strip() or category.name
    media_url = (data.get("media_url") or "").strip()
    if media_url.startswith(("http://", "https://")):
        description = f"{description}\n{_('Photo')}: {media_url}"
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, _("description is longer than %(n)s characters.") % {"n": MAX_DESCRIPTION})
    name = " ".join(v.strip() for v in (data.get("first_name") or "", data.get("last_name") or "") if v.strip())
    contact = " / ".join(v for v in (name, (data.get("email") or "").strip(), (data.get("phone") or "").strip()) if v)
    address = (data.get("address_string") or "").strip()
    try:
        # One transaction: a refused report does not leave the key's person behind either.
        with transaction.atomic():
            case, _created = report_case(
                by=key_person(key), category=category, lon=lon, lat=lat, description=description,
                address=address, source=Case.Source.OPEN311, contact=contact, client_id=uuid.uuid4(),
            )
    except WorkflowError as exc:
        raise Open311Error(400, exc.message) from None
    return case, category


# --- views --------------------------------------------------------------------------


class FormatFromPath(DefaultContentNegotiation):
    """The format is the path's .json or .xml; an Accept header (text/xml, say) must not make DRF answer 406."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class Open311View(APIView):
    """Public, no session (so no CSRF): the api_key authenticates a POST. Errors in the spec's format."""

    authentication_classes = []
    permission_classes = [AllowAny]
    content_negotiation_class = FormatFromPath

    def handle_exception(self, exc):
        fmt = self.kwargs.get("fmt", "json")
        if isinstance(exc, Open311Error):
            return render_error(fmt, exc.code, exc.description)
        if isinstance(exc, Http404):
            return render_error(fmt, 404, exc.args[0] if exc.args else _("Not found."))
        if isinstance(exc, APIException):
            return render_error(fmt, exc.status_code, exc.detail)
        return super().handle_exception(exc)


class DiscoveryView(Open311View):
    @doc.open311_schema("Open311 discovery", doc.Discovery, errors=())
    def get(self, request, fmt):
        base = request.build_absolute_uri("/open311/v2/").rstrip("/")
        payload = {
            "changeset": CHANGESET,
            "contact": _("City operations command centre of the district (grid governance platform)"),
            "key_service": _("api_key for posting: ask the command centre (OPEN311_API_KEYS)."),
            "endpoints": [
                {"specification": SPEC_URL, "url": base, "changeset": CHANGESET, "type": "production",
                 "formats": ["text/xml", "application/json"]},
            ],
        }
        return render(fmt, "discovery", "", payload)


class ServiceListView(Open311View):
    @doc.open311_schema("Open311 services: the active categories", doc.Service, errors=())
    def get(self, request, fmt):
        categories = Category.objects.filter(active=True).order_by("code")
        return render(fmt, "services", "service", [service_of(c) for c in categories])


class ServiceDefinitionView(Open311View):
    @doc.open311_schema("Open311 service definition (no extra attributes)", doc.ServiceDefinition, errors=(404,))
    def get(self, request, code, fmt):
        if category_by_code(code) is None:
            raise Open311Error(404, _("Unknown service_code: %(code)s.") % {"code": code[:20]})
        # metadata is false for every service: no extra attributes to fill in.
        return render(fmt, "service_definition", "", {"service_code": code, "attributes": []})


class RequestListView(Open311View):
    @doc.open311_schema("Open311 service requests, newest first (at most 1000, 90 days)", doc.ServiceRequest,
                        parameters=doc.LIST_PARAMETERS, errors=(400,))
    def get(self, request, fmt):
        cases = find_requests(request.query_params, timezone.now())
        return render(fmt, "service_requests", "request", [request_of(c) for c in cases])

    @doc.open311_schema("Post a service request (api_key required); it enters the case workflow", doc.Created,
                        request={"application/x-www-form-urlencoded": doc.PostRequest,
                                 "multipart/form-data": doc.PostRequest, "application/json": doc.PostRequest},
                        errors=(400, 403), status=201)
    def post(self, request, fmt):
        case, category = create_request(request.data, request.query_params)
        payload = [{"service_request_id": case.number, "token": str(case.client_id),
                    "service_notice": service_notice(category), "account_id": None}]
        return render(fmt, "service_requests", "request", payload, status=201)


class RequestView(Open311View):
    @doc.open311_schema("One Open311 service request", doc.ServiceRequest, errors=(404,))
    def get(self, request, number, fmt):
        case = public_cases().filter(number=number).first()
        if case is None:
            raise Open311Error(404, _("No service request %(id)s.") % {"id": number[:30]})
        return render(fmt, "service_requests", "request", [request_of(case)])


class TokenView(Open311View):
    @doc.open311_schema("The service request id made from a token", doc.TokenAnswer, errors=(404,))
    def get(self, request, token, fmt):
        try:
            client_id = uuid.UUID(token)
        except ValueError:
            client_id = None
        number = (
            public_cases().filter(client_id=client_id).values_list("number", flat=True).first() if client_id else None
        )
        if number is None:
            raise Open311Error(404, _("No service request for token %(token)s.") % {"token": token[:40]})
        return render(fmt, "service_requests", "request", [{"service_request_id": number, "token": token}])
