"""Bulletin pages and API (one include in gridgov/urls.py at the root)."""

from django.urls import path

from apps.bulletins import api, views

KIND = "<str:kind>/<str:period>"

urlpatterns = [
    path("bulletins/", views.index_page, name="bulletins"),
    path("bulletins/incentives/", views.incentives_page, name="bulletin-incentives"),
    path("bulletins/duties/", views.duties_page, name="bulletin-duties"),
    path("bulletins/publicity/", views.publicity_page, name="bulletin-publicity"),
    path("bulletins/observation/<str:period>/", views.observation_page, name="bulletin-observation"),
    path(f"bulletins/{KIND}/", views.bulletin_page, name="bulletin"),
    path(f"bulletins/{KIND}/pdf/", views.bulletin_pdf, name="bulletin-pdf"),
    path(f"bulletins/{KIND}/xlsx/", views.bulletin_xlsx, name="bulletin-xlsx"),
    path(f"bulletins/{KIND}/<str:code>/<str:which>/", views.list_page, name="bulletin-list"),
    path("api/bulletins/", api.BulletinListView.as_view(), name="api-bulletins"),
    path(f"api/bulletins/{KIND}/", api.BulletinDetailView.as_view(), name="api-bulletin"),
    path("api/bulletins/incentives/", api.IncentiveListView.as_view(), name="api-bulletin-incentives"),
    path("api/bulletins/incentive-totals/", api.IncentiveTotalsView.as_view(), name="api-bulletin-incentive-totals"),
    path("api/bulletins/observation-scores/", api.ObservationScoreView.as_view(), name="api-bulletin-scores"),
    path("api/bulletins/duties/", api.DutyListView.as_view(), name="api-bulletin-duties"),
    path("api/bulletins/letters/", api.LetterListView.as_view(), name="api-bulletin-letters"),
    path("api/bulletins/publicity/", api.PublicityListView.as_view(), name="api-bulletin-publicity"),
]
