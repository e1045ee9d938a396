"""Indicators the platform measures itself, shown beside the branch's self-assessment.

Three measures (Indicator.measure), each pure counting in the database:

- three_zero (平安法治星, 三零): cases reported in the branch's village/community
  during the period whose category counts as an escalated petition, a casualty
  accident or a criminal/major public-order case. Full points when all three
  kinds are zero; each kind with at least one case takes away
  THREE_ZERO_SHARE_PER_KIND of the points (one kind: 2/3 left, all three: 0).
  Rejected reports and merged duplicates are not incidents and are not counted.
  The case's stored community is used, so no point-in-polygon is redone.
- branch_strength (支部过硬星): a weak and lax (软弱涣散) branch gets 0; otherwise
  full points minus FINDING_SHARE per open inspection finding: a finding of
  the supervision app not signed off by the end of the period (or by today
  while it runs). The weak flag is set and cleared by supervision's
  weak-branch plans (`apps.stars.weakness`). Without the supervision app no
  findings are counted and the reason says so.
- ten_star_share (文明幸福星 / 幸福和谐星): the share of the community's rated
  households that are ten-star (十星文明户) in the period. A share of
  TEN_STAR_FULL_SHARE or more earns full points, linearly less below it.

A measure that cannot be taken yet (no case app, no category flagged for one
of the three kinds, no household rated) gives points None and a reason; the
task force then scores that indicator by hand.

`refresh_measured_scores(period)` writes the values as `Score(measured=True)`
rows on applications being scored or on public notice, never on decided ones;
a score a task force member entered by hand for that indicator is kept (their
judgement is the last word, e.g. a case that was not the branch's doing).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.stars.models import ALL_TEN, Assessment, AssessmentStatus, HouseholdRating, Indicator, Score

M = Indicator.Measure

# 三零: (kind, Category flag); a non-zero kind takes away this share of the points.
THREE_ZERO_KINDS = (("petition", "counts_as_petition"), ("accident", "counts_as_accident"),
                    ("crime", "counts_as_crime"))
THREE_ZERO_SHARE_PER_KIND = Decimal(1) / Decimal(3)
NOT_INCIDENTS = ("rejected", "merged")  # case statuses that are no incident at all
FINDING_SHARE = Decimal("0.2")  # per open inspection finding
TEN_STAR_FULL_SHARE = Decimal("0.05")  # 5% ten-star households earn full points
KIND_LABELS = {"petition": gettext_lazy("escalated petitions"), "accident": gettext_lazy("casualty accidents"),
               "crime": gettext_lazy("criminal cases")}
MEASURED_STATUSES = (AssessmentStatus.SCORING, AssessmentStatus.NOTICE)
TENTH = Decimal("0.1")


@dataclass
class Measurement:
    """One measured value: points (None when not yet measurable), the counts behind it, a reason."""

    points: Decimal | None
    detail: dict = field(default_factory=dict)
    reason: str = ""

    @property
    def measurable(self):
        return self.points is not None


def _tenth(value):
    return Decimal(value).quantize(TENTH, rounding=ROUND_HALF_UP)


# --- the formulas: plain numbers in, points out ------------------------------------------------


def three_zero_points(max_points, counts):
    """counts: {"petition": n, "accident": n, "crime": n}."""
    kinds_hit = sum(1 for kind, _flag in THREE_ZERO_KINDS if counts.get(kind))
    return _tenth(max(Decimal(max_points) * (1 - THREE_ZERO_SHARE_PER_KIND * kinds_hit), Decimal(0)))


def branch_strength_points(max_points, *, weak, open_findings):
    if weak:
        return Decimal(0)
    return _tenth(max(Decimal(max_points) * (1 - FINDING_SHARE * open_findings), Decimal(0)))


def ten_star_points(max_points, *, rated, ten_star):
    share = Decimal(ten_star) / Decimal(rated)
    return _tenth(Decimal(max_points) * min(share / TEN_STAR_FULL_SHARE, Decimal(1)))


# --- counting in the database, many communities at once ---------------------------------------


def period_bounds(period):
    """[start, end) of the period as aware datetimes in the platform's time zone."""
    start = timezone.make_aware(dt.datetime.combine(period.starts_on, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(period.ends_on + dt.timedelta(days=1), dt.time.min))
    return start, end


def three_zero_counts(period, community_ids):
    """({community id: {kind: cases}}, None) or (None, reason) when 三零 cannot be measured yet."""
    if not apps.is_installed("apps.cases"):
        return None, _("Case records are not available yet.")
    # Imported here: the cases app may be absent, and stars must not depend on it.
    Case = apps.get_model("cases", "Case")
    Category = apps.get_model("cases", "Category")
    flagged = Category.objects.aggregate(**{kind: Count("pk", filter=Q(**{flag: True}))
                                            for kind, flag in THREE_ZERO_KINDS})
    missing = [kind for kind, _flag in THREE_ZERO_KINDS if not flagged[kind]]
    if missing:
        return None, _("No case category counts as %(kinds)s yet.") % {
            "kinds": ", ".join(str(KIND_LABELS[k]) for k in missing)}
    start, end = period_bounds(period)
    rows = (
        Case.objects.filter(community_id__in=list(community_ids), reported_at__gte=start, reported_at__lt=end)
        .exclude(status__in=NOT_INCIDENTS)
        .values("community_id")
        .annotate(**{kind: Count("pk", filter=Q(**{f"category__{flag}": True}))
                     for kind, flag in THREE_ZERO_KINDS})
    )
    counts = {cid: {kind: 0 for kind, _flag in THREE_ZERO_KINDS} for cid in community_ids}
    for row in rows:
        counts[row.pop("community_id")] = row
    return counts, None


def ten_star_counts(period, community_ids):
    """{community id: (rated households, ten-star households)} for the period."""
    rows = (
        HouseholdRating.objects.filter(period=period, community_id__in=list(community_ids))
        .values("community_id")
        .annotate(rated=Count("pk"), ten=Count("pk", filter=Q(standards=ALL_TEN)))
    )
    counts = {cid: (0, 0) for cid in community_ids}
    counts.update({r["community_id"]: (r["rated"], r["ten"]) for r in rows})
    return counts


def open_findings(branch, period):
    """Open inspection findings of the branch, or None when the supervision app is not installed.

    `apps.supervision.findings.open_findings_count(branch, period)` counts them.
    """
    if not apps.is_installed("apps.supervision"):
        return None
    from apps.supervision.findings import open_findings_count  # noqa: PLC0415 (optional app)

    return open_findings_count(branch, period)



class Measurer:
    """Takes the measures for many branches of one period with a few grouped queries."""

    def __init__(self, period, branches):
        self.period = period
        self.community_ids = sorted({b.community_id for b in branches})
        self._three_zero = None
        self._ten_star = None

    def three_zero(self, branch, indicator):
        if self._three_zero is None:
            self._three_zero = three_zero_counts(self.period, self.community_ids)
        counts, reason = self._three_zero
        if counts is None:
            return Measurement(None, {}, reason)
        mine = counts[branch.community_id]
        points = three_zero_points(indicator.max_points, mine)
        text = ", ".join(f"{KIND_LABELS[k]} {mine[k]}" for k, _flag in THREE_ZERO_KINDS)
        if points == indicator.max_points:
            reason = _("Three zeros (三零) held this period: %(counts)s.") % {"counts": text}
        else:
            reason = _("Three zeros (三零) broken this period: %(counts)s.") % {"counts": text}
        return Measurement(points, dict(mine), reason)

    def branch_strength(self, branch, indicator):
        findings = open_findings(branch, self.period)
        points = branch_strength_points(indicator.max_points, weak=branch.weak, open_findings=findings or 0)
        if branch.weak:
            reason = _("Flagged weak and lax (软弱涣散): no points until it is signed off.")
        elif findings is None:
            reason = _("Not flagged weak and lax; inspection findings are not recorded here, none counted.")
        else:
            reason = _("Not flagged weak and lax; %(n)s inspection finding(s) not yet signed off.") % {"n": findings}
        return Measurement(points, {"weak": branch.weak, "open_findings": findings}, reason)

    def ten_star_share(self, branch, indicator):
        if self._ten_star is None:
            self._ten_star = ten_star_counts(self.period, self.community_ids)
        rated, ten = self._ten_star[branch.community_id]
        if not rated:
            return Measurement(None, {"rated": 0, "ten_star": 0},
                               _("No household of this village/community is rated in this period."))
        points = ten_star_points(indicator.max_points, rated=rated, ten_star=ten)
        share = Decimal(ten) / Decimal(rated)
        reason = _("%(ten)s of %(rated)s rated households are ten-star (%(share)s%%).") % {
            "ten": ten, "rated": rated, "share": _tenth(share * 100)}
        return Measurement(points, {"rated": rated, "ten_star": ten, "share": float(round(share, 4))}, reason)

    def measure(self, branch, indicator):
        return getattr(self, indicator.measure)(branch, indicator)


def measured_indicators(branch, period, star=None):
    """The platform's values for the branch's measured indicators in the period (optionally one star).

    A list of plain dicts, one per measured indicator, for the pages to show
    beside the self-assessment: star, criterion, indicator, name, measure,
    max_points, points (float, or None when not yet measurable), detail, reason.
    """
    indicators = (
        Indicator.objects.filter(criterion__period=period, criterion__kind=branch.community.kind)
        .exclude(measure=M.MANUAL)
        .select_related("criterion")
        .order_by("criterion__star", "code")
    )
    if star is not None:
        indicators = indicators.filter(criterion__star=star)
    measurer = Measurer(period, [branch])
    rows = []
    for indicator in indicators:
        value = measurer.measure(branch, indicator)
        rows.append({
            "star": indicator.criterion.star, "criterion": indicator.criterion.name, "indicator": indicator.code,
            "name": indicator.name, "measure": indicator.measure, "max_points": indicator.max_points,
            "points": float(value.points) if value.measurable else None, "measurable": value.measurable,
            "detail": value.detail, "reason": value.reason,
        })
    return rows


def refresh_measured_scores(period, *, at=None, assessment_ids=None):
    """Write the measured indicators of the period's applications being scored or on notice.

    1. Lock the applications still in scoring/notice (a decision taken meanwhile wins).
    2. Measure every measured indicator of their criteria, grouped per community.
    3. Write changed values as Score(measured=True); keep hand-entered scores;
       drop a measured row whose measure can no longer be taken.
    Idempotent: a second run with nothing changed writes nothing. Returns counts.
    """
    at = at or timezone.now()
    stats = {"assessments": 0, "written": 0, "unchanged": 0, "kept_manual": 0, "not_measurable": 0, "cleared": 0}
    candidates = Assessment.objects.filter(period=period, status__in=MEASURED_STATUSES,
                                           criterion__indicators__measure__gt="")
    if assessment_ids is not None:
        candidates = candidates.filter(pk__in=list(assessment_ids))
    # Notes are stored, so they are written in the platform's language, whoever runs this.
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        ids = list(Assessment.objects.select_for_update().filter(pk__in=candidates.values("pk"))
                   .values_list("pk", flat=True))
        assessments = list(Assessment.objects.filter(pk__in=ids).select_related("branch__community", "criterion"))
        stats["assessments"] = len(assessments)
        if not assessments:
            return stats
        indicators = {}
        for indicator in Indicator.objects.filter(criterion_id__in={a.criterion_id for a in assessments}).exclude(
                measure=M.MANUAL):
            indicators.setdefault(indicator.criterion_id, []).append(indicator)
        existing = {(s.assessment_id, s.indicator_id): s
                    for s in Score.objects.filter(assessment_id__in=ids, indicator__measure__gt="")}
        measurer = Measurer(period, [a.branch for a in assessments])
        for assessment in sorted(assessments, key=lambda a: a.pk):
            for indicator in indicators.get(assessment.criterion_id, ()):
                _write(stats, existing.get((assessment.pk, indicator.pk)), assessment, indicator,
                       measurer.measure(assessment.branch, indicator), at)
    return stats


def _write(stats, score, assessment, indicator, value, at):
    if score is not None and not score.measured:
        stats["kept_manual"] += 1
        return
    if not value.measurable:
        stats["not_measurable"] += 1
        if score is not None:
            score.delete()
            stats["cleared"] += 1
        return
    note = value.reason[:200]
    if score is not None and score.points == value.points and score.note == note:
        stats["unchanged"] += 1
        return
    Score.objects.update_or_create(
        assessment=assessment, indicator=indicator,
        defaults={"points": value.points, "measured": True, "note": note, "by": None, "at": at},
    )
    stats["written"] += 1

