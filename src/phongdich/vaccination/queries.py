"""Reads for vaccination, scoped to the caller's jurisdiction (404 outside it, 403 for a role
that has no business here)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from phongdich.accounts.jurisdiction import area_q, require_role
from phongdich.accounts.models import Role
from phongdich.people.models import Person
from phongdich.vaccination.models import (
    AdverseEvent,
    Certificate,
    Dose,
    Registration,
    Screening,
    Session,
)

OFFICERS = (Role.PROVINCE_OFFICER, Role.WARD_OFFICER)
# Vaccinators record doses, screening and adverse events for sessions in their area.
VACCINATION_ROLES = (*OFFICERS, Role.VACCINATOR)
# Clinicians report and follow adverse events too.
AEFI_ROLES = (*VACCINATION_ROLES, Role.CLINICIAN)


def sessions_for(user: Any) -> QuerySet[Session]:
    require_role(user, *VACCINATION_ROLES)
    return Session.objects.filter(area_q(user, "ward")).select_related("ward")


def access_session(user: Any, session_id: int) -> Session:
    session = sessions_for(user).filter(pk=session_id).first()
    if session is None:
        raise Http404
    return session


def registrations_for(user: Any) -> QuerySet[Registration]:
    require_role(user, *VACCINATION_ROLES)
    return Registration.objects.filter(area_q(user, "ward")).select_related("person", "ward")


def access_registration(user: Any, registration_id: int) -> Registration:
    registration = registrations_for(user).filter(pk=registration_id).first()
    if registration is None:
        raise Http404
    return registration


def people_q(user: Any) -> Q:
    """People an account may see: living in its area, registered, screened or vaccinated there
    (a walk-in whose dose screening deferred is still someone the station looks after)."""
    if user.role == Role.ADMIN:
        return Q()
    return (
        area_q(user, "ward")
        | Q(pk__in=Registration.objects.filter(area_q(user, "ward")).values("person_id"))
        | Q(pk__in=Dose.objects.filter(area_q(user, "ward")).values("person_id"))
        | Q(pk__in=Screening.objects.filter(area_q(user, "ward")).values("person_id"))
    )


def access_person(user: Any, person_id: int, *roles: str) -> Person:
    require_role(user, *(roles or AEFI_ROLES))
    person = (
        Person.objects.filter(people_q(user)).select_related("ward").filter(pk=person_id).first()
    )
    if person is None:
        raise Http404
    return person


def find_people(user: Any, text: str, limit: int = 50) -> list[Person]:
    """Look a person up by CCCD, phone or name (folded) among the people the user may see."""
    from phongdich.lib.text import fold

    require_role(user, *VACCINATION_ROLES)
    text = text.strip()
    if len(text) < 3:
        return []
    digits = "".join(ch for ch in text if ch.isdigit())
    q = Q(name_folded__contains=fold(text))
    if len(digits) >= 9:
        q |= Q(id_number=digits) | Q(phone__endswith=digits.lstrip("0")[-9:])
    return list(
        Person.objects.filter(people_q(user))
        .filter(q)
        .select_related("ward")
        .order_by("full_name")[:limit]
    )


def doses_for(user: Any) -> QuerySet[Dose]:
    require_role(user, *AEFI_ROLES)
    return Dose.objects.filter(
        area_q(user, "ward") | Q(person__in=Person.objects.filter(people_q(user)))
    ).select_related("person", "ward")


def access_dose(user: Any, dose_id: int) -> Dose:
    dose = doses_for(user).filter(pk=dose_id).first()
    if dose is None:
        raise Http404
    return dose


def person_doses(person: Person) -> list[Dose]:
    return list(
        Dose.objects.filter(person=person)
        .select_related("ward", "session")
        .order_by("voided_at", "dose_number")
    )


def adverse_events_for(
    user: Any, *, severity: str = "", since: date | None = None, until: date | None = None
) -> QuerySet[AdverseEvent]:
    require_role(user, *AEFI_ROLES)
    from phongdich.lib.timeutil import local_day_bounds

    qs = AdverseEvent.objects.filter(area_q(user, "ward")).select_related("person", "ward", "dose")
    if severity:
        qs = qs.filter(severity=severity)
    if since:
        qs = qs.filter(onset_at__gte=local_day_bounds(since)[0])
    if until:
        qs = qs.filter(onset_at__lt=local_day_bounds(until)[1])
    return qs.order_by("-onset_at")


def access_adverse_event(user: Any, event_id: int) -> AdverseEvent:
    event = adverse_events_for(user).filter(pk=event_id).first()
    if event is None:
        raise Http404
    return event


def certificate_by_token(token: str) -> Certificate:
    """The holder's certificate: found by its unguessable token only (never by id)."""
    certificate = (
        Certificate.objects.select_related("person", "dose", "ward").filter(token=token).first()
        if token
        else None
    )
    if certificate is None:
        raise Http404
    return certificate


def registration_by_token(token: str) -> Registration:
    registration = (
        Registration.objects.select_related("person", "ward").filter(token=token).first()
        if token
        else None
    )
    if registration is None:
        raise Http404
    return registration
