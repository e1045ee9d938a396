"""manage.py seed_demo [--password P]: one demo login per role, on the loaded sample."""

from django.core.management.base import BaseCommand, CommandError

from apps.people.demo import DEFAULT_PASSWORD, SampleMissing, seed_demo_accounts


class Command(BaseCommand):
    help = "Create or update one demo login per role (run load_district first). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", default=DEFAULT_PASSWORD, help=f"password of every demo login (default {DEFAULT_PASSWORD})"
        )

    def handle(self, *args, password, **options):
        if len(password) < 8:
            raise CommandError("--password must have at least 8 characters.")
        try:
            accounts = seed_demo_accounts(password)
        except SampleMissing as error:
            raise CommandError(f"{error} Load the sample first: manage.py load_district gis_data/district.gpkg") from None
        rows = [("username", "role", "name", "area")] + [(a.username, a.role, a.name, a.area) for a in accounts]
        widths = [max(_width(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            cells = [row[i] + " " * (widths[i] - _width(row[i])) for i in range(3)]
            self.stdout.write("  ".join([*cells, row[3]]).rstrip())
        self.stdout.write(f"{len(accounts)} demo logins; password: {password}")


def _width(text):
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
