"""Five-star pages and API (one include in gridgov/urls.py at the root)."""

from django.urls import path

from apps.stars import api, views, views_households

urlpatterns = [
    path("stars/", views.work_page, name="stars"),
    path("stars/branches/<str:code>/", views.branch_page, name="stars-branch"),
    path("stars/linkage/", views.linkage_page, name="stars-linkage"),
    path("stars/households/upload/", views_households.upload_page, name="stars-households-upload"),
    path("api/stars/periods/", api.PeriodListView.as_view(), name="api-star-periods"),
    path("api/stars/criteria/", api.CriteriaView.as_view(), name="api-star-criteria"),
    path("api/stars/applications/", api.ApplicationListView.as_view(), name="api-star-applications"),
    path("api/stars/applications/<int:pk>/", api.ApplicationDetailView.as_view(), name="api-star-application"),
    path(
        "api/stars/applications/<int:pk>/actions/<str:action>/",
        api.ApplicationActionView.as_view(),
        name="api-star-action",
    ),
    path("api/stars/evidence/<int:pk>/", api.EvidenceFileView.as_view(), name="api-star-evidence"),
    path("api/stars/branches/<str:code>/history/", api.BranchHistoryView.as_view(), name="api-star-branch-history"),
]
