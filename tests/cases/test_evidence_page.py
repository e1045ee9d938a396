"""The case page's evidence panel: before and after side by side, for the verifier and the dispatcher only."""

import datetime as dt

import pytest
from django.test import Client
from evidence_photos import checked, photo

from apps.cases.evidence import attach_photos
from apps.cases.models import Case
from apps.cases.workflow import transition

pytestmark = pytest.mark.django_db


def page(person, case):
    client = Client()
    client.force_login(person.user)
    response = client.get(f"/cases/{case.number}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def flagged(cast, walk, media_root):
    """Handled with a photo without EXIF and a (stripped) copy of a photo on another grid's case; one report photo."""
    other = cast.report(by=cast.other_worker, grid=cast.other_grid, photos=[photo("o.jpg", 51)])
    case = walk("handling", photos=[photo("before.jpg", 52, taken=dt.datetime.now(dt.UTC), offset="+08:00")])
    event = transition(case, "report_handled", by=cast.handler, result="已清理")
    attach_photos(case, event, checked(photo("shot.jpg", 53), photo("copy.jpg", 51, quality=50)), by=cast.handler)
    case.refresh_from_db()
    return case, other


def test_the_dispatcher_sees_before_and_after_with_each_failed_check(cast, flagged):
    case, _other = flagged
    html = page(cast.dispatcher, case)
    assert 'id="evidence"' in html and 'data-flags="no_exif,duplicate"' in html
    before, after = html.split('class="ev-side ev-after"')
    assert before.count('class="ev-photo') == 1 and after.count('class="ev-photo') == 2
    assert 'data-problems="no_exif"' in after and 'data-problems="no_exif,duplicate"' in after
    assert 'id="send-back"' in html and "/actions/send_back/" in html


def test_a_duplicate_links_the_other_case_only_for_who_may_see_it(cast, flagged):
    case, other = flagged
    assert f'href="/cases/{other.number}/"' in page(cast.centre, case)
    hidden = page(cast.dispatcher, case)
    assert other.number not in hidden and 'data-problem="duplicate"' in hidden


def test_the_verifier_sees_the_panel_without_the_send_back_form(cast, flagged):
    case, _other = flagged
    html = page(cast.colleague, case)
    assert 'id="evidence"' in html and 'id="send-back"' not in html


def test_the_handler_and_a_worker_of_another_grid_do_not(cast, flagged):
    case, _other = flagged
    assert 'id="evidence"' not in page(cast.handler, case)
    client = Client()
    client.force_login(cast.other_worker.user)
    assert client.get(f"/cases/{case.number}/").status_code == 404


def test_no_send_back_form_once_the_case_moved_on(cast, flagged):
    case, _other = flagged
    Case.objects.filter(pk=case.pk).update(status="handling")
    assert 'id="send-back"' not in page(cast.dispatcher, case)
