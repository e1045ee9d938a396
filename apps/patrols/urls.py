"""The patrols API under /api/ (one include in gridgov/urls.py)."""

from django.urls import path

from apps.patrols import api

urlpatterns = [
    path("patrols/", api.PatrolListView.as_view(), name="api-patrols"),
    path("patrols/coverage/", api.CoverageView.as_view(), name="api-patrols-coverage"),
]
