"""The dashboard page and its data; included at the root in gridgov/urls.py.

The star figures live under /api/stars/ (the summary is apps/stars/api_summary.py);
hotspots only exist with the case app installed.
"""

from django.apps import apps
from django.urls import path

from apps.dashboard import api, views
from apps.stars.api_summary import SummaryView

urlpatterns = [
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("dashboard/export.xlsx", views.export_xlsx, name="dashboard-export"),
    path("api/stars/summary/", SummaryView.as_view(), name="api-stars-summary"),
    path("api/stars/choropleth/", api.ChoroplethView.as_view(), name="api-stars-choropleth"),
    path("api/dashboard/branches/<str:code>/", api.BranchView.as_view(), name="api-dashboard-branch"),
]
if apps.is_installed("apps.cases"):
    urlpatterns.append(path("api/stars/hotspots/", api.HotspotsView.as_view(), name="api-stars-hotspots"))
