"""Photos for the evidence tests: apps.cases.photo_samples' JPEGs with EXIF, as uploads and checked triples."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from apps.cases.photo_samples import SHANGHAI, exif_time, jpeg_bytes  # noqa: F401 (tests import them from here)


def photo(name="p.jpg", seed=1, **kwargs):
    """An uploaded file as Django hands it to the views."""
    return SimpleUploadedFile(name, jpeg_bytes(seed, **kwargs), content_type="image/jpeg")


def checked(*uploads):
    """(upload, content type, size) triples, as intake.check_photo returns them."""
    return [(u, "image/jpeg", u.size) for u in uploads]


def now():
    return dt.datetime.now(dt.UTC)
