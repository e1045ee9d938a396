"""Reports coming in: from a grid worker's phone, a zone cadre, or Open311.

A report is located to its grid (and community, sub-district, zone) once, when
it arrives, so counts and heatmaps never redo point-in-polygon. The client's id
makes a retried upload return the case it already made instead of a second one.
"""

import uuid

from django.contrib.gis.geos import Point
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.areas.locate import OutsideDistrict, locate
from apps.cases.models import Attachment, Case, CaseEvent, Category
from apps.cases.routing import suggest_department
from apps.cases.workflow import WorkflowError
from apps.people.models import Role

MAX_DESCRIPTION = 2000
MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


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
    try:
        where = locate(lon, lat)
    except OutsideDistrict as exc:
        raise ReportError("location", exc.message) from None
    if by is not None and by.role == Role.GRID_WORKER and not by.grids.filter(pk=where.grid.pk).exists():
        raise ReportError(
            "location",
            _("The point is in %(grid)s, outside your grids.") % {"grid": where.grid.name},
        )
    if by is not None and by.role == Role.ZONE_CADRE and not by.zones.filter(community=where.community).exists():
        raise ReportError(
            "location", _("The point is in %(community)s, outside your zones.") % {"community": where.community.name}
        )
    return description, where, checked


def zone_at(point, community):
    from apps.compounds.models import Zone

    return Zone.objects.filter(community=community, geom__intersects=point).order_by("code").first()


def report_case(*, by, category, lon, lat, description, client_id=None, address="", photos=(), at=None,
                source=Case.Source.PATROL, contact="", notify=True):
    """Make a case from a report; return (case, created). A known client id returns its case."""
    client_id = client_id or uuid.uuid4()
    existing = Case.objects.filter(client_id=client_id).first()
    if existing is not None:
        return existing, False
    description, where, checked = check_report(
        by=by, category=category, lon=lon, lat=lat, description=description, photos=photos
    )
    at = at or timezone.now()
    point = Point(float(lon), float(lat), srid=4326)
    suggestion = suggest_department(category, where.grid)
    try:
        with transaction.atomic():
            case = Case.objects.create(
                number=uuid.uuid4().hex[:20], client_id=client_id, source=source, category=category,
                description=description, address=(address or "")[:200], point=point, grid=where.grid,
                community=where.community, subdistrict=where.subdistrict, zone=zone_at(point, where.community),
                reporter=by, reporter_contact=contact[:120], reported_at=at,
                unroutable=suggestion.department is None,
            )
            case.number = f"{timezone.localtime(at):%Y%m%d}{case.pk:06d}"
            case.save(update_fields=["number"])
            event = CaseEvent.objects.create(
                case=case, action="report", from_status="", to_status=case.status, actor=by, at=at,
                data={"suggested_department": suggestion.department.code if suggestion.department else None,
                      "reason": suggestion.reason},
            )
            for upload, (content_type, size) in zip(photos, checked):
                Attachment.objects.create(
                    case=case, event=event, file=upload, content_type=content_type, size=size, uploaded_by=by
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
    return case, True


def category_by_code(code):
    return Category.objects.filter(code=code, active=True).select_related("default_department").first()
