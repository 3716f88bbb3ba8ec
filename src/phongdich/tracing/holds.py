"""Visits of people linked to an open case (the case and its contacts) outlive the retention purge."""

from django.db.models import Q

from phongdich.checkpoints.actions import RETENTION_HOLDS
from phongdich.tracing.models import Case, CaseStatus, Contact


def open_case_people() -> Q:
    cases = Case.objects.filter(status=CaseStatus.OPEN).values("person_id")
    contacts = Contact.objects.filter(case__status=CaseStatus.OPEN).values("person_id")
    return Q(person_id__in=cases) | Q(person_id__in=contacts)


RETENTION_HOLDS.append(open_case_people)
