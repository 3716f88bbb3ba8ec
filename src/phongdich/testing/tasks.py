"""Background work: a case for every positive result, no analyser file kept past a day, and
the contact search of cases opened in bulk."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from phongdich.core.schedule import periodic
from phongdich.testing.models import Result, ResultUpload, Sample


@periodic("testing.cases_for_positives", every_seconds=300)
def cases_for_positives() -> int:
    """Positive results are given their case when recorded; this catches any that were not."""
    from phongdich.testing.cases import do_open_cases

    recent = timezone.now() - timedelta(days=30)
    missing = list(
        Sample.objects.filter(
            result=Result.POSITIVE, case__isnull=True, result_at__gte=recent
        ).select_related("person", "session")[:1000]
    )
    return do_open_cases(missing) if missing else 0


@periodic("testing.purge_uploads", every_seconds=3600)
def purge_uploads() -> int:
    """Files previewed but never committed are deleted after a day."""
    old = timezone.now() - timedelta(days=1)
    return ResultUpload.objects.filter(uploaded_at__lt=old).delete()[0]


@task()
def trace_cases(case_ids: list[int]) -> int:
    """The contact search for cases a large result file opened (queued by ``cases.py``)."""
    from phongdich.testing.cases import trace_cases_now

    return trace_cases_now(case_ids)
