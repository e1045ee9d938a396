"""manage.py plan_zones: draft the zones of the district (or one community), print the report, apply with --apply."""

import json

from django.core.management.base import BaseCommand, CommandError

from apps.areas.models import Community
from apps.compounds import plan_common, zone_plans
from apps.compounds.management.commands._report import ZONING_ROWS, Progress, table


class Command(BaseCommand):
    help = (
        "Plan the zones (片区) of the district or one community: print the quality report of the draft beside "
        "the zones in force and what would change; --apply puts it in force (one transaction)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--community", metavar="CODE", help="12-digit community code (default: the district)")
        size = parser.add_mutually_exclusive_group()
        size.add_argument("--target", type=int, metavar="N", help="number of zones (default: as many as in force)")
        size.add_argument("--cap", type=int, metavar="HOUSEHOLDS", help="most households a zone may hold")
        parser.add_argument("--band", type=float, default=zone_plans.DEFAULT_BAND, metavar="M",
                            help="compounds within M metres may share a zone (default 200)")
        parser.add_argument("--apply", action="store_true", help="put the draft in force")
        parser.add_argument("--json", action="store_true", help="print JSON instead of tables")

    def handle(self, *args, **options):
        community = None
        if options["community"]:
            community = Community.objects.filter(code=options["community"]).first()
            if community is None:
                raise CommandError(f"No community with code {options['community']!r}.")
        params = {"band": options["band"]}
        for name in ("target", "cap"):
            if options[name] is not None:
                params[name] = options[name]
        progress = Progress("zoning", enabled=options["verbosity"] > 0, file=self.stderr._out)
        try:
            plan = zone_plans.make_zone_plan(community, params, by=None, progress=progress)
            diff = zone_plans.diff_of(zone_plans.resolve(plan))
            if options["apply"]:
                plan = zone_plans.apply_zone_plan(plan, by=None)
        except plan_common.PlanError as exc:
            raise CommandError(exc.message) from None
        finally:
            progress.close()
        if options["json"]:
            self.stdout.write(json.dumps({
                "plan": plan.pk, "status": plan.status, "params": plan.params, "report": plan.report,
                "report_in_force": plan.report_in_force, "diff": diff, "outcome": plan.outcome,
            }, ensure_ascii=False, indent=2, default=str))
            return
        scope = f"community {community.code} {community.name}" if community else "the district"
        self.stdout.write(f"Zoning draft #{plan.pk} of {scope}\n")
        self.stdout.write(table(ZONING_ROWS, [("draft", plan.report), ("in force", plan.report_in_force)]) + "\n")
        for problem in plan.report.get("problems", []):
            self.stdout.write(f"  ! {problem.get('message')}\n")
        self.stdout.write(
            f"\nCompared with the zones in force: {len(diff['kept'])} kept, {len(diff['new'])} new, "
            f"{len(diff['gone'])} retired, {len(diff['moved'])} compounds moved.\n"
        )
        if not options["apply"]:
            self.stdout.write("Not applied (use --apply).\n")
            return
        outcome = plan.outcome
        if outcome.get("unchanged"):
            self.stdout.write(self.style.SUCCESS("The zones in force already match this plan: nothing changed.\n"))
            return
        self.stdout.write(self.style.SUCCESS(
            f"Applied: {len(outcome['new'])} new zones, {len(outcome['retired'])} retired, "
            f"cadres of {len(outcome['carried'])} retired zones carried to their successors, "
            f"{len(outcome['released'])} cadres released; previous zones kept as plan #{outcome['history']}.\n"
        ))
        if outcome["short"]:
            short = ", ".join(f"{z['zone']} ({z['cadres']})" for z in outcome["short"][:20])
            more = f" and {len(outcome['short']) - 20} more" if len(outcome["short"]) > 20 else ""
            self.stdout.write(f"Zones short of cadres (run assign_cadres): {short}{more}\n")
