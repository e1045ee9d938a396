"""Pages of the case workflow (the API is in apps/cases/urls.py under /api/)."""

from django.urls import path

from apps.cases import offline, views

urlpatterns = [
    path("dispatch/", views.dispatch_desk, name="case-dispatch"),
    path("handle/", views.handle_desk, name="case-handle"),
    path("cases/<str:number>/", views.case_page, name="case-page"),
    path("inbox/", views.inbox_page, name="case-inbox"),
    path("evaluation/", views.evaluation_page, name="case-evaluation"),
    # The report sheet's service worker: served from the root so that it may control /map/.
    path("sw.js", offline.service_worker, name="service-worker"),
]
