"""Chinese first: the interface language comes from the switch, never from the browser.

Django's LocaleMiddleware follows Accept-Language, so a district computer with
an English browser would get English. Staff expect Simplified Chinese unless
they chose English with the switch (Django's set_language view, which stores
the choice in the language cookie).
"""

from django.conf import settings
from django.utils import translation


class SwitchLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.languages else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
