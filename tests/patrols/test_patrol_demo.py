"""The demo zone cadre (seed_demo's "cadre" login) gets the check-in control on /map/ for their zones."""

import pytest
from django.core.management import call_command

from apps.compounds.models import ZoneAssignment

pytestmark = pytest.mark.django_db


def test_demo_cadre_sees_the_check_in_control_for_their_zones(district, client):
    call_command("seed_demo", verbosity=0)
    from django.contrib.auth import get_user_model

    cadre = get_user_model().objects.get(username="cadre")
    client.force_login(cadre)
    html = client.get("/map/").content.decode()
    assert 'id="patrol-checkin"' in html and "patrol-checkin.js" in html
    for code in ZoneAssignment.objects.filter(cadre=cadre.person).values_list("zone__code", flat=True):
        assert code in html
    # A grid worker's map has no check-in control.
    client.force_login(get_user_model().objects.get(username="gridworker"))
    assert 'id="patrol-checkin"' not in client.get("/map/").content.decode()


def test_admin_lists_check_ins_read_only(district, admin_client):
    response = admin_client.get("/admin/patrols/patrol/")
    assert response.status_code == 200
    assert admin_client.get("/admin/patrols/patrol/add/").status_code == 403
