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


def bearer_user(request) -> object | None:
    """The staff member of an ``Authorization: Bearer`` header, for the few plain Django views
    an API client is sent to (the poster files ``POST /venues`` links to); None without one."""
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    return authenticate_token(raw.strip())


def anonymous(request) -> bool:
    """The last authenticator of a public operation (``auth=[SessionOrToken(), anonymous]``): a
    staff session or token, when valid, was accepted by the first. Reaching here means the caller
    is a citizen — including a staff browser whose request failed the CSRF check, which must not
    act with the staff member's rights. The OpenAPI schema marks such operations as open to
    anonymous callers (core.openapi)."""
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    return True


anonymous.openapi_anonymous = True  # type: ignore[attr-defined]

# Staff with their rights when they log in, anyone else as a citizen.
STAFF_OR_CITIZEN = [SessionOrToken(), anonymous]
