"""A small cast for the signals (the `scene` fixture in conftest.py): two grids in two sub-districts, their workers and desks, a handler.

`Scene.case(...)` walks a case through the workflow at explicit times and
`Scene.photo(...)` stores a photo with the facts evidence checks write (a
tiny real JPEG), so each signal is tested on the rows it reads.
"""

import datetime as dt
import io
import math
from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from apps.areas.models import Grid
from apps.cases.intake import report_case
from apps.cases.models import Attachment, Category
from apps.cases.workflow import transition
from apps.people.models import Role

TZ = timezone.get_default_timezone()
START = dt.datetime(2026, 1, 1, tzinfo=TZ)
END = dt.datetime(2026, 12, 1, tzinfo=TZ)


def at(month, day, hour=9, minute=0, second=0):
    return dt.datetime(2026, month, day, hour, minute, second, tzinfo=TZ)


def shifted(point, east_m, north_m=0.0):
    return (point[0] + east_m / (111_320.0 * math.cos(math.radians(point[1]))), point[1] + north_m / 110_950.0)


def jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (120, 90, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


@dataclass
class Scene:
    grid: Grid
    other_grid: Grid
    worker: object
    other_worker: object
    centre: object
    dispatcher: object
    other_dispatcher: object
    handler: object
    leader: object
    admin: object
    category: Category
    other_category: Category

    def point(self, grid=None):
        p = (grid or self.grid).geom.point_on_surface
        return p.x, p.y

    def case(self, reported, *, point=None, grid=None, category=None, until="closed", verify_after=None):
        """A case reported at `reported` and walked to `until` ("handling", "handled", "closed") an hour a step."""
        grid = grid or self.grid
        lon, lat = point or self.point(grid)
        worker = self.worker if grid == self.grid else self.other_worker
        case, _ = report_case(by=worker, category=category or self.category, lon=lon, lat=lat,
                              description="路边暴露垃圾，需要清理", at=reported, notify=False)
        assert case.grid_id == grid.pk
        t = reported
        steps = [("register", self.centre, {}), ("dispatch", self.centre, {"department": self.handler.department}),
                 ("accept", self.handler, {})]
        if until in ("handled", "closed"):
            steps.append(("report_handled", self.handler, {"result": "已清理"}))
        for action, actor, params in steps:
            t += dt.timedelta(hours=1)
            transition(case, action, by=actor, at=t, notify=False, **params)
        if until == "closed":
            t = verify_after or t + dt.timedelta(hours=1)
            transition(case, "verify_pass", by=worker, at=t, notify=False)
        case.refresh_from_db()
        return case

    def photo(self, case, *, phash=0, distance_m=10.0, taken_at=None, action="report_handled"):
        event = case.events.filter(action=action).order_by("-at").first()
        data = jpeg()
        lon, lat = shifted((case.point.x, case.point.y), distance_m)
        photo = Attachment(case=case, event=event, content_type="image/jpeg", size=len(data),
                           uploaded_by=event.actor, phash=phash, exif="ok",
                           taken_at=taken_at or event.at - dt.timedelta(minutes=5),
                           taken_point=Point(lon, lat, srid=4326), distance_m=distance_m)
        photo.file.save("p.jpg", ContentFile(data), save=False)
        photo.save()
        return photo


