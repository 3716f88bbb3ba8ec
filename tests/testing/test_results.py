"""Results and deconvolution: negative pools clear their members, positive pools order retests,
individual results resolve them, and a positive individual result opens the F0 case."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from phongdich.lib.errors import InputErrors
from phongdich.lib.timeutil import local_date
from phongdich.testing.models import (
    LabResult,
    Pool,
    PoolStatus,
    ResolvedVia,
    RetestOrder,
    Sample,
    SampleStatus,
)
from phongdich.testing.pooling import do_receive
from phongdich.testing.queries import work_list
from phongdich.testing.results import do_record_result
from phongdich.tracing.models import Case, CaseSource
from tests.testing.conftest import pooled, register


def record(code, result, tech, lab, **kw):
    return do_record_result(code, result, user=tech, lab=lab, **kw)


def test_it_resolves_every_member_of_a_negative_pool(session, ward_officer, lab_technician, lab):
    _samples, [pool] = pooled(session, ward_officer, 5, 5)
    do_receive(pool, lab=lab, actor=lab_technician)
    summary = record(pool.code, "negative", lab_technician, lab, ct=None)
    assert summary["pools_negative"] == 1 and summary["samples_resolved"] == 5
    assert summary["retests_ordered"] == 0 and summary["cases"] == 0
    pool.refresh_from_db()
    assert pool.status == PoolStatus.RESULTED and pool.result == "negative"
    for s in Sample.objects.filter(pool=pool):
        assert s.status == SampleStatus.RESOLVED and s.result == "negative"
        assert s.resolved_via == ResolvedVia.POOL and s.result_at == pool.result_at
        assert s.lab_id == lab.pk and s.received_at == pool.received_at
        assert s.released_at is not None
    assert not RetestOrder.objects.exists()


def test_a_positive_pool_orders_individual_retests_on_the_work_list(
    session, ward_officer, lab_technician, lab
):
    samples, [pool] = pooled(session, ward_officer, 4, 4)
    summary = record(pool.code, "dương tính", lab_technician, lab, ct="24,5")
    assert summary["pools_positive"] == 1 and summary["retests_ordered"] == 4
    pool.refresh_from_db()
    assert pool.result == "positive" and pool.ct_value == 24.5
    orders = RetestOrder.objects.filter(pool=pool)
    assert sorted(o.sample_id for o in orders) == sorted(s.pk for s in samples)
    assert all(o.done_at is None and o.lab_id == lab.pk for o in orders)
    assert set(Sample.objects.filter(pool=pool).values_list("status", flat=True)) == {"retest"}
    assert not Sample.objects.filter(pool=pool).exclude(result="").exists()  # not final yet
    listed = {o.sample.tube_code for o in work_list(lab_technician)["retest"]}
    assert listed == {s.tube_code for s in samples}


def test_individual_retests_resolve_the_orders_and_a_positive_opens_the_case(
    session, ward_officer, lab_technician, lab, django_capture_on_commit_callbacks
):
    samples, [pool] = pooled(session, ward_officer, 3, 3)
    record(pool.code, "positive", lab_technician, lab)
    first, second, third = samples
    record(first.tube_code, "negative", lab_technician, lab)
    record(second.tube_code, "negative", lab_technician, lab)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        summary = record(third.tube_code, "positive", lab_technician, lab, ct=21)
    assert summary["positives"] == 1 and summary["cases"] == 1
    assert callbacks, "the contact search runs after the commit"
    for s in (first, second, third):
        s.refresh_from_db()
        assert s.status == SampleStatus.RESOLVED and s.resolved_via == ResolvedVia.RETEST
    assert RetestOrder.objects.filter(done_at__isnull=True).count() == 0
    case = Case.objects.get()
    assert case.person_id == third.person_id and case.source == CaseSource.TEST
    assert case.sample_date == local_date(third.collected_at)
    assert case.ward_id == third.person.ward_id and case.traced_at is not None
    assert third.case_id == case.pk
    assert not work_list(lab_technician)["retest"]


def test_a_person_with_an_open_case_is_linked_to_it(session, ward_officer, lab_technician, lab):
    from phongdich.tracing.actions import do_create_case

    [sample] = register(session, ward_officer, 1)
    existing = do_create_case(
        person=sample.person,
        confirmed_at=timezone.now(),
        sample_date=local_date(timezone.now()),
        actor=ward_officer,
    )
    summary = record(sample.tube_code, "positive", lab_technician, lab)
    assert summary["cases"] == 0
    sample.refresh_from_db()
    assert sample.case_id == existing.pk and Case.objects.count() == 1


def test_an_unpooled_tube_gets_its_own_result(session, ward_officer, lab_technician, lab):
    [sample] = register(session, ward_officer, 1)
    do_receive(sample, lab=lab, actor=lab_technician)
    record(sample.tube_code, "negative", lab_technician, lab, ct=None)
    sample.refresh_from_db()
    assert sample.result == "negative" and sample.resolved_via == ResolvedVia.INDIVIDUAL
    assert sample.received_at <= sample.result_at


def test_a_tube_of_a_pool_without_a_positive_result_is_refused(
    session, ward_officer, lab_technician, lab
):
    samples, [pool] = pooled(session, ward_officer, 2, 2)
    with pytest.raises(InputErrors) as error:
        record(samples[0].tube_code, "negative", lab_technician, lab)
    assert error.value.errors[0].code == "sample_in_pool"
    record(pool.code, "negative", lab_technician, lab)
    with pytest.raises(InputErrors) as error:
        record(samples[0].tube_code, "positive", lab_technician, lab)
    assert error.value.errors[0].code == "already_resulted"
    record(samples[0].tube_code, "negative", lab_technician, lab)  # the same: nothing changes


def test_the_same_result_twice_changes_nothing(session, ward_officer, lab_technician, lab):
    _samples, [pool] = pooled(session, ward_officer, 3, 3)
    record(pool.code, "positive", lab_technician, lab)
    before = (LabResult.objects.count(), RetestOrder.objects.count())
    again = record(pool.code, "positive", lab_technician, lab)
    assert again["new"] == 0 and again["unchanged"] == 1 and again["batch"] is None
    assert (LabResult.objects.count(), RetestOrder.objects.count()) == before


def test_result_times_are_checked(session, ward_officer, lab_technician, lab):
    samples, [pool] = pooled(session, ward_officer, 2, 2)
    with pytest.raises(InputErrors) as error:
        record(pool.code, "negative", lab_technician, lab, time=timezone.now() + timedelta(hours=2))
    assert error.value.errors[0].code == "in_future"
    with pytest.raises(InputErrors) as error:
        record(
            pool.code,
            "negative",
            lab_technician,
            lab,
            time=samples[0].collected_at - timedelta(minutes=1),
        )
    assert error.value.errors[0].code == "before_collection"
    assert not Pool.objects.exclude(result="").exists()


def test_an_invalid_run_is_not_a_result(session, ward_officer, lab_technician, lab):
    _, [pool] = pooled(session, ward_officer, 2, 2)
    with pytest.raises(InputErrors) as error:
        record(pool.code, "invalid", lab_technician, lab)
    assert error.value.errors[0].code == "invalid_run"


def test_results_outside_the_area_are_unknown(
    session, ward_officer, other_lab_technician, other_lab
):
    _, [pool] = pooled(session, ward_officer, 2, 2)
    with pytest.raises(InputErrors) as error:
        record(pool.code, "negative", other_lab_technician, other_lab)
    assert error.value.errors[0].code == "unknown_code"


def test_the_periodic_jobs_catch_missing_cases_and_purge_old_uploads(
    session, ward_officer, lab_technician, lab
):
    from phongdich.testing.models import ResultUpload
    from phongdich.testing.tasks import cases_for_positives, purge_uploads

    [sample] = register(session, ward_officer, 1)
    record(sample.tube_code, "positive", lab_technician, lab)
    Case.objects.all().delete()  # as if the case could not be opened with the result
    assert cases_for_positives() == 1
    sample.refresh_from_db()
    assert sample.case_id == Case.objects.get().pk
    assert cases_for_positives() == 0  # idempotent
    for age in (2, 30):
        ResultUpload.objects.create(
            file_name="a.csv",
            sha256="x",
            data=b"",
            uploaded_by=lab_technician,
            uploaded_at=timezone.now() - timedelta(hours=age),
        )
    assert purge_uploads() == 1 and ResultUpload.objects.count() == 1
