"""Two submissions of the same report, or two enrolments of the same case, at the same moment:
one row each, never two, never an error page."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from phongdich.care.models import Alert, Enrolment, Report
from phongdich.lib.errors import DomainError
from tests.care.conftest import enrol, make_case, make_clinician
from tests.conftest import HAC_THANH

pytestmark = pytest.mark.django_db(transaction=True)


def race(func, n: int = 4) -> list:
    barrier = threading.Barrier(n)
    results: list = []

    def run():
        barrier.wait()
        try:
            results.append(func())
        except Exception as exc:  # collected and checked by the test
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_the_same_report_sent_four_times_at_once_is_stored_once(ward_officer):
    from phongdich.care.actions import do_submit_report
    from phongdich.care.forms import report_values

    enrolment = enrol(make_case(ward_officer), make_clinician("doctor", HAC_THANH), ward_officer)
    values = report_values({"pulse": "130", "spo2": "97"})
    results = race(
        lambda: do_submit_report(enrolment, values, source="self", client_id="same")[0].pk
    )
    assert len(set(results)) == 1, results
    assert Report.objects.count() == 1 and Alert.objects.count() == 1


def test_the_same_case_enrolled_four_times_at_once_is_enrolled_once(ward_officer):
    case = make_case(ward_officer)
    clinician = make_clinician("doctor", HAC_THANH)
    results = race(lambda: enrol(case, clinician, ward_officer).pk)
    created = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(created) == 1 and len(refused) == 3, results
    assert {e.code for e in refused} == {"already_enrolled"}
    assert Enrolment.objects.count() == 1
