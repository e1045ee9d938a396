"""Token authentication for phone clients that brings the person along.

DRF's TokenAuthentication reads the token and its user in one query; every API
view then asks for the user's person (`people.access.person_for`), a second
query on each request. Reading token, user and person in one query saves it.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            # A user without a person comes back with "no person" cached, so
            # person_for() answers None without asking again.
            token = model.objects.select_related("user__person").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token
