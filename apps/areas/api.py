"""Areas API: locate a point, and the boundary layers of the shared base map.

The boundaries are the base map every logged-in member of staff works on, so
the layers take the project default (IsAuthenticated) and no area filter.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.areas.geojson import (
    BadParameter,
    GeoJSONLayerView,
    code_of,
    count_of,
    filter_parameter,
    layer_schema,
    one_of,
)
from apps.areas.locate import InvalidCoordinate, OutsideDistrict, locate
from apps.areas.models import Community, Grid, SubDistrict

KINDS = Community.Kind.values

_code_name = {"code": serializers.CharField(), "name": serializers.CharField()}
LocationSerializer = inline_serializer(
    "Location",
    {
        "grid": inline_serializer("LocatedGrid", _code_name),
        "community": inline_serializer(
            "LocatedCommunity", {**_code_name, "kind": serializers.ChoiceField(choices=KINDS)}
        ),
        "subdistrict": inline_serializer("LocatedSubDistrict", _code_name),
        "branch": inline_serializer(
            "LocatedBranch",
            {"id": serializers.IntegerField(), "name": serializers.CharField()},
            allow_null=True,
        ),
    },
)


class LocateView(APIView):
    @extend_schema(
        summary="Which grid, community, sub-district and branch hold a point",
        description=(
            "A point on a border shared by several grids belongs to the one with the lowest code. "
            "400 with {detail, field} for a missing, non-numeric or out-of-range coordinate, "
            "and with {detail, code: outside_district} for a point outside the district."
        ),
        parameters=[
            OpenApiParameter("lon", OpenApiTypes.DOUBLE, required=True, description="Longitude, EPSG:4326."),
            OpenApiParameter("lat", OpenApiTypes.DOUBLE, required=True, description="Latitude, EPSG:4326."),
        ],
        responses={
            200: LocationSerializer,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="Bad coordinate, or outside the district."),
        },
        tags=["areas"],
    )
    def get(self, request):
        try:
            where = locate(request.query_params.get("lon"), request.query_params.get("lat"))
        except InvalidCoordinate as error:
            raise BadParameter(error.field, error.message) from None
        except OutsideDistrict as error:
            return Response({"detail": error.message, "code": "outside_district"}, status=400)
        grid, community, subdistrict, branch = where.grid, where.community, where.subdistrict, where.branch
        return Response(
            {
                "grid": {"code": grid.code, "name": grid.name},
                "community": {"code": community.code, "name": community.name, "kind": community.kind},
                "subdistrict": {"code": subdistrict.code, "name": subdistrict.name},
                "branch": {"id": branch.pk, "name": branch.name} if branch else None,
            }
        )


SUBDISTRICT_FILTER = filter_parameter("subdistrict", "9-digit sub-district code.")
COMMUNITY_FILTER = filter_parameter("community", "12-digit village/community code.")
KIND_FILTER = OpenApiParameter(
    "kind", OpenApiTypes.STR, enum=KINDS, description="village or community (of the feature's community)."
)


@layer_schema(
    "Sub-district boundaries",
    "Properties: code, name, households, population; counts of communities, villages and grids.",
    [filter_parameter("subdistrict", "9-digit sub-district code: this one only.")],
)
class SubDistrictLayer(GeoJSONLayerView):
    model = SubDistrict
    properties = {
        "code": "code",
        "name": "name",
        "households": "households",
        "population": "population",
        "communities": "n_communities",
        "villages": "n_villages",
        "grids": "n_grids",
    }
    filters = {"subdistrict": ("code", code_of(9))}

    def get_queryset(self):
        return SubDistrict.objects.annotate(
            n_communities=count_of(Community, "subdistrict"),
            n_villages=count_of(Community, "subdistrict", kind=Community.Kind.VILLAGE),
            n_grids=count_of(Grid, "community__subdistrict"),
        )


@layer_schema(
    "Village/community boundaries",
    "Properties: code, name, kind, households, population, sub-district code and name, "
    "branch name and demonstration status, counts of grids, zones and compounds.",
    [SUBDISTRICT_FILTER, filter_parameter("community", "12-digit code: this one only."), KIND_FILTER],
)
class CommunityLayer(GeoJSONLayerView):
    model = Community
    properties = {
        "code": "code",
        "name": "name",
        "kind": "kind",
        "households": "households",
        "population": "population",
        "subdistrict_code": "subdistrict__code",
        "subdistrict_name": "subdistrict__name",
        "branch": "branch__name",
        "demonstration": "branch__demonstration",
        "grids": "n_grids",
        "zones": "n_zones",
        "compounds": "n_compounds",
    }
    filters = {
        "subdistrict": ("subdistrict__code", code_of(9)),
        "community": ("code", code_of(12)),
        "kind": ("kind", one_of(KINDS)),
    }

    def get_queryset(self):
        # String names: compounds depends on areas, never the reverse.
        from django.apps import apps

        return Community.objects.annotate(
            n_grids=count_of(Grid, "community"),
            n_zones=count_of(apps.get_model("compounds", "Zone"), "community"),
            n_compounds=count_of(apps.get_model("compounds", "Compound"), "community"),
        )


@layer_schema(
    "Grid boundaries",
    "Properties: code, name, households, population, community and sub-district codes and names.",
    [SUBDISTRICT_FILTER, COMMUNITY_FILTER, KIND_FILTER],
)
class GridLayer(GeoJSONLayerView):
    model = Grid
    properties = {
        "code": "code",
        "name": "name",
        "households": "households",
        "population": "population",
        "community_code": "community__code",
        "community_name": "community__name",
        "kind": "community__kind",
        "subdistrict_code": "community__subdistrict__code",
        "subdistrict_name": "community__subdistrict__name",
    }
    filters = {
        "subdistrict": ("community__subdistrict__code", code_of(9)),
        "community": ("community__code", code_of(12)),
        "kind": ("community__kind", one_of(KINDS)),
    }
