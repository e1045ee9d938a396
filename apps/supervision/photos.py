"""Evidence photos of findings and rectifications: checked like case photos, stored on the finding."""

from django.utils.translation import gettext as _

from apps.cases.intake import MAX_PHOTOS, ReportError, check_photo
from apps.supervision.errors import WorkflowError
from apps.supervision.models import Photo


def check_photos(photos):
    """[(upload, content type)] of usable images; WorkflowError naming the file at fault otherwise."""
    photos = list(photos or ())
    if len(photos) > MAX_PHOTOS:
        raise WorkflowError(_("At most %(n)s photos at a time.") % {"n": MAX_PHOTOS}, field="photos")
    checked = []
    for upload in photos:
        try:
            content_type, _size = check_photo(upload)
        except ReportError as exc:
            raise WorkflowError(exc.message, field="photos") from None
        checked.append((upload, content_type))
    return checked


def save_photos(photos, *, finding, by, at, rectification=None):
    """Check every photo first, then store them all (a bad one stores none)."""
    return [
        Photo.objects.create(finding=finding, rectification=rectification, file=upload, content_type=content_type,
                             uploaded_by=by, uploaded_at=at)
        for upload, content_type in check_photos(photos)
    ]
