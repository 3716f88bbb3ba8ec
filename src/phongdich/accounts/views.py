from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phongdich.accounts import actions
from phongdich.accounts.audit_labels import action_label, record_label, role_label
from phongdich.accounts.forms import AuditFilterForm, LoginForm, TotpForm
from phongdich.accounts.middleware import OTP_SESSION_KEY
from phongdich.accounts.queries import access_audit_events, filter_audit_events

NEXT_SESSION_KEY = "phongdich_after_otp"


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return "accounts:dashboard"


def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        attempt = actions.do_begin_login(username, request)
        if attempt is None:
            form.add_error(None, _("Too many failed attempts. Try again in a few minutes."))
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None:
                actions.do_record_login_failure(username, request)
                form.add_error(None, _("Wrong username or password."))
            else:
                actions.do_end_attempt(attempt)
                login(request, user)
                if user.totp_enabled:  # logged in (and audited) only after the second factor
                    request.session[NEXT_SESSION_KEY] = _next_url(request)
                    return redirect("accounts:totp_verify")
                actions.do_record_login(user, request)
                return redirect(_next_url(request))
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": request.GET.get("next", "")},
        status=200,
    )


def admin_login(request, extra_context=None):
    """Django admin's login is the staff login: one lockout, one two-factor step, one audit."""
    from urllib.parse import urlencode

    from django.urls import reverse

    target = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")


@require_POST
def logout_view(request):
    logout(request)
    return redirect("portal:home")


@login_required
def totp_verify(request):
    form = TotpForm(request.POST or None)
    user = request.user
    if request.method == "POST" and form.is_valid():
        attempt = actions.do_begin_totp(user, request)
        if attempt is None:
            # Too many wrong codes: the password step must be passed again after the lockout.
            logout(request)
            messages.error(request, _("Too many failed attempts. Try again in a few minutes."))
            return redirect("accounts:login")
        if actions.verify_totp(user, form.cleaned_data["code"]):
            actions.do_end_attempt(attempt)
            target = request.session.pop(NEXT_SESSION_KEY, "accounts:dashboard")
            request.session[OTP_SESSION_KEY] = True
            actions.do_record_login(user, request)
            return redirect(target)
        actions.do_record_totp_failure(user, request)
        form.add_error("code", _("The code is not correct."))
    return render(request, "accounts/totp_verify.html", {"form": form})


@login_required
def totp_setup(request):
    user = request.user
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if actions.do_enable_totp(user, form.cleaned_data["code"], request):
            request.session[OTP_SESSION_KEY] = True
            messages.success(request, _("Two-factor login is on."))
            return redirect("accounts:dashboard")
        form.add_error("code", _("The code is not correct."))
    if (not user.totp_secret or request.method == "GET") and not user.totp_enabled:
        actions.do_start_totp(user)
    uri = ""
    svg = ""
    if not user.totp_enabled:
        import pyotp

        uri = pyotp.TOTP(user.totp_secret).provisioning_uri(
            name=user.username, issuer_name="PhongDich"
        )
        svg = segno.make(uri, error="m").svg_inline(scale=4)
    return render(
        request,
        "accounts/totp_setup.html",
        {"form": form, "secret": user.totp_secret, "qr_svg": svg, "uri": uri},
    )


@login_required
def dashboard(request):
    from phongdich.core.dashboard import dashboard_context

    return render(request, "accounts/dashboard.html", dashboard_context(request.user))


@login_required
def audit_log(request):
    qs = access_audit_events(request.user)
    form = AuditFilterForm(request.GET or None)
    if form.is_valid():
        qs = filter_audit_events(qs, form.cleaned_data)
    page = Paginator(qs.select_related("ward"), 50).get_page(request.GET.get("page"))
    for event in page:  # what the codes mean, for people; the codes stay in the filter
        event.action_label = action_label(event.action)
        event.role_label = role_label(event.actor_role)
        event.record_label = record_label(event.object_type)
    return render(request, "accounts/audit_log.html", {"form": form, "page": page})
