"""Writing a trace: the PostgreSQL writers (COPY) against the ORM ones, and re-runs that replace
the derived rows of a case with the same content when nothing changed."""

from datetime import datetime, timedelta

import pytest
from django.db import connection

from phongdich.lib.timeutil import VN_TZ, local_date
from phongdich.tracing import search, store
from phongdich.tracing.actions import do_trace_case
from phongdich.tracing.models import Case, Contact, Evidence
from tests.tracing.conftest import local

pytestmark = pytest.mark.django_db

# Every column of a contact and of its evidence, people named instead of row ids.
CONTACT_FIELDS = [
    f.attname for f in Contact._meta.concrete_fields if f.attname not in {"id", "via_id"}
]

EVIDENCE_KEY = ("contact_id", "index_visit_id", "contact_visit_id", "overlap_minutes")


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(local("2026-11-23 09:00"), tick=False)


@pytest.fixture(params=["default", "orm"])
def writer(request, monkeypatch):
    """Run with the database's own writers, and with the ORM ones (the same on SQLite)."""
    if request.param == "orm":
        monkeypatch.setattr(store, "use_copy", lambda: False)
    return request.param


def snapshot(case):
    contacts = {
        c.person.full_name: (
            {f: getattr(c, f) for f in CONTACT_FIELDS if f not in {"created_at", "updated_at"}},
            c.via.person.full_name if c.via else None,
        )
        for c in Contact.objects.filter(case=case).select_related("person", "via__person")
    }
    evidence = sorted(
        (
            e.contact.person.full_name,
            e.venue_id,
            e.index_visit_id,
            e.contact_visit_id,
            e.index_person.full_name,
            e.overlap_start,
            e.overlap_end,
            e.overlap_minutes,
            e.level,
        )
        for e in Evidence.objects.filter(contact__case=case).select_related(
            "contact__person", "index_person"
        )
    )
    return contacts, evidence


def evidence_of(case, name):
    return sorted(
        Evidence.objects.filter(contact__case=case, contact__person__full_name=name).values_list(
            "index_person__full_name", "overlap_minutes"
        )
    )


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="compares the PostgreSQL writers with the ORM"
)
def test_copy_writes_exactly_what_the_orm_writes(case, monkeypatch):
    assert store.use_copy()
    by_copy = snapshot(case)
    assert len(by_copy[0]) == 10 and len(by_copy[1]) > 10
    Contact.objects.filter(case=case).delete()
    monkeypatch.setattr(store, "use_copy", lambda: False)
    result = do_trace_case(case)
    assert snapshot(case) == by_copy
    assert result.evidence == len(by_copy[1])


def test_written_timestamps_are_the_trace_time_and_the_overlaps(case, writer):
    """The COPY writers send timestamps as µs since the epoch: every one must arrive as the
    same instant the ORM would have written."""
    now = local("2026-11-23 09:00")
    stamps = set(Contact.objects.filter(case=case).values_list("created_at", "updated_at"))
    assert stamps == {(now, now)}
    p7 = Contact.objects.get(case=case, person__full_name="P7")
    assert (p7.first_exposure, p7.last_exposure) == (
        local("2026-11-19 23:40"),
        local("2026-11-20 00:00"),
    )
    row = Evidence.objects.get(contact=p7)
    assert (row.overlap_start, row.overlap_end, row.overlap_minutes) == (
        local("2026-11-19 23:40"),
        local("2026-11-20 00:00"),
        20,
    )


def test_rerun_after_late_visits_updates_via_and_evidence(case, scenario, writer):
    p10 = Contact.objects.get(case=case, person=scenario.person("P10"))
    assert p10.via.person.full_name == "P1" and evidence_of(case, "P10") == [("P1", 30)]
    others = set(
        Evidence.objects.filter(contact__case=case).exclude(contact=p10).values_list(*EVIDENCE_KEY)
    )
    contacts = Contact.objects.filter(case=case).count()
    # Uploaded late: P10 came back to the market for 10 minutes while P1 and P3 were both there
    # (a tie: P1, who arrived first, is named), and spent an hour with P3 at the restaurant.
    scenario.visit("P10", "market", "2026-11-20 10:40", "2026-11-20 10:50")
    scenario.visit("P3", "restaurant", "2026-11-21 12:00", "2026-11-21 13:00")
    scenario.visit("P10", "restaurant", "2026-11-21 12:00", "2026-11-21 13:00")

    result = do_trace_case(case)
    p10.refresh_from_db()
    assert p10.via.person.full_name == "P3"  # 20 + 10 + 60 minutes with P3, 30 + 10 with P1
    assert evidence_of(case, "P10") == [("P1", 40), ("P3", 60)]
    market = Evidence.objects.get(contact=p10, venue=scenario.venues["market"])
    assert (market.overlap_start, market.overlap_end) == (
        local("2026-11-20 10:00"),
        local("2026-11-20 10:50"),
    )
    # Everybody else's evidence is the same (replaced per case, same content); nobody is
    # duplicated.
    assert (
        set(
            Evidence.objects.filter(contact__case=case)
            .exclude(contact=p10)
            .values_list(*EVIDENCE_KEY)
        )
        == others
    )
    assert Contact.objects.filter(case=case).count() == contacts
    assert result.evidence == Evidence.objects.filter(contact__case=case).count()

    again = snapshot(case)
    do_trace_case(case)
    assert snapshot(case) == again


def test_rerun_with_nothing_new_gives_the_same_lists(case, writer, django_assert_max_num_queries):
    before = snapshot(case)
    ids = set(Evidence.objects.filter(contact__case=case).values_list(*EVIDENCE_KEY))
    with django_assert_max_num_queries(20):  # however many contacts: no per-row statements
        result = do_trace_case(case)
    assert snapshot(case) == before
    assert set(Evidence.objects.filter(contact__case=case).values_list(*EVIDENCE_KEY)) == ids
    assert result.evidence == len(ids) and result.removed == 0


def test_new_f2_named_through_an_f1_already_on_the_list(case, scenario, writer):
    # A new F2 whose F1 was found by an earlier run: `via` names the existing contact.
    scenario.visit("P7", "office", "2026-11-21 14:00", "2026-11-21 15:00")
    scenario.visit("P14", "office", "2026-11-21 14:00", "2026-11-21 14:30")
    do_trace_case(case)
    p14 = Contact.objects.get(case=case, person=scenario.person("P14"))
    assert p14.level == "F2" and p14.via.person.full_name == "P7"
    assert evidence_of(case, "P14") == [("P7", 30)]


def test_a_later_case_keeps_its_own_contacts(case, scenario, ward_officer, writer):
    from phongdich.tracing.actions import do_create_case

    second = do_create_case(
        person=scenario.person("P7"),
        confirmed_at=local("2026-11-22 12:00"),
        sample_date=local_date(local("2026-11-21 12:00")),
        actor=ward_officer,
    )
    assert Case.objects.count() == 2
    assert set(Contact.objects.filter(case=second).values_list("person__full_name", flat=True)) >= {
        "P8"
    }
    assert Contact.objects.filter(case=case).count() == 10


def test_local_day_is_the_vietnamese_calendar_day():
    start = datetime(2026, 11, 19, 16, 0, tzinfo=VN_TZ)
    for minutes in range(0, 36 * 60, 29):
        instant = start + timedelta(minutes=minutes, microseconds=minutes)
        day = search.local_day(search.micros(instant))
        assert search.day_date(day) == local_date(instant)
        assert search.from_micros(search.micros(instant)) == instant


def test_evidence_goes_with_its_contact_and_its_case(case, scenario):
    """Deleting contacts or the case through the application deletes their evidence (the
    contact's key on evidence has no index of its own: the unique (contact, visits) one serves
    the lookups)."""
    p10 = Contact.objects.get(case=case, person=scenario.person("P10"))
    assert Evidence.objects.filter(contact=p10).exists()
    p10.delete()
    assert not Evidence.objects.filter(contact_id=p10.pk).exists()
    assert Evidence.objects.filter(contact__case=case).exists()
    ids = list(Contact.objects.filter(case=case).values_list("pk", flat=True))
    case.delete()
    assert not Evidence.objects.filter(contact_id__in=ids).exists()
