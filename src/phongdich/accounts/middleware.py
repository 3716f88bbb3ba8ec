from django.shortcuts import redirect
from django.urls import reverse

OTP_SESSION_KEY = "phongdich_otp_ok"


class OtpRequiredMiddleware:
    """A user with two-factor login enabled is not logged in until the TOTP step succeeds."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "totp_enabled", False)
            and not request.session.get(OTP_SESSION_KEY)
        ):
            allowed = {reverse("accounts:totp_verify"), reverse("accounts:logout")}
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("accounts:totp_verify")
        return self.get_response(request)


SEEN_SESSION_KEY = "phongdich_seen"


class IdleTimeoutMiddleware:
    """A staff session ends after PHONGDICH_SESSION_IDLE_MINUTES without a request. The time of
    the last request is written at most once a minute, so a busy session is not saved every time."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import time

        from django.conf import settings
        from django.contrib.auth import logout

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            seen = request.session.get(SEEN_SESSION_KEY)
            if isinstance(seen, int) and now - seen > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
            elif not isinstance(seen, int) or now - seen >= 60:
                request.session[SEEN_SESSION_KEY] = now
        return self.get_response(request)
