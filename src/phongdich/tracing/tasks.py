"""Background contact searches: the F2 of a new case with many F1, the people of an exposure
window an officer asked for, and an incremental re-run for open cases (check-ins uploaded late by
offline scanners join the lists)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_tasks import task

from phongdich.checkpoints.models import Visit
from phongdich.core.rules import get_rule
from phongdich.core.schedule import periodic
from phongdich.tracing.actions import do_trace_case
from phongdich.tracing.models import Case, CaseStatus, Contact, Level

PEOPLE_CHUNK = 500  # people per watermark query (parameters under SQLite's limit)


def has_new_visits(case: Case) -> bool:
    """Whether visits above the case's watermark (``traced_visit_id``, the highest visit id its
    last trace could see) can change its lists: a visit of the F0 or of an F1 (a new index
    interval), or a visit overlapping one of theirs at the same venue (a new F1 or F2). Both
    read the new visits by primary key first, a handful since the last 15-minute run, so the
    check costs two index lookups per case instead of a search."""
    max_visit = timedelta(hours=get_rule("tracing.max_visit_hours"))
    since = case.window_start - max_visit
    new = Visit.objects.filter(pk__gt=case.traced_visit_id, checked_in_at__gte=since)
    f1 = list(Contact.objects.filter(case=case, level=Level.F1).values_list("person_id", flat=True))
    people = [case.person_id, *f1]
    for begin in range(0, len(people), PEOPLE_CHUNK):
        some = people[begin : begin + PEOPLE_CHUNK]
        if new.filter(person_id__in=some).exists():
            return True
        beside = Visit.objects.filter(
            person_id__in=some,
            venue_id=OuterRef("venue_id"),
            checked_in_at__gte=since,
            checked_in_at__lt=OuterRef("ends"),
        ).filter(
            Q(checked_out_at__gt=OuterRef("checked_in_at"))
            | Q(checked_out_at__isnull=True, expected_out_at__gt=OuterRef("checked_in_at"))
        )
        if (
            new.annotate(ends=Coalesce("checked_out_at", "expected_out_at"))
            .filter(Exists(beside))
            .exists()
        ):
            return True
    return False


def needs_trace(case: Case, now: datetime) -> bool:
    if case.traced_at is None or case.traced_visit_id is None or case.f2_pending:
        return True
    # Late check-outs change a visit without a new id; a full run now and then picks them up.
    if case.traced_at < now - timedelta(hours=get_rule("tracing.full_retrace_hours")):
        return True
    return has_new_visits(case)


@periodic("tracing.retrace_open_cases", every_seconds=900)
def retrace_open_cases() -> int:
    """Re-trace the open cases whose windows received visits since their last trace; returns how
    many were searched again."""
    now = timezone.now()
    recent = now - timedelta(days=28)
    count = 0
    for case in Case.objects.filter(status=CaseStatus.OPEN, confirmed_at__gte=recent).iterator():
        if needs_trace(case, now):
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


@task()
def materialise_window(window_id: int) -> int:
    """List the people of an exposure window as F2, page by page (``exposure.materialise``)."""
    from phongdich.tracing.exposure import materialise

    return materialise(window_id)
