"""Simplified Chinese unless the user picked English with the switch; the browser's language is ignored."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user(username="lang-user", password="pw-lang-user")
    client.force_login(user)
    return client


def test_an_english_browser_still_gets_chinese(staff_client):
    response = staff_client.get("/map/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert "网格化治理平台" in response.content.decode()


def test_the_switch_gives_english_and_back(staff_client):
    staff_client.post("/i18n/setlang/", {"language": "en", "next": "/map/"})
    assert staff_client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    response = staff_client.get("/map/")
    assert response["Content-Language"] == "en"
    staff_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/map/"})
    assert staff_client.get("/map/")["Content-Language"] == "zh-hans"


def test_an_unknown_language_cookie_falls_back_to_chinese(staff_client):
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert staff_client.get("/map/")["Content-Language"] == "zh-hans"
