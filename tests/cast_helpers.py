"""What the test casts share: people with a login, and cheap password hashing for them."""

import pytest
from django.contrib.auth.models import User

from apps.people.models import Person


def make_person(code, role, **fields):
    """A person with a login (username `code`, password "pw-<code>"), named `code` unless `name=` is given;
    `grids=` sets their grids."""
    user = User.objects.create_user(username=code, password="pw-" + code)
    grids = fields.pop("grids", ())
    person = Person.objects.create(user=user, code=code, name=fields.pop("name", code), role=role, **fields)
    if grids:
        person.grids.set(grids)
    return person


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The cast logs in with passwords; PBKDF2 costs ~0.2 s per user, MD5 keeps the permission story fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
