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
