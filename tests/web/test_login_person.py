"""A session's user comes with their person (people.authentication.PersonBackend): no query per request for it."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.people.access import person_for
from apps.people.authentication import PersonBackend
from apps.people.models import Person, Role

pytestmark = pytest.mark.django_db


def test_the_user_comes_with_their_person_or_with_none():
    with_person = User.objects.create_user("with-person", password="pw")
    person = Person.objects.create(user=with_person, code="P-1", name="李四", role=Role.DISPATCHER)
    alone = User.objects.create_user("alone", password="pw")
    backend = PersonBackend()
    for user, expected in ((with_person, person), (alone, None)):
        loaded = backend.get_user(user.pk)
        with CaptureQueriesContext(connection) as queries:
            assert person_for(loaded) == expected
        assert len(queries) == 0


def test_an_inactive_or_unknown_user_is_nobody():
    user = User.objects.create_user("gone", password="pw", is_active=False)
    assert PersonBackend().get_user(user.pk) is None
    assert PersonBackend().get_user(10**9) is None


def test_a_page_of_a_logged_in_person_does_not_ask_for_the_person(client):
    user = User.objects.create_user("centre", password="pw")
    Person.objects.create(user=user, code="P-2", name="王五", role=Role.DISPATCHER)
    assert client.login(username="centre", password="pw")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/inbox/").status_code == 200
    assert not [q for q in queries.captured_queries if 'FROM "people_person"' in q["sql"]]
