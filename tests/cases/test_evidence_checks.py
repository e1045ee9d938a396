"""evidence.attach_photos: each check passing and failing, near-duplicates on other cases, flags on the case."""

import datetime as dt

import pytest
from evidence_photos import checked, photo
from django.utils import timezone

from apps.cases.evidence import (
    BAD_EXIF, BEFORE_DISPATCH, DUPLICATE, FAR, NO_EXIF, NO_GPS, attach_photos, near_duplicate,
)
from apps.cases.models import Attachment, Case
from apps.cases.workflow import transition

pytestmark = pytest.mark.django_db

METRES_PER_DEGREE_LAT = 110_900  # at 34.8° N


@pytest.fixture
def handling(cast, walk, media_root):
    """A case a department is handling, dispatched a minute ago."""
    return walk("handling")


def result(cast, case, *uploads, action="report_handled", by=None):
    """Report the case handled (or take `action`) with these photos; the photos, and the case re-read."""
    by = by or cast.handler
    event = transition(case, action, by=by, **({"note": "仍未处理"} if action == "verify_fail" else {}))
    rows = attach_photos(case, event, checked(*uploads), by=by)
    case.refresh_from_db()
    return rows, case


def on_site(case, seed=1, *, after=dt.timedelta(minutes=5), north_m=0.0, **kwargs):
    """A photo of the case's place, taken `after` the dispatch, `north_m` metres north of the point."""
    lon, lat = case.point.x, case.point.y + north_m / METRES_PER_DEGREE_LAT
    return photo(f"s{seed}.jpg", seed, taken=case.dispatched_at + after, offset="+08:00", lon=lon, lat=lat, **kwargs)


def test_a_photo_on_site_after_dispatch_passes_every_check(cast, handling):
    (row,), case = result(cast, handling, on_site(handling, seed=11, north_m=20))
    assert row.problems == [] and case.evidence_flags == []
    assert row.exif == "ok" and row.distance_m == pytest.approx(20, abs=0.5)
    assert row.taken_at == handling.dispatched_at.replace(microsecond=0) + dt.timedelta(minutes=5)
    assert row.similar_to_id is None


def test_a_photo_taken_before_the_dispatch_is_flagged(cast, handling):
    (row,), case = result(cast, handling, on_site(handling, seed=12, after=-dt.timedelta(days=2)))
    assert row.problems == [BEFORE_DISPATCH] and case.evidence_flags == [BEFORE_DISPATCH]


def test_a_clock_a_few_minutes_slow_is_tolerated(cast, handling):
    (row,), _case = result(cast, handling, on_site(handling, seed=13, after=-dt.timedelta(minutes=2)))
    assert row.problems == []


def test_a_photo_taken_far_from_the_case_point_is_flagged_with_its_distance(cast, handling):
    (row,), case = result(cast, handling, on_site(handling, seed=14, north_m=250))
    assert row.problems == [FAR] and case.evidence_flags == [FAR]
    assert row.distance_m == pytest.approx(250, abs=1)


def test_the_distance_is_configurable(cast, handling, settings):
    settings.GRIDGOV_EVIDENCE = {**settings.GRIDGOV_EVIDENCE, "max_distance_m": 300}
    (row,), _case = result(cast, handling, on_site(handling, seed=15, north_m=250))
    assert row.problems == []


def test_a_photo_without_exif_is_kept_and_flagged(cast, handling):
    (row,), case = result(cast, handling, photo("shot.jpg", 16))
    assert row.pk and row.exif == "none" and row.problems == [NO_EXIF] and case.evidence_flags == [NO_EXIF]


def test_a_photo_with_time_but_no_gps_is_flagged_no_gps(cast, handling):
    upload = photo("t.jpg", 17, taken=handling.dispatched_at + dt.timedelta(minutes=3))
    (row,), case = result(cast, handling, upload)
    assert row.problems == [NO_GPS] and case.evidence_flags == [NO_GPS]


def test_a_photo_with_impossible_exif_is_kept_flagged_and_explained(cast, handling):
    upload = photo("bad.jpg", 18, raw_time="1980:01:01 00:00:00", lon=handling.point.x, lat=handling.point.y)
    (row,), case = result(cast, handling, upload)
    assert row.exif == "invalid" and "1980:01:01 00:00:00" in row.exif_note
    assert row.problems == [BAD_EXIF] and case.evidence_flags == [BAD_EXIF]
    assert row.distance_m == pytest.approx(0, abs=0.5)  # the good half of the EXIF still counts


def test_a_near_duplicate_of_a_photo_on_another_case_is_found(cast, walk, media_root):
    other = cast.report(photos=[photo("orig.jpg", 21)])
    case = walk("handling")
    copy = on_site(case, seed=21, size=(1280, 960), quality=60)  # the other case's photo, re-saved
    (row,), case = result(cast, case, copy)
    original = Attachment.objects.get(case=other)
    assert row.similar_to_id == original.pk and row.similar_bits <= 2
    assert row.problems == [DUPLICATE] and case.evidence_flags == [DUPLICATE]


def test_the_same_picture_on_the_same_case_is_no_duplicate(cast, walk, media_root):
    case = walk("handling", photos=[photo("before.jpg", 22)])
    (row,), case = result(cast, case, on_site(case, seed=22))
    assert row.similar_to_id is None and row.problems == [] and case.evidence_flags == []


def test_report_photos_record_facts_and_duplicates_but_flag_nothing(cast, media_root):
    first = cast.report(photos=[photo("a.jpg", 23)])
    second = cast.report(photos=[photo("b.jpg", 23, quality=50)])
    row = Attachment.objects.get(case=second)
    assert row.similar_to == Attachment.objects.get(case=first) and row.exif == "none"
    assert row.problems == [] and Case.objects.get(pk=second.pk).evidence_flags == []


def test_verifier_photos_are_checked_too(cast, walk, media_root):
    case = walk("handled")
    (row,), case = result(cast, case, on_site(case, seed=24, north_m=400), action="verify_pass", by=cast.colleague)
    assert row.problems == [FAR] and case.evidence_flags == [FAR] and case.status == "closed"


def test_flags_accumulate_once_each_across_events(cast, handling):
    transition(handling, "report_part", by=cast.handler)
    part = handling.events.get(action="report_part")
    attach_photos(handling, part, checked(photo("x.jpg", 25), photo("y.jpg", 26)), by=cast.handler)
    (_row,), case = result(cast, handling, on_site(handling, seed=27, north_m=500))
    assert case.evidence_flags == [NO_EXIF, FAR]


def test_the_configured_flag_threshold_is_exact_whatever_chunks_the_bits_fall_in(cast, media_root):
    """Multi-index lookup: every hash within max_hash_bits is found, none beyond it."""
    base = Attachment.objects.get(case=cast.report(photos=[photo("b.jpg", 30)]))
    probe_case = cast.report()
    h = base.phash

    def flip(bits):
        value = h
        for bit in bits:
            value ^= 1 << bit
        return value - (1 << 64) if value >= 1 << 63 else value if value >= -(1 << 63) else value + (1 << 64)

    spread = [0, 17, 34, 51, 5, 22]  # six bits, over all four chunks
    packed = [48, 49, 50, 51, 52, 53]  # six bits in the top chunk (the sign bit's chunk)
    for bits in (spread, packed, spread[:3]):
        assert near_duplicate(flip(bits), exclude_case=probe_case) == (base.pk, len(bits))
    assert near_duplicate(flip([*spread, 60]), exclude_case=probe_case) == (None, None)
    assert near_duplicate(flip([1, 2, 3, 4, 5, 6, 7]), exclude_case=probe_case) == (None, None)
    assert near_duplicate(h, exclude_case=base.case) == (None, None)


def test_the_chunk_columns_are_computed_by_the_database(cast, media_root):
    from apps.cases.evidence import hash_chunks

    row = Attachment.objects.get(case=cast.report(photos=[photo("c.jpg", 31)]))
    stored = Attachment.objects.filter(pk=row.pk).values_list("phash_c0", "phash_c1", "phash_c2", "phash_c3").get()
    assert list(stored) == hash_chunks(row.phash)
    assert timezone.is_aware(row.uploaded_at)
