"""The OpenAPI schema tells the truth: a property-based fuzzer (schemathesis) drives every operation.

The API runs in this process through its WSGI application (no network, no
server): requests come from `/api/schema/` itself, answers are checked against
it. Three roles take turns (a grid worker, who reports cases; a dispatcher, who
routes them; a leader, who reads everything) and Open311 POSTs carry a valid
api key. Any server error, any status the schema does not list and any body
that breaks its schema fails the test.

Nothing leaves the test database: every example runs inside the test's
transaction (no on_commit hook fires, so no Celery task is queued and no
notification is sent), uploads go to a temporary MEDIA_ROOT and the cache is a
local one.

The seed is fixed (`derandomize`) and the number of examples bounded (5 an
operation and role; the walk: 6 runs of 6 steps), so a run is reproducible and
takes about a minute per database on two cores. (schemathesis 4.32 draws the
data a link carries to the next step from true randomness, so the walk's later
steps may vary between runs; the fuzzing of single operations does not.)
"""

import json
import uuid
from collections import Counter

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from hypothesis.stateful import run_state_machine_as_test
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi import stateful
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from apps.areas.models import Grid
from apps.compounds.models import Zone
from apps.people.models import Person, Role
from cast_helpers import make_person

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
OPEN311_KEY = "fuzz-open311-key"
ROLES = ("grid_worker", "dispatcher", "leader")

# Bounded and reproducible: the same examples on every run.
FUZZ = hypothesis_settings(
    max_examples=5,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
STATEFUL = hypothesis_settings(
    max_examples=6,
    stateful_step_count=6,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def isolated(settings, tmp_path):
    """Uploads under a temporary directory, a process-local cache, and one known Open311 key.

    The WSGI handler closes the database connection when a request ends; Django's
    test client unhooks that, and so does this fixture, so each request runs in
    the test's transaction.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fuzz"}}
    settings.OPEN311_API_KEYS = [OPEN311_KEY]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["*"]
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def cast(django_db_setup, django_db_blocker):
    """{role: token key} for a grid worker (with a grid), a district dispatcher and a district leader.

    Made once for the module inside a transaction rolled back when the module ends
    (each test's own changes roll back to a savepoint within it), so the test
    database is left as the module found it.
    """
    with django_db_blocker.unblock():
        with transaction.atomic():
            call_command("seed_cases", verbosity=0)
            zone = Zone.objects.select_related("community").order_by("code").first()
            grid = Grid.objects.filter(community=zone.community).order_by("code").first()
            people = {
                "grid_worker": make_person("fuzz-gw", Role.GRID_WORKER, grids=[grid]),
                "dispatcher": make_person("fuzz-disp", Role.DISPATCHER),
                "leader": make_person("fuzz-lead", Role.LEADER),
            }
            yield {role: Token.objects.create(user=person.user).key for role, person in people.items()}
            transaction.set_rollback(True)


@pytest.fixture
def tokens(cast, db, isolated):
    return cast


@pytest.fixture(params=ROLES)
def role(request):
    return request.param


def load_schema():
    """The schema /api/schema/ serves, generated in-process (no query) and called through the WSGI application."""
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.renderers import JSONRenderer

    from gridgov.wsgi import application

    raw = json.loads(JSONRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    loaded = schemathesis.openapi.from_dict(raw)
    loaded.app = application
    loaded.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    return loaded


schema = load_schema()


def headers_for(case, key):
    """The role's token on the project's API; Open311 is public, its POST carries the api key."""
    if case.path.startswith("/open311/"):
        if case.method.upper() == "POST" and isinstance(case.body, dict):
            case.body["api_key"] = OPEN311_KEY
        return {}
    return {"Authorization": f"Token {key}"}


@schema.parametrize()
@FUZZ
def test_every_operation_answers_as_documented(case, tokens, role):
    case.call_and_validate(headers=headers_for(case, tokens[role]), checks=CHECKS)


def test_a_reported_case_is_walked_through_its_links(tokens, monkeypatch):
    """Stateful: the grid worker reports cases, then follows the receipt's links to the case and its actions.

    The fuzzer's own point and category would rarely fall inside the worker's
    grid, so each report it makes is moved to a point of that grid with a real
    category and a fresh client_id; everything else is generated.
    """
    receipt = schema.raw_schema["paths"]["/api/cases/"]["post"]["responses"]["201"]
    assert {"GetCase", "ActOnCase", "GetPhoto"} <= set(receipt["links"])
    worker = Person.objects.get(code="fuzz-gw")
    spot = worker.grids.get().geom.point_on_surface
    walked = Counter()
    # schemathesis 4.32 takes client_id for a reference to a "Client" no operation produces, so
    # would never start a walk with the report: tell it the report is an entry point.
    likely_root = stateful.is_likely_root_transition
    monkeypatch.setattr(
        stateful, "is_likely_root_transition",
        lambda operation, *args: operation.label == "POST /api/cases/" or likely_root(operation, *args),
    )

    class Walk(schema.include(path_regex=r"^/api/(cases|categories|departments)/").as_state_machine()):
        def before_call(self, case):
            if case.method.upper() == "POST" and case.path == "/api/cases/" and isinstance(case.body, dict):
                case.body.update(lon=spot.x, lat=spot.y, category="E0101", client_id=str(uuid.uuid4()))

        def get_call_kwargs(self, case):
            return {"headers": headers_for(case, tokens["grid_worker"])}

        def after_call(self, response, case):
            walked[case.method.upper(), case.path, response.status_code] += 1

        def validate_response(self, response, case, **kwargs):
            case.validate_response(response, checks=CHECKS)

    run_state_machine_as_test(Walk, settings=STATEFUL)
    assert walked["POST", "/api/cases/", 201], walked
    # Which linked operations the walk takes after a report depends on the exploration (the same
    # derandomized seed walks differently as the schema grows), but a step through a receipt's link
    # lands on the reported case: the case itself (200) or an action on it (an answer, not 404).
    followed = {path for (method, path, status), n in walked.items() if "{number}" in path and status != 404}
    assert followed & {"/api/cases/{number}/", "/api/cases/{number}/actions/{action}/"}, walked
