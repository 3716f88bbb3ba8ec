"""On PostgreSQL the F2 search runs as one SQL statement (``search_sql``); it must find what the
Python path finds, ties included: same contacts, levels, closest F1 and evidence."""

import pytest
from django.db import connection

from phongdich.tracing import search_sql
from phongdich.tracing.actions import do_trace_case
from phongdich.tracing.models import Contact, ExposureWindow
from tests.tracing.conftest import create_case, local
from tests.tracing.test_store import snapshot

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL path is PostgreSQL's"),
]


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(local("2026-11-23 09:00"), tick=False)


def both_paths(case, monkeypatch):
    assert search_sql.available()
    do_trace_case(case)
    by_sql = snapshot(case)
    Contact.objects.filter(case=case).delete()
    monkeypatch.setattr(search_sql, "available", lambda: False)
    do_trace_case(case)
    return by_sql, snapshot(case)


def test_sql_and_python_find_the_same(scenario, ward_officer, monkeypatch):
    w = scenario
    # A factory-shift-like block: P1, P3 and P5 (all F1) at the restaurant, overlapping, and
    # visitors who overlap several of them (attribution to the F1 who shared most, ties to the
    # first by arrival), one of them across local midnight (two local days).
    w.visit("P1", "restaurant", "2026-11-21 18:00", "2026-11-21 20:00")
    w.visit("P3", "restaurant", "2026-11-21 19:00", "2026-11-21 21:00")
    w.visit("P5", "restaurant", "2026-11-21 20:30", "2026-11-21 23:30")
    w.visit("R1", "restaurant", "2026-11-21 18:30", "2026-11-21 19:30")
    w.visit("R2", "restaurant", "2026-11-21 19:10", "2026-11-21 20:50")
    w.visit("R3", "restaurant", "2026-11-21 23:20", "2026-11-22 00:30")
    w.visit("R3", "restaurant", "2026-11-21 20:00", "2026-11-21 20:10")
    w.visit("R4", "restaurant", "2026-11-21 19:00", "2026-11-21 19:15")  # exactly 15 min
    w.visit("R5", "restaurant", "2026-11-21 18:00", "2026-11-21 18:14")  # 14 min: no
    w.visit("R5", "office", "2026-11-21 09:00", "2026-11-21 10:00")  # nobody there: no
    # The same visitor with two F1 at two venues: via is the one with more time together.
    w.visit("P7", "office", "2026-11-21 14:00", "2026-11-21 15:00")
    w.visit("R1", "office", "2026-11-21 14:00", "2026-11-21 14:50")
    # An F1 (P3) is also reached as F2, and an open visit (no check-out) counts its stay.
    w.visit("P12", "residential", "2026-11-22 18:00")
    w.visit("R6", "residential", "2026-11-22 18:30")
    case = create_case(scenario, ward_officer)
    by_sql, by_python = both_paths(case, monkeypatch)
    assert by_sql == by_python
    names = {name for name, (fields, _) in by_sql[0].items() if fields["level"] == "F2"}
    assert {"R1", "R2", "R3", "R4", "R6"} <= names and "R5" not in names


def test_sql_and_python_agree_beside_an_exposure_window(scenario, ward_officer, monkeypatch):
    for i in range(201):
        scenario.visit(f"C{i}", "market", "2026-11-20 10:15", "2026-11-20 10:45")
    scenario.visit("P7", "restaurant", "2026-11-21 12:00", "2026-11-21 13:00")
    scenario.visit("C0", "restaurant", "2026-11-21 12:00", "2026-11-21 12:30")
    case = create_case(scenario, ward_officer)
    assert ExposureWindow.objects.filter(case=case).count() == 1
    by_sql, by_python = both_paths(case, monkeypatch)
    assert by_sql == by_python
    assert "C0" in by_sql[0] and "C1" not in by_sql[0]
