"""evidence.read_photo: EXIF time and GPS, no EXIF, impossible EXIF, the perceptual hash, from real JPEG bytes."""

import datetime as dt
import io

import pytest
from django.utils import translation
from evidence_photos import SHANGHAI, jpeg_bytes
from PIL import Image

from apps.cases.evidence import hamming, hash_chunks, read_photo
from apps.cases.models import ExifState

NOW = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC)


def facts(data, language="en"):
    with translation.override(language):
        return read_photo(io.BytesIO(data), now=NOW)


def test_capture_time_with_its_offset_and_gps_position_are_read():
    got = facts(jpeg_bytes(raw_time="2026:12:06 16:30:05", offset="+08:00", lon=113.6612, lat=34.7543))
    assert got.exif == ExifState.OK and got.exif_note == ""
    assert got.taken_at == dt.datetime(2026, 12, 6, 8, 30, 5, tzinfo=dt.UTC)
    assert got.taken_point.srid == 4326
    assert got.taken_point.x == pytest.approx(113.6612, abs=1e-6)
    assert got.taken_point.y == pytest.approx(34.7543, abs=1e-6)


def test_a_time_without_offset_is_shanghai_time_and_south_west_are_negative():
    got = facts(jpeg_bytes(raw_time="2026:12:06 08:00:00", lon=-70.5, lat=-33.25))
    assert got.taken_at == dt.datetime(2026, 12, 6, 8, 0, tzinfo=SHANGHAI)
    assert (got.taken_point.x, got.taken_point.y) == pytest.approx((-70.5, -33.25), abs=1e-6)


def test_another_offset_is_honoured():
    got = facts(jpeg_bytes(raw_time="2026:12:06 01:00:00", offset="-05:00"))
    assert got.taken_at == dt.datetime(2026, 12, 6, 6, 0, tzinfo=dt.UTC)


def test_a_photo_without_exif_is_marked_not_rejected():
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (240, 240, 240)).save(buffer, "PNG")  # a screenshot
    got = facts(buffer.getvalue())
    assert got.exif == ExifState.NONE and "screenshot" in got.exif_note
    assert got.taken_at is None and got.taken_point is None and got.phash is not None


def test_a_time_but_no_gps_is_ok_with_a_note():
    got = facts(jpeg_bytes(raw_time="2026:12:06 08:00:00"))
    assert got.exif == ExifState.OK and got.taken_point is None and "GPS" in got.exif_note


@pytest.mark.parametrize(("kwargs", "note"), [
    ({"raw_time": "1998:05:01 10:00:00"}, "before 2000"),
    ({"raw_time": "2027:01:01 10:00:00"}, "in the future"),
    ({"raw_time": "0000:00:00 00:00:00"}, "is not a date"),
    ({"raw_time": "2026:12:06 08:00:00", "offset": "+8h"}, "is not an offset"),
    ({"lon": 113.6, "lat": 95.0}, "outside the globe"),
    ({"lon": 190.0, "lat": 34.7}, "outside the globe"),
    ({"lon": 0.0, "lat": 0.0}, "0, 0"),
])
def test_impossible_values_make_the_exif_invalid_with_a_note_naming_them(kwargs, note):
    got = facts(jpeg_bytes(**kwargs))
    assert got.exif == ExifState.INVALID
    assert note in got.exif_note
    assert got.phash is not None


def test_the_note_is_in_the_uploaders_language():
    got = facts(jpeg_bytes(raw_time="1998:05:01 10:00:00"), language="zh-hans")
    assert got.exif_note == "拍摄时间 1998:05:01 10:00:00 早于 2000 年"


def test_an_impossible_time_drops_the_time_but_keeps_a_good_position():
    got = facts(jpeg_bytes(raw_time="1990:01:01 00:00:00", lon=113.66, lat=34.75))
    assert got.exif == ExifState.INVALID and got.taken_at is None
    assert got.taken_point is not None


def test_a_resent_copy_hashes_alike_and_another_picture_does_not():
    original = facts(jpeg_bytes(7)).phash
    copy = facts(jpeg_bytes(7, size=(1600, 1200), quality=55)).phash
    other = facts(jpeg_bytes(8)).phash
    assert hamming(original, copy) <= 2
    assert hamming(original, other) > 12


def test_the_hash_is_a_signed_64_bit_integer_and_its_chunks_rebuild_it():
    for seed in range(20):
        phash = facts(jpeg_bytes(seed)).phash
        assert -(1 << 63) <= phash < 1 << 63
        chunks = hash_chunks(phash)
        assert all(0 <= c < 1 << 16 for c in chunks)
        assert sum(c << (16 * i) for i, c in enumerate(chunks)) == phash & ((1 << 64) - 1)
