"""The department admin places the office location (the work unit's point) on a Leaflet map."""

import re

import pytest
from django.urls import reverse

from apps.people.models import Department

pytestmark = pytest.mark.django_db


def change_url(department):
    return reverse("admin:people_department_change", args=[department.pk])


def test_office_location_is_edited_on_a_leaflet_map(client, district, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="root-pw-123"))
    department = Department.objects.get(code="D01")

    html = client.get(change_url(department)).content.decode()

    assert "leaflet/leaflet.js" in html
    assert "id_office_point-map" in html
    # The stored point is what the map widget starts from.
    textarea = re.search(r'<textarea id="id_office_point"[^>]*>([^<]*)', html).group(1)
    assert f"[ {department.office_point.x:.7f}, {department.office_point.y:.7f} ]" in textarea


def test_a_moved_office_is_saved_from_the_map_widget(client, district, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="root-pw-123"))
    department = Department.objects.get(code="D01")
    moved = '{"type": "Point", "coordinates": [113.6801, 34.8002]}'

    response = client.post(change_url(department), {
        "code": department.code, "name": department.name, "kind": department.kind, "subdistrict": "",
        "office_point": moved,
    })

    assert response.status_code == 302, response.content.decode()[:2000]
    department.refresh_from_db()
    assert (round(department.office_point.x, 4), round(department.office_point.y, 4)) == (113.6801, 34.8002)


def test_staff_without_admin_rights_cannot_open_it(client, district, django_user_model):
    client.force_login(django_user_model.objects.create_user("clerk", password="clerk-pw-123"))
    response = client.get(change_url(Department.objects.get(code="D01")))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
