"""Import household ten-star ratings (十星文明户) from a CSV or XLSX file for one period."""

from django.core.management.base import BaseCommand, CommandError

from apps.stars.households import HouseholdImportError, import_households
from apps.stars.models import Period


class Command(BaseCommand):
    help = ("Import household ratings: household code, community code, householder, then ten 0/1 columns "
            "named by the standards or one 达标星 column. Validates the whole file first; writes nothing on error.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV (UTF-8 or GBK) or XLSX file")
        parser.add_argument("--period", required=True, help="period code, e.g. 2026")
        parser.add_argument("--dry-run", action="store_true", help="validate only")

    def handle(self, *args, path, period, dry_run=False, **options):
        found = Period.objects.filter(code=period).first()
        if found is None:
            known = ", ".join(Period.objects.order_by("starts_on").values_list("code", flat=True)) or "none"
            raise CommandError(f"Unknown period {period} (known: {known}).")
        try:
            result = import_households(path, found, dry_run=dry_run)
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file.") from None
        except HouseholdImportError as exc:
            raise CommandError(f"nothing imported; {exc.total} problem(s):\n{exc}") from None
        verb = "checked (dry run)" if dry_run else "imported"
        self.stdout.write(
            f"{result['file']} ({result['format']}): {result['households']} households {verb} for {found.name} in "
            f"{result['communities']} villages/communities, {result['ten_star']} ten-star; "
            f"{result['created']} created, {result['updated']} updated, {result['unchanged']} unchanged"
        )
