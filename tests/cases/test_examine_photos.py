"""manage.py examine_photos: photos stored before the evidence checks get their facts, the cases their flags."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from evidence_photos import photo

from apps.cases.evidence import DUPLICATE, FAR, NO_EXIF
from apps.cases.models import Attachment, Case

pytestmark = pytest.mark.django_db

METRES_PER_DEGREE_LAT = 110_900  # at 34.8° N


def stored(case, upload, *, action=None):
    """A photo saved as before the checks existed: the file under MEDIA_ROOT, every fact blank."""
    event = case.events.filter(action=action).order_by("pk").last() if action else None
    return Attachment.objects.create(case=case, event=event, file=upload, content_type="image/jpeg", size=upload.size)


def on_site(case, seed, *, north_m=0.0, **kwargs):
    lon, lat = case.point.x, case.point.y + north_m / METRES_PER_DEGREE_LAT
    taken = case.dispatched_at + dt.timedelta(minutes=1)
    return photo(f"s{seed}.jpg", seed, taken=taken, offset="+08:00", lon=lon, lat=lat, **kwargs)


def examine(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("examine_photos", *args, stdout=out, stderr=err, verbosity=0)
    return out.getvalue(), err.getvalue()


def facts(*photos):
    """Everything the command may write, per photo and per case, to compare before and after."""
    rows = Attachment.objects.filter(pk__in=[p.pk for p in photos]).order_by("pk").values_list(
        "pk", "phash", "exif", "exif_note", "taken_at", "distance_m", "similar_to", "similar_bits", "problems")
    points = [p.taken_point.wkt if p.taken_point else None
              for p in Attachment.objects.filter(pk__in=[p.pk for p in photos]).order_by("pk")]
    cases = Case.objects.filter(attachments__in=photos).distinct().order_by("pk")
    flags = list(cases.values_list("pk", "evidence_flags"))
    return list(rows), points, flags


@pytest.fixture
def old_photos(cast, walk, media_root):
    """A handled case with a far result photo and a screenshot, a report photo elsewhere, all without facts."""
    other = cast.report()
    report_photo = stored(other, photo("orig.jpg", 31), action="report")
    case = walk("handled")
    far = stored(case, on_site(case, 32, north_m=250), action="report_handled")
    shot = stored(case, photo("shot.jpg", 33), action="report_handled")
    assert Attachment.objects.filter(exif="", phash__isnull=True).count() == 3
    return case, other, report_photo, far, shot


def test_stored_photos_get_their_facts_and_the_case_its_flags(old_photos):
    case, other, report_photo, far, shot = old_photos
    out, err = examine()
    far.refresh_from_db(), shot.refresh_from_db(), report_photo.refresh_from_db(), case.refresh_from_db()
    assert far.exif == "ok" and far.phash is not None and far.problems == [FAR]
    assert far.distance_m == pytest.approx(250, abs=1)
    assert far.taken_at == case.dispatched_at.replace(microsecond=0) + dt.timedelta(minutes=1)
    assert far.taken_point.y == pytest.approx(case.point.y + 250 / METRES_PER_DEGREE_LAT, abs=1e-6)
    assert shot.exif == "none" and shot.exif_note and shot.problems == [NO_EXIF]
    # A report photo gets its facts, but it is no evidence of handling: no problems, no flags.
    assert report_photo.exif == "none" and report_photo.phash is not None and report_photo.problems == []
    assert case.evidence_flags == [FAR, NO_EXIF]
    assert Case.objects.get(pk=other.pk).evidence_flags == []
    assert "Examined 3 photos; 3 updated" in out and "no_exif 1, far 1" in out
    assert "0 missing files" in out and err == ""


def test_a_result_photo_reused_from_an_earlier_case_is_found(cast, walk, media_root):
    other = cast.report()
    original = stored(other, photo("orig.jpg", 41), action="report")
    case = walk("handled")
    copy = stored(case, on_site(case, 41, size=(1280, 960), quality=60), action="report_handled")
    examine()
    copy.refresh_from_db()
    assert copy.similar_to_id == original.pk and copy.similar_bits <= 2 and copy.problems == [DUPLICATE]
    assert Case.objects.get(pk=case.pk).evidence_flags == [DUPLICATE]
    # The earlier photo was stored first: like an upload, it does not point at the later copy,
    # not even when examined again now that the copy has its hash.
    assert Attachment.objects.get(pk=original.pk).similar_to_id is None
    out, _err = examine("--all")
    assert Attachment.objects.get(pk=original.pk).similar_to_id is None and "0 updated" in out


def test_a_missing_file_is_reported_and_skipped(old_photos):
    case, _other, _report_photo, far, shot = old_photos
    path = far.file.name
    far.file.storage.delete(path)
    out, err = examine()
    assert f"photo {far.pk} of case {case.number}: {path}: file missing" in err
    far.refresh_from_db(), shot.refresh_from_db(), case.refresh_from_db()
    assert far.exif == "" and far.phash is None and far.problems == []  # left as it was, to retry
    assert shot.problems == [NO_EXIF] and case.evidence_flags == [NO_EXIF]  # the others still done
    assert "Examined 2 photos" in out and "1 missing files, 0 unreadable files" in out


def test_an_unreadable_file_is_reported_and_skipped(old_photos):
    case, _other, _report_photo, far, shot = old_photos
    with far.file.storage.open(far.file.name, "wb") as handle:
        handle.write(b"not a picture")
    out, err = examine()
    assert f"photo {far.pk} of case {case.number}: {far.file.name}: file unreadable" in err
    assert Attachment.objects.get(pk=far.pk).phash is None
    assert Attachment.objects.get(pk=shot.pk).problems == [NO_EXIF]
    assert "0 missing files, 1 unreadable files" in out


def test_dry_run_writes_nothing(old_photos):
    case, other, report_photo, far, shot = old_photos
    before = facts(report_photo, far, shot)
    out, _err = examine("--dry-run")
    assert facts(report_photo, far, shot) == before
    assert Case.objects.get(pk=case.pk).evidence_flags == []
    assert "3 would be updated" in out and "Cases would be newly flagged: 1" in out and "nothing written" in out
    assert "no_exif 1, far 1" in out


def test_running_twice_changes_nothing_the_second_time(old_photos):
    case, other, report_photo, far, shot = old_photos
    examine()
    after_first = facts(report_photo, far, shot)
    out, _err = examine()
    assert facts(report_photo, far, shot) == after_first and "Examined 0 photos" in out
    out, _err = examine("--all")
    assert facts(report_photo, far, shot) == after_first
    assert "Examined 3 photos; 0 updated, 3 already up to date" in out and "newly flagged: 0" in out
