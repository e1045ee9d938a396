"""manage.py seed_demo_work: each demo login's first piece of work (after seed_demo, seed_cases, seed_stars, simulate_cases)."""

from django.core.management.base import BaseCommand, CommandError

from apps.people.demo import SampleMissing
from apps.people.demo_work import seed_demo_work


class Command(BaseCommand):
    help = "Give each demo login its first piece of work (a star to apply for, cases to accept and verify). Repeatable."

    def handle(self, *args, **options):
        try:
            rows = seed_demo_work()
        except SampleMissing as error:
            raise CommandError(str(error)) from None
        for row in rows:
            self.stdout.write(f"{row.username}: {row.what}")
