"""Triggers: domain events of lower apps plan calls here (docs/architecture.md, "Domain events").

- ``contacts.found`` (tracing): an F1 gets the F1 notice, an F2 the F2 advice.
- ``result.released`` (testing): the person tested hears that the result is ready.
- ``care.report_missed`` (care, ``enrolment_id`` and ``person_id``): a home-care check call.

Each plan's ``source_key`` names its trigger, so an event delivered twice plans once.
"""

from __future__ import annotations

from phongdich.core import events
from phongdich.outreach.actions import do_plan_call
from phongdich.outreach.models import Reason
from phongdich.people.models import Person
from phongdich.testing.models import Sample
from phongdich.tracing.models import Contact, Level

# A contact who became a case (or was released) before the call is not called: the dialler
# cancels such plans when they come due (``actions.claim_due``).
SCRIPT_FOR_LEVEL = {Level.F1: "f1_notice", Level.F2: "f2_advice"}


@events.handler("contacts.found", name="outreach.call_contacts")
def call_contacts(event: events.Event) -> None:
    contacts = Contact.objects.filter(pk__in=event.payload.get("contact_ids", [])).select_related(
        "person"
    )
    for contact in contacts:
        script = SCRIPT_FOR_LEVEL.get(contact.level)
        if script is None:
            continue
        do_plan_call(
            contact.person,
            script,
            Reason.CONTACT_FOUND,
            f"contact:{contact.pk}:{script}",
            contact=contact,
        )


@events.handler("result.released", name="outreach.call_results")
def call_results(event: events.Event) -> None:
    samples = Sample.objects.filter(pk__in=event.payload.get("sample_ids", [])).select_related(
        "person", "session"
    )
    for sample in samples:
        do_plan_call(
            sample.person,
            "result_ready",
            Reason.RESULT_RELEASED,
            f"result:{sample.pk}",
            ward_id=sample.person.ward_id or sample.session.ward_id,
        )


@events.handler("care.report_missed", name="outreach.call_missed_report")
def call_missed_report(event: events.Event) -> None:
    person = Person.objects.filter(pk=event.payload.get("person_id")).first()
    if person is None:
        return
    # One call per missed report: care names the missed slot by its due time (epoch seconds).
    due = event.payload.get("slot_due", event.id)
    do_plan_call(
        person,
        "care_check",
        Reason.REPORT_MISSED,
        f"care:{event.payload.get('enrolment_id')}:{due}",
        ward_id=event.payload.get("ward_id") or person.ward_id,
    )
