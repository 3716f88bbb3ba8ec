"""The clinician's "needs action today" list by page: warnings, then missed reports, then due
discharges, across pages in that order, with a number of queries that does not grow with the
number of patients (the query-count guard of the hot path; benchmarks/care_load.py times it)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from phongdich.care import queries
from phongdich.care.actions import do_submit_report
from phongdich.care.forms import report_values
from phongdich.care.models import Enrolment
from tests.care.conftest import enrol, make_case
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def patients(ward_officer, clinician, n: int, start: int = 0) -> list[Enrolment]:
    """``n`` patients: one in three has a warning, one in three missed a report, one in three
    is due for discharge (isolation began 12 days ago)."""
    made = []
    for i in range(start, start + n):
        e = enrol(
            make_case(ward_officer, name=f"Người bệnh {i}", phone=f"+849130{i:05d}"),
            clinician,
            ward_officer,
        )
        if i % 3 == 0:
            do_submit_report(e, report_values({"pulse": "130"}), source="self", client_id="w")
            Enrolment.objects.filter(pk=e.pk).update(
                next_report_due=timezone.now() - timedelta(hours=1)
            )
        elif i % 3 == 1:
            Enrolment.objects.filter(pk=e.pk).update(
                next_report_due=timezone.now() - timedelta(hours=i)
            )
        else:
            Enrolment.objects.filter(pk=e.pk).update(
                isolation_start=e.isolation_start - timedelta(days=12)
            )
        made.append(e)
    return made


def test_pages_keep_the_order_and_cover_the_list_once(ward_officer, clinician):
    made = patients(ward_officer, clinician, 9)
    now = timezone.now()
    first = queries.needs_action(clinician, now, page=1, per_page=4)
    assert first.counts == {"alert": 3, "missed": 3, "discharge": 3}
    assert first.pages == 3 and first.has_next
    seen = []
    for page in (1, 2, 3):
        listing = queries.needs_action(clinician, now, page=page, per_page=4)
        seen += [(i.kind, i.enrolment.pk) for i in listing.items]
    assert not queries.needs_action(clinician, now, page=3, per_page=4).has_next
    assert queries.needs_action(clinician, now, page=4, per_page=4).items == []
    kinds = [k for k, _ in seen]
    assert kinds == ["alert"] * 3 + ["missed"] * 3 + ["discharge"] * 3
    # A patient with a warning who also missed a report is listed once, under the warning.
    assert len({pk for _, pk in seen}) == 9 == len(made)
    missed = [pk for k, pk in seen if k == "missed"]
    due = dict(Enrolment.objects.values_list("pk", "next_report_due"))
    assert missed == sorted(missed, key=lambda pk: (due[pk], pk))  # longest overdue first


def test_an_acknowledged_warning_leaves_the_list_and_the_missed_report_shows(
    ward_officer, clinician
):
    from phongdich.care.followup import do_acknowledge_alert
    from phongdich.care.models import Alert

    [e] = patients(ward_officer, clinician, 1)
    do_acknowledge_alert(Alert.objects.get(enrolment=e), actor=clinician)
    listing = queries.needs_action(clinician, timezone.now())
    assert [(i.kind, i.enrolment.pk) for i in listing.items] == [("missed", e.pk)]


def test_needs_action_costs_at_most_six_queries_whatever_the_page(ward_officer, clinician):
    patients(ward_officer, clinician, 9)
    for page, per_page in ((1, 50), (2, 4), (1, 1)):
        with CaptureQueriesContext(connection) as ctx:
            listing = queries.needs_action(clinician, timezone.now(), page, per_page)
            for item in listing.items:  # what the page reads of each row
                str(item.enrolment.person.full_name)
                if item.alert:
                    list(item.alert.report.signs)
        assert len(ctx.captured_queries) <= 6, [q["sql"][:80] for q in ctx.captured_queries]


def console_queries(client) -> int:
    # A request first: the session's "last seen" is written once a minute and the rules cache
    # reloads every 30 s, and creating patients on a loaded machine can take longer than both.
    client.get("/staff/care/")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/staff/care/")
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_console_page_costs_the_same_queries_for_3_and_60_patients(
    client, ward_officer, clinician
):
    patients(ward_officer, clinician, 3)
    client.login(username=clinician.username, password=PASSWORD)
    client.get("/staff/care/")  # sessions, caches
    few = console_queries(client)
    patients(ward_officer, clinician, 57, start=3)
    many = console_queries(client)
    assert many == few, (few, many)
    page = client.get("/staff/care/").content.decode()
    assert page.count("<tr data-kind=") == queries.PER_PAGE
    assert 'id="console-pager"' in page and 'rel="next"' in page
    second = client.get("/staff/care/?page=2").content.decode()
    assert second.count("<tr data-kind=") == 60 - queries.PER_PAGE and 'rel="prev"' in second


@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999999999999999999", "3"])
def test_any_page_number_gives_a_page(client, clinician, page):
    client.login(username=clinician.username, password=PASSWORD)
    assert client.get(f"/staff/care/?page={page}").status_code == 200


def test_the_api_pages_too(api_client, ward_officer, clinician):
    patients(ward_officer, clinician, 3)
    api = api_client.as_user(clinician)
    items = api.get("/api/v1/care/needs-action").json()
    assert [i["kind"] for i in items] == ["alert", "missed", "discharge"]
    assert api.get("/api/v1/care/needs-action?page=2").json() == []
