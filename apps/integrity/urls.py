"""The signals' page and API (one include in gridgov/urls.py at the root)."""

from django.urls import path

from apps.integrity import api, views

urlpatterns = [
    path("integrity/", views.signals_page, name="integrity"),
    path("api/integrity/signals/", api.SignalListView.as_view(), name="api-integrity-signals"),
]
