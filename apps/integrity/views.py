"""The signals page (/integrity/) for evaluation staff: the same answer as GET /api/integrity/signals/."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from apps.areas.models import SubDistrict
from apps.cases.api_support import ApiError
from apps.cases.context import EVALUATION_ROLES
from apps.cases.views import person_in_role
from apps.integrity.answer import last_twelve_months, signals_answer
from apps.people.access import sees_whole_district


@login_required
def signals_page(request):
    person = person_in_role(request, EVALUATION_ROLES)
    default = last_twelve_months()
    params = {
        "from": request.GET.get("from") or default.first.isoformat(),
        "to": request.GET.get("to") or default.last.isoformat(),
    }
    if request.GET.get("subdistrict"):
        params["subdistrict"] = request.GET["subdistrict"]
    error = None
    try:
        answer = signals_answer(request.user, params)
    except ApiError as exc:
        error = exc.detail.get("detail")
        answer = {"signals": [], "period": {"label": ""}, "scope": ""}
    largest = max((s["total"] for s in answer["signals"]), default=0)
    for signal in answer["signals"]:
        signal["width"] = round(100 * signal["total"] / largest, 1) if largest else 0
        signal["tables"] = [(_("Departments"), signal["departments"]), (_("Grids"), signal["grids"])]
    whole = request.user.is_superuser or sees_whole_district(person)
    context = {
        "error": error,
        "answer": answer,
        "params": params,
        "subdistricts": SubDistrict.objects.order_by("code").values_list("code", "name") if whole else [],
        "scope_name": _("the whole district") if whole else (person.subdistrict.name if person else ""),
    }
    return render(request, "integrity/signals.html", context, status=400 if error else 200)
