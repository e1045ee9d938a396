"""manage.py border_report: the bulk count agrees with what each report stored, and --store restores it."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.cases.models import Case

N = 300
UNTIL = "2026-11-27"  # the simulated period's pinned end (see tests/cases/test_simulation.py)

pytestmark = pytest.mark.django_db


def border_report(*args):
    out = StringIO()
    call_command("border_report", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def without_text(border):
    return {k: v for k, v in border.items() if k != "rule_text"}


def test_the_bulk_count_matches_the_reports_and_store_rebuilds_the_candidates(district):
    call_command("seed_cases", verbosity=0)
    call_command("simulate_cases", "--cases", str(N), "--until", UNTIL, verbosity=0, stdout=StringIO())
    simulated = Case.objects.filter(source=Case.Source.SIMULATION)
    flagged = dict(simulated.filter(near_border=True).values_list("pk", "border"))
    assert 0 < len(flagged) < N  # the sample district's grids are small: some reports are near a border

    report = border_report()
    assert report["cases"] == N and report["near_border"] == len(flagged)
    assert report["stored_flags"] == {"agree": N, "near_not_stored": 0, "stored_not_near": 0}
    assert sum(report["by_level"].values()) == report["near_border"]
    assert sum(s["near_border"] for s in report["by_subdistrict"]) == report["near_border"]
    assert sum(s["cases"] for s in report["by_subdistrict"]) == N
    levels = {pk: b["levels"] for pk, b in flagged.items()}
    assert report["by_level"]["subdistrict"] == sum("subdistrict" in lv for lv in levels.values())
    assert report["by_level"]["zone"] == sum(lv == ["zone"] for lv in levels.values())

    # Cases stored before border routing carry no flags: counted all the same, and --store writes them.
    simulated.update(near_border=False, border={})
    again = border_report("--store")
    assert again["near_border"] == len(flagged) and again["stored"] == len(flagged)
    assert again["stored_flags"]["near_not_stored"] == len(flagged)
    rebuilt = dict(simulated.filter(near_border=True).values_list("pk", "border"))
    assert {pk: without_text(b) for pk, b in rebuilt.items()} == {pk: without_text(b) for pk, b in flagged.items()}

    # A wider distance finds more; zero is refused.
    assert border_report("--metres", "60")["near_border"] > len(flagged)
    with pytest.raises(CommandError):
        border_report("--metres", "0")
