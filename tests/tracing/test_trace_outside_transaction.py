"""A case's contact search runs after the case commits, never inside its write transaction: on
SQLite every writer queues on one lock, and a search at a busy market takes seconds."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import date

import pytest
from django.db import close_old_connections, connection

from phongdich.checkpoints.actions import do_checkin
from phongdich.tracing import search
from phongdich.tracing.models import Case, Contact
from tests.conftest import HEALTHY, PERSON
from tests.tracing.conftest import local

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 10  # seconds the held search waits for the check-in before giving up


def test_a_checkin_is_answered_while_a_large_case_is_being_traced(world, ward_officer, monkeypatch):
    from phongdich.tracing.actions import do_create_case

    world.visit("P0", "market", "2026-11-21 08:00", "2026-11-21 10:00")
    for n in range(150):  # a busy morning at the market
        world.visit(f"M{n}", "market", "2026-11-21 08:30", "2026-11-21 09:30")
    case_person = world.person("P0")

    searching, checked_in = threading.Event(), threading.Event()
    timeline: dict[str, float] = {}
    real_find = search.find

    def held_find(*args, **kwargs):
        """The search, held open until the check-in below has its answer (or WAIT passes)."""
        if not searching.is_set():
            searching.set()
            timeline["held_by_timeout"] = not checked_in.wait(WAIT)
        return real_find(*args, **kwargs)

    monkeypatch.setattr(search, "find", held_find)
    errors: list[BaseException] = []

    def officer_creates_the_case():
        try:
            do_create_case(
                person=case_person,
                confirmed_at=local("2026-11-22 12:00"),
                sample_date=date(2026, 11, 21),
                onset_date=date(2026, 11, 21),
                actor=ward_officer,
            )
            timeline["trace_ended"] = time.monotonic()
        except BaseException as error:  # re-raised in the test's thread
            errors.append(error)
        finally:
            connection.close()

    officer = threading.Thread(target=officer_creates_the_case)
    officer.start()
    assert searching.wait(30), "the search never started"
    try:
        do_checkin(
            venue_code=world.venues["office"].code,
            client_id=uuid.uuid4(),
            declaration=HEALTHY,
            person={**PERSON, "id_number": "038199000123", "phone": "0912999123"},
        )
        timeline["checkin_answered"] = time.monotonic()
    finally:
        checked_in.set()
        close_old_connections()
    officer.join(60)
    assert not errors, errors
    assert timeline["held_by_timeout"] is False, "the check-in waited for the trace's lock"
    assert timeline["checkin_answered"] < timeline["trace_ended"]
    case = Case.objects.get(person=case_person)
    assert Contact.objects.filter(case=case).count() == 150  # and the trace still did its work
