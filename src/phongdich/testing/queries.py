"""Reads for testing, scoped to the caller's jurisdiction (404 outside it)."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from phongdich.accounts.jurisdiction import area_q, require_role
from phongdich.accounts.models import Role
from phongdich.core.collation import vi_order
from phongdich.core.rules import get_rule
from phongdich.lib.errors import InputErrors
from phongdich.people.models import Person
from phongdich.testing.dorfman import Advice, best_pool_size
from phongdich.testing.errors import testing_error
from phongdich.testing.models import (
    Lab,
    Pool,
    PoolStatus,
    Result,
    RetestOrder,
    Sample,
    SampleStatus,
    SamplingSession,
    TargetKind,
)
from phongdich.testing.validation import parse_code

TESTING_ROLES = (Role.PROVINCE_OFFICER, Role.WARD_OFFICER, Role.LAB_TECHNICIAN)
OFFICERS = (Role.PROVINCE_OFFICER, Role.WARD_OFFICER)
LAB_ROLES = (Role.LAB_TECHNICIAN,)


def sessions_for(user: Any) -> QuerySet[SamplingSession]:
    require_role(user, *TESTING_ROLES)
    return SamplingSession.objects.filter(area_q(user, "ward")).select_related("ward")


def access_session(user: Any, session_id: int) -> SamplingSession:
    session = sessions_for(user).filter(pk=session_id).first()
    if session is None:
        raise Http404
    return session


def samples_for(user: Any) -> QuerySet[Sample]:
    require_role(user, *TESTING_ROLES)
    return Sample.objects.filter(area_q(user, "session__ward"))


def pools_for(user: Any) -> QuerySet[Pool]:
    require_role(user, *TESTING_ROLES)
    return Pool.objects.filter(area_q(user, "session__ward"))


def access_pool(user: Any, code_raw: str) -> Pool:
    code, error = parse_code(code_raw)
    pool = None if error else pools_for(user).select_related("session").filter(code=code).first()
    if pool is None:
        raise Http404
    return pool


def access_sample(user: Any, code_raw: str) -> Sample:
    code, error = parse_code(code_raw)
    sample = (
        None
        if error
        else (
            samples_for(user)
            .select_related("session", "person", "pool")
            .filter(tube_code=code)
            .first()
        )
    )
    if sample is None:
        raise Http404
    return sample


def access_code(user: Any, code_raw: str) -> Pool | Sample:
    """The pool or tube behind a scanned code; unknown and out-of-area codes look the same."""
    code, error = parse_code(code_raw)
    if error:
        raise InputErrors([error])
    pool = pools_for(user).select_related("session").filter(code=code).first()
    if pool is not None:
        return pool
    sample = samples_for(user).select_related("session", "person").filter(tube_code=code).first()
    if sample is None:
        raise InputErrors.one(
            "code",
            "unknown_code",
            "Không có ống mẫu hay mẫu gộp với mã này.",
            "No tube or pool has this code.",
        )
    return sample


def labs_for(user: Any) -> QuerySet[Lab]:
    """A technician works for their own labs; officers and administrators see labs by area."""
    if user.role == Role.LAB_TECHNICIAN:
        return Lab.objects.filter(staff=user)
    if user.role == Role.ADMIN:
        return Lab.objects.all()
    return (
        Lab.objects.filter(province_id=user.province_id) if user.province_id else Lab.objects.none()
    )


def lab_for(user: Any, lab_id: int | None = None) -> Lab | None:
    """The lab an action is done for: the one named, or a technician's only lab."""
    labs = labs_for(user).order_by("pk")
    if lab_id:
        lab = labs.filter(pk=lab_id).first()
        if lab is None:
            raise InputErrors.one(
                "lab",
                "unknown_lab",
                "Không có phòng xét nghiệm này.",
                "lab is not one of your laboratories.",
            )
        return lab
    if user.role != Role.LAB_TECHNICIAN:
        return None
    mine = list(labs[:2])
    if not mine:
        raise testing_error("no_lab")
    if len(mine) > 1:
        raise InputErrors.one(
            "lab",
            "required",
            "Hãy chọn phòng xét nghiệm.",
            "lab is required: you work for several laboratories.",
        )
    return mine[0]


def in_target_list(session: SamplingSession, person: Person) -> bool:
    if session.target_kind == TargetKind.HOUSEHOLDS:
        return person.ward_id == session.ward_id
    if session.target_kind == TargetKind.CONTACTS and session.target_case_id:
        from phongdich.tracing.models import Contact

        return Contact.objects.filter(case_id=session.target_case_id, person=person).exists()
    return False


def target_list(session: SamplingSession, limit: int = 1000) -> list[Person]:
    """The people the session is meant to reach: a ward's residents by household (address), or
    the contacts of a case. Walk-in sessions have none."""
    if session.target_kind == TargetKind.HOUSEHOLDS:
        people = Person.objects.filter(ward_id=session.ward_id).order_by("address", "full_name")
    elif session.target_kind == TargetKind.CONTACTS and session.target_case_id:
        people = Person.objects.filter(contacts__case_id=session.target_case_id).order_by(
            "full_name"
        )
    else:
        return []
    return list(people[:limit])


def recent_positivity(province_id: int, now: datetime | None = None) -> tuple[float, int, bool]:
    """(rate, results counted, assumed): positives among final results in the province over the
    last ``testing.prevalence_days``; the default rate while there are too few."""
    since = (now or timezone.now()) - timedelta(days=get_rule("testing.prevalence_days"))
    counts = Sample.objects.filter(
        session__ward__province_id=province_id,
        status=SampleStatus.RESOLVED,
        result_at__gte=since,
    ).aggregate(total=Count("pk"), positive=Count("pk", filter=Q(result=Result.POSITIVE)))
    total = counts["total"] or 0
    if total < get_rule("testing.prevalence_min_samples"):
        return get_rule("testing.default_prevalence"), total, True
    return counts["positive"] / total, total, False


def pool_advice(session: SamplingSession) -> dict[str, Any]:
    """Dorfman advice for the session: best pool size and the tests it is expected to save."""
    rate, counted, assumed = recent_positivity(session.ward.province_id)
    advice: Advice = best_pool_size(rate, get_rule("testing.max_pool_size"))
    people = Sample.objects.filter(session=session).count()
    return {
        "prevalence": rate,
        "percent": round(rate * 100, 2),
        "counted": counted,
        "assumed": assumed,
        "pool_size": advice.pool_size,
        "tests_per_person": advice.tests_per_person,
        "people": people,
        "expected_tests": advice.tests_for(people),
        "tests_saved": advice.tests_saved(people),
        "saved_per_100": advice.tests_saved(100),
        "advised": advice.pooling_advised,
        # The session's own figures only where pooling them saves a whole test: one sample
        # cannot be pooled, and "about 0 tests instead of 1" helps no one.
        "session_applies": people >= 2 and advice.tests_saved(people) >= 1,
    }


def work_list(user: Any, limit: int = 500) -> dict[str, list[Any]]:
    """What the lab has to do: receive closed pools and tubes, enter results, run retests."""
    require_role(user, *TESTING_ROLES)
    pools = pools_for(user).select_related("session").annotate(size=Count("samples"))
    single = (
        samples_for(user)
        .filter(pool__isnull=True, status=SampleStatus.COLLECTED, session__test_type="rt_pcr")
        .select_related("session")
    )
    retests = (
        RetestOrder.objects.filter(area_q(user, "sample__session__ward"), done_at__isnull=True)
        .select_related("sample", "pool", "sample__session")
        .order_by("ordered_at")
    )
    if user.role == Role.LAB_TECHNICIAN:
        mine = Q(lab__in=labs_for(user)) | Q(lab__isnull=True)
        pools, single, retests = pools.filter(mine), single.filter(mine), retests.filter(mine)
    return {
        "receive": [
            *pools.filter(status=PoolStatus.CLOSED).order_by("closed_at")[:limit],
            *single.filter(received_at__isnull=True).order_by("collected_at")[:limit],
        ],
        "result": [
            *pools.filter(status=PoolStatus.RECEIVED).order_by("received_at")[:limit],
            *single.filter(received_at__isnull=False).order_by("received_at")[:limit],
        ],
        "retest": list(retests[:limit]),
    }


def _hours(values: list[timedelta]) -> float | None:
    return round(statistics.median(values).total_seconds() / 3600, 1) if values else None


def turnaround(samples: QuerySet[Sample]) -> dict[str, Any]:
    """Median hours from sampling to the lab, in the lab, and in total, over final results."""
    rows = samples.filter(status=SampleStatus.RESOLVED).values_list(
        "collected_at", "received_at", "result_at"
    )
    to_lab, in_lab, total = [], [], []
    for collected, received, resulted in rows.iterator(chunk_size=5000):
        total.append(resulted - collected)
        if received is not None:
            to_lab.append(received - collected)
            in_lab.append(resulted - received)
    return {
        "results": len(total),
        "to_lab": _hours(to_lab),
        "in_lab": _hours(in_lab),
        "total": _hours(total),
    }


def turnaround_by_lab(user: Any, days: int = 30) -> list[dict[str, Any]]:
    since = timezone.now() - timedelta(days=days)
    recent = samples_for(user).filter(result_at__gte=since)
    figures = []
    for lab in labs_for(user).order_by(vi_order("name")):
        figures.append({"lab": lab, **turnaround(recent.filter(lab=lab))})
    return figures


def positives_for(user: Any, days: int = 7) -> QuerySet[Sample]:
    """Positive results of the user's area (where sampled, or where the person lives)."""
    require_role(user, *TESTING_ROLES)
    since = timezone.now() - timedelta(days=days)
    return (
        Sample.objects.filter(
            area_q(user, "session__ward") | area_q(user, "person__ward"),
            result=Result.POSITIVE,
            result_at__gte=since,
        )
        .select_related("person", "session", "case")
        .order_by("-result_at")
    )
