"""The authentication backend: Django's own, behind the failed sign-in lock."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from . import lockout

UserModel = get_user_model()


class LockoutBackend(ModelBackend):
    """``ModelBackend`` whose every password check is counted by ``accounts.lockout``.

    One backend, so the lock holds on every path that calls ``authenticate()`` with a password:
    the login page, the API token endpoint, the admin's login. While the account or the client
    address is locked it raises ``PermissionDenied``, which makes ``authenticate()`` give up
    without checking the password (nor asking another backend). The pages and the API then ask
    ``lockout.lock_find`` whether to say "locked" rather than "wrong password".
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(UserModel.USERNAME_FIELD)
        if username is None or password is None:
            return None
        username = str(username)
        address = lockout.client_address(request)
        attempt = lockout.attempt_begin(username=username, address=address)
        if isinstance(attempt, lockout.Lock):
            raise PermissionDenied(attempt.message)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            lockout.attempt_fail(attempt, username=username, address=address)
        else:
            lockout.attempt_succeed(attempt)
        return user
