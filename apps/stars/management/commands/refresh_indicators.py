"""Refresh the measured indicators (三零, branch strength, ten-star share) now, as the hourly task does."""

from django.core.management.base import BaseCommand, CommandError

from apps.stars.indicators import refresh_measured_scores
from apps.stars.models import Period
from apps.stars.tasks import periods_to_refresh


class Command(BaseCommand):
    help = "Write the platform-measured indicator scores of applications being scored or on public notice."

    def add_arguments(self, parser):
        parser.add_argument("--period", help="period code (default: every period with applications in flight)")

    def handle(self, *args, period=None, **options):
        periods = periods_to_refresh()
        if period:
            periods = Period.objects.filter(code=period)
            if not periods.exists():
                raise CommandError(f"Unknown period {period}.")
        for p in periods:
            counts = refresh_measured_scores(p)
            self.stdout.write(f"{p.name}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
