"""Seed the five-star sample on the loaded district (idempotent; a second run adds nothing)."""

import csv
import datetime as dt
import time
from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apps.areas.models import Community, SubDistrict
from apps.stars import sample
from apps.stars.levels import counts_by_status, levels, summary
from apps.stars.models import ALL_TEN, TEN_STANDARDS, HouseholdRating, RedFlag
from apps.stars.sample_write import build_plan, seed


class Command(BaseCommand):
    help = ("Create the five-star sample: task force members, branch secretaries, three periods, targets, "
            "assessment history through the workflow, household ratings, five-good results and red flags.")

    def add_arguments(self, parser):
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                            help="Date the sample is made as of (YYYY-MM-DD; default: today).")
        parser.add_argument("--households-csv", metavar="PATH",
                            help="Only write 兴达路街道's current household ratings to PATH as CSV (UTF-8 with "
                                 "BOM, the import format) and stop.")

    def handle(self, *args, today=None, households_csv=None, **options):
        started = time.monotonic()
        try:
            if households_csv:
                return self.write_csv(households_csv, today)
            plan, periods, made = seed(today)
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        if options["verbosity"] < 1:
            return
        out = self.stdout.write
        out(f"task forces: {made['task_forces']} created; people: {made['people']} created "
            f"(branch secretaries, sub-district reviewers, task force members); periods: {made['periods']} created; "
            f"sub-district targets: {made['targets']} created; weak branches flagged: {made['weak']}")
        for code, period in periods.items():
            held = Counter(levels(period).values())
            statuses = counts_by_status(period)
            out(f"{period.name}: {made['applications'][code]} applications created; "
                f"levels " + " ".join(f"{n}★ {held.get(n, 0)}" for n in range(5, -1, -1)) + "; "
                + ", ".join(f"{s} {n}" for s, n in sorted(statuses.items())))
        current = periods[plan.current]
        district = summary(current, SubDistrict.objects.none())["district"]["progress"]
        out("targets " + ", ".join(f"{k}: held {v['held']} of {v['target']}, in pipeline {v['in_pipeline']}, "
                                   f"gap {v['gap']}" for k, v in district.items()))
        xingdalu = HouseholdRating.objects.filter(period=current, community__subdistrict__name=sample.XINGDALU)
        ratings = made["ratings"]
        out(f"household ratings: {ratings['created']} created, {ratings['updated']} updated, "
            f"{ratings['unchanged']} unchanged; {sample.XINGDALU} {current.name}: {xingdalu.count()} rated, "
            f"{xingdalu.filter(standards=ALL_TEN).count()} ten-star")
        out(f"five-good results: {made['five_goods']} created; red flags: {made['red_flags']} created, "
            f"{RedFlag.objects.filter(recalled_on__isnull=False).count()} recalled in all")
        measured = made["measured"]
        out(f"measured indicators ({current.name}): {measured['written']} written, {measured['unchanged']} "
            f"unchanged, {measured['not_measurable']} not yet measurable")
        out(f"done in {time.monotonic() - started:.1f} s")

    def write_csv(self, path, today):
        plan = build_plan(today or timezone.localdate())
        communities = set(Community.objects.filter(subdistrict__name=sample.XINGDALU).values_list("code", flat=True))
        rows = [r for r in plan.households[plan.current] if r[1] in communities]
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(["户编号", "村社区编码", "户主", *TEN_STANDARDS])
            for code, community, holder, bits in rows:
                writer.writerow([code, community, holder, *(int(bool(bits & (1 << i))) for i in range(10))])
        self.stdout.write(f"wrote {len(rows)} households ({sum(r[3] == ALL_TEN for r in rows)} ten-star) to {path}")

