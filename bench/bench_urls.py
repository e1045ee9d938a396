"""The project's URLs plus the baselines a real endpoint is measured against, which the app never serves.

/bench/plain/: a plain Django view doing next to nothing (the HTTP and
framework floor). /bench/plain-report/: a plain Django view storing the same
report the API takes, written the simplest way: parse the JSON, find the grid,
insert the case. No login, no checks, no timeline, routing or notifications.
"""

import json
import uuid

from django.contrib.gis.geos import Point
from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from apps.areas.models import Grid
from apps.cases.models import Case, Category
from gridgov.urls import urlpatterns as project_urlpatterns


@csrf_exempt
def plain(request):
    """Parse the same JSON body a report sends, one trivial query, a small JSON answer."""
    body = json.loads(request.body or b"{}") if request.method == "POST" else {}
    category = Category.objects.filter(code=body.get("category", "E0101")).values_list("code", "name").first()
    return JsonResponse({"ok": True, "category": category}, status=201 if request.method == "POST" else 200)


@csrf_exempt
def plain_report(request):
    """The report stored by a plain view: its category, its grid by point-in-polygon, one row."""
    body = json.loads(request.body)
    category = Category.objects.get(code=body["category"])
    point = Point(float(body["lon"]), float(body["lat"]), srid=4326)
    grid = Grid.objects.filter(geom__intersects=point).select_related("community").only(
        "community__subdistrict_id"
    ).first()
    case = Case.objects.create(
        number=uuid.uuid4().hex[:20], client_id=body["client_id"], category=category,
        description=body["description"], point=point, grid=grid, community_id=grid.community_id,
        subdistrict_id=grid.community.subdistrict_id, reported_at=timezone.now(),
    )
    return JsonResponse({"number": case.number}, status=201)


urlpatterns = [path("bench/plain/", plain), path("bench/plain-report/", plain_report), *project_urlpatterns]
