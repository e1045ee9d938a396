"""The zoning and assignment drafts API under /api/compounds/ (one include in gridgov/urls.py)."""

from django.urls import path

from apps.compounds import api_plans as views

urlpatterns = [
    path("plans/", views.ZonePlanListView.as_view(), name="api-zone-plans"),
    path("plans/<int:pk>/", views.ZonePlanDetailView.as_view(), name="api-zone-plan"),
    path("plans/<int:pk>/compounds/", views.ZonePlanCompoundsView.as_view(), name="api-zone-plan-compounds"),
    path("plans/<int:pk>/zones/", views.ZonePlanZonesView.as_view(), name="api-zone-plan-zones"),
    path("plans/<int:pk>/move/", views.ZonePlanMoveView.as_view(), name="api-zone-plan-move"),
    path("plans/<int:pk>/replan/", views.ZonePlanReplanView.as_view(), name="api-zone-plan-replan"),
    path("plans/<int:pk>/apply/", views.ZonePlanApplyView.as_view(), name="api-zone-plan-apply"),
    path("plans/<int:pk>/discard/", views.ZonePlanDiscardView.as_view(), name="api-zone-plan-discard"),
    path("assignments/", views.AssignmentPlanListView.as_view(), name="api-assignment-plans"),
    path("assignments/<int:pk>/", views.AssignmentPlanDetailView.as_view(), name="api-assignment-plan"),
    path("assignments/<int:pk>/apply/", views.AssignmentPlanApplyView.as_view(), name="api-assignment-plan-apply"),
    path("assignments/<int:pk>/discard/", views.AssignmentPlanDiscardView.as_view(),
         name="api-assignment-plan-discard"),
]
