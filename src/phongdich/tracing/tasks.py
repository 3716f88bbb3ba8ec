"""Re-run the search for open cases: check-ins uploaded late (offline scanners) join the lists."""

from datetime import timedelta

from django.utils import timezone

from phongdich.portal.schedule import periodic
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
