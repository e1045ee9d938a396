"""The case pages: who may open each one, and what it shows them (the scripts are tested in tests/e2e)."""

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.cases.models import Notification

pytestmark = pytest.mark.django_db

PAGES = ["/dispatch/", "/handle/", "/inbox/", "/evaluation/"]


def client_for(person):
    client = Client()
    client.force_login(person.user)
    return client


def json_script(response, element_id):
    pattern = rf'<script id="{element_id}" type="application/json">(.*?)</script>'
    match = re.search(pattern, response.content.decode(), re.S)
    assert match, f"no json_script #{element_id}"
    return json.loads(match.group(1))


@pytest.mark.parametrize("url", PAGES + ["/cases/20260101000001/"])
def test_every_page_sends_an_anonymous_visitor_to_log_in(client, url, district):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


@pytest.mark.parametrize(
    "who, status",
    [("dispatcher", 200), ("centre", 200), ("admin", 200), ("handler", 403), ("worker", 403), ("cadre", 403),
     ("leader", 403)],
)
def test_only_dispatchers_and_administrators_open_the_dispatch_desk(cast, who, status):
    response = client_for(getattr(cast, who)).get("/dispatch/")
    assert response.status_code == status
    if status == 200:
        tabs = re.findall(r'data-tab="(\w+)" data-query="([^"]+)"', response.content.decode())
        assert ("new", "status=reported") in tabs
        assert ("overdue", "queue=overdue&amp;ordering=handle_deadline") in tabs
        api = json_script(response, "case-api")
        assert api["cases"] == "/api/cases/" and api["action"] == "/api/cases/0000000000/actions/ACTION/"
        assert json_script(response, "desk-config")["desk"] == "dispatch"


def test_a_superuser_without_a_person_opens_the_dispatch_desk(cast, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="pw")
    client = Client()
    client.force_login(root)
    assert client.get("/dispatch/").status_code == 200


@pytest.mark.parametrize(
    "who, status", [("handler", 200), ("other_handler", 200), ("dispatcher", 403), ("worker", 403), ("admin", 403)]
)
def test_only_handlers_open_the_handling_desk(cast, who, status):
    response = client_for(getattr(cast, who)).get("/handle/")
    assert response.status_code == status
    if status == 200:
        assert json_script(response, "desk-config")["desk"] == "handle"
        assert 'data-tab="todo" data-query="queue=mine' in response.content.decode()


@pytest.mark.parametrize(
    "who, status",
    [("worker", 200), ("colleague", 200), ("dispatcher", 200), ("centre", 200), ("subdistrict_leader", 200),
     ("leader", 200), ("admin", 200), ("other_worker", 404), ("other_dispatcher", 404), ("handler", 404),
     ("other_handler", 404)],
)
def test_the_case_page_opens_for_those_who_see_the_case_and_is_404_for_the_rest(cast, who, status):
    case = cast.report()
    response = client_for(getattr(cast, who)).get(f"/cases/{case.number}/")
    assert response.status_code == status
    if status == 404:
        assert case.description not in response.content.decode()


def test_the_handling_department_sees_the_case_once_it_is_dispatched_and_the_other_never(cast, walk):
    case = walk("dispatched")
    assert client_for(cast.handler).get(f"/cases/{case.number}/").status_code == 200
    assert client_for(cast.other_handler).get(f"/cases/{case.number}/").status_code == 404


def test_an_unknown_case_number_is_404(cast):
    assert client_for(cast.dispatcher).get("/cases/19990101000001/").status_code == 404


def test_the_case_page_shows_the_timeline_in_order_with_people_notes_and_closure(cast, walk):
    case = walk("handled")
    from apps.cases.workflow import transition

    transition(case, "verify_fail", by=cast.colleague, note="垃圾仍未清运")
    transition(case, "report_handled", by=cast.handler, result="已彻底清运")
    transition(case, "verify_pass", by=cast.worker)
    response = client_for(cast.worker).get(f"/cases/{case.number}/")
    html = response.content.decode()
    assert re.findall(r'<li class="tl-item tl-\w+" data-action="(\w+)"', html) == [
        "report", "register", "dispatch", "accept", "report_handled", "verify_fail", "report_handled", "verify_pass",
    ]
    assert "垃圾仍未清运" in html
    assert cast.department.name in html  # who dispatched it where, and who handled it
    assert cast.colleague.name in html
    assert 'data-status="closed"' in html and 'data-closure="on_time"' in html
    config = json_script(response, "case-map-config")
    assert config["number"] == case.number
    assert config["point"] == pytest.approx([case.point.x, case.point.y])
    assert config["grid"]["type"] in ("Polygon", "MultiPolygon")


def test_the_case_page_serves_report_photos_through_the_access_checked_url(cast, media_root):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(buffer, "PNG")
    case = cast.report(photos=[SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")])
    photo = case.attachments.get()
    html = client_for(cast.worker).get(f"/cases/{case.number}/").content.decode()
    url = f"/api/cases/{case.number}/photos/{photo.pk}/"
    assert f'src="{url}"' in html
    assert "/media/" not in html


def deliver(person, case, kind="dispatch", read=False):
    now = timezone.now()
    return Notification.objects.create(
        recipient=person, case=case, kind=kind, text=f"案件 {case.number} {kind}", delivered_at=now,
        read_at=now if read else None,
    )


def test_the_inbox_lists_delivered_messages_of_the_person_only(cast):
    case = cast.report(notify=False)
    mine = deliver(cast.handler, case)
    seen = deliver(cast.handler, case, kind="red", read=True)
    Notification.objects.create(recipient=cast.handler, case=case, kind="yellow", text="未投递")  # still in the outbox
    deliver(cast.other_handler, case, kind="grant_extension")
    html = client_for(cast.handler).get("/inbox/").content.decode()
    assert mine.text in html
    # Newest first; the unread one is marked.
    assert re.findall(r'class="inbox-item( unread)?" data-id="(\d+)"', html) == [
        ("", str(seen.pk)), (" unread", str(mine.pk)),
    ]
    assert "未投递" not in html and "grant_extension" not in html
    assert f'href="/cases/{case.number}/"' in html


def test_the_header_badge_counts_unread_delivered_messages_in_one_query(cast):
    case = cast.report(notify=False)
    deliver(cast.dispatcher, case)
    deliver(cast.dispatcher, case, kind="return")
    deliver(cast.dispatcher, case, kind="red", read=True)
    Notification.objects.create(recipient=cast.dispatcher, case=case, kind="yellow", text="未投递")
    deliver(cast.centre, case, kind="escalated")
    client = client_for(cast.dispatcher)
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/dispatch/").content.decode()
    assert re.search(r'<span class="badge"[^>]*>2</span>', html)
    assert sum("cases_notification" in q["sql"] for q in queries.captured_queries) == 1


def test_no_badge_without_unread_messages_and_no_query_for_anonymous_pages(cast, client):
    html = client_for(cast.worker).get("/inbox/").content.decode()
    assert 'class="badge"' not in html
    with CaptureQueriesContext(connection) as queries:
        client.get("/accounts/login/")
    assert not any("cases_notification" in q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize(
    "who, shown, hidden",
    [
        ("dispatcher", ["map", "dispatch", "evaluation", "inbox"], ["handle"]),
        ("handler", ["map", "handle", "inbox"], ["dispatch", "evaluation"]),
        ("worker", ["map", "inbox"], ["dispatch", "handle", "evaluation"]),
        ("leader", ["map", "evaluation", "inbox"], ["dispatch", "handle"]),
        ("admin", ["map", "dispatch", "evaluation", "inbox"], ["handle"]),
    ],
)
def test_the_header_links_follow_the_role(cast, who, shown, hidden):
    html = client_for(getattr(cast, who)).get("/inbox/").content.decode()
    nav = re.search(r'<nav class="mainnav".*?</nav>', html, re.S).group(0)
    for key in shown:
        assert f'class="nav-{key}' in nav, key
    for key in hidden:
        assert f'class="nav-{key}' not in nav, key
    assert 'class="nav-inbox current"' in nav


@pytest.mark.parametrize(
    "who, status",
    [("leader", 200), ("subdistrict_leader", 200), ("centre", 200), ("dispatcher", 200), ("admin", 200),
     ("handler", 403), ("worker", 403), ("cadre", 403)],
)
def test_the_ranking_is_for_leaders_dispatchers_and_administrators(cast, who, status):
    assert client_for(getattr(cast, who)).get("/evaluation/").status_code == status


def close_elsewhere(cast):
    """A case of the other sub-district taken round the loop by the command centre."""
    from apps.cases.workflow import transition

    case = cast.report(grid=cast.other_grid, by=cast.other_worker)
    transition(case, "register", by=cast.centre)
    transition(case, "dispatch", by=cast.centre, department=cast.other_department)
    transition(case, "accept", by=cast.other_handler)
    transition(case, "report_handled", by=cast.other_handler)
    transition(case, "verify_pass", by=cast.other_worker)


def test_the_ranking_of_a_subdistrict_leader_holds_their_subdistrict_only(cast, walk):
    walk("closed")
    close_elsewhere(cast)
    period = timezone.localdate().strftime("%Y-%m")
    whole = client_for(cast.leader).get(f"/evaluation/?by=subdistrict&period={period}").content.decode()
    own = client_for(cast.subdistrict_leader).get(f"/evaluation/?by=subdistrict&period={period}").content.decode()
    rows = lambda html: re.findall(r'<tr data-code="(\d+)"', html)  # noqa: E731
    assert len(rows(whole)) == 17
    assert rows(own) == [cast.grid.community.subdistrict.code]
    # Only the whole-district reader chooses a sub-district.
    assert 'name="subdistrict"' in whole and 'name="subdistrict"' not in own


def test_the_ranking_shows_the_rates_as_bars_ranked_by_the_chosen_figure(cast, walk):
    walk("closed")
    period = timezone.localdate().strftime("%Y-%m")
    html = client_for(cast.centre).get(f"/evaluation/?by=department&period={period}&rank=closure_rate").content.decode()
    row = re.search(rf'<tr data-code="{cast.department.code}">(.*?)</tr>', html, re.S).group(1)
    assert '<td class="rank">1</td>' in row
    bar = r'data-key="closure_rate" data-value="1.0">\s*<div class="bar[^"]*"><i data-w="100.0"></i>'
    assert re.search(bar + r"<span>100.0%</span>", row)


def test_a_bad_period_is_a_400_that_says_what_is_wrong(cast):
    response = client_for(cast.leader).get("/evaluation/?period=last-week")
    assert response.status_code == 400
    assert "period=last-week" in response.content.decode()


def test_the_map_carries_the_report_form_for_reporters_only(cast):
    worker = client_for(cast.worker).get("/map/").content.decode()
    assert 'id="report"' in worker and 'data-can-verify="1"' in worker
    assert 'capture="environment"' in worker and "js/report.js" in worker
    cadre = client_for(cast.cadre).get("/map/").content.decode()
    assert 'id="report"' in cadre and 'data-can-verify="0"' in cadre and 'data-list="verify"' not in cadre
    for who in ("dispatcher", "handler", "leader"):
        assert 'id="report"' not in client_for(getattr(cast, who)).get("/map/").content.decode(), who
