"""Supervision pages and API (one include in gridgov/urls.py at the root)."""

from django.urls import path

from apps.supervision import api, views

urlpatterns = [
    path("supervision/", views.work_page, name="supervision"),
    path("supervision/inspections/", views.record_inspection_page, name="supervision-inspect"),
    path("supervision/findings/<int:pk>/", views.finding_page, name="supervision-finding"),
    path("supervision/plans/", views.create_plan_page, name="supervision-plan-new"),
    path("supervision/plans/<int:pk>/", views.plan_page, name="supervision-plan"),
    path("supervision/visits/", views.visits_page, name="supervision-visits"),
    path("api/supervision/campaigns/", api.CampaignListView.as_view(), name="api-supervision-campaigns"),
    path("api/supervision/summary/", api.SummaryView.as_view(), name="api-supervision-summary"),
    path("api/supervision/inspections/", api.InspectionCreateView.as_view(), name="api-supervision-inspections"),
    path("api/supervision/findings/", api.FindingListView.as_view(), name="api-supervision-findings"),
    path("api/supervision/findings/<int:pk>/", api.FindingDetailView.as_view(), name="api-supervision-finding"),
    path("api/supervision/findings/<int:pk>/actions/<str:action>/", api.FindingActionView.as_view(),
         name="api-supervision-finding-action"),
    path("api/supervision/photos/<int:pk>/", api.PhotoView.as_view(), name="api-supervision-photo"),
    path("api/supervision/plans/", api.PlanListView.as_view(), name="api-supervision-plans"),
    path("api/supervision/plans/<int:pk>/actions/<str:action>/", api.PlanActionView.as_view(),
         name="api-supervision-plan-action"),
    path("api/supervision/plans/<int:pk>/milestones/<int:milestone>/done/", api.MilestoneDoneView.as_view(),
         name="api-supervision-milestone-done"),
    path("api/supervision/rounds/", api.RoundListView.as_view(), name="api-supervision-rounds"),
    path("api/supervision/rounds/<int:pk>/coverage/", api.RoundCoverageView.as_view(),
         name="api-supervision-round-coverage"),
    path("api/supervision/visits/", api.VisitListView.as_view(), name="api-supervision-visits"),
]
