"""The cases API under /api/ (one include in gridgov/urls.py, after the areas one)."""

from django.urls import path

from apps.cases import api, api_evaluation, api_inbox

urlpatterns = [
    path("auth/token/", api_inbox.TokenView.as_view(), name="api-token"),
    path("categories/", api_inbox.CategoryListView.as_view(), name="api-categories"),
    path("departments/", api_inbox.DepartmentListView.as_view(), name="api-departments"),
    path("cases/", api.CaseListView.as_view(), name="api-cases"),
    path("cases/<str:number>/", api.CaseDetailView.as_view(), name="api-case"),
    path("cases/<str:number>/actions/<str:action>/", api.CaseActionView.as_view(), name="api-case-action"),
    path("cases/<str:number>/photos/<int:photo_id>/", api_inbox.CasePhotoView.as_view(), name="api-case-photo"),
    path("evaluation/", api_evaluation.EvaluationView.as_view(), name="api-evaluation"),
    path("inbox/", api_inbox.InboxView.as_view(), name="api-inbox"),
    path("inbox/<int:pk>/read/", api_inbox.InboxReadView.as_view(), name="api-inbox-read"),
]
