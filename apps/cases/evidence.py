"""取证闭环: what a photo proves, read from the file itself, and the checks against its case.

`read_photo()` is pure (no database): the EXIF capture time and GPS position
(Pillow's EXIF reader and its GPS IFD) and a 64-bit perceptual hash
(imagehash.phash). The client's JSON is never trusted for any of them.

`attach_photos()` stores the photos of one event with those facts and, for the
handler's result photos and the verifier's photos, checks them against the
case: taken after the dispatch, near the case point, and not a near-duplicate
of a photo on any other case. A failed check never blocks the person; the
photo keeps its `problems` and the case carries the codes in `evidence_flags`.

Near-duplicates are found exactly by multi-index hashing: the 64-bit hash is
cut into four 16-bit chunks, stored as indexed generated columns
(`Attachment.phash_c0` .. `phash_c3`). Two hashes within k bits differ in at
most k // 4 bits in at least one chunk (pigeonhole), so the lookup asks each
chunk index for the chunk values within that radius (17 values per chunk for
k <= 7) and measures the few candidates in Python.
"""

import datetime as dt
import math
from dataclasses import dataclass, field
from itertools import combinations
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pyproj import Geod

from apps.cases.models import Attachment, ExifState

# Problem codes, stable: the KPI-gaming signals and the case page read them.
NO_EXIF = "no_exif"
BAD_EXIF = "bad_exif"
BEFORE_DISPATCH = "before_dispatch"
FAR = "far"
DUPLICATE = "duplicate"
NO_GPS = "no_gps"
PROBLEMS = {
    NO_EXIF: gettext_lazy("no EXIF: capture time and place unknown"),
    BAD_EXIF: gettext_lazy("EXIF with impossible values"),
    BEFORE_DISPATCH: gettext_lazy("taken before the dispatch"),
    FAR: gettext_lazy("taken far from the case point"),
    DUPLICATE: gettext_lazy("near-duplicate of a photo on another case"),
    NO_GPS: gettext_lazy("no GPS position in EXIF"),
}

# Photos of these actions are evidence of handling or verification, checked against the case.
CHECKED_ACTIONS = frozenset({"report_handled", "report_part", "verify_pass", "verify_fail"})

EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
CHUNKS = 4
CHUNK_BITS = 16
CHUNK_MASK = (1 << CHUNK_BITS) - 1
CHUNK_FIELDS = tuple(f"phash_c{i}" for i in range(CHUNKS))

# EXIF tags (Exif 2.32): base IFD, Exif IFD, GPS IFD.
_DATETIME = 0x0132
_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_DATETIME_ORIGINAL = 0x9003
_OFFSET_TIME_ORIGINAL = 0x9011
_GPS_LAT_REF, _GPS_LAT, _GPS_LON_REF, _GPS_LON = 1, 2, 3, 4


def config():
    """settings.GRIDGOV_EVIDENCE with the defaults filled in."""
    defaults = {"max_distance_m": 100, "max_hash_bits": 6, "clock_tolerance_s": 300,
                "exif_time_zone": settings.TIME_ZONE}
    return {**defaults, **getattr(settings, "GRIDGOV_EVIDENCE", {})}


@dataclass(frozen=True)
class PhotoFacts:
    """What the file says about itself. `exif` is an ExifState value; `exif_note` says why in words."""

    phash: int | None
    exif: str
    exif_note: str = ""
    taken_at: dt.datetime | None = None
    taken_point: Point | None = field(default=None, compare=False)


# --- reading a photo (pure) -----------------------------------------------------------------------


def read_photo(upload, *, now=None):
    """The PhotoFacts of an uploaded image (file-like, rewound afterwards). Never raises on bad EXIF.

    The caller has already checked that the file is an image (intake.check_photo).
    """
    from PIL import Image

    now = now or timezone.now()
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            try:
                exif = image.getexif()
            except Exception:  # noqa: BLE001 - a corrupt EXIF block is bad EXIF, never a failed upload
                exif = None
            phash = perceptual_hash(image)
    finally:
        upload.seek(0)
    if exif is None:
        return PhotoFacts(phash=phash, exif=ExifState.INVALID.value, exif_note=_("the EXIF block cannot be read"))
    return facts_from_exif(exif, phash, now=now)


def perceptual_hash(image):
    """imagehash.phash as a signed 64-bit integer (fits a BigIntegerField)."""
    import imagehash

    if image.format == "JPEG":
        # Decode at 1/2 .. 1/8 scale straight from the DCT: phash looks at 32 x 32
        # pixels anyway. Measured (2 busy cores): a 1600 x 1200 phone photo hashes
        # in 4 ms instead of 121 ms, a 12-megapixel one in 56 ms instead of 785 ms.
        image.draft("L", (256, 256))
    value = int(str(imagehash.phash(image)), 16)
    return value - (1 << 64) if value >= 1 << 63 else value


def facts_from_exif(exif, phash, *, now):
    """PhotoFacts from a Pillow Exif mapping; impossible values are dropped and named in the note."""
    tolerance = dt.timedelta(seconds=config()["clock_tolerance_s"])
    notes, invalid = [], False
    taken_at = None
    raw_time = _exif_time(exif)
    if raw_time is not None:
        taken_at, problem = _parse_time(raw_time)
        if problem is None and taken_at < EARLIEST:
            problem = _("capture time %(value)s is before 2000") % {"value": raw_time[0]}
        elif problem is None and taken_at > now + tolerance:
            problem = _("capture time %(value)s is in the future") % {"value": raw_time[0]}
        if problem is not None:
            taken_at, invalid = None, True
            notes.append(problem)
    taken_point, gps_found = None, False
    try:
        gps = exif.get_ifd(_GPS_IFD) if exif else {}
    except Exception:  # noqa: BLE001 - a corrupt GPS IFD is bad EXIF, never a failed upload
        gps, invalid = {}, True
        notes.append(_("the GPS block cannot be read"))
    if gps and _GPS_LAT in gps and _GPS_LON in gps:
        gps_found = True
        lat = _degrees(gps.get(_GPS_LAT), gps.get(_GPS_LAT_REF), "S")
        lon = _degrees(gps.get(_GPS_LON), gps.get(_GPS_LON_REF), "W")
        if lat is None or lon is None:
            invalid = True
            notes.append(_("GPS position cannot be read"))
        elif not (-90 <= lat <= 90 and -180 <= lon <= 180):
            invalid = True
            notes.append(_("GPS position %(lat).5f, %(lon).5f is outside the globe") % {"lat": lat, "lon": lon})
        elif lat == 0 and lon == 0:
            invalid = True
            notes.append(_("GPS position is 0, 0 (no fix)"))
        else:
            taken_point = Point(lon, lat, srid=4326)
    if invalid:
        state = ExifState.INVALID
    elif raw_time is None and not gps_found:
        state = ExifState.NONE
        notes.append(_("no capture time or GPS in the photo (screenshot or stripped by a messenger)"))
    else:
        state = ExifState.OK
        if raw_time is None:
            notes.append(_("no capture time in EXIF"))
        if not gps_found:
            notes.append(_("no GPS position in EXIF"))
    note = "; ".join(notes)[:200]
    return PhotoFacts(phash=phash, exif=state.value, exif_note=note, taken_at=taken_at, taken_point=taken_point)


def _exif_time(exif):
    """(text, offset text or None) of DateTimeOriginal, else of the base DateTime; None when absent."""
    if not exif:
        return None
    try:
        sub = exif.get_ifd(_EXIF_IFD)
    except Exception:  # noqa: BLE001
        sub = {}
    value = sub.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
    if not value:
        return None
    return str(value).strip("\x00 "), (str(sub.get(_OFFSET_TIME_ORIGINAL) or "").strip("\x00 ") or None)


def _parse_time(raw):
    """(aware datetime, None) or (None, note). No offset: the configured local zone (Asia/Shanghai)."""
    text, offset = raw
    try:
        moment = dt.datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None, _("capture time %(value)s is not a date") % {"value": text[:30]}
    if offset:
        try:
            sign = -1 if offset[0] == "-" else 1
            hours, minutes = offset.lstrip("+-").split(":")
            zone = dt.timezone(sign * dt.timedelta(hours=int(hours), minutes=int(minutes)))
        except (ValueError, IndexError):
            return None, _("time offset %(value)s is not an offset") % {"value": offset[:10]}
        return moment.replace(tzinfo=zone), None
    return moment.replace(tzinfo=ZoneInfo(config()["exif_time_zone"])), None


def _degrees(value, ref, negative):
    """Decimal degrees from EXIF (degrees, minutes, seconds) rationals; None when unreadable."""
    try:
        d, m, s = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if any(math.isnan(x) or math.isinf(x) for x in (d, m, s)):
        return None
    degrees = d + m / 60 + s / 3600
    if str(ref or "").strip("\x00 ").upper() == negative:
        degrees = -degrees
    return degrees


# --- checks against the case ----------------------------------------------------------------------


def hash_chunks(phash):
    """The four 16-bit chunks of a signed 64-bit hash, low bits first (as the generated columns)."""
    unsigned = phash & ((1 << 64) - 1)
    return [(unsigned >> (CHUNK_BITS * i)) & CHUNK_MASK for i in range(CHUNKS)]


def hamming(a, b):
    return ((a ^ b) & ((1 << 64) - 1)).bit_count()


def _within(value, radius):
    """Every 16-bit value within `radius` bits of `value`."""
    values = [value]
    for r in range(1, radius + 1):
        for bits in combinations(range(CHUNK_BITS), r):
            flipped = value
            for bit in bits:
                flipped ^= 1 << bit
            values.append(flipped)
    return values


def near_duplicate(phash, *, exclude_case, max_bits=None, before=None):
    """(attachment id, bits) of the closest photo on another case within `max_bits`, else (None, None).

    `before`: only photos stored before the photo with that id (a stored photo
    examined afterwards sees what its upload would have seen).
    """
    if phash is None:
        return None, None
    max_bits = config()["max_hash_bits"] if max_bits is None else max_bits
    radius = max_bits // CHUNKS
    query = Q()
    for name, chunk in zip(CHUNK_FIELDS, hash_chunks(phash)):
        query |= Q(**{f"{name}__in": _within(chunk, radius)})
    if before is not None:
        query &= Q(pk__lt=before)
    candidates = (
        Attachment.objects.filter(query).exclude(case_id=exclude_case.pk).values_list("pk", "phash").order_by("pk")
    )
    best = None
    for pk, other in candidates:
        bits = hamming(phash, other)
        if bits <= max_bits and (best is None or bits < best[1]):
            best = (pk, bits)
    return best or (None, None)


def distance_m(a, b):
    """Geodesic metres between two EPSG:4326 points (WGS84 ellipsoid; CGCS2000 differs by < 1 mm).

    Plain pyproj, no database: the same figure on PostGIS and SpatiaLite.
    """
    _forward, _back, metres = _GEOD.inv(a.x, a.y, b.x, b.y)
    return metres


_GEOD = Geod(ellps="WGS84")


def check_against_case(facts, case):
    """(problems, distance in metres or None) of a handler's or verifier's photo, duplicates aside."""
    cfg = config()
    problems = []
    if facts.exif == ExifState.NONE:
        problems.append(NO_EXIF)
    elif facts.exif == ExifState.INVALID:
        problems.append(BAD_EXIF)
    if facts.taken_at is not None and case.dispatched_at is not None:
        if facts.taken_at < case.dispatched_at - dt.timedelta(seconds=cfg["clock_tolerance_s"]):
            problems.append(BEFORE_DISPATCH)
    metres = None
    if facts.taken_point is not None:
        metres = distance_m(facts.taken_point, case.point)
        if metres > cfg["max_distance_m"]:
            problems.append(FAR)
    elif facts.exif == ExifState.OK:
        problems.append(NO_GPS)
    return problems, metres


def similar_cases_for(user, photos):
    """{near-duplicate photo id: its case number} for the photos' duplicates on cases `user` may see.

    One query; a duplicate on a case outside the viewer's area is left out, so
    nothing links to (or names) a case they may not open.
    """
    from apps.cases.access import cases_for_user

    ids = {a.similar_to_id for a in photos if a.similar_to_id}
    if not ids:
        return {}
    rows = Attachment.objects.filter(pk__in=ids, case__in=cases_for_user(user)).values_list("pk", "case__number")
    return dict(rows)


def attach_photos(case, event, checked_uploads, *, by, now=None):
    """Store the photos of `event` with their facts; check evidence photos; flag the case. Return the rows.

    `checked_uploads` are (upload, content_type, size) as intake.check_photo
    returned them. Steps:
    1. read each file's facts (EXIF, GPS, perceptual hash);
    2. look up the closest near-duplicate on any other case (every photo, so a
       report photo reused later is found from either side);
    3. for photos of CHECKED_ACTIONS, check time, distance and duplicate
       against the case and record the failed codes on the photo;
    4. add the codes to `case.evidence_flags` (saved with update_fields).
    Runs inside the caller's transaction, which holds the case row's lock on
    the action path (workflow.transition), so the flags are never lost to a
    concurrent writer. Two copies uploaded to two cases in the same instant do
    not see each other (neither row is committed); the later of any two
    uploads that are not simultaneous finds the earlier one.
    """
    checked = event.action in CHECKED_ACTIONS
    rows, flags = [], []
    try:
        for upload, content_type, size in checked_uploads:
            facts = read_photo(upload, now=now)
            problems, metres, similar, bits = photo_checks(facts, case, checked=checked)
            rows.append(
                Attachment.objects.create(
                    case=case, event=event, file=upload, content_type=content_type, size=size, uploaded_by=by,
                    phash=facts.phash, exif=facts.exif, exif_note=facts.exif_note, taken_at=facts.taken_at,
                    taken_point=facts.taken_point, distance_m=metres, similar_to_id=similar, similar_bits=bits,
                    problems=problems,
                )
            )
            flags.extend(problems)
    except Exception:
        # The caller's transaction rolls the rows back; the files they wrote must go too.
        for row in rows:
            row.file.delete(save=False)
        raise
    flag_case(case, flags)
    return rows


def photo_checks(facts, case, *, checked, before=None):
    """(problems, metres from the case point or None, near-duplicate id or None, its bits or None).

    Every photo gets its distance and closest near-duplicate on another case;
    only `checked` ones (photos of CHECKED_ACTIONS) get problems.
    """
    similar, bits = near_duplicate(facts.phash, exclude_case=case, before=before)
    problems, metres = check_against_case(facts, case) if checked else ([], None)
    if facts.taken_point is not None and metres is None:
        metres = distance_m(facts.taken_point, case.point)
    if checked and similar is not None:
        problems.append(DUPLICATE)
    return problems, metres, similar, bits


def flag_case(case, codes):
    """Add the codes `case.evidence_flags` lacks (in order, once each); save only when something is new."""
    new = [code for code in dict.fromkeys(codes) if code not in case.evidence_flags]
    if new:
        case.evidence_flags = [*case.evidence_flags, *new]
        case.save(update_fields=["evidence_flags"])
    return new


class UnreadablePhoto(Exception):
    """A stored photo's file is missing or cannot be decoded."""


FACT_FIELDS = ("phash", "exif", "exif_note", "taken_at", "taken_point", "distance_m", "similar_to", "similar_bits",
               "problems")


def examine_stored(photo, *, now=None):
    """Fill a stored Attachment's facts and checks from its file, as attach_photos would have; not saved.

    The checks are those of its event's action against its case; near-duplicates
    are looked for among the photos stored before it. Raises UnreadablePhoto
    (from what opening or decoding raised) when the file is missing or not an
    image. Returns the photo's problems.
    """
    try:
        with photo.file.open("rb") as handle:
            facts = read_photo(handle, now=now)
    except Exception as exc:  # noqa: BLE001 - any failure to read the stored file means: this file is unusable
        raise UnreadablePhoto(f"{type(exc).__name__}: {exc}") from exc
    checked = photo.event is not None and photo.event.action in CHECKED_ACTIONS
    problems, metres, similar, bits = photo_checks(facts, photo.case, checked=checked, before=photo.pk)
    photo.phash, photo.exif, photo.exif_note = facts.phash, facts.exif, facts.exif_note
    photo.taken_at, photo.taken_point, photo.distance_m = facts.taken_at, facts.taken_point, metres
    photo.similar_to_id, photo.similar_bits, photo.problems = similar, bits, problems
    return problems
