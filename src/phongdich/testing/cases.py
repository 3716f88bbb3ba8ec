"""A positive individual result opens the person's F0 case at once (tracing's own action).

The case is created inside the result's transaction, so a positive result never exists without
its case (and the ward officer sees it at once). The contact search, which reads many check-ins,
runs right after the commit, or in the worker when one file opens many cases. A periodic job
(``tasks.py``) catches any positive result still without a case.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import can_see_ward
from phongdich.lib.errors import DomainError, InputErrors
from phongdich.lib.timeutil import local_date
from phongdich.places.models import Ward
from phongdich.testing.models import Sample
from phongdich.tracing.actions import do_create_case, do_first_trace
from phongdich.tracing.models import Case, CaseSource, CaseStatus

log = logging.getLogger(__name__)
TRACE_AT_ONCE = 10


def trace_cases_now(case_ids: list[int]) -> int:
    """Run the contact search of each new case (tracing's own first pass: F1 at once, F2 inline
    or queued for the worker when there are many F1); returns cases traced."""
    cases = list(Case.objects.filter(pk__in=case_ids))
    for case in cases:
        do_first_trace(case)
    return len(cases)


def _trace(case_ids: list[int]) -> None:
    """A few new cases are traced right after the commit, so their contacts are listed at once;
    a file that opens many queues them for the worker (the queue row commits with the results),
    so that the lab's import does not wait for hundreds of contact searches."""
    if len(case_ids) <= TRACE_AT_ONCE:
        transaction.on_commit(lambda: trace_cases_now(case_ids))
    else:
        from phongdich.testing.tasks import trace_cases

        trace_cases.enqueue(case_ids)


def _open_case(
    sample: Sample, actor: Any, request: Any, wards: dict[int, Ward]
) -> tuple[Case | None, bool]:
    ward_code = sample.person.ward_id or sample.session.ward_id
    if ward_code not in wards:
        wards[ward_code] = Ward.objects.select_related("province").get(code=ward_code)
    ward = wards[ward_code]
    # A lab in one province may test someone living in another: the case still belongs to the
    # person's ward, created on behalf of the result rather than by the technician.
    on_behalf = actor if actor is not None and can_see_ward(actor, ward) else None
    try:
        case = do_create_case(
            person=sample.person,
            confirmed_at=sample.result_at,
            sample_date=local_date(sample.collected_at),
            source=CaseSource.TEST,
            notes=f"Xét nghiệm dương tính, ống {sample.tube_code}",
            ward_code=ward_code,
            actor=on_behalf,
            request=request,
            trace=False,
        )
    except DomainError as error:
        if error.code != "case_exists":
            raise
        return Case.objects.filter(person=sample.person, status=CaseStatus.OPEN).first(), False
    except InputErrors as error:
        log.warning("no case for positive sample %s: %s", sample.pk, error)
        if actor is not None:  # the periodic retry logs only, or it would audit every 5 minutes
            audit.record(
                "case_not_created",
                actor=actor,
                request=request,
                obj=sample,
                ward=ward,
                detail={"errors": [e.as_dict() for e in error.errors]},
            )
        return None, False
    return case, True


def do_open_cases(samples: list[Sample], *, actor: Any = None, request: Any = None) -> int:
    """Open (or join) the F0 case of each positive sample's person; returns cases created.

    Tracing audits each case it creates; the link from results to cases is audited once."""
    created: list[int] = []
    linked: list[Sample] = []
    wards: dict[int, Ward] = {}
    for sample in samples:
        case, new = _open_case(sample, actor, request, wards)
        if case is None:
            continue
        sample.case = case
        linked.append(sample)
        if new:
            created.append(case.pk)
    if not linked:
        return 0
    Sample.objects.bulk_update(linked, ["case"], batch_size=500)
    audit.record(
        "case_from_result",
        actor=actor,
        request=request,
        object_type="testing.sample",
        object_id=linked[0].pk if len(linked) == 1 else "",
        detail={"cases": {s.tube_code: s.case_id for s in linked}, "created": created},
    )
    if created:
        _trace(created)
    return len(created)
