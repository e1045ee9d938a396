"""The `scene` of the signals' tests: see integrity_scene.py."""

import pytest
from cast_helpers import fast_password_hashing, make_person  # noqa: F401 (an autouse fixture)
from django.core.management import call_command
from integrity_scene import Scene

from apps.areas.models import Grid
from apps.cases.models import Category
from apps.people.models import Role


@pytest.fixture
def scene(district, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_cases", verbosity=0)
    category = Category.objects.get(code="E0101")
    grid = Grid.objects.select_related("community__subdistrict").order_by("code").first()
    subdistrict = grid.community.subdistrict
    other_grid = Grid.objects.exclude(community__subdistrict=subdistrict).order_by("code").first()
    return Scene(
        grid=grid,
        other_grid=other_grid,
        worker=make_person("worker", Role.GRID_WORKER, grids=[grid]),
        other_worker=make_person("other-worker", Role.GRID_WORKER, grids=[other_grid]),
        centre=make_person("centre", Role.DISPATCHER),
        dispatcher=make_person("dispatcher", Role.DISPATCHER, subdistrict=subdistrict),
        other_dispatcher=make_person("other-dispatcher", Role.DISPATCHER,
                                     subdistrict=other_grid.community.subdistrict),
        handler=make_person("handler", Role.HANDLER, department=category.default_department),
        leader=make_person("leader", Role.LEADER),
        admin=make_person("admin", Role.ADMINISTRATOR),
        category=category,
        other_category=Category.objects.filter(default_department=category.default_department)
        .exclude(pk=category.pk).order_by("code").first(),
    )
