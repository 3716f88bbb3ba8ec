from __future__ import annotations

from ninja.security import HttpBearer
from ninja.utils import check_csrf

from phongdich.accounts.actions import authenticate_token


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>`` from ``phongdich token USERNAME``."""

    def authenticate(self, request, token):
        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return user


class SessionOrToken(BearerToken):
    """Staff pages calling the API from the browser use their session; other clients a token."""

    def __call__(self, request):
        if request.headers.get("Authorization"):
            return super().__call__(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # A cookie authenticates the browser, not the page: unsafe methods need the CSRF token.
            if request.method not in {"GET", "HEAD", "OPTIONS"} and check_csrf(request):
                return None
            return user
        return None
