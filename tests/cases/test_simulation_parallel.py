"""simulate_cases from two processes (PostGIS): the same year as from one."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from apps.cases.models import Case

pytestmark = pytest.mark.django_db(transaction=True)


def rows():
    return sorted(
        Case.objects.filter(source=Case.Source.SIMULATION).values_list(
            "client_id", "status", "closure", "grid__code", "category__code", "reported_at", "department__code",
            "closed_at", "merged_into__client_id", "rework_count",
        )
    )


def test_two_processes_make_the_same_year_as_one(district):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes one writer: there the simulation runs in one process")
    call_command("seed_cases", verbosity=0)
    out = StringIO()
    call_command("simulate_cases", "--cases", "150", "--workers", "2", verbosity=0, stdout=out)
    two = rows()
    assert len(two) == 150 and "simulated 150 cases" in out.getvalue()
    call_command("simulate_cases", "--cases", "150", "--workers", "1", "--clear", verbosity=0, stdout=StringIO())
    assert rows() == two
