"""Logins that bring the person along: token authentication for phones, the session backend for pages.

DRF's TokenAuthentication reads the token and its user in one query; every API
view then asks for the user's person (`people.access.person_for`), a second
query on each request. Here token, user and person come in one query, compiled
once (apps.areas.compiled.fetch_one): a phone's report spent more of its time
building this query than PostgreSQL took to answer it.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from apps.areas.compiled import fetch_one


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        # A user without a person comes back with "no person" cached, so
        # person_for() answers None without asking again.
        token = fetch_one(self.get_model(), {"key": key}, related=("user", "user__person"))
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token


class PersonBackend(ModelBackend):
    """Django's model backend, reading a logged-in user's person with the user.

    Every page and API call of a session asks for the person behind the user
    (their role and area); loading it with the user saves that query each time.
    """

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("person").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
