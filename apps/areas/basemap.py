"""Base tile configuration, from settings.GRIDGOV_BASEMAP.

The map page passes this dict to its script through json_script; the admin's
geometry widgets use the tile list too. "none" (the default) means no tile
layer and so no tile request at all: the vector layers are drawn on a plain
background, which is what an offline machine needs.
"""

from django.conf import settings
from django.utils.translation import gettext as _

TIANDITU_WMTS = (
    "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}"
)
AMAP_ROADS = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"
OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


def _tianditu(layer, key):
    # Leaflet fills {s}, {x}, {y}, {z}; only the layer name and key are ours.
    return TIANDITU_WMTS.replace("{layer}", layer).replace("{key}", key)


def basemap_config():
    """Return {"basemap", "gcj02", "tiles": [{"url", "options"}]} for the current settings.

    Tianditu is CGCS2000, within centimetres of WGS84, so it needs no shift;
    Amap tiles are in GCJ-02, so `gcj02` tells the page to shift every vector
    coordinate onto them (and clicked points back).
    """
    kind = settings.GRIDGOV_BASEMAP
    tiles = []
    if kind == "tianditu":
        attribution = _("Tianditu")
        options = {"subdomains": "01234567", "maxZoom": 18, "attribution": attribution}
        tiles = [
            {"url": _tianditu("vec", settings.TIANDITU_KEY), "options": options},
            {"url": _tianditu("cva", settings.TIANDITU_KEY), "options": options},
        ]
    elif kind == "amap":
        tiles = [{"url": AMAP_ROADS, "options": {"subdomains": "1234", "maxZoom": 18, "attribution": _("Amap")}}]
    elif kind == "osm":
        tiles = [{"url": OSM, "options": {"maxZoom": 19, "attribution": "© OpenStreetMap contributors"}}]
    return {"basemap": kind, "gcj02": kind == "amap", "tiles": tiles}


def admin_leaflet_overrides():
    """django-leaflet settings for the admin's geometry widgets: the same base map, except Amap.

    The widget cannot shift coordinates, and a polygon edited over GCJ-02 tiles
    would be saved some 500 m off, so with Amap the admin map stays plain.
    Tianditu's annotation layer (cva) becomes an overlay of its road layer.
    """
    config = basemap_config()
    if config["gcj02"] or not config["tiles"]:
        return {}
    first, *rest = [(str(_("Base map")), tile["url"], tile["options"]) for tile in config["tiles"]]
    return {"TILES": [first], "OVERLAYS": [(str(_("Labels")), url, options) for _name, url, options in rest]}
