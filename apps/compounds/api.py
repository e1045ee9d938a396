"""Compounds API: the zone and compound layers, and a zone's cadres for those whose area covers it.

The layers are part of the shared base map and carry cadre counts only; names
and phones of cadres are personal data, served by `ZoneCadresView` through
`apps.people.access`.
"""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.areas.api import COMMUNITY_FILTER, KIND_FILTER, KINDS, SUBDISTRICT_FILTER
from apps.areas.geojson import BadParameter, GeoJSONLayerView, code_of, count_of, filter_parameter, layer_schema, one_of
from apps.compounds.models import Compound, Zone, ZoneAssignment
from apps.people.access import get_zone_for

AREA_FILTERS = {
    "subdistrict": ("community__subdistrict__code", code_of(9)),
    "community": ("community__code", code_of(12)),
    "kind": ("community__kind", one_of(KINDS)),
}


def zone_code(name, raw):
    if not (raw[:1] == "Z" and raw[1:].isascii() and raw[1:].isdigit() and len(raw) == 15):
        raise BadParameter(
            name,
            _("Parameter %(field)s must be Z and 14 digits, got %(value)s.") % {"field": name, "value": repr(raw[:40])},
        )
    return raw


@layer_schema(
    "Zones (片区)",
    "Properties: code, name, households, community and sub-district codes and names, "
    "counts of compounds and cadres (names and phones: /api/zones/{code}/cadres/).",
    [SUBDISTRICT_FILTER, COMMUNITY_FILTER, KIND_FILTER],
)
class ZoneLayer(GeoJSONLayerView):
    model = Zone
    properties = {
        "code": "code",
        "name": "name",
        "households": "households",
        "community_code": "community__code",
        "community_name": "community__name",
        "subdistrict_code": "community__subdistrict__code",
        "subdistrict_name": "community__subdistrict__name",
        "compounds": "n_compounds",
        "cadres": "n_cadres",
    }
    filters = AREA_FILTERS

    def get_queryset(self):
        return Zone.objects.annotate(
            n_compounds=count_of(Compound, "zone"),
            n_cadres=count_of(ZoneAssignment, "zone"),
        )


@layer_schema(
    "Unmanaged compounds (无主管楼院)",
    "Properties: code, name, address, households, zone, community and sub-district codes and names, "
    "and the number of cadres of the compound's zone.",
    [SUBDISTRICT_FILTER, COMMUNITY_FILTER, KIND_FILTER, filter_parameter("zone", "Zone code (Z + 14 digits).")],
)
class CompoundLayer(GeoJSONLayerView):
    model = Compound
    properties = {
        "code": "code",
        "name": "name",
        "address": "address",
        "households": "households",
        "zone_code": "zone__code",
        "zone_name": "zone__name",
        "community_code": "community__code",
        "community_name": "community__name",
        "subdistrict_code": "community__subdistrict__code",
        "cadres": "n_cadres",
    }
    filters = {**AREA_FILTERS, "zone": ("zone__code", zone_code)}

    def get_queryset(self):
        return Compound.objects.annotate(n_cadres=count_of(ZoneAssignment, "zone", outer="zone"))


ZoneCadresSerializer = inline_serializer(
    "ZoneCadres",
    {
        "zone": inline_serializer(
            "ZoneOfCadres",
            {
                "code": serializers.CharField(),
                "name": serializers.CharField(),
                "community_code": serializers.CharField(),
                "community_name": serializers.CharField(),
            },
        ),
        "cadres": inline_serializer(
            "ZoneCadre",
            {
                "code": serializers.CharField(),
                "name": serializers.CharField(),
                "phone": serializers.CharField(),
                "department": serializers.CharField(allow_null=True),
                "head": serializers.BooleanField(help_text="The zone head (片区长)."),
            },
            many=True,
        ),
    },
)


class ZoneCadresView(APIView):
    @extend_schema(
        summary="The cadres sent down to a zone, with their phones",
        description=(
            "Only for people whose area covers the zone: administrators; district-level dispatchers "
            "and leaders; the sub-district's dispatchers and leaders; the zone's own cadres; grid "
            "workers of its community. Anyone else gets 404, as for an unknown code."
        ),
        parameters=[OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, description="Zone code.")],
        responses={200: ZoneCadresSerializer, 404: OpenApiResponse(description="No such zone in your area.")},
        tags=["compounds"],
    )
    def get(self, request, code):
        zone = get_zone_for(request.user, code)
        cadres = (
            ZoneAssignment.objects.filter(zone=zone)
            .order_by("-is_head", "cadre__code")
            .values_list("cadre__code", "cadre__name", "cadre__phone", "cadre__department__name", "is_head")
        )
        return Response(
            {
                "zone": {
                    "code": zone.code,
                    "name": zone.name,
                    "community_code": zone.community.code,
                    "community_name": zone.community.name,
                },
                "cadres": [
                    {"code": c, "name": n, "phone": p, "department": d, "head": h} for c, n, p, d, h in cadres
                ],
            }
        )
