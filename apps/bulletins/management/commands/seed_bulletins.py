"""manage.py seed_bulletins: sample bulletins, judges' scores, incentives, duty lists, publicity (idempotent)."""

from django.core.management.base import BaseCommand

from apps.bulletins.sample import seed


class Command(BaseCommand):
    help = "Seed the sample bulletins of past periods, incentives, duty lists and publicity; what exists is kept."

    def handle(self, *args, **options):
        counts = seed()
        self.stdout.write(", ".join(f"{key} {value}" for key, value in counts.items()))
