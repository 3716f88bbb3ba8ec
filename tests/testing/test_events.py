"""Released results are announced (ids only) for the modules that tell people."""

from __future__ import annotations

from phongdich.core.models import OutboxEvent, Rule
from phongdich.core.rules import reset_cache
from phongdich.testing.actions import do_release_results
from phongdich.testing.results import do_record_result
from tests.testing.conftest import register


def _released():
    return sorted(
        i
        for e in OutboxEvent.objects.filter(topic="result.released")
        for i in e.payload["sample_ids"]
    )


def test_an_automatic_release_is_announced(session, ward_officer, lab_technician, lab):
    [a, b] = register(session, ward_officer, 2)
    do_record_result(a.tube_code, "negative", user=lab_technician, lab=lab)
    assert _released() == [a.pk]
    do_record_result(b.tube_code, "positive", user=lab_technician, lab=lab)
    assert _released() == sorted([a.pk, b.pk])


def test_a_manual_release_is_announced_when_released(session, ward_officer, lab_technician, lab):
    Rule.objects.create(key="testing.release_automatically", value=False)
    reset_cache()
    [sample] = register(session, ward_officer, 1)
    do_record_result(sample.tube_code, "negative", user=lab_technician, lab=lab)
    assert _released() == []
    do_release_results(session, actor=ward_officer)
    assert _released() == [sample.pk]
    do_release_results(session, actor=ward_officer)  # nothing new
    assert _released() == [sample.pk]
