"""The patrol coverage page and its XLSX; included at the root in gridgov/urls.py."""

from django.urls import path

from apps.patrols import views

urlpatterns = [
    path("patrols/coverage/", views.coverage_page, name="patrols-coverage"),
    path("patrols/coverage/export.xlsx", views.coverage_xlsx, name="patrols-coverage-export"),
]
