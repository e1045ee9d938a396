"""manage.py assign_cadres: assign the cadres to the zones, print the report, apply with --apply."""

import json

from django.core.management.base import BaseCommand, CommandError

from apps.compounds import assignment_plans, plan_common
from apps.compounds.management.commands._report import ASSIGNMENT_ROWS, Progress, table
from apps.compounds.models import CADRES_PER_ZONE


class Command(BaseCommand):
    help = (
        "Assign the cadres sent down (下沉干部) to the zones: each zone its cadres, as close to their work units "
        "as the district allows, a head from the zone's sub-district office; --apply puts it in force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--per-zone", type=int, default=CADRES_PER_ZONE, metavar="N",
                            help=f"cadres a zone (default {CADRES_PER_ZONE})")
        parser.add_argument("--max-per-department", type=int, default=2, metavar="N",
                            help="most cadres of one department in a zone (default 2; 0: no limit)")
        parser.add_argument("--no-head", action="store_true", help="do not require a head from the sub-district office")
        parser.add_argument("--minimax", action="store_true", help="minimise the longest distance first")
        parser.add_argument("--apply", action="store_true", help="put the assignment in force")
        parser.add_argument("--json", action="store_true", help="print JSON instead of tables")

    def handle(self, *args, **options):
        if options["max_per_department"] < 0:
            raise CommandError("--max-per-department must be 0 (no limit) or more.")
        params = {
            "per_zone": options["per_zone"],
            "max_per_department": options["max_per_department"] or None,
            "head_from_office": not options["no_head"],
            "minimax": options["minimax"],
        }
        progress = Progress("assigning", enabled=options["verbosity"] > 0, file=self.stderr._out)
        try:
            progress(0, 2)
            plan = assignment_plans.make_assignment_plan(params, by=None)
            progress(1, 2)
            moved = assignment_plans.cadres_moved(plan)
            if options["apply"]:
                plan = assignment_plans.apply_assignment_plan(plan, by=None)
            progress(2, 2)
        except plan_common.PlanError as exc:
            raise CommandError(exc.message) from None
        finally:
            progress.close()
        if options["json"]:
            self.stdout.write(json.dumps({"plan": plan.pk, "status": plan.status, "params": plan.params, "moved": moved,
                                          "report": plan.report, "outcome": plan.outcome},
                                         ensure_ascii=False, indent=2, default=str))
            return
        self.stdout.write(f"Assignment draft #{plan.pk}\n")
        self.stdout.write(table(ASSIGNMENT_ROWS, [("draft", plan.report)]) + "\n")
        self.stdout.write(f"\nCompared with the assignments in force: {moved} cadres change zone.\n")
        costs = plan.report.get("rule_costs") or {}
        if costs:
            self.stdout.write("\nWhat each rule costs in total distance (m):\n")
            for rule, metres in costs.items():
                self.stdout.write(f"  {rule:<20} {'-' if metres is None else f'{metres:,.0f}'}\n")
        if not options["apply"]:
            self.stdout.write("Not applied (use --apply).\n")
            return
        if plan.outcome.get("unchanged"):
            self.stdout.write(self.style.SUCCESS("The assignments in force already match: nothing changed.\n"))
            return
        self.stdout.write(self.style.SUCCESS(
            f"Applied: {plan.outcome['moved']} cadres change zone; the previous assignment is kept as plan "
            f"#{plan.outcome['history']}.\n"
        ))
