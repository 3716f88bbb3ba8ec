"""Tracing publishes what other modules (calls and SMS, home care, the map) act on."""

from __future__ import annotations

import pytest

from phongdich.core.models import OutboxEvent
from phongdich.tracing.models import Contact, ContactStatus, Level
from tests.tracing.conftest import create_case


def _events(topic):
    return [e.payload for e in OutboxEvent.objects.filter(topic=topic).order_by("pk")]


def test_a_new_case_announces_itself_and_its_contacts(scenario, ward_officer):
    case = create_case(scenario, ward_officer)
    assert _events("case.opened") == [
        {"case_id": case.pk, "ward_id": case.ward_id, "source": case.source}
    ]
    found = [i for p in _events("contacts.found") for i in p["contact_ids"]]
    assert sorted(found) == sorted(Contact.objects.filter(case=case).values_list("pk", flat=True))
    assert {p["case_id"] for p in _events("contacts.found")} == {case.pk}
    assert found, "the scenario has F1 and F2"


def test_a_second_trace_announces_only_new_contacts(scenario, ward_officer):
    from phongdich.tracing.actions import do_trace_case

    case = create_case(scenario, ward_officer)
    before = OutboxEvent.objects.filter(topic="contacts.found").count()
    do_trace_case(case)
    assert OutboxEvent.objects.filter(topic="contacts.found").count() == before


def test_a_refused_case_leaves_no_event(scenario, ward_officer):
    from phongdich.lib.errors import DomainError

    create_case(scenario, ward_officer)
    count = OutboxEvent.objects.count()
    with pytest.raises(DomainError):
        create_case(scenario, ward_officer)  # the same person's second open case
    assert OutboxEvent.objects.count() == count


def test_a_status_change_is_announced_once(case, ward_officer):
    from phongdich.tracing.actions import do_update_contact

    contact = Contact.objects.filter(case=case, level=Level.F1).first()
    do_update_contact(contact, ContactStatus.NOTIFIED, actor=ward_officer)
    do_update_contact(contact, ContactStatus.NOTIFIED, actor=ward_officer)  # no change
    assert _events("contact.status_changed") == [
        {"contact_id": contact.pk, "case_id": case.pk, "old": "identified", "new": "notified"}
    ]


def test_a_manual_contact_is_announced(case, ward_officer):
    from phongdich.tracing.actions import do_add_contact

    contact, created = do_add_contact(
        case,
        {"full_name": "Lê Thị Hoa", "birth_year": "1990", "gender": "female"},
        actor=ward_officer,
    )
    assert created
    assert {"case_id": case.pk, "contact_ids": [contact.pk]} in _events("contacts.found")


def test_events_hold_no_personal_data(case):
    for event in OutboxEvent.objects.all():
        for value in event.payload.values():
            for v in value if isinstance(value, list) else [value]:
                assert isinstance(v, int) or (isinstance(v, str) and " " not in v)
