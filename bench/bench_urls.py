"""The project's URLs plus /bench/plain/: the baseline a real endpoint is measured against."""

import json

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from apps.cases.models import Category
from gridgov.urls import urlpatterns as project_urlpatterns


@csrf_exempt
def plain(request):
    """A plain Django view: parse the same JSON body a report sends, one trivial query, a small JSON answer."""
    body = json.loads(request.body or b"{}") if request.method == "POST" else {}
    category = Category.objects.filter(code=body.get("category", "E0101")).values_list("code", "name").first()
    return JsonResponse({"ok": True, "category": category}, status=201 if request.method == "POST" else 200)


urlpatterns = [path("bench/plain/", plain), *project_urlpatterns]
