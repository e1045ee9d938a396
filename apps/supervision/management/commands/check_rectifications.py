"""Turn overdue findings red and escalate them now (what the beat does every 15 minutes)."""

from django.core.management.base import BaseCommand

from apps.supervision.tasks import mark_overdue


class Command(BaseCommand):
    help = "Mark overdue rectifications red, put them in the look-back round and escalate to the 包保 leader."

    def handle(self, *args, **options):
        counts = mark_overdue()
        self.stdout.write(f"red: {counts['red']}, escalated: {counts['escalated']}")
