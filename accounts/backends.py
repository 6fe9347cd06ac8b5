"""The login throttle as an authentication backend: before any password is checked, an identifier or an address
that must wait (accounts.throttle) is refused. Placed right after django-axes' backend."""

from django.core.exceptions import PermissionDenied

from accounts import throttle
from accounts.audit import request_address


class LoginThrottleBackend:
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        wait = throttle.login_wait(username or "", request_address(request))
        if wait:
            request.fcsf_login_wait = wait
            raise PermissionDenied(throttle.wait_message(wait))
        return None  # no user of its own: the next backend checks the password (no `get_user` either)
