"""Sample supervision data for the demo: the 40-village campaign, a research round, weak-branch plans."""

from django.core.management.base import BaseCommand

from apps.supervision.sample import seed


class Command(BaseCommand):
    help = "Seed the 四议两公开一监督 campaign, a part-done research round and one plan per weak branch (idempotent)."

    def handle(self, *args, **options):
        counts = seed()
        if counts.get("skipped"):
            self.stdout.write("supervision sample already there")
            return
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
