"""Doses and certificates are announced (ids only) for coverage, the map and reminders."""

from __future__ import annotations

from datetime import date

from phongdich.core.models import OutboxEvent
from tests.vaccination.conftest import elsewhere


def test_a_recorded_dose_is_announced(citizen, ward_officer):
    dose = elsewhere(citizen, ward_officer, 1, date(2025, 9, 1))
    [event] = OutboxEvent.objects.filter(topic="dose.recorded")
    assert event.payload == {
        "dose_id": dose.pk,
        "person_id": citizen.pk,
        "ward_id": dose.ward_id,
        "dose_number": 1,
    }


def test_a_refused_dose_is_not_announced(citizen, ward_officer):
    import pytest

    from phongdich.lib.errors import InputErrors

    with pytest.raises(InputErrors):
        elsewhere(citizen, ward_officer, 3, date(2025, 9, 1))  # no dose 1 and 2 yet
    assert not OutboxEvent.objects.filter(topic="dose.recorded").exists()


def test_an_issued_certificate_is_announced_once(vaccinated, signing_keys):
    from phongdich.vaccination.certificates import do_issue_certificate

    certificate, _ = do_issue_certificate(vaccinated)
    do_issue_certificate(vaccinated)  # the same certificate again: not a new one
    [event] = OutboxEvent.objects.filter(topic="certificate.issued")
    assert event.payload["certificate_id"] == certificate.pk
