"""Many devices at once: no duplicates, nothing lost (real threads, real database)."""

import threading
import uuid

import pytest
from django.db import close_old_connections, connection

from phongdich.checkpoints.actions import do_checkin
from phongdich.checkpoints.models import Visit
from phongdich.people.models import Person
from tests.conftest import HEALTHY, PERSON

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8


def _run(jobs):
    errors = []
    barrier = threading.Barrier(len(jobs))

    def worker(job):
        try:
            barrier.wait()
            job()
        except Exception as error:  # collected and re-raised below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors


def test_parallel_checkins_of_different_people_all_land(venue):
    per_thread = 15

    def job(n):
        def run():
            for i in range(per_thread):
                do_checkin(
                    venue_code=venue.code,
                    client_id=uuid.uuid4(),
                    declaration=HEALTHY,
                    person={
                        **PERSON,
                        "id_number": f"03819{n:02d}{i:05d}",
                        "phone": f"09{n:02d}{i:06d}",
                    },
                )

        return run

    _run([job(n) for n in range(THREADS)])
    assert Visit.objects.count() == THREADS * per_thread
    assert Person.objects.count() == THREADS * per_thread


def test_same_client_id_from_many_threads_makes_one_visit(venue):
    client_id = uuid.uuid4()
    results = []

    def run():
        results.append(
            do_checkin(
                venue_code=venue.code, client_id=client_id, person=PERSON, declaration=HEALTHY
            )
        )

    _run([run] * THREADS)
    assert Visit.objects.count() == 1 and Person.objects.count() == 1
    assert len({r.visit.pk for r in results}) == 1
    assert sum(r.created for r in results) == 1


def test_same_new_person_from_many_devices_makes_one_person_one_claim_and_no_duplicates(venue):
    """The first declaration creates the person; the others, without proof, make one claim on
    it (people.identity), and each record has one open visit."""
    results = []

    def run():
        results.append(
            do_checkin(
                venue_code=venue.code,
                client_id=uuid.uuid4(),
                person={**PERSON, "id_number": ""},
                declaration=HEALTHY,
            )
        )

    _run([run] * THREADS)
    person = Person.objects.get(claim_of__isnull=True)
    claim = Person.objects.get(claim_of__isnull=False)
    assert claim.claim_of == person
    assert Visit.objects.count() == 2
    assert {v.person_id for v in Visit.objects.all()} == {person.pk, claim.pk}
    assert sum(r.created for r in results) == 2
    assert all(r.already_inside for r in results if not r.created)


def test_same_checkout_from_many_threads_closes_once_at_one_time(venue):
    """A phone that re-sends its check-out while the first is in flight: one close, and every
    answer carries that close's time."""
    from datetime import timedelta

    from django.utils import timezone

    from phongdich.checkpoints.actions import do_self_checkout

    client_id = uuid.uuid4()
    checkin = do_checkin(
        venue_code=venue.code, client_id=client_id, person=PERSON, declaration=HEALTHY
    )
    start = timezone.now()
    results = []

    def job(n):
        # Each thread reports a different scan time, so the stored one shows whose close won.
        def run():
            results.append(do_self_checkout(client_id, at=start + timedelta(seconds=n)))

        return run

    _run([job(n) for n in range(THREADS)])
    visit = Visit.objects.get(pk=checkin.visit.pk)
    assert visit.checked_out_at is not None and visit.checkout_kind == "self"
    assert {r.checked_out_at for r in results} == {visit.checked_out_at}
    assert {r.pk for r in results} == {visit.pk}
