"""manage.py simulate_cases --plants: the plants step runs after the year and says what it planted."""

from io import StringIO

import pytest
from django.core.management import call_command

from apps.cases.models import Case
from apps.cases.simulation_plants import PLANTS

pytestmark = pytest.mark.django_db


def test_simulate_cases_with_plants_reports_each_pattern(district, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_cases", verbosity=0)
    out = StringIO()
    call_command("simulate_cases", "--cases", "120", "--until", "2026-11-27", "--plants", verbosity=0, stdout=out)
    line = next(text for text in out.getvalue().splitlines() if text.startswith("planted: "))
    assert line == "planted: " + ", ".join(f"{code} {n}" for code, n in PLANTS.items())
    # New cases: 10 churn reports, 2 a fast verification, one a request; photos go on the year's own cases.
    made = PLANTS["reopen_churn"] + 2 * PLANTS["fast_verification"] + PLANTS["deadline_requests"]
    assert Case.objects.filter(source=Case.Source.SIMULATION).count() == 120 + made


def test_simulate_cases_without_plants_plants_nothing(district):
    call_command("seed_cases", verbosity=0)
    out = StringIO()
    call_command("simulate_cases", "--cases", "60", "--until", "2026-11-27", verbosity=0, stdout=out)
    assert "planted" not in out.getvalue()
    assert Case.objects.filter(source=Case.Source.SIMULATION).count() == 60
