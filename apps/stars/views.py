"""Five-star pages: the work page by role, a branch's history, the four-level chain.

Views parse, check access (apps/stars/access.py), read and render. Every action
on the work page goes through the stars API (`/api/stars/...`) from
frontend/static/js/stars-work.js; server values reach the script through
data-* attributes and json_script only.
"""

from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.stars import api_support, linkage
from apps.stars.access import (
    ADMIN,
    SECRETARY,
    SUBDISTRICT_LEADER,
    TASK_FORCE,
    get_branch_for,
    linkage_subdistrict_ids,
    may_upload_households,
    queue,
    queues_of,
    viewer_for,
)
from apps.stars.api_payload import assessment_detail, branch_history, detail_queryset, measured_for
from apps.stars.api_support import ACTION_BUTTONS, MAX_EVIDENCE_BYTES, MAX_EVIDENCE_FILES, EVIDENCE_MAGIC
from apps.stars.levels import level_of
from apps.stars.models import (
    ALL_TEN,
    FIVE_GOODS,
    Assessment,
    AssessmentStatus,
    Branch,
    HouseholdRating,
    Period,
    StarCriterion,
    TaskForce,
)

# Cards carry their whole body (indicators, evidence, timeline): a page of 50 + 50 + 50 + 20 is
# about 250 KB before compression. Held stars are many (700 in the sample) and rarely acted on.
SECTION_ROWS = {"awarded": 20}
DEFAULT_SECTION_ROWS = 50
SECTION_TITLES = {
    "mine": gettext_lazy("Our applications"),
    "review": gettext_lazy("Sub-district review"),
    "scoring": gettext_lazy("Task force scoring"),
    "notice": gettext_lazy("On public notice"),
    "awarded": gettext_lazy("Stars awarded"),
}
SECTION_HINTS = {
    "mine": gettext_lazy("Every application of your branch in this period."),
    "review": gettext_lazy("Applications waiting for the sub-district to pass or refuse them."),
    "scoring": gettext_lazy("Score every indicator (measured values are shown beside), then publish or refuse."),
    "notice": gettext_lazy("Anyone may lodge an objection while the notice runs; the task force resolves "
                           "objections and awards the star after the notice closes."),
    "awarded": gettext_lazy("Stars held this period; a star can be revoked at any time with a reason."),
}


def period_or_404(request):
    try:
        return api_support.period_from(request.GET)
    except api_support.ApiError:
        raise Http404(_("No such assessment period.")) from None


def periods_menu(period):
    return [{"code": p.code, "name": p.name, "selected": p.pk == period.pk}
            for p in Period.objects.order_by("-starts_on")]


def search_filter(rows, q):
    if not q:
        return rows
    return rows.filter(Q(branch__name__icontains=q) | Q(branch__community__code__startswith=q)
                       | Q(branch__community__subdistrict__name__icontains=q))


def section(viewer, name, period, q, now, star=None):
    rows = search_filter(queue(viewer, name, period), q)
    if star:
        rows = rows.filter(star=star)
    total = rows.count()
    # A secretary reads their branch star by star; the queues are first come, first served.
    order = ("star", "pk") if name == "mine" else ("applied_at", "pk")
    picked = list(detail_queryset(rows).order_by(*order)[:SECTION_ROWS.get(name, DEFAULT_SECTION_ROWS)])
    # The measures sit beside the scoring form; the other queues show the scores already given.
    measured = measured_for(picked) if name == "scoring" else {}
    cards = [assessment_detail(a, viewer, measured.get(a.pk, {}), now) for a in picked]
    return {"key": name, "title": SECTION_TITLES[name], "hint": SECTION_HINTS[name], "total": total,
            "cards": cards, "more": max(total - len(cards), 0)}


def own_branch(viewer, period):
    """A secretary's branch this period: its five stars and where each stands, and the stars still open to apply for."""
    branch = (Branch.objects.select_related("community__subdistrict", "leader")
              .defer("community__geom", "community__subdistrict__geom")
              .get(community_id=viewer.person.community_id))
    criteria = StarCriterion.objects.filter(period=period, kind=branch.community.kind).order_by("star")
    applied = {a.star: a for a in Assessment.objects.filter(branch=branch, period=period)}
    held = {s for s, a in applied.items() if a.status == AssessmentStatus.AWARDED}
    stars = []
    for criterion in criteria:
        assessment = applied.get(criterion.star)
        stars.append({
            "star": criterion.star, "name": criterion.name,
            "status": assessment.status if assessment else "",
            "status_label": assessment.get_status_display() if assessment else _("not applied"),
        })
    return {
        "branch": branch,
        "level": level_of(held, period.foundation_gates),
        "stars": stars,
        "open": [s for s in stars if not s["status"]],
    }


def work_strings():
    return {
        "required": _("Fill in %(field)s."),
        "reason": _("Give a reason."),
        "range": _("%(name)s: points must be between 0 and %(max)s."),
        "decimals": _("%(name)s: at most one decimal place."),
        "unscored": _("Score every indicator before publishing."),
        "selfScore": _("The self-assessed score must be between 0 and 100."),
        "tooMany": _("At most %(n)s evidence files.") % {"n": MAX_EVIDENCE_FILES},
        "tooBig": _("%(name)s is larger than %(mb)s MB.") % {"name": "%(name)s", "mb": MAX_EVIDENCE_BYTES >> 20},
        "badType": _("%(name)s: this kind of file is not accepted.") % {"name": "%(name)s"},
        "saved": _("Saved."),
        "failed": _("The request failed; try again."),
        "confirmAward": _("Award the star now?"),
        "confirmRevoke": _("Revoke this star?"),
        "total": _("Total"),
    }


@login_required
def work_page(request):
    viewer = viewer_for(request.user)
    if not Period.objects.exists():
        # A fresh installation: say what is missing rather than a bare 404.
        return render(request, "stars/no_period.html", {"viewer": viewer})
    period = period_or_404(request)
    now = timezone.now()
    q = (request.GET.get("q") or "").strip()[:40]
    try:
        star = api_support.integer(request.GET, "star", low=1, high=5)
    except api_support.ApiError:
        star = None
    sections = [section(viewer, name, period, q, now, star) for name in queues_of(viewer)]
    context = {
        "viewer": viewer,
        "period": period,
        "periods": periods_menu(period),
        "q": q,
        "star": star,
        "sections": sections,
        "buttons": {k: str(v) for k, v in ACTION_BUTTONS.items()},
        "task_forces": TaskForce.objects.filter(members=viewer.person).order_by("kind", "star")
        if viewer.kind == TASK_FORCE else [],
        "is_secretary": viewer.kind == SECRETARY,
        "may_upload": may_upload_households(viewer),
        "searchable": viewer.kind not in (SECRETARY,),
        "stars_config": {
            "applyUrl": reverse("api-star-applications"),
            "actionUrl": reverse("api-star-action", args=[0, "ACTION"]),
            "period": period.code,
            "maxFiles": MAX_EVIDENCE_FILES,
            "maxBytes": MAX_EVIDENCE_BYTES,
            "extensions": sorted(EVIDENCE_MAGIC),
        },
        "stars_strings": work_strings(),
        "accept": ",".join(sorted(EVIDENCE_MAGIC)),
        "role_label": {
            ADMIN: _("Administrator"), SECRETARY: _("Branch secretary"), SUBDISTRICT_LEADER: _("Sub-district leader"),
            TASK_FORCE: _("Task force member"),
        }.get(viewer.kind, _("District leader")),
    }
    if viewer.kind == SECRETARY:
        context["own"] = own_branch(viewer, period)
    return render(request, "stars/work.html", context)


@login_required
def branch_page(request, code):
    viewer, branch = get_branch_for(request.user, code)
    history = branch_history(branch)
    periods = history["periods"]
    current = api_support.current_period()
    return render(request, "stars/branch.html", {
        "viewer": viewer,
        "branch": branch,
        "history": history,
        "periods": list(reversed(periods)),
        "ladder": periods,
        "levels": range(5, 0, -1),
        "current_code": current.code if current else "",
    })


@login_required
def linkage_page(request):
    viewer = viewer_for(request.user)
    period = period_or_404(request)
    chain = linkage.chain(period, subdistrict_ids=linkage_subdistrict_ids(viewer))
    own_community = viewer.person.community.code if viewer.kind == SECRETARY else None
    names = ten_star_names(period, chain, own_community)
    for subdistrict in chain["subdistricts"]:
        if own_community:
            # A secretary reads the sub-district's figures but only their own households.
            subdistrict["communities"] = [c for c in subdistrict["communities"] if c["code"] == own_community]
        for community in subdistrict["communities"]:
            community["ten_star_names"] = names.get(community["code"], [])
    district = chain["district"]
    return render(request, "stars/linkage.html", {
        "viewer": viewer,
        "period": period,
        "periods": periods_menu(period),
        "chain": chain,
        "district": district,
        "five_goods": FIVE_GOODS,
        "subdistrict_count": len(chain["subdistricts"]),
        "high_levels": [(5, district["levels"]["5"]), (4, district["levels"]["4"]), (3, district["levels"]["3"])],
        "may_upload": may_upload_households(viewer),
    })


def ten_star_names(period, chain, only_community=None):
    """{community code: masked householders of its ten-star households} in one query (lists mask names)."""
    codes = [c["code"] for s in chain["subdistricts"] for c in s["communities"]]
    if only_community:
        codes = [c for c in codes if c == only_community]
    rows = (HouseholdRating.objects.filter(period=period, community__code__in=codes, standards=ALL_TEN)
            .order_by("community__code", "household_code").values_list("community__code", "holder"))
    names = defaultdict(list)
    for code, holder in rows:
        names[code].append(HouseholdRating(holder=holder).masked_holder)
    return names
