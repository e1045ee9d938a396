"""locate_many(): the bulk path agrees with locate(), ties and outside points included."""

import numpy as np
from django.contrib.gis.geos import MultiPolygon, Polygon

from apps.areas.locate import OutsideDistrict, locate, locate_many
from apps.areas.models import District, Grid


def one_by_one(points):
    answers = []
    for lon, lat in points:
        try:
            answers.append(locate(lon, lat).grid.pk)
        except OutsideDistrict:
            answers.append(None)
    return answers


def every_nth(items, limit):
    return items[:: max(1, len(items) // limit)][:limit]


def test_bulk_agrees_with_locate_on_random_border_and_outside_points(shared_vertices, shared_edge_midpoints):
    xmin, ymin, xmax, ymax = District.objects.get().geom.extent
    rng = np.random.default_rng(410105)
    # A margin around the district so that some random points fall outside it.
    pad = 0.02
    random = np.column_stack(
        [rng.uniform(xmin - pad, xmax + pad, 1500), rng.uniform(ymin - pad, ymax + pad, 1500)]
    ).tolist()
    outside = [(xmin - 0.1, ymin - 0.1), (xmax + 1, ymax), (0.0, 0.0)]
    border = every_nth(sorted(shared_vertices), 400) + every_nth(shared_edge_midpoints, 300)
    points = random + border + outside

    bulk = locate_many(points)
    assert bulk == one_by_one(points)
    assert bulk[-3:] == [None, None, None]
    assert None in bulk[:1500] and sum(pk is not None for pk in bulk) > 1000


def test_bulk_sees_grid_changes_made_after_the_tree_was_built(db):
    grid = Grid.objects.order_by("code").first()
    point = grid.geom.point_on_surface
    assert locate_many([(point.x, point.y)]) == [grid.pk]

    # Move the grid far away: the cached tree must notice the table changed.
    grid.geom = MultiPolygon(Polygon.from_bbox((10.0, 10.0, 10.001, 10.001)), srid=4326)
    grid.save(update_fields=["geom"])
    assert locate_many([(point.x, point.y), (10.0005, 10.0005)]) == [None, grid.pk]


def test_bulk_of_nothing_is_nothing(db):
    assert locate_many([]) == []
