"""What the browser tests' casts share: people who log in through the form, and grids with a point well inside.

tests/ has no __init__.py: pytest puts each test file's folder on sys.path, so
the e2e files import this as `from e2e_cast import ...` (as tests/cast_helpers.py
is imported from tests/*/).
"""

from django.contrib.auth.models import User

from apps.areas.models import Grid
from apps.people.models import Person

PASSWORD = "e2e-cast-pw-1"
INSIDE_DEGREES = 0.0006  # about 60 m at 34.8° N


def person(username, role, *, grids=(), **fields):
    """A person with a login (username and code `username`, password PASSWORD), named `username` unless
    `name=` is given; `grids=` sets their grids. Other fields go to Person."""
    user = User.objects.create_user(username=username, password=PASSWORD)
    someone = Person.objects.create(user=user, code=username, name=fields.pop("name", username), role=role, **fields)
    if grids:
        someone.grids.set(grids)
    return someone


def inner_grids(n, *, among=300):
    """(grid, point) of the first `n` grids (by code, of the first `among`) whose point_on_surface lies
    well inside them, so a tap there cannot land next door."""
    found = []
    for grid in Grid.objects.select_related("community__subdistrict").order_by("code")[:among]:
        point = grid.geom.point_on_surface
        if grid.geom.boundary.distance(point) > INSIDE_DEGREES:
            found.append((grid, point))
            if len(found) == n:
                return found
    raise AssertionError(f"fewer than {n} grids with a point well inside them")


def inner_grid():
    """(grid, point) of the first grid with a point well inside it."""
    return inner_grids(1)[0]
