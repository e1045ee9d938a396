"""Open311 GeoReport v2 under /open311/v2/: every document as .json or .xml."""

from django.urls import path, register_converter

from apps.cases import open311


class FormatConverter:
    regex = "json|xml"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FormatConverter, "fmt")

urlpatterns = [
    path("discovery.<fmt:fmt>", open311.DiscoveryView.as_view(), name="open311-discovery"),
    path("services.<fmt:fmt>", open311.ServiceListView.as_view(), name="open311-services"),
    path("services/<str:code>.<fmt:fmt>", open311.ServiceDefinitionView.as_view(), name="open311-service"),
    path("requests.<fmt:fmt>", open311.RequestListView.as_view(), name="open311-requests"),
    path("requests/<str:number>.<fmt:fmt>", open311.RequestView.as_view(), name="open311-request"),
    path("tokens/<str:token>.<fmt:fmt>", open311.TokenView.as_view(), name="open311-token"),
]
