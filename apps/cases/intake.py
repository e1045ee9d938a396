"""Reports coming in: from a grid worker's phone, a zone cadre, or Open311.

A report is located to its grid (and community, sub-district, zone) once, when
it arrives, so counts and heatmaps never redo point-in-polygon. The client's id
makes a retried upload return the case it already made instead of a second one.
"""

import uuid
from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, Exists, OuterRef, Subquery, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.areas.compiled import IdSlot, fetch_one
from apps.areas.locate import OutsideDistrict, locate
from apps.areas.spatial import IntersectsPoint
from apps.cases.borders import BORDER_M, border_here, border_metres, border_of_report
from apps.cases.evidence import attach_photos
from apps.cases.models import Case, CaseEvent, Category
from apps.cases.routing import CATEGORY, duty_rule_here, suggestion_here
from apps.cases.workflow import WorkflowError
from apps.compounds.models import Zone, ZoneAssignment
from apps.people.models import Person, Role

MAX_DESCRIPTION = 2000
MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@dataclass(frozen=True)
class Intake:
    suggestion: object  # routing.Suggestion
    photos: list  # Attachment rows
    zone_code: str | None


class ReportError(WorkflowError):
    """A report that cannot be accepted; `field` names the input at fault."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


def check_photo(upload):
    """(content type, size) of an uploaded image; ReportError when it is not a usable photo."""
    from PIL import Image, UnidentifiedImageError

    name = getattr(upload, "name", "photo")
    if upload.size > MAX_PHOTO_BYTES:
        raise ReportError("photos", _("Photo %(name)s is larger than 5 MB.") % {"name": name})
    try:
        with Image.open(upload) as image:
            image.verify()
            kind = image.format
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ReportError("photos", _("File %(name)s is not an image.") % {"name": name}) from None
    except Image.DecompressionBombError:
        # A few kilobytes can declare a gigapixel image; decoding it (for the evidence
        # hash) would take the worker's memory.
        raise ReportError(
            "photos", _("Photo %(name)s has too many pixels for a photo.") % {"name": name}
        ) from None
    finally:
        upload.seek(0)
    if kind not in PHOTO_TYPES:
        raise ReportError("photos", _("Photo %(name)s must be JPEG, PNG or WebP.") % {"name": name})
    return PHOTO_TYPES[kind], upload.size


def check_report(*, by, category, lon, lat, description, photos=()):
    """Everything that can be wrong with a report, before anything is written."""
    if category is None or not category.active:
        raise ReportError("category", _("Unknown category."))
    description = (description or "").strip()
    if not description:
        raise ReportError("description", _("Describe what you found."))
    if len(description) > MAX_DESCRIPTION:
        raise ReportError(
            "description", _("The description is longer than %(n)s characters.") % {"n": MAX_DESCRIPTION}
        )
    if len(photos) > MAX_PHOTOS:
        raise ReportError("photos", _("At most %(n)s photos per report.") % {"n": MAX_PHOTOS})
    checked = [check_photo(p) for p in photos]
    reporter = by.pk if by is not None else None
    try:
        # Border-aware routing (apps/cases/borders.py): the same query also asks for the
        # nearest other grid and zone edge within GRIDGOV_BORDER_M (0: not asked).
        metres = border_metres()
        places = PLACE_NEAR_BORDER if metres > 0 else PLACE_OF
        where = locate(lon, lat, extra=places.get(by.role if by else None, places[None]), reporter=reporter,
                       border_m=metres,
                       category=category.pk)
    except OutsideDistrict as exc:
        raise ReportError("location", exc.message) from None
    if not where.extra["in_reporters_area"]:
        if by.role == Role.GRID_WORKER:
            message = _("The point is in %(grid)s, outside your grids.") % {"grid": where.grid.name}
        else:
            message = _("The point is in %(community)s, outside your zones.") % {"community": where.community.name}
        raise ReportError("location", message)
    return description, where, checked


# What a report needs to know of its place besides the grid, asked in the grid's
# own query (`locate(extra=...)`): the lowest-code zone of the grid's community
# that holds the point; whether the place is the reporter's to report (a grid
# worker's own grid, a community where a zone cadre has a zone; anyone else may
# report anywhere in the district); and the category's duty rule there.

REPORTER = IdSlot.named("reporter")


def zone_and_rule_here(lon, lat):
    zones = Zone.objects.filter(IntersectsPoint("geom", lon, lat), community=OuterRef("community_id")).order_by("code")
    annotations = {
        "zone_id": Subquery(zones.values("pk")[:1]),
        "zone_code": Subquery(zones.values("code")[:1]),
        **duty_rule_here(lon, lat),
    }
    if connection.vendor == "postgresql":
        # The new case's id comes with its place, so the row is inserted with its
        # final number: on PostgreSQL an UPDATE of the number rewrote the row and
        # all of its 18 index entries (a number is indexed, so no HOT update).
        # A refused report leaves a gap in the ids, as a rolled-back insert would.
        table = Case._meta.db_table
        annotations["next_case_id"] = RawSQL(f"nextval(pg_get_serial_sequence('{table}', 'id'))", ())
    return annotations


def place(lon, lat):
    return {**zone_and_rule_here(lon, lat), "in_reporters_area": Value(True, output_field=BooleanField())}, (CATEGORY,)


def place_for_grid_worker(lon, lat):
    mine = Exists(Person.grids.through.objects.filter(person_id=REPORTER, grid_id=OuterRef("pk")))
    return {**zone_and_rule_here(lon, lat), "in_reporters_area": mine}, (REPORTER, CATEGORY)


def place_for_zone_cadre(lon, lat):
    mine = Exists(ZoneAssignment.objects.filter(cadre_id=REPORTER, zone__community_id=OuterRef("community_id")))
    return {**zone_and_rule_here(lon, lat), "in_reporters_area": mine}, (REPORTER, CATEGORY)


PLACE_OF = {None: place, Role.GRID_WORKER: place_for_grid_worker, Role.ZONE_CADRE: place_for_zone_cadre}


def _with_border(place_of):
    def extra(lon, lat):
        annotations, slots = place_of(lon, lat)
        return {**annotations, **border_here(lon, lat)}, (*slots, BORDER_M)

    return extra


# Module-level functions: they key the compiled SQL (apps.areas.locate.locate_sql).
place_near_border = _with_border(place)
place_for_grid_worker_near_border = _with_border(place_for_grid_worker)
place_for_zone_cadre_near_border = _with_border(place_for_zone_cadre)
PLACE_NEAR_BORDER = {None: place_near_border, Role.GRID_WORKER: place_for_grid_worker_near_border,
                     Role.ZONE_CADRE: place_for_zone_cadre_near_border}


def report_case(*, by, category, lon, lat, description, client_id=None, address="", photos=(), at=None,
                source=Case.Source.PATROL, contact="", notify=True):
    """Make a case from a report; return (case, created). A known client id returns its case.

    A new case carries `intake` (Intake): what the reporter's receipt tells
    them, from what the report had in hand.
    """
    client_id = client_id or uuid.uuid4()
    # No lookup first: the client id is unique, so a retry fails to insert and
    # is answered then (a lookup on every report cost a query for the rare retry).
    try:
        description, where, checked = check_report(
            by=by, category=category, lon=lon, lat=lat, description=description, photos=photos
        )
    except ReportError:
        # A retry of a report accepted before is answered with its case, even if
        # the report would be refused now (the reporter's grids changed).
        existing = Case.objects.filter(client_id=client_id).first()
        if existing is not None:
            return existing, False
        raise
    at = at or timezone.now()
    point = Point(float(lon), float(lat), srid=4326)
    suggestion = suggestion_here(category, where)
    near_border, border = border_of_report(where, category, lon, lat)
    try:
        with transaction.atomic():
            case = Case(
                id=where.extra.get("next_case_id"), number=uuid.uuid4().hex[:20], client_id=client_id,
                source=source, category=category, description=description, address=(address or "")[:200],
                point=point, grid=where.grid, community=where.community, subdistrict=where.subdistrict,
                zone_id=where.extra["zone_id"], reporter=by, reporter_contact=contact[:120], reported_at=at,
                unroutable=suggestion.department is None, near_border=near_border, border=border,
            )
            numbered = case.id is not None
            if numbered:
                case.number = case_number(at, case.id)
            case.save(force_insert=True)
            if not numbered:  # SQLite: the id is known once the row is in
                case.number = case_number(at, case.id)
                case.save(update_fields=["number"])
            event = CaseEvent.objects.create(
                case=case, action="report", from_status="", to_status=case.status, actor=by, at=at,
                data={"suggested_department": suggestion.department.code if suggestion.department else None,
                      "reason": suggestion.reason},
            )
            attachments = attach_photos(
                case, event, [(upload, *kind) for upload, kind in zip(photos, checked)], by=by, now=at
            )
            if notify:
                from apps.cases.notify import notify_event

                notify_event(case, event)
    except IntegrityError:
        # Two retries of one report raced; the first one made the case.
        existing = Case.objects.filter(client_id=client_id).first()
        if existing is None:
            raise
        return existing, False
    case.intake = Intake(suggestion=suggestion, photos=attachments, zone_code=where.extra["zone_code"])
    return case, True


def case_number(at, pk):
    """The case number: the local report date and the id, e.g. 20261130000204."""
    return f"{timezone.localtime(at):%Y%m%d}{pk:06d}"


def category_by_code(code):
    """The active category with this code (and its default department), or None."""
    category = fetch_one(Category, {"code": code}, related=("default_department",))
    return category if category is not None and category.active else None
