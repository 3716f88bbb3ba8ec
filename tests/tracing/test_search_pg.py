"""The F2 search in SQL (PostgreSQL) against the Python search (every database): the same
contacts, levels, chains and evidence rows, on the exact scenario and on dense random ones (shared
shifts that make blocks, visits across midnight, missing check-outs, a crowd rule that turns some
blocks into exposure windows)."""

import random
from datetime import datetime, timedelta

import pytest
from django.db import connection

from phongdich.core.models import Rule
from phongdich.core.rules import reset_cache
from phongdich.tracing import search_pg
from phongdich.tracing.actions import do_trace_case
from phongdich.tracing.models import Contact, Evidence, ExposureWindow
from tests.tracing.conftest import create_case, local
from tests.tracing.test_store import snapshot

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the SQL search runs on PostgreSQL only"
    ),
]


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(local("2026-11-23 09:00"), tick=False)


def windows(case):
    return sorted(
        ExposureWindow.objects.filter(case=case).values_list(
            "venue_id", "start", "end", "present", "f1_count", "via__person__full_name"
        )
    )


def both_ways(case, monkeypatch):
    """The case traced by SQL, then again from scratch by Python; both results."""
    assert search_pg.available()
    do_trace_case(case)
    by_sql = snapshot(case), windows(case)
    Contact.objects.filter(case=case).delete()
    ExposureWindow.objects.filter(case=case).delete()
    monkeypatch.setattr(search_pg, "available", lambda: False)
    do_trace_case(case)
    return by_sql, (snapshot(case), windows(case))


def test_scenario_gives_the_same_contacts_and_evidence(scenario, ward_officer, monkeypatch):
    case = create_case(scenario, ward_officer)
    by_sql, by_python = both_ways(case, monkeypatch)
    assert by_sql == by_python
    assert len(by_sql[0][0]) == 10  # the exact sets of test_search
    assert any(row[-1] == "F2" for row in by_sql[0][1])


def random_visits(scenario, rng, people=36):
    """Visits of 18–22/11 at four venues: office shifts that many share (blocks of several F1),
    evening visits that run past midnight, a fifth without check-out."""
    venues = list(scenario.venues)
    still_open = set()  # one visit without check-out per person and venue
    scenario.visit("P0", "office", "2026-11-19 08:00", "2026-11-19 12:00")
    scenario.visit("P0", "restaurant", "2026-11-18 22:30", "2026-11-19 01:00")
    scenario.visit("P0", "market", "2026-11-20 09:00", "2026-11-20 10:30")
    for n in range(1, people):
        name = f"R{n}"
        for _ in range(rng.randint(2, 7)):
            day = datetime(2026, 11, 18 + rng.randint(0, 4))
            if rng.random() < 0.4:  # a shift at the office, shared with many
                start = day + timedelta(hours=8, minutes=rng.choice([0, 0, 10, 30, 45]))
                venue, minutes = "office", rng.choice([60, 120, 240, 240])
            else:
                start = day + timedelta(hours=rng.randint(6, 23), minutes=rng.randint(0, 59))
                venue, minutes = rng.choice(venues), rng.randint(3, 150)
            end = start + timedelta(minutes=minutes)
            if rng.random() < 0.2 and (name, venue) not in still_open:
                still_open.add((name, venue))
                end = None
            scenario.visit(
                name,
                venue,
                start.isoformat(sep=" ", timespec="minutes"),
                end and end.isoformat(sep=" ", timespec="minutes"),
            )


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_province_gives_the_same_contacts_and_evidence(
    scenario, ward_officer, monkeypatch, seed
):
    rng = random.Random(seed)
    random_visits(scenario, rng)
    if seed % 2:
        Rule.objects.create(key="tracing.crowd_threshold", value=3)
    reset_cache()
    try:
        case = create_case(scenario, ward_officer)
        by_sql, by_python = both_ways(case, monkeypatch)
    finally:
        Rule.objects.all().delete()
        reset_cache()
    assert by_sql == by_python
    contacts, evidence = by_sql[0]
    levels = [c[0]["level"] for c in contacts.values()]
    # The scenario is dense enough to test something: F1 and F2, F2 reached through several F1.
    assert levels.count("F1") >= 5 and levels.count("F2") >= 5
    assert len({row[4] for row in evidence if row[-1] == "F2"}) >= 3
    if seed % 2:
        assert by_sql[1], "the crowd rule made no exposure window"
    assert Evidence.objects.filter(contact__case=case).count() == len(evidence)
