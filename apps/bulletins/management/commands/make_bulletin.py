"""manage.py make_bulletin --kind weekly|monthly|quarterly --period PERIOD [--out FILE.pdf]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.bulletins.making import make_bulletin
from apps.bulletins.periods import BulletinPeriodError
from apps.bulletins.render import render_pdf, render_xlsx


class Command(BaseCommand):
    help = ("Make (or remake) a bulletin: the weekly digest (2026-W47), the monthly bulletin (2026-11) or the "
            "quarterly observation ranking (2026-Q4). Making one twice replaces it.")

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=["weekly", "monthly", "quarterly"])
        parser.add_argument("--period", required=True, help="2026-W47, 2026-11 or 2026-Q4")
        parser.add_argument("--out", help="also write the bulletin to this file (.pdf or .xlsx)")
        parser.add_argument("--no-announce", action="store_true", help="do not tell the leaders' inboxes")

    def handle(self, *args, kind, period, out=None, no_announce=False, **options):
        if out and Path(out).suffix.lower() not in (".pdf", ".xlsx"):
            raise CommandError(f"--out {out}: give a .pdf or .xlsx file name.")
        try:
            bulletin, created = make_bulletin(kind, period, announce=not no_announce)
        except BulletinPeriodError as exc:
            raise CommandError(f"--{exc.field}: {exc.message}") from None
        self.stdout.write(f"{'made' if created else 'replaced'} {bulletin.kind} bulletin {bulletin.period} "
                          f"({bulletin.starts_on} to {bulletin.ends_on}, {len(bulletin.data['rows'])} sub-districts)")
        if out:
            path = Path(out)
            path.write_bytes(render_pdf(bulletin) if path.suffix.lower() == ".pdf" else render_xlsx(bulletin))
            self.stdout.write(f"wrote {path}")
