"""Pages of the areas app: the map every role opens first."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.areas.basemap import basemap_config
from apps.areas.models import District

# (layer, minimum zoom). Grids need zoom 14 and compounds/zones 15: below that
# they are too small to see or tap, and there are hundreds of them.
MAP_LAYERS = [
    ("communities", 0),
    ("subdistricts", 0),
    ("grids", 14),
    ("zones", 15),
    ("compounds", 15),
]


def _layer_names():
    return {
        "subdistricts": _("Sub-districts"),
        "communities": _("Villages/communities"),
        "grids": _("Grids"),
        "zones": _("Zones"),
        "compounds": _("Unmanaged compounds"),
    }


def _map_strings():
    """Every text map.js shows, translated here: the page needs no JS catalog."""
    return {
        "layers": _layer_names(),
        "zoomHint": _("zoom in to %(zoom)s+"),
        "loading": _("Loading…"),
        "loadFailed": _("Could not load the map layers. Retrying when the map moves."),
        "kinds": {"village": _("Village"), "community": _("Community")},
        "legend": _("Legend"),
        "legendCommunity": _("Communities"),
        "legendVillage": _("Villages"),
        # Joins layer names in the zoom hint: "、" in Chinese.
        "listSeparator": _(", "),
        "subdistrictBoundary": _("Sub-district boundary"),
        "code": _("Code"),
        "name": _("Name"),
        "kind": _("Kind"),
        "subdistrict": _("Sub-district"),
        "communityName": _("Village/community"),
        "zone": _("Zone"),
        "grid": _("Grid"),
        "households": _("Households"),
        "population": _("Population"),
        "branch": _("Party branch"),
        "grids": _("Grids"),
        "zones": _("Zones"),
        "villages": _("Villages"),
        "communityCount": _("Villages and communities"),
        "compounds": _("Compounds"),
        "demonstration": _("Demonstration"),
        "planned_five_star": _("planned five-star"),
        "quasi_five_star": _("quasi five-star"),
        "cadres": _("Cadres sent down"),
        "address": _("Address"),
        "locate": _("Where is this?"),
        "locateHelp": _("Tap the map to see which grid the point is in"),
        "myLocation": _("My location"),
        "noGeolocation": _("This device cannot tell its location."),
        "locating": _("Locating…"),
        "outside": _("This point is outside the district."),
        "locateFailed": _("Could not locate this point."),
        "point": _("Point"),
        "myArea": _("My area"),
        "myAreaHint": _("Back to the area you work in"),
    }


def _district_bounds():
    """[[south, west], [north, east]] of the district, or None before it is loaded."""
    district = District.objects.only("geom").first()
    if district is None:
        return None
    west, south, east, north = district.geom.extent
    return [[south, west], [north, east]]


@login_required
def map_page(request):
    # The page opens on the person's own area; who has which area is people's rule.
    from apps.people.access import area_bounds, person_for

    config = {
        **basemap_config(),
        "bounds": _district_bounds(),
        "area": area_bounds(person_for(request.user)),
        "layers": [{"name": name, "minZoom": min_zoom} for name, min_zoom in MAP_LAYERS],
    }
    layer_urls = [(name, reverse(f"layer-{name}")) for name, _zoom in MAP_LAYERS]
    return render(
        request,
        "areas/map.html",
        {
            "map_config": config,
            "map_strings": _map_strings(),
            "layer_urls": layer_urls,
            "locate_url": reverse("api-locate"),
        },
    )
