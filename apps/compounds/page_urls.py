"""The planning page (the plans API is in apps/compounds/urls.py under /api/compounds/)."""

from django.urls import path

from apps.compounds import views

urlpatterns = [
    path("compounds/", views.compounds_page, name="compounds"),
]
