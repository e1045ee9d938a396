"""Sample photos: real JPEG bytes with EXIF (capture time, with or without offset, and GPS), made with Pillow.

The simulation's planted patterns (apps/cases/simulation_plants.py) and the
tests attach these. Each seed draws a different picture (a blurred 8 x 6 grid
of random colours), so different seeds have perceptual hashes ~32 bits apart
and one seed saved at another size or quality hashes the same: a re-sent copy.
"""

import io
from zoneinfo import ZoneInfo

import numpy as np
from PIL import Image

SHANGHAI = ZoneInfo("Asia/Shanghai")


def exif_time(moment):
    """EXIF's 'YYYY:MM:DD HH:MM:SS' of an aware datetime, in Shanghai local time."""
    return moment.astimezone(SHANGHAI).strftime("%Y:%m:%d %H:%M:%S")


def _dms(value):
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 4)
    return (degrees, minutes, seconds)


def jpeg_bytes(seed=1, *, taken=None, offset=None, raw_time=None, lon=None, lat=None, size=(640, 480), quality=85):
    """JPEG bytes; `taken` an aware datetime (written as local time), `raw_time` any EXIF text instead."""
    rng = np.random.default_rng(seed)
    small = (rng.random((6, 8, 3)) * 255).astype("uint8")
    image = Image.fromarray(small).resize(size, Image.BICUBIC)
    exif = Image.Exif()
    when = raw_time or (exif_time(taken) if taken is not None else None)
    if when is not None:
        exif[0x0132] = when  # DateTime
        sub = exif.get_ifd(0x8769)
        sub[0x9003] = when  # DateTimeOriginal
        if offset:
            sub[0x9011] = offset  # OffsetTimeOriginal
    if lat is not None:
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2] = ("N" if lat >= 0 else "S"), _dms(lat)
        gps[3], gps[4] = ("E" if lon >= 0 else "W"), _dms(lon)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, exif=exif)
    return buffer.getvalue()
