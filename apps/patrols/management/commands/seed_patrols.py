"""Sample patrol check-ins for the sample district's cadres, through the same verb as the API.

    manage.py seed_patrols [--weeks 8] [--until YYYY-MM-DD] [--seed 410105]

--until ends the period (nothing on or after that day; default today), so no
check-in lies in the future; the check-ins are a function of (seed, weeks,
until). Idempotent: a second run finds every planned check-in by its client id.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apps.patrols.checkin import CheckInError
from apps.patrols.seeding import DEFAULT_SEED, seed_patrols
from gridgov.commands import parse_until

MAX_WEEKS = 104


class Command(BaseCommand):
    help = "Make deterministic sample patrol check-ins for the zones' cadres (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--weeks", type=int, default=8, help="ISO weeks to fill, ending with the week "
                            "before --until's day (default 8)")
        parser.add_argument("--until", type=parse_until, default=None, metavar="YYYY-MM-DD",
                            help="end of the period, exclusive (default: today)")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")

    def handle(self, *args, weeks, until, seed, **options):
        if not 1 <= weeks <= MAX_WEEKS:
            raise CommandError(f"--weeks must be between 1 and {MAX_WEEKS}, got {weeks}.")
        if seed < 0:
            raise CommandError(f"--seed must be zero or positive, got {seed}.")
        until = until or timezone.localdate()
        try:
            result = seed_patrols(weeks=weeks, until=until, seed=seed)
        except CheckInError as exc:
            raise CommandError(exc.message) from exc
        if result.planned and not result.created:
            self.stdout.write(f"{result.planned} sample check-ins exist: nothing done")
        else:
            self.stdout.write(f"made {result.created} sample check-ins ({result.planned} planned) in the {weeks} "
                              f"weeks before {until.isoformat()}")
