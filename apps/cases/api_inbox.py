"""The rest of the cases API: reference lists, a case's photos, the in-app inbox, phone tokens."""

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.cases.access import get_case_for
from apps.cases.api import CasePagination
from apps.cases.models import Category, Notification
from apps.cases.serializers import CategorySerializer, DepartmentSerializer, ErrorSerializer, NotificationSerializer
from apps.people.access import person_for
from apps.people.models import Department


@extend_schema_view(get=extend_schema(summary="Active categories with default department and time limits",
                                      tags=["cases"]))
class CategoryListView(generics.ListAPIView):
    serializer_class = CategorySerializer
    queryset = Category.objects.filter(active=True).select_related("default_department").order_by("code")


@extend_schema_view(get=extend_schema(summary="Departments (district departments and sub-district offices)",
                                      tags=["cases"]))
class DepartmentListView(generics.ListAPIView):
    serializer_class = DepartmentSerializer
    queryset = Department.objects.select_related("subdistrict").order_by("code")


class CasePhotoView(APIView):
    """Photos are served only to those who may see the case, never from a public media URL."""

    @extend_schema(
        summary="A photo of a case",
        responses={
            (200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The image."),
            404: OpenApiResponse(ErrorSerializer, description="No such case in your area, or no such photo."),
        },
        tags=["cases"],
    )
    def get(self, request, number, photo_id):
        case = get_case_for(request.user, number)
        attachment = case.attachments.filter(pk=photo_id).first()
        if attachment is None:
            raise Http404(_("No such photo."))
        if settings.MEDIA_X_ACCEL:
            # nginx sends the file from its internal /media/ location; the worker is free at once.
            response = HttpResponse(content_type=attachment.content_type)
            response["X-Accel-Redirect"] = settings.MEDIA_URL + attachment.file.name
        else:
            try:
                response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
            except FileNotFoundError:
                raise Http404(_("No such photo.")) from None
        response["Cache-Control"] = "private, max-age=3600"
        return response


class InboxView(generics.ListAPIView):
    serializer_class = NotificationSerializer
    pagination_class = CasePagination

    def get_queryset(self):
        person = person_for(self.request.user)
        if person is None:
            return Notification.objects.none()
        notifications = Notification.objects.filter(recipient=person, delivered_at__isnull=False)
        if self.request.query_params.get("unread") in ("1", "true"):
            notifications = notifications.filter(read_at__isnull=True)
        return notifications.select_related("case").order_by("-delivered_at", "-id")

    @extend_schema(
        summary="Your delivered notifications, newest first",
        parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL, description="Only those not read yet.")],
        tags=["inbox"],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class InboxReadView(APIView):
    @extend_schema(
        summary="Mark one of your notifications read",
        request=None,
        responses={200: NotificationSerializer, 404: OpenApiResponse(ErrorSerializer)},
        tags=["inbox"],
    )
    def post(self, request, pk):
        person = person_for(request.user)
        notification = Notification.objects.filter(
            pk=pk, recipient=person, delivered_at__isnull=False
        ).select_related("case").first() if person else None
        if notification is None:
            raise Http404(_("No such notification in your inbox."))
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        return Response(NotificationSerializer(notification).data)


@extend_schema_view(post=extend_schema(summary="A token for a phone client (Authorization: Token <key>)",
                                       tags=["auth"]))
class TokenView(ObtainAuthToken):
    pass
