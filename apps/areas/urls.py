"""The JSON API under /api/: areas and compounds (one include in gridgov/urls.py)."""

from django.urls import path

from apps.areas import api as areas_api
from apps.compounds import api as compounds_api

urlpatterns = [
    path("locate/", areas_api.LocateView.as_view(), name="api-locate"),
    path("layers/subdistricts/", areas_api.SubDistrictLayer.as_view(), name="layer-subdistricts"),
    path("layers/communities/", areas_api.CommunityLayer.as_view(), name="layer-communities"),
    path("layers/grids/", areas_api.GridLayer.as_view(), name="layer-grids"),
    path("layers/zones/", compounds_api.ZoneLayer.as_view(), name="layer-zones"),
    path("layers/compounds/", compounds_api.CompoundLayer.as_view(), name="layer-compounds"),
    path("zones/<str:code>/cadres/", compounds_api.ZoneCadresView.as_view(), name="api-zone-cadres"),
]
