"""Staff pages about one person: their vaccination record, doses given elsewhere, the
post-vaccination observation, voiding a mistake, adverse events, and issuing the certificate."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import require_role
from phongdich.lib.errors import DomainError, InputErrors
from phongdich.lib.timeutil import VN_TZ
from phongdich.people.forms import errors_by_field
from phongdich.vaccination import adverse, certificates, doses, queries
from phongdich.vaccination.adverse import SYMPTOMS
from phongdich.vaccination.forms import dose_from_post, event_from_post
from phongdich.vaccination.models import (
    AdverseEvent,
    Certificate,
    Outcome,
    PersonStatus,
    Registration,
    Severity,
)
from phongdich.vaccination.queries import OFFICERS, VACCINATION_ROLES
from phongdich.vaccination.screening import deferrals_of
from phongdich.vaccination.views import PRODUCTS, flash, is_officer


def _person_context(request, person, **extra):
    rows = queries.person_doses(person)
    return {
        "person": person,
        "doses": rows,
        "status": PersonStatus.objects.filter(person=person).first(),
        "registration": Registration.objects.filter(person=person).select_related("ward").first(),
        "events": AdverseEvent.objects.filter(person=person).order_by("-onset_at"),
        "certificates": Certificate.objects.filter(person=person).order_by("-issued_at")[:10],
        "next_dose": sum(1 for d in rows if d.voided_at is None) + 1,
        "deferrals": deferrals_of(person),
        "products": PRODUCTS,
        "is_officer": is_officer(request.user),
        "can_record": request.user.role in {*VACCINATION_ROLES, "admin"},
        "now": timezone.now(),
        "values": {},
        "errors": {},
        **extra,
    }


@login_required
def person_record(request, person_id: int):
    person = queries.access_person(request.user, person_id)
    context = _person_context(request, person)
    audit.record(
        "view",
        request=request,
        obj=person,
        ward=person.ward,
        detail={"doses": len(context["doses"])},
    )
    return render(request, "vaccination/person.html", context)


@login_required
@require_POST
def person_dose(request, person_id: int):
    """Enter a dose given elsewhere (another province, a hospital, abroad) with its source."""
    require_role(request.user, *VACCINATION_ROLES)
    person = queries.access_person(request.user, person_id)
    try:
        dose, _created = doses.do_record_dose(
            person, dose_from_post(request.POST), actor=request.user, request=request
        )
    except InputErrors as exc:
        context = _person_context(
            request, person, values=request.POST, errors=errors_by_field(exc.errors)
        )
        return render(request, "vaccination/person.html", context, status=422)
    except DomainError as exc:
        flash(request, exc)
    else:
        messages.success(
            request,
            _("Dose %(number)s recorded for %(name)s.")
            % {"number": dose.dose_number, "name": person.full_name},
        )
    return redirect("vaccination:person", person_id=person.pk)


@login_required
@require_POST
def person_certificate(request, person_id: int):
    require_role(request.user, *OFFICERS)
    person = queries.access_person(request.user, person_id, *OFFICERS)
    try:
        _certificate, created = certificates.do_issue_certificate(
            person, actor=request.user, request=request, reissue=request.POST.get("reissue") == "1"
        )
    except DomainError as exc:
        flash(request, exc)
        return redirect("vaccination:person", person_id=person.pk)
    messages.success(
        request,
        _("Certificate issued.") if created else _("The current certificate is still valid."),
    )
    return redirect("vaccination:person", person_id=person.pk)


@login_required
@require_POST
def dose_observation(request, dose_id: int):
    require_role(request.user, *VACCINATION_ROLES)
    dose = queries.access_dose(request.user, dose_id)
    try:
        doses.do_finish_observation(
            dose,
            request.POST.get("result", ""),
            note=request.POST.get("note", ""),
            actor=request.user,
            request=request,
        )
    except InputErrors as exc:
        flash(request, exc)
    if request.POST.get("result") == "reaction":
        return redirect("vaccination:adverse_event_new", dose_id=dose.pk)
    if request.POST.get("next") == "session" and dose.session_id:
        return redirect("vaccination:session", session_id=dose.session_id)
    return redirect("vaccination:person", person_id=dose.person_id)


@login_required
@require_POST
def dose_void(request, dose_id: int):
    require_role(request.user, *OFFICERS)
    dose = queries.access_dose(request.user, dose_id)
    try:
        doses.do_void_dose(
            dose, request.POST.get("reason", ""), actor=request.user, request=request
        )
    except (InputErrors, DomainError) as exc:
        flash(request, exc)
    return redirect("vaccination:person", person_id=dose.person_id)


@login_required
@require_http_methods(["GET", "POST"])
def adverse_event_new(request, dose_id: int):
    dose = queries.access_dose(request.user, dose_id)
    context = {
        "dose": dose,
        "symptoms": list(SYMPTOMS.items()),
        "severities": Severity.choices,
        "outcomes": Outcome.choices,
        "values": {},
        "errors": {},
        "default_onset": timezone.now().astimezone(VN_TZ).strftime("%Y-%m-%dT%H:%M"),
    }
    if request.method == "POST":
        try:
            adverse.do_report_adverse_event(
                dose, event_from_post(request.POST), actor=request.user, request=request
            )
        except InputErrors as exc:
            context.update(values=request.POST, errors=errors_by_field(exc.errors))
            return render(request, "vaccination/adverse_event_form.html", context, status=422)
        except DomainError as exc:
            flash(request, exc)
        else:
            messages.success(request, _("Adverse event reported."))
        return redirect("vaccination:person", person_id=dose.person_id)
    return render(request, "vaccination/adverse_event_form.html", context)


@login_required
@require_POST
def adverse_event_outcome(request, event_id: int):
    event = queries.access_adverse_event(request.user, event_id)
    try:
        adverse.do_update_adverse_event(
            event,
            outcome=request.POST.get("outcome", ""),
            hospitalised=request.POST.get("hospitalised") == "on",
            actor=request.user,
            request=request,
        )
    except InputErrors as exc:
        flash(request, exc)
    if request.POST.get("next") == "list":
        return redirect("vaccination:adverse_events")
    return redirect("vaccination:person", person_id=event.person_id)
