"""The WGS84 <-> GCJ-02 transform used to draw over Amap tiles."""

import math

import pytest

from apps.areas.gcj02 import gcj02_to_wgs84, out_of_china, wgs84_to_gcj02

# The test pairs published with googollee/eviltransform: (wgs lat, lon, gcj lat, lon).
PUBLISHED = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), PUBLISHED)
def test_forward_matches_published_values(wlat, wlon, glat, glon):
    lon, lat = wgs84_to_gcj02(wlon, wlat)
    assert lon == pytest.approx(glon, abs=1e-9)
    assert lat == pytest.approx(glat, abs=1e-9)


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), PUBLISHED)
def test_inverse_recovers_published_wgs84(wlat, wlon, glat, glon):
    lon, lat = gcj02_to_wgs84(glon, glat)
    assert lon == pytest.approx(wlon, abs=1e-6)
    assert lat == pytest.approx(wlat, abs=1e-6)


def test_round_trip_over_the_district_is_below_a_millionth_of_a_degree():
    worst = 0.0
    for i in range(21):
        for j in range(21):
            lon, lat = 113.55 + 0.015 * i, 34.70 + 0.012 * j
            back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
            worst = max(worst, abs(back[0] - lon), abs(back[1] - lat))
    assert worst < 1e-6


def test_the_offset_in_zhengzhou_is_a_few_hundred_metres():
    lon, lat = 113.68, 34.80
    glon, glat = wgs84_to_gcj02(lon, lat)
    dx = (glon - lon) * 111_320 * math.cos(math.radians(lat))
    dy = (glat - lat) * 110_574
    assert 300 < math.hypot(dx, dy) < 900


@pytest.mark.parametrize(("lon", "lat"), [(2.3522, 48.8566), (-74.0, 40.7), (139.69, 35.68), (100.0, 0.5)])
def test_points_outside_china_are_not_shifted(lon, lat):
    assert out_of_china(lon, lat)
    assert wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert gcj02_to_wgs84(lon, lat) == (lon, lat)
