"""The household ratings upload page (administrators, sub-district leaders): a CSV or XLSX file in,
the import summary or every problem (file, line, column, what is wrong) out.

The import itself is apps.stars.households.import_households: it validates the
whole file first and writes nothing when anything is wrong. A sub-district
leader's file may only hold communities of their sub-district.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from apps.areas.models import Community
from apps.stars.access import SUBDISTRICT_LEADER, may_upload_households, viewer_for
from apps.stars.api_support import current_period
from apps.stars.households import HouseholdImportError, import_households
from apps.stars.models import Period

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
EXTENSIONS = (".csv", ".xlsx")


@login_required
def upload_page(request):
    viewer = viewer_for(request.user)
    if not may_upload_households(viewer):
        raise PermissionDenied(_("Household ratings are uploaded by administrators and sub-district leaders."))
    periods = list(Period.objects.order_by("-starts_on"))
    current = current_period()
    context = {"viewer": viewer, "periods": periods, "selected": current.code if current else "",
               "summary": None, "problems": [], "more": 0, "error": ""}
    status = 200
    if request.method == "POST":
        context["selected"] = request.POST.get("period") or context["selected"]
        status = handle_upload(request, viewer, context)
    return render(request, "stars/households_upload.html", context, status=status)


def handle_upload(request, viewer, context):
    upload = request.FILES.get("file")
    period = Period.objects.filter(code=context["selected"]).first()
    if period is None:
        context["error"] = _("Choose an assessment period.")
        return 400
    if upload is None:
        context["error"] = _("Choose a CSV or XLSX file.")
        return 400
    if not upload.name.lower().endswith(EXTENSIONS):
        context["error"] = _("%(name)s: only CSV and XLSX files are read.") % {"name": upload.name}
        return 400
    if upload.size > MAX_UPLOAD_BYTES:
        context["error"] = _("%(name)s is larger than %(mb)s MB.") % {"name": upload.name, "mb": MAX_UPLOAD_BYTES >> 20}
        return 400
    communities = None
    if viewer.kind == SUBDISTRICT_LEADER:
        communities = Community.objects.filter(subdistrict_id=viewer.subdistrict_id)
    try:
        context["summary"] = import_households(
            upload, period, filename=upload.name, communities=communities, dry_run=bool(request.POST.get("dry_run"))
        )
    except HouseholdImportError as exc:
        context["problems"] = exc.problems
        context["more"] = max(exc.total - len(exc.problems), 0)
        context["file_name"] = upload.name
        return 400
    return 200
