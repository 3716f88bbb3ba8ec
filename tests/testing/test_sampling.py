"""Sampling sessions, registering people at the site, tube codes and pool formation limits."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from phongdich.accounts.models import AuditEvent
from phongdich.core.models import Rule
from phongdich.core.rules import reset_cache
from phongdich.lib.codes import is_valid_code, new_code
from phongdich.lib.errors import DomainError, InputErrors
from phongdich.testing.actions import do_close_session, do_create_session, do_register_sample
from phongdich.testing.models import Pool, PoolStatus, Sample
from phongdich.testing.pooling import (
    do_add_to_pool,
    do_close_pool,
    do_create_pool,
    do_pool_samples,
    do_receive,
)
from phongdich.testing.queries import target_list
from tests.conftest import HAC_THANH, PERSON, QUANG_PHU
from tests.testing.conftest import SESSION, person_data, register


def codes(err) -> list[str]:
    return [e.code for e in err.value.errors]


def test_it_validates_a_session(ward_officer):
    with pytest.raises(InputErrors) as err:
        do_create_session(
            {
                "site": "",
                "ward_code": QUANG_PHU,
                "date": "hôm qua",
                "test_type": "pcr",
                "target_kind": "everyone",
            },
            actor=ward_officer,
        )
    assert set(codes(err)) == {"required", "outside_area", "not_date", "not_allowed"}


def test_a_contact_list_session_needs_a_case_of_the_area(ward_officer):
    data = {**SESSION, "date": timezone.localdate().isoformat(), "target_kind": "contacts"}
    with pytest.raises(InputErrors) as err:
        do_create_session(data, actor=ward_officer)
    assert codes(err) == ["unknown_case"]


def test_the_target_lists(ward_officer, citizen):
    from phongdich.tracing.actions import do_add_contact, do_create_case

    today = timezone.localdate()
    households = do_create_session(
        {**SESSION, "date": today, "target_kind": "households"}, actor=ward_officer
    )
    assert target_list(households) == [citizen]
    case = do_create_case(
        person_data={
            **PERSON,
            "full_name": "Trần Văn Bệnh",
            "id_number": "038185009999",
            "phone": "0912 999 999",
        },
        confirmed_at=timezone.now(),
        sample_date=today,
        actor=ward_officer,
    )
    do_add_contact(case, PERSON, actor=ward_officer)
    contacts = do_create_session(
        {**SESSION, "date": today, "target_kind": "contacts", "target_case_id": case.pk},
        actor=ward_officer,
    )
    assert target_list(contacts) == [citizen]
    sample, created = do_register_sample(contacts, actor=ward_officer, person=citizen)
    assert created and sample.person == citizen
    walk_in = do_create_session({**SESSION, "date": today}, actor=ward_officer)
    with pytest.raises(InputErrors) as err:
        do_register_sample(walk_in, actor=ward_officer, person=citizen)
    assert codes(err) == ["not_in_target"]


def test_it_registers_by_personal_qr_cccd_or_typed_details(session, ward_officer, citizen):
    by_qr, created = do_register_sample(session, actor=ward_officer, qr=f"PD1:{citizen.token}")
    assert created and by_qr.person == citizen and is_valid_code(by_qr.tube_code)
    again, created = do_register_sample(session, actor=ward_officer, id_number="038 185 001 234")
    assert not created and again.pk == by_qr.pk  # the same human: their first tube
    typed, created = do_register_sample(
        session, actor=ward_officer, person_data={**PERSON, "phone": "0912345678"}
    )
    assert not created and typed.pk == by_qr.pk  # matched like a check-in
    new, created = do_register_sample(session, actor=ward_officer, person_data=person_data(1))
    assert created and new.person != citizen
    assert AuditEvent.objects.filter(action="register_sample").count() == 2


def test_registration_errors_name_their_fields(session, ward_officer):
    with pytest.raises(InputErrors) as err:
        do_register_sample(session, actor=ward_officer, qr="PD1:nobody")
    assert codes(err) == ["unknown_qr"]
    with pytest.raises(InputErrors) as err:
        do_register_sample(session, actor=ward_officer, id_number="038185000000")
    assert codes(err) == ["unknown_id_number"]
    with pytest.raises(InputErrors) as err:
        do_register_sample(session, actor=ward_officer, person_data={"full_name": "A"})
    assert {e.field for e in err.value.errors} >= {"full_name", "birth_year", "gender"}
    with pytest.raises(InputErrors) as err:
        do_register_sample(
            session,
            actor=ward_officer,
            person_data=person_data(1),
            collected_at=timezone.now() + timedelta(hours=1),
        )
    assert codes(err) == ["in_future"]


def test_a_pre_printed_tube_code_is_checked_and_used_once(session, ward_officer):
    code = new_code()
    sample, _ = do_register_sample(
        session,
        actor=ward_officer,
        person_data=person_data(1),
        tube_code=code.lower()[:4] + "-" + code.lower()[4:],
    )
    assert sample.tube_code == code
    with pytest.raises(DomainError) as err:
        do_register_sample(session, actor=ward_officer, person_data=person_data(2), tube_code=code)
    assert err.value.code == "tube_in_use"
    with pytest.raises(DomainError) as err:
        do_register_sample(
            session, actor=ward_officer, person_data=person_data(1), tube_code=new_code()
        )
    assert err.value.code == "already_registered"
    typo = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(InputErrors) as err:
        do_register_sample(session, actor=ward_officer, person_data=person_data(3), tube_code=typo)
    assert codes(err) == ["check_failed"]


def test_a_closed_session_takes_nobody(session, ward_officer):
    do_close_session(session, actor=ward_officer)
    with pytest.raises(DomainError) as err:
        do_register_sample(session, actor=ward_officer, person_data=person_data(1))
    assert err.value.code == "session_closed"


def test_pools_fill_up_to_their_size_and_close(session, ward_officer):
    samples = register(session, ward_officer, 4)
    pool = do_create_pool(session, size=3, actor=ward_officer)
    for s in samples[:3]:
        do_add_to_pool(pool, s.tube_code, actor=ward_officer)
    pool.refresh_from_db()
    assert pool.status == PoolStatus.CLOSED and pool.samples.count() == 3
    with pytest.raises(DomainError) as err:
        do_add_to_pool(pool, samples[3].tube_code, actor=ward_officer)
    assert err.value.code == "pool_not_open"
    other = do_create_pool(session, size=2, actor=ward_officer)
    with pytest.raises(DomainError) as err:
        do_add_to_pool(other, samples[0].tube_code, actor=ward_officer)
    assert err.value.code == "already_pooled"


def test_a_pool_never_exceeds_the_configured_maximum(session, ward_officer):
    with pytest.raises(InputErrors) as err:
        do_create_pool(session, size=11, actor=ward_officer)
    assert codes(err) == ["out_of_range"]
    with pytest.raises(InputErrors):
        do_create_pool(session, size=1, actor=ward_officer)
    Rule.objects.create(key="testing.max_pool_size", value=5)
    reset_cache()
    with pytest.raises(InputErrors):
        do_pool_samples(session, size=6, actor=ward_officer)
    assert do_create_pool(session, actor=ward_officer).max_size == 5


def test_auto_pooling_groups_in_collection_order(session, ward_officer):
    samples = register(session, ward_officer, 11)
    pools = do_pool_samples(session, size=5, actor=ward_officer)
    assert [p.samples.count() for p in pools] == [5, 5]
    assert all(p.status == PoolStatus.CLOSED for p in pools)
    assert Sample.objects.filter(pool__isnull=True).count() == 1  # tested on its own
    assert do_pool_samples(session, size=5, actor=ward_officer) == []
    assert (
        len({s.tube_code for s in samples} | set(Pool.objects.values_list("code", flat=True))) == 13
    )


def test_only_rt_pcr_samples_are_pooled(ward_officer):
    rapid = do_create_session(
        {**SESSION, "date": timezone.localdate(), "test_type": "rapid_antigen"}, actor=ward_officer
    )
    with pytest.raises(DomainError) as err:
        do_create_pool(rapid, actor=ward_officer)
    assert err.value.code == "not_poolable"


def test_a_tube_from_another_session_or_already_received_stays_out(
    session, ward_officer, lab, lab_technician
):
    other = do_create_session({**SESSION, "date": timezone.localdate()}, actor=ward_officer)
    [stranger] = register(other, ward_officer, 1, start=50)
    [received] = register(session, ward_officer, 1)
    do_receive(received, lab=lab, actor=lab_technician)
    pool = do_create_pool(session, size=2, actor=ward_officer)
    with pytest.raises(DomainError) as err:
        do_add_to_pool(pool, stranger.tube_code, actor=ward_officer)
    assert err.value.code == "other_session"
    with pytest.raises(DomainError) as err:
        do_add_to_pool(pool, received.tube_code, actor=ward_officer)
    assert err.value.code == "not_poolable"
    with pytest.raises(DomainError) as err:
        do_close_pool(pool, actor=ward_officer)
    assert err.value.code == "empty_pool"


def test_receiving_is_idempotent_and_covers_the_pool(session, ward_officer, lab_technician, lab):
    samples = register(session, ward_officer, 2)
    [pool] = do_pool_samples(session, size=2, actor=ward_officer)
    item, new = do_receive(pool, lab=lab, actor=lab_technician)
    assert new and item.status == PoolStatus.RECEIVED and item.lab == lab
    assert Sample.objects.filter(received_at=item.received_at, lab=lab).count() == 2
    _, new = do_receive(pool, lab=lab, actor=lab_technician)
    assert not new
    with pytest.raises(DomainError) as err:
        do_receive(samples[0], lab=lab, actor=lab_technician)
    assert err.value.code == "sample_in_pool"


@pytest.mark.django_db(transaction=True)
def test_two_scanners_cannot_overfill_a_pool(ward_officer):
    from phongdich.testing.actions import do_create_session as create

    session = create(
        {**SESSION, "ward_code": HAC_THANH, "date": timezone.localdate()}, actor=ward_officer
    )
    samples = register(session, ward_officer, 8)
    pool = do_create_pool(session, size=5, actor=ward_officer)
    errors = []
    barrier = threading.Barrier(len(samples))

    def scan(sample):
        try:
            barrier.wait()
            do_add_to_pool(pool, sample.tube_code, actor=ward_officer)
        except DomainError as error:
            errors.append(error.code)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=scan, args=(s,)) for s in samples]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert pool.samples.count() == 5
    assert sorted(set(errors)) in (["pool_not_open"], ["pool_full"], ["pool_full", "pool_not_open"])
    assert len(errors) == 3


def test_registering_at_the_site_takes_few_queries(
    session, ward_officer, citizen, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        sample, created = do_register_sample(session, actor=ward_officer, qr=f"PD1:{citizen.token}")
    assert created
    with django_assert_max_num_queries(2):
        again, created = do_register_sample(session, actor=ward_officer, qr=f"PD1:{citizen.token}")
    assert not created and again.pk == sample.pk
