"""Queries compiled once (apps/areas/compiled.py) answer what the ORM's own queries answer."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from apps.areas.compiled import IdSlot, Slot, compiled, fetch_one
from apps.cases.models import Category
from apps.people.models import Department, Person, Role

pytestmark = pytest.mark.django_db


def fields_of(instance):
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_fetch_one_builds_the_instances_select_related_builds(district):
    department = Department.objects.order_by("code").first()
    user = User.objects.create_user(username="phone", password="pw", is_staff=True)
    person = Person.objects.create(user=user, code="P-PHONE", name="张三", role=Role.GRID_WORKER, department=department)
    token = Token.objects.create(user=user)
    nobody = Token.objects.create(user=User.objects.create_user(username="no-person", password="pw"))
    for key in (token.key, nobody.key):
        expected = Token.objects.select_related("user__person").get(key=key)
        with CaptureQueriesContext(connection) as queries:
            got = fetch_one(Token, {"key": key}, related=("user", "user__person"))
            assert fields_of(got) == fields_of(expected)
            assert fields_of(got.user) == fields_of(expected.user)
            if key == token.key:
                assert fields_of(got.user.person) == fields_of(person)
            else:
                with pytest.raises(Person.DoesNotExist):
                    got.user.person  # noqa: B018 - cached as "no person", like select_related
        assert len(queries) == 1
    assert fetch_one(Token, {"key": "no such key"}, related=("user", "user__person")) is None


def test_fetch_one_converts_values_as_the_orm_does(district):
    from django.core.management import call_command

    call_command("seed_cases", verbosity=0)
    with_default = Category.objects.exclude(default_department=None).order_by("code").first()
    with_default.active = False  # a boolean SQLite returns as 0 or 1
    with_default.save(update_fields=["active"])
    got = fetch_one(Category, {"code": with_default.code}, related=("default_department",))
    assert fields_of(got) == fields_of(Category.objects.get(pk=with_default.pk)) and got.active is False
    assert fields_of(got.default_department) == fields_of(with_default.default_department)
    without = Category.objects.create(code="ZZ01", name="其他", kind="event", group="其他", default_department=None)
    assert fetch_one(Category, {"code": without.code}, related=("default_department",)).default_department is None


def test_a_slot_the_orm_would_rewrite_is_refused_when_compiling():
    # An id out of an integer column's range makes the ORM answer "no rows" without asking:
    # running that SQL with a real id would answer another question.
    out_of_range = IdSlot(-(2**63) - 1)
    with pytest.raises(RuntimeError):
        compiled(Person.objects.filter(pk=out_of_range), [out_of_range])
    name = Slot.named("name")
    sql, params = compiled(Person.objects.filter(name=name), [name])
    assert name in params
