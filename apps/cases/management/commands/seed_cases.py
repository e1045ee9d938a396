"""Seed categories, office hours and the holiday calendar (idempotent; never overwrites edits)."""

import datetime as dt

from django.core.management.base import BaseCommand
from django.db import transaction

from apps.cases import defaults
from apps.cases.models import CalendarDay, Category, WorkingPeriod
from apps.people.models import Department


class Command(BaseCommand):
    help = "Create the default case categories, office hours and 2026 holidays where missing."

    @transaction.atomic
    def handle(self, *args, **options):
        departments = dict(Department.objects.values_list("name", "pk"))
        made = 0
        for code, kind, group, name, department, handle, verify, flag in defaults.CATEGORIES:
            _, created = Category.objects.get_or_create(
                code=code,
                defaults=dict(
                    kind=kind, group=group, name=name, default_department_id=departments.get(department),
                    handle_hours=handle, verify_hours=verify, counts_as_petition=flag == "petition",
                    counts_as_accident=flag == "accident", counts_as_crime=flag == "crime",
                    public=kind in defaults.PUBLIC_KINDS,
                ),
            )
            made += created
        periods = 0
        if not WorkingPeriod.objects.exists():
            WorkingPeriod.objects.bulk_create(
                WorkingPeriod(weekday=day, start=start, end=end)
                for day in range(5)
                for start, end in defaults.OFFICE_HOURS
            )
            periods = 10
        days = 0
        for name, (first, last) in defaults.HOLIDAYS_2026.items():
            day, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
            while day <= end:
                days += CalendarDay.objects.get_or_create(date=day, defaults={"kind": "holiday", "name": name})[1]
                day += dt.timedelta(days=1)
        for text in defaults.WORKDAYS_2026:
            days += CalendarDay.objects.get_or_create(
                date=dt.date.fromisoformat(text), defaults={"kind": "workday", "name": "调休上班"}
            )[1]
        self.stdout.write(f"categories: {made} created; working periods: {periods} created; calendar days: {days} created")
