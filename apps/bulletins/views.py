"""Bulletin pages: the list and on-demand making, the reader with downloads, the rows behind a number,
incentives, duty lists, publicity and the judges' observation scores.

Views parse, check access (`access.py`), call one function and render; bad
input re-renders the page with the message and a 400, and writes nothing.
"""

from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from apps.bulletins import access, lists, verbs
from apps.bulletins.compute import RULES
from apps.bulletins.making import make_bulletin
from apps.bulletins.models import Bulletin, IncentiveKind, Kind, ObservationScore
from apps.bulletins.periods import BulletinPeriodError, parse
from apps.bulletins.present import table
from apps.bulletins.render import render_pdf, render_xlsx, title
from apps.people.models import Person
from apps.stars.models import Branch


def get_bulletin(kind, period):
    bulletin = Bulletin.objects.filter(kind=kind, period=period).first() if kind in Kind.values else None
    if bulletin is None:
        raise Http404(_("No %(kind)s bulletin for %(period)s.") % {"kind": kind, "period": period})
    return bulletin


def _index_context(request):
    bulletins = list(Bulletin.objects.defer("data").order_by("-ends_on", "kind"))
    by_kind = {kind: [b for b in bulletins if b.kind == kind] for kind in Kind.values}
    return {"by_kind": [(Kind(k).label, k, rows) for k, rows in by_kind.items()], "kinds": Kind.choices,
            "may_make": access.may_make(request.user), "nav_current": "bulletins"}


@login_required
def index_page(request):
    access.reader(request.user)
    if request.method == "POST":
        person = access.check_maker(request.user)
        kind, period = request.POST.get("kind", ""), request.POST.get("period", "")
        try:
            bulletin, created = make_bulletin(kind, period, by=person)
        except BulletinPeriodError as exc:
            context = _index_context(request)
            context.update(error=exc.message, error_field=exc.field, form=request.POST)
            return render(request, "bulletins/index.html", context, status=400)
        messages.success(request, (_("%(title)s made.") if created else _("%(title)s made again (replaced)."))
                         % {"title": title(bulletin)})
        return redirect("bulletin", bulletin.kind, bulletin.period)
    return render(request, "bulletins/index.html", _index_context(request))


@login_required
@require_GET
def bulletin_page(request, kind, period):
    access.reader(request.user)
    bulletin = get_bulletin(kind, period)
    return render(request, "bulletins/bulletin.html", {
        "bulletin": bulletin, "title": title(bulletin), "table": table(bulletin), "rules": RULES,
        "may_make": access.may_make(request.user), "nav_current": "bulletins",
    })


def _download(bulletin, content, suffix, content_type):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="bulletin-{bulletin.kind}-{bulletin.period}.{suffix}"'
    return response


@login_required
@require_GET
def bulletin_pdf(request, kind, period):
    access.reader(request.user)
    bulletin = get_bulletin(kind, period)
    return _download(bulletin, render_pdf(bulletin, base_url=request.build_absolute_uri("/")), "pdf",
                     "application/pdf")


@login_required
@require_GET
def bulletin_xlsx(request, kind, period):
    access.reader(request.user)
    bulletin = get_bulletin(kind, period)
    return _download(bulletin, render_xlsx(bulletin), "xlsx",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


LIST_TITLES = {
    "findings-new": _("Findings found in the period"),
    "findings-open": _("Findings open at the period's end"),
    "findings-overdue": _("Findings open and overdue at the period's end"),
    "visits": _("Research visits in the period"),
    "visits-year": _("Research visits this year to the period's end"),
    "stars": _("Branches' star levels at the period's end"),
}


@login_required
@require_GET
def list_page(request, kind, period, code, which):
    access.reader(request.user)
    bulletin = get_bulletin(kind, period)
    if which not in lists.LISTS:
        raise Http404(_("No such list."))
    area = access.subdistrict_for(request.user, code)
    context = {"bulletin": bulletin, "title": title(bulletin), "area": area, "which": which,
               "list_title": LIST_TITLES[which], "nav_current": "bulletins"}
    if which.startswith("findings"):
        context["findings"] = list(lists.findings(bulletin, code, which))
    elif which.startswith("visits"):
        context["visits"] = list(lists.visits(bulletin, code, which))
    else:
        context["levels"] = lists.star_levels(bulletin, code)
    return render(request, "bulletins/list.html", context)


def _incentives_context(request, period):
    rows = access.incentives_for(request.user)
    if period:
        rows = rows.filter(period=period)
    totals = (rows.values("period", "subdistrict__code", "subdistrict__name")
              .annotate(amount=Sum("amount"), count=Count("pk")).order_by("-period", "subdistrict__code"))
    by_kind = dict(rows.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    return {
        "incentives": rows.select_related("branch", "person", "subdistrict", "basis_bulletin", "basis_award__branch")
        .order_by("-period", "subdistrict__code", "kind", "id")[:1000],
        "totals": totals, "grand_total": rows.aggregate(s=Sum("amount"))["s"] or Decimal("0"),
        "by_kind": [(label, by_kind.get(value, 0)) for value, label in IncentiveKind.choices],
        "kinds": IncentiveKind.choices, "period": period, "may_make": access.may_make(request.user),
        "bulletins": Bulletin.objects.defer("data").order_by("-ends_on", "kind")[:40], "nav_current": "bulletins",
    }


@login_required
def incentives_page(request):
    period = (request.GET.get("period") or "").strip()
    context = _incentives_context(request, period)
    if request.method == "POST":
        person = access.check_maker(request.user)
        form = request.POST
        try:
            incentive = verbs.grant_incentive(
                kind=form.get("kind", ""), period=form.get("period", ""), reason=form.get("reason", ""), by=person,
                branch=verbs.lookup(Branch, "branch", form.get("branch"), key="community__code"),
                person=verbs.lookup(Person, "person", form.get("person"), key="code"),
                amount=form.get("amount"),
                basis_bulletin=verbs.lookup(Bulletin, "basis_bulletin", form.get("basis_bulletin")),
                basis_award=None,
            )
        except verbs.InputError as exc:
            context.update(error=exc.message, error_field=exc.field, form=form)
            return render(request, "bulletins/incentives.html", context, status=400)
        messages.success(request, _("Incentive recorded for %(who)s.") % {"who": incentive.recipient})
        return redirect(f"{reverse('bulletin-incentives')}?period={incentive.period}")
    return render(request, "bulletins/incentives.html", context)


@login_required
@require_GET
def duties_page(request):
    items, letters = access.duties_for(request.user)
    today = timezone.localdate()
    items = list(items.select_related("department").order_by("department__code", "due_on", "id"))
    for item in items:
        item.is_overdue = item.overdue_on(today)
    return render(request, "bulletins/duties.html", {
        "items": items, "letters": letters.select_related("department", "sent_by").prefetch_related("items")[:500],
        "overdue": sum(1 for i in items if i.is_overdue), "nav_current": "bulletins",
    })


@login_required
@require_GET
def publicity_page(request):
    rows = list(access.publicity_for(request.user).select_related("subdistrict").order_by("-year", "subdistrict__code"))
    totals = defaultdict(lambda: {"manuals": 0, "posters": 0, "briefings": 0})
    for row in rows:
        for field in ("manuals", "posters", "briefings"):
            totals[row.year][field] += getattr(row, field)
    return render(request, "bulletins/publicity.html", {
        "rows": rows, "totals": sorted(totals.items(), reverse=True), "nav_current": "bulletins"})


@login_required
def observation_page(request, period):
    access.reader(request.user)
    try:
        quarter = parse("quarterly", period)
    except BulletinPeriodError as exc:
        raise Http404(exc.message) from None
    judge = access.may_make(request.user)
    context = {"period": quarter.code, "may_judge": judge, "nav_current": "bulletins"}
    if request.method == "POST":
        person = access.check_maker(request.user)
        if person is None:
            raise Http404(_("A judge must be a person of the platform."))
        scores = {key[len("score-"):]: value for key, value in request.POST.items()
                  if key.startswith("score-") and value.strip()}
        try:
            verbs.enter_scores(quarter.code, scores, judge=person)
        except verbs.InputError as exc:
            context.update(error=exc.message, error_field=exc.field, form=request.POST)
            context.update(_observation_rows(request, quarter.code))
            return render(request, "bulletins/observation.html", context, status=400)
        messages.success(request, _("Scores of %(period)s saved.") % {"period": quarter.code})
        return redirect("bulletin-observation", quarter.code)
    context.update(_observation_rows(request, quarter.code))
    return render(request, "bulletins/observation.html", context)


def _observation_rows(request, period):
    from apps.people.access import person_for

    person = person_for(request.user)
    scores = ObservationScore.objects.filter(period=period, subdistrict__in=access.subdistricts_of(request.user))
    mine = {s.subdistrict_id: s.score for s in scores if person is not None and s.judge_id == person.pk}
    stats = {r["subdistrict"]: r for r in scores.values("subdistrict").annotate(n=Count("pk"), total=Sum("score"))}
    rows = []
    for area in access.subdistricts_of(request.user).order_by("code"):
        stat = stats.get(area.pk)
        rows.append({"code": area.code, "name": area.name, "mine": mine.get(area.pk),
                     "judges": stat["n"] if stat else 0,
                     "mean": (stat["total"] / stat["n"]).quantize(Decimal("0.01")) if stat else None})
    return {"rows": rows}

