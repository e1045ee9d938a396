"""WGS84 <-> GCJ-02, the offset every Chinese commercial map (Amap/Gaode) is drawn in.

Our geometry is stored in WGS84 / CGCS2000. Amap tiles are in GCJ-02, so when the
map uses them every vector coordinate is shifted forward on display and every
clicked point shifted back before it reaches the API. Tianditu and OSM need no
shift. The same algorithm lives in frontend/static/js/gcj02.js; keep them equal.

The forward formula is the widely published one (Krasovsky 1940 ellipsoid, the
"eviltransform"/"coordtransform" constants). It has no closed-form inverse, so
`gcj02_to_wgs84` iterates the forward transform until it lands on the input.
"""

import math

# Krasovsky 1940 semi-major axis and first eccentricity squared, as in the
# published algorithm; they are part of the obfuscation, not real geodesy.
A = 6378245.0
EE = 0.00669342162296594323

INVERSE_TOLERANCE = 1e-9  # degrees, about 0.1 mm
INVERSE_MAX_STEPS = 30


def out_of_china(lon, lat):
    """The transform applies inside a rough rectangle around China only."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _delta_lat(x, y):
    d = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    d += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    d += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    d += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return d


def _delta_lon(x, y):
    d = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    d += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    d += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    d += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return d


def _offset(lon, lat):
    """The GCJ-02 shift (dlon, dlat) in degrees at a WGS84 point."""
    dlat = _delta_lat(lon - 105.0, lat - 35.0)
    dlon = _delta_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((A * (1 - EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (A / sqrtmagic * math.cos(radlat) * math.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon, lat):
    """Return (lon, lat) in GCJ-02 for a WGS84 point; unchanged outside China."""
    if out_of_china(lon, lat):
        return lon, lat
    dlon, dlat = _offset(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon, lat):
    """Return (lon, lat) in WGS84 for a GCJ-02 point; unchanged outside China.

    Fixed-point iteration: guess w, move it by the error fwd(w) - gcj. The
    offset changes slowly (a few metres per kilometre), so each step gains
    about three decimal digits; two or three steps reach 1e-9 degrees.
    """
    if out_of_china(lon, lat):
        return lon, lat
    wlon, wlat = lon, lat
    for _ in range(INVERSE_MAX_STEPS):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = glon - lon, glat - lat
        if abs(elon) < INVERSE_TOLERANCE and abs(elat) < INVERSE_TOLERANCE:
            break
        wlon, wlat = wlon - elon, wlat - elat
    return wlon, wlat
