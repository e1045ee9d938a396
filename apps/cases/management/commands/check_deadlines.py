"""Run the deadline sweep once (the beat runs it every few minutes) and print what it changed."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.cases.tasks import mark_deadlines, sweep


class Command(BaseCommand):
    help = (
        "Mark cases yellow at 80% of their working time and red when overdue, notify the holding "
        "departments and escalate overdue cases to the area's leaders (督办). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", help="judge deadlines at this moment (ISO 8601, e.g. 2026-09-14T15:00+08:00)")
        parser.add_argument("--sweep", action="store_true",
                            help="also deliver every notification still pending in the outbox")

    def handle(self, *args, now=None, **options):
        moment = None
        if now:
            moment = parse_datetime(now)
            if moment is None:
                raise CommandError(f"--now={now!r} is not a date and time (ISO 8601, e.g. 2026-09-14T15:00+08:00)")
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        counts = mark_deadlines(moment)
        self.stdout.write(
            f"yellow: {counts['yellow']} case(s); red: {counts['red']} case(s); "
            f"escalated: {counts['escalated']} case(s)"
        )
        if options["sweep"]:
            self.stdout.write(f"outbox: {sweep(dt.timedelta(0))} notification(s) delivered")
