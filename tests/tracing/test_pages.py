"""The contacts and exposure-windows APIs a page at a time, and pages whose cost does not grow
with the case: the same statements for a case of 3 contacts as for one of 300."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from phongdich.lib.codes import new_token
from phongdich.lib.text import fold
from phongdich.people.models import Person
from phongdich.tracing.models import Case, Contact, Evidence, ExposureWindow
from tests.conftest import HAC_THANH, QUANG_PHU
from tests.tracing.conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(local("2026-11-23 09:00"), tick=False)


def big_case(world, n: int, tag: str) -> Case:
    """A case with ``n`` contacts (two F1 for each F2, every third in another ward), each with
    one evidence row naming two retained visits, and three exposure windows."""
    index_visit = world.visit(f"{tag}-F0", "office", "2026-11-19 08:00", "2026-11-19 09:00")
    contact_visit = world.visit(f"{tag}-X", "office", "2026-11-19 08:10", "2026-11-19 08:40")
    case = Case.objects.create(
        person=index_visit.person,
        ward_id=HAC_THANH,
        confirmed_at=local("2026-11-22 12:00"),
        sample_date=local("2026-11-21 00:00").date(),
        source="test",
        window_start=local("2026-11-18 00:00"),
        window_end=local("2026-11-22 12:00"),
    )
    people = Person.objects.bulk_create(
        Person(
            full_name=f"{tag} người {i:04d}",
            name_folded=fold(f"{tag} nguoi {i:04d}"),
            birth_year=1950 + i % 60,
            gender="female",
            phone=f"+8498{hash(tag) % 1000:03d}{i:04d}",
            ward_id=QUANG_PHU if i % 3 == 2 else HAC_THANH,
            token=new_token(),
        )
        for i in range(n)
    )
    contacts = Contact.objects.bulk_create(
        Contact(
            case=case,
            person=p,
            level="F2" if i % 3 == 1 else "F1",
            origin="checkin",
            ward_id=p.ward_id,
        )
        for i, p in enumerate(people)
    )
    Evidence.objects.bulk_create(
        Evidence(
            contact=c,
            venue_id=index_visit.venue_id,
            index_visit_id=index_visit.pk,
            contact_visit_id=contact_visit.pk,
            index_person_id=case.person_id,
            overlap_start=local("2026-11-19 08:10"),
            overlap_end=local("2026-11-19 08:40"),
            overlap_minutes=30,
            level=c.level,
        )
        for c in contacts
    )
    for hour in (8, 9, 10):
        ExposureWindow.objects.create(
            case=case,
            venue_id=index_visit.venue_id,
            start=local(f"2026-11-19 {hour:02d}:00"),
            end=local(f"2026-11-19 {hour:02d}:00") + timedelta(minutes=30),
            present=250,
            via=contacts[0],
        )
    return case


def walk(api, url: str) -> tuple[list[dict], list[int]]:
    items, totals = [], []
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        items += body["items"]
        totals.append(body["total"])
        url = body["next"]
    return items, totals


def test_contacts_come_a_page_at_a_time_in_level_then_id_order(
    world, api_client, ward_officer, province_officer
):
    case = big_case(world, 30, "A")
    api = api_client.as_user(province_officer)
    items, totals = walk(api, f"/api/v1/cases/{case.pk}/contacts?depth=2&limit=7")
    expected = list(
        Contact.objects.filter(case=case).order_by("level", "pk").values_list("pk", "level")
    )
    assert [(c["id"], c["level"]) for c in items] == expected
    assert totals == [30] * 5  # 7 + 7 + 7 + 7 + 2
    assert all(len(c["evidence"]) == 1 and c["evidence"][0]["contact_visit"] for c in items)

    first = api.get(f"/api/v1/cases/{case.pk}/contacts?depth=1&limit=4").json()
    assert first["total"] == 20 and len(first["items"]) == 4
    rest, _ = walk(api, first["next"])
    assert all(c["level"] == "F1" for c in first["items"] + rest)
    assert len(first["items"] + rest) == 20 and "depth=1" in first["next"]

    # A ward account walks only its ward's contacts, and the total says so.
    mine, totals = walk(
        api_client.as_user(ward_officer), f"/api/v1/cases/{case.pk}/contacts?limit=6"
    )
    assert len(mine) == 20 and set(totals) == {20}
    assert {c["person"]["ward_code"] for c in mine} == {HAC_THANH}


def test_a_contact_added_between_pages_is_neither_repeated_nor_skipped(
    world, api_client, province_officer
):
    case = big_case(world, 6, "B")
    api = api_client.as_user(province_officer)
    first = api.get(f"/api/v1/cases/{case.pk}/contacts?depth=1&limit=2").json()
    late = Contact.objects.create(
        case=case, person=world.person("B late"), level="F1", origin="manual", ward_id=HAC_THANH
    )
    rest, _ = walk(api, first["next"])
    ids = [c["id"] for c in first["items"] + rest]
    assert len(ids) == len(set(ids)) == 5 and ids[-1] == late.pk


def test_exposure_windows_come_a_page_at_a_time_by_start(world, api_client, province_officer):
    case = big_case(world, 3, "C")
    items, totals = walk(
        api_client.as_user(province_officer),
        f"/api/v1/cases/{case.pk}/exposure-windows?limit=2",
    )
    assert [w["start"][11:16] for w in items] == ["01:00", "02:00", "03:00"]  # UTC
    assert totals == [3, 3]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=-5", "limit"),
        ("limit=ten", "limit"),
        ("limit=99999999999999999999999", "limit"),
        ("cursor=F1", "cursor"),
        ("cursor=F3.12", "cursor"),
        ("cursor=F1.x", "cursor"),
        ("cursor=F1.%C2%B2", "cursor"),
        ("cursor=F1.123456789012345678901", "cursor"),
        ("cursor=.12", "cursor"),
    ],
)
def test_bad_limit_or_cursor_is_a_field_error(world, api_client, province_officer, query, field):
    case = big_case(world, 3, "D")
    api = api_client.as_user(province_officer)
    for path in ("contacts", "exposure-windows"):
        if path == "exposure-windows" and query.startswith("cursor=F"):
            query = query.replace("F1", "1732953600000000").replace("F3", "x")
        response = api.get(f"/api/v1/cases/{case.pk}/{path}?{query}")
        assert response.status_code == 422, (path, query, response.content)
        [error] = response.json()["errors"]
        assert error["field"] == field
        assert field in error["message_vi"] and field in error["message_en"]


def test_a_window_cursor_out_of_the_calendar_is_a_field_error(world, api_client, province_officer):
    case = big_case(world, 3, "E")
    response = api_client.as_user(province_officer).get(
        f"/api/v1/cases/{case.pk}/exposure-windows?cursor=999999999999999999.1"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "cursor"


def statements(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("limit", [100, 1000])
def test_a_contacts_page_costs_the_same_statements_for_3_or_300_contacts(
    world, api_client, province_officer, limit
):
    small, large = big_case(world, 3, "S"), big_case(world, 300, "L")
    api = api_client.as_user(province_officer)
    url = "/api/v1/cases/{}/contacts?depth=2&limit=" + str(limit)
    statements(api, url.format(small.pk))  # warm the session and the caches
    assert statements(api, url.format(small.pk)) == statements(api, url.format(large.pk))
    later = api.get(url.format(large.pk).replace(str(limit), "50")).json()["next"]
    assert statements(api, later) == statements(api, url.format(small.pk))


def test_the_case_page_costs_the_same_statements_for_3_or_300_contacts(world, client, ward_officer):
    small, large = big_case(world, 3, "S"), big_case(world, 300, "L")
    client.force_login(ward_officer)
    statements(client, f"/staff/tracing/{small.pk}/")
    few = statements(client, f"/staff/tracing/{small.pk}/")
    many = statements(client, f"/staff/tracing/{large.pk}/")
    assert few == many
    page = client.get(f"/staff/tracing/{large.pk}/").content.decode()
    assert page.count("data-contact=") == 50
    # The ward filter offers the caller's own ward only; the 100 outside it are counted.
    assert f'<option value="{HAC_THANH}"' in page and f'<option value="{QUANG_PHU}"' not in page
    assert 'data-total="200"' in page and 'data-hidden="100"' in page


def test_the_case_page_counts_and_ward_choices_from_one_aggregate(
    world, client, province_officer, ward_officer
):
    case = big_case(world, 9, "W")
    from phongdich.tracing import queries

    wards, seen, hidden = queries.contact_wards(province_officer, case)
    assert {code for code, _ in wards} == {HAC_THANH, QUANG_PHU} and (seen, hidden) == (9, 0)
    wards, seen, hidden = queries.contact_wards(ward_officer, case)
    assert [code for code, _ in wards] == [HAC_THANH] and (seen, hidden) == (6, 3)
    client.force_login(ward_officer)
    filtered = client.get(f"/staff/tracing/{case.pk}/?ward={HAC_THANH}&level=F2").content
    assert filtered.decode().count("data-contact=") == 3


def more_windows(case: Case, n: int) -> None:
    """``n`` more exposure windows on the case, one every ten minutes from 11:00."""
    first = ExposureWindow.objects.filter(case=case).first()
    ExposureWindow.objects.bulk_create(
        ExposureWindow(
            case=case,
            venue_id=first.venue_id,
            start=local("2026-11-19 11:00") + timedelta(minutes=10 * i),
            end=local("2026-11-19 11:30") + timedelta(minutes=10 * i),
            present=300 + i,
            via_id=first.via_id,
        )
        for i in range(n)
    )


def window_rows(page: str) -> list[str]:
    import re

    return re.findall(r'<tr data-window="(\d+)"', page)


def test_the_case_page_shows_exposure_windows_a_page_at_a_time(world, client, ward_officer):
    case = big_case(world, 3, "P")
    more_windows(case, 57)  # 60 in all
    client.force_login(ward_officer)
    url = f"/staff/tracing/{case.pk}/"
    first = client.get(url + "?level=F1").content.decode()
    assert len(window_rows(first)) == 50 and 'data-windows-total="60"' in first
    # The next page keeps the contacts' filter and moves only the windows.
    assert 'href="?level=F1&amp;wpage=2#exposure-windows"' in first
    second = client.get(url + "?level=F1&wpage=2").content.decode()
    assert len(window_rows(second)) == 10 and 'rel="prev"' in second
    assert not set(window_rows(first)) & set(window_rows(second))
    ordered = list(
        ExposureWindow.objects.filter(case=case)
        .order_by("start", "venue_id", "pk")
        .values_list("pk", flat=True)
    )
    assert [int(pk) for pk in window_rows(first) + window_rows(second)] == ordered
    for odd, rows in (("abc", 50), ("0", 50), ("99999999999999999999", 10), ("-1", 50)):
        response = client.get(url + f"?wpage={odd}")
        assert response.status_code == 200
        assert len(window_rows(response.content.decode())) == rows, odd


def test_the_case_page_costs_the_same_statements_for_3_or_120_windows(world, client, ward_officer):
    few, many = big_case(world, 3, "A"), big_case(world, 3, "B")
    more_windows(many, 117)
    client.force_login(ward_officer)
    statements(client, f"/staff/tracing/{few.pk}/")
    assert statements(client, f"/staff/tracing/{few.pk}/") == statements(
        client, f"/staff/tracing/{many.pk}/"
    )
