"""The on-call roster pages: who is on call now, the coming shifts, and (for the ward's and
province's officers) adding and removing shifts. Plain forms; fits a 360 px phone."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phongdich.accounts.jurisdiction import require_role
from phongdich.accounts.models import Role
from phongdich.care import roster
from phongdich.lib.errors import InputErrors
from phongdich.people.forms import errors_by_field
from phongdich.places.models import Ward


@login_required
def roster_home(request):
    """A ward-level account goes to its ward's roster; a province officer picks a ward."""
    require_role(request.user, *roster.READ_ROLES)
    if request.user.ward_id:
        return redirect("care:roster", ward_code=request.user.ward_id)
    code = request.GET.get("ward_code", "").strip()
    if code:
        ward = roster.access_roster_ward(request.user, code)
        return redirect("care:roster", ward_code=ward.pk)
    wards = Ward.objects.filter(province_id=request.user.province_id).order_by("name")
    return render(request, "care/roster_pick.html", {"wards": wards})


@login_required
def roster_page(request, ward_code: int):
    editing = request.method == "POST"
    ward = roster.access_roster_ward(request.user, ward_code, edit=editing)
    now = timezone.now()
    errors, status = {}, 200
    if editing:
        try:
            added = roster.do_add_shifts(ward, request.POST, actor=request.user, request=request)
        except InputErrors as exc:
            errors, status = errors_by_field(exc.errors), 422
        else:
            messages.success(request, _("%(n)s shift(s) saved.") % {"n": len(added)})
            return redirect("care:roster", ward_code=ward.pk)
    level, people = roster.escalation_recipients(ward.pk, now)
    return render(
        request,
        "care/roster.html",
        {
            "ward": ward,
            "shifts": roster.upcoming(ward, now),
            "level": level,
            "people": people,
            "staff": roster.staff_of(ward),
            "can_edit": request.user.role in (*roster.EDIT_ROLES, Role.ADMIN),
            "errors": errors,
            "values": request.POST if editing else {"date": roster.default_day(now).isoformat()},
            "now": now,
        },
        status=status,
    )


@login_required
@require_POST
def remove_shift(request, shift_id: int):
    shift = roster.access_shift(request.user, shift_id)
    roster.do_remove_shift(shift, actor=request.user, request=request)
    messages.success(request, _("Shift removed."))
    return redirect("care:roster", ward_code=shift.ward_id)
