"""Shared fixtures.

The sample district (gis_data/district.gpkg) is loaded once into the test
database right after it is created, so every test sees the real 17 / 214 /
~1,500 / 644 / 281 / 1,405 numbers. Transactional tests (live server, Celery
worker) flush the database when they end; `district` reloads it for them.
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in the test thread; the ORM calls
# beside it are still synchronous and safe (stack.md).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "gis_data" / "district.gpkg"


def pytest_addoption(parser):
    parser.addoption(
        "--clock", metavar="YYYY-MM-DD[THH:MM]", default=os.environ.get("GRIDGOV_TEST_CLOCK") or None,
        help="run the suite with the clock set to this local time, ticking from there (make test-dates)",
    )


def pytest_configure(config):
    """--clock: every timezone.now(), localdate() and date.today() in this process starts at that moment."""
    value = config.getoption("clock")
    if not value:
        return
    import datetime as dt
    from zoneinfo import ZoneInfo

    import time_machine

    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("Asia/Shanghai"))  # settings.TIME_ZONE
    traveller = time_machine.travel(moment, tick=True)
    traveller.start()
    config.add_cleanup(traveller.stop)


def pytest_report_header(config):
    if config.getoption("clock"):
        return f"clock set to {config.getoption('clock')}"


def load_sample():
    call_command("load_district", str(SAMPLE), verbosity=0)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_sample()


@pytest.fixture
def district(request):
    """The loaded sample; reloaded for transactional tests that flushed it."""
    from apps.areas.models import District

    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and (
        marker.kwargs.get("transaction") or (marker.args and marker.args[0])
    )
    if transactional or "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        if not District.objects.exists():
            load_sample()
    else:
        request.getfixturevalue("db")
    return District.objects.get()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }
