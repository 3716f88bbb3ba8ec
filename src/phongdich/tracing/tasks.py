"""Background contact searches: the F2 of a new case with many F1, and a re-run for open cases
(check-ins uploaded late by offline scanners join the lists)."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from phongdich.core.schedule import periodic
from phongdich.tracing.actions import do_trace_case
from phongdich.tracing.models import Case, CaseStatus


@periodic("tracing.retrace_open_cases", every_seconds=900)
def retrace_open_cases() -> int:
    recent = timezone.now() - timedelta(days=28)
    count = 0
    for case in Case.objects.filter(status=CaseStatus.OPEN, confirmed_at__gte=recent).iterator():
        do_trace_case(case)
        count += 1
    return count


@task()
def trace_case(case_id: int) -> int:
    """The full search (F1 and F2) of a new case with many F1, queued when it was created."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        return 0
    return do_trace_case(case).f2
