"""manage.py seed_demo: one login per role, repeatable, on the loaded sample."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from apps.areas.models import SubDistrict
from apps.people.models import Person, Role

USERNAMES = [
    "admin", "dispatcher", "dispatcher_hyl", "gridworker", "cadre",
    "handler", "taskforce", "inspector", "leader", "leader_hyl", "secretary",
]


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_creates_one_login_per_role_and_prints_them(district):
    output = seed()
    users = get_user_model().objects.filter(username__in=USERNAMES)
    assert users.count() == len(USERNAMES)
    for username in USERNAMES:
        assert username in output
    assert "gridgov-demo" in output
    people = {p.user.username: p for p in Person.objects.filter(user__in=users).select_related("user", "subdistrict")}
    assert people["admin"].user.is_superuser and people["admin"].user.is_staff
    assert not people["dispatcher"].user.is_staff
    assert people["dispatcher"].role == Role.DISPATCHER and people["dispatcher"].subdistrict is None
    assert people["dispatcher_hyl"].subdistrict.name == "花园路街道"
    assert people["leader_hyl"].role == Role.LEADER and people["leader_hyl"].subdistrict.name == "花园路街道"
    assert people["handler"].department.name == "区城市管理局"
    grids = list(people["gridworker"].grids.all())
    assert len(grids) == 2 and grids[0].community_id == grids[1].community_id
    # The cadre login is a cadre of the sample, with the zones it was given.
    assert people["cadre"].role == Role.ZONE_CADRE and people["cadre"].code.startswith("GB")
    assert people["cadre"].zones.exists()
    assert {p.role for p in people.values()} == set(Role.values)
    assert get_user_model().objects.get(username="inspector").check_password("gridgov-demo")


@pytest.mark.django_db
def test_seed_demo_twice_keeps_the_same_users_and_takes_a_new_password(district):
    seed()
    before = dict(get_user_model().objects.filter(username__in=USERNAMES).values_list("username", "pk"))
    people_before = Person.objects.count()
    seed("--password", "another-pass-9")
    after = dict(get_user_model().objects.filter(username__in=USERNAMES).values_list("username", "pk"))
    assert after == before
    assert Person.objects.count() == people_before
    assert Person.objects.filter(user__username="cadre").count() == 1
    assert get_user_model().objects.get(username="leader").check_password("another-pass-9")


@pytest.mark.django_db
def test_seed_demo_names_what_is_missing_and_writes_nothing(district):
    SubDistrict.objects.filter(name="花园路街道").update(name="改名街道")
    with pytest.raises(CommandError, match="花园路街道"):
        seed()
    assert not get_user_model().objects.filter(username__in=USERNAMES).exists()


@pytest.mark.django_db
def test_seed_demo_refuses_a_short_password(district):
    with pytest.raises(CommandError, match="--password"):
        seed("--password", "short")


@pytest.mark.django_db(transaction=True)
def test_seed_demo_on_an_empty_database_says_to_load_the_sample():
    call_command("flush", interactive=False, verbosity=0)
    with pytest.raises(CommandError, match="load_district"):
        seed()
    assert not get_user_model().objects.exists()
