"""The server's side of the offline report sheet (its scripts are tested in tests/e2e/test_offline_report.py).

The service worker at /sw.js, the libraries it and the queue load from
node_modules, the CSP that lets it run, the sheet's offline settings for the
reporter who gets them and not for the person who does not, and the answers
the queue relies on: a refused report keeps nothing, so the same client id is
sent again once the point is corrected, and a resend returns the one case.
"""

import json
import re
import uuid

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from apps.cases.models import Case
from apps.cases.offline import CACHES, OFFLINE_LAYERS, worker_config

pytestmark = pytest.mark.django_db


def client_for(person):
    client = Client()
    client.force_login(person.user)
    return client


def json_script(response, element_id):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', response.content.decode(), re.S)
    return json.loads(match.group(1)) if match else None


def worker_script_config(body):
    match = re.search(r"^const CONFIG = (\{.*\});$", body, re.M)
    assert match, "the worker carries its CONFIG line"
    return json.loads(match.group(1))


def test_the_service_worker_is_served_from_the_root_to_anyone_without_caching(client, district):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    body = response.content.decode()
    assert 'importScripts("/static/vendor/workbox-sw/workbox-sw.js");' in body
    config = worker_script_config(body)
    assert config == json.loads(json.dumps(worker_config()))
    assert config["pages"] == ["/map/"]
    assert config["api"]["locate"] == "/api/locate/" and config["api"]["cases"] == "/api/cases/"
    assert set(config["api"]["layers"]) == set(OFFLINE_LAYERS)
    assert config["signOut"] == ["/accounts/login/", "/accounts/logout/"]
    assert config["caches"] == CACHES
    assert client.post("/sw.js").status_code == 405


def test_the_worker_script_is_plain_javascript_with_no_template_left_in_it(client, district):
    body = client.get("/sw.js").content.decode()
    assert "{%" not in body and "{{" not in body and "&quot;" not in body


def test_every_library_the_worker_and_the_queue_load_is_installed(client, district):
    config = worker_script_config(client.get("/sw.js").content.decode())
    paths = [url.removeprefix("/static/") for url in config["workbox"].values()]
    paths += ["vendor/workbox-sw/workbox-sw.js", "vendor/idb/index.js"]
    for path in paths:
        assert finders.find(path), f"{path} is missing: run npm ci"
    # The queue imports idb by this relative path (frontend/static/js/report-queue.js).
    assert finders.find("js/report-queue.js")
    assert 'from "../vendor/idb/index.js"' in open(finders.find("js/report-queue.js"), encoding="utf-8").read()


def test_the_policy_lets_the_page_start_its_own_worker_only(cast):
    response = client_for(cast.worker).get("/map/")
    policy = response["Content-Security-Policy"]
    assert "worker-src 'self'" in policy
    assert "script-src 'self' 'nonce-" in policy


def test_the_reporter_gets_the_offline_sheet_and_the_dispatcher_does_not(cast):
    worker_page = client_for(cast.worker).get("/map/")
    offline = json_script(worker_page, "report-offline")
    assert offline["worker"] == "/sw.js"
    assert offline["zoom"] == 17 and offline["layers"] == list(OFFLINE_LAYERS)
    assert f'data-owner="{cast.worker.user.username}"' in worker_page.content.decode()
    assert 'class="outbox"' in worker_page.content.decode()
    dispatcher_page = client_for(cast.dispatcher).get("/map/")
    assert dispatcher_page.status_code == 200
    assert json_script(dispatcher_page, "report-offline") is None
    assert "report.js" not in dispatcher_page.content.decode()


def post_report(client, client_id, lon, lat, description="井盖缺失，行人有危险"):
    return client.post(
        "/api/cases/",
        {"client_id": client_id, "category": "E0101", "description": description, "lon": f"{lon:.7f}", "lat": f"{lat:.7f}"},
        HTTP_ACCEPT="application/json",
    )


def test_a_refused_queued_report_keeps_nothing_and_its_id_goes_through_once_the_point_is_moved(cast):
    client = client_for(cast.worker)
    client_id = str(uuid.uuid4())
    # Made offline at a point that is not the worker's: refused, with the field and a message naming the grid.
    refused = post_report(client, client_id, *cast.point(cast.other_grid))
    assert refused.status_code == 400
    assert refused.json()["field"] == "location"
    assert cast.other_grid.name in refused.json()["detail"]
    assert not Case.objects.filter(client_id=client_id).exists()
    # Moved into the worker's grid and sent again with the same id: one case.
    created = post_report(client, client_id, *cast.point())
    assert created.status_code == 201
    # The answer was lost and the queue sends it again: the same case, no second one.
    again = post_report(client, client_id, *cast.point())
    assert again.status_code == 200
    assert again.json()["number"] == created.json()["number"]
    assert Case.objects.filter(client_id=client_id).count() == 1


def test_a_queued_report_of_another_reporters_id_is_refused_as_taken(cast):
    client_id = str(uuid.uuid4())
    assert post_report(client_for(cast.worker), client_id, *cast.point()).status_code == 201
    # A colleague's phone with the same id (never from newUuid, but the server must hold): 409, nothing made.
    taken = post_report(client_for(cast.colleague), client_id, *cast.point())
    assert taken.status_code == 409
    assert taken.json()["code"] == "client_id_taken"
    assert Case.objects.filter(client_id=client_id).count() == 1
