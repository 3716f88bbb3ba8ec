"""The patient's self-report page, reached by the personal link (an opaque token: no personal
data in the URL). Plain HTML forms: it works on a cheap phone over 3G with JavaScript off.
Nothing personal is shown, so a leaked link reveals nobody; it only lets reports be added."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from phongdich.care import actions
from phongdich.care.forms import LABELS, report_values
from phongdich.care.models import Enrolment, EnrolmentStatus, ReportSource
from phongdich.care.reports import symptoms
from phongdich.core.ratelimit import check_rate
from phongdich.lib.errors import DomainError, InputErrors
from phongdich.lib.timeutil import local_date
from phongdich.people.forms import errors_by_field

REPORTS_PER_MINUTE = 30  # per client address: a family on one phone, not a script

UNITS = {
    "respiratory_rate": "lần/phút · /min",
    "pulse": "lần/phút · /min",
    "temperature_c": "°C",
    "spo2": "%",
    "spo2_repeat": "%",
    "systolic": "mmHg",
    "diastolic": "mmHg",
}


def enrolment_by_token(token: str) -> Enrolment:
    enrolment = (
        Enrolment.objects.select_related("ward").filter(token=token).first()
        if len(token) <= 64
        else None
    )
    if enrolment is None:
        raise Http404
    return enrolment


def _context(enrolment: Enrolment, **extra):
    today = local_date(timezone.now())
    form, version = actions.current_form(enrolment, today)
    catalogue = symptoms()
    return {
        "enrolment": enrolment,
        "active": enrolment.status == EnrolmentStatus.ACTIVE,
        "fields": [(name, LABELS[name], UNITS[name]) for name in form.fields],
        "symptom_list": [catalogue[c] for c in form.symptoms],
        "form_code": form.code,
        "form_version": version,
        "day_number": (today - enrolment.isolation_start).days + 1,
        "client_id": secrets.token_hex(16),
        "hotlines": settings.HOTLINES,
        "errors": {},
        "values": {},
        **extra,
    }


def report(request, token: str):
    enrolment = enrolment_by_token(token)
    if request.method != "POST" or enrolment.status != EnrolmentStatus.ACTIVE:
        return render(request, "care/public/report.html", _context(enrolment))
    check_rate(request, "care-report", REPORTS_PER_MINUTE)
    repeat_of = request.POST.get("repeat_of", "")
    try:
        values = report_values(request.POST)
        saved, evaluation = actions.do_submit_report(
            enrolment,
            values,
            source=ReportSource.SELF,
            client_id=request.POST.get("client_id", ""),
            repeat_of=int(repeat_of) if repeat_of.isdigit() else None,
        )
    except InputErrors as exc:
        return render(
            request,
            "care/public/report.html",
            _context(
                enrolment,
                errors=errors_by_field(exc.errors),
                values=request.POST,
                repeat_of=repeat_of,
            ),
            status=422,
        )
    except DomainError as exc:
        return render(
            request,
            "care/public/report.html",
            _context(enrolment, domain_error=exc),
            status=exc.status,
        )
    return render(
        request,
        "care/public/result.html",
        _context(enrolment, report=saved, evaluation=evaluation),
    )
