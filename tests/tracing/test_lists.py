"""Tracing lists that scale: a page at a time with the total, filters, search, sort, what the
caller's area hides, every row in exports, and a row saved in place."""

from __future__ import annotations

import csv
import io
import re

import pytest

from phongdich.lib.text import fold
from phongdich.people.models import Gender, Person
from phongdich.tracing.models import Contact, ContactStatus
from tests.conftest import HAC_THANH, QUANG_PHU

pytestmark = pytest.mark.django_db

MANY = 620  # past a page, and past the 500 rows the old pages and exports stopped at


def add_contacts(case, count: int, ward: int = HAC_THANH, level: str = "F1") -> None:
    people = Person.objects.bulk_create(
        Person(
            full_name=f"Nguyễn Văn Thử {ward}-{n}",
            name_folded=fold(f"Nguyễn Văn Thử {ward}-{n}"),
            birth_year=1980,
            gender=Gender.MALE,
            phone=f"+8491{ward % 100:02d}{n:05d}",
            ward_id=ward,
            token=f"t{ward}-{n}",
        )
        for n in range(count)
    )
    Contact.objects.bulk_create(
        Contact(case=case, person=p, level=level, origin="named", ward_id=ward) for p in people
    )


def rows_of(html: str) -> int:
    table = html.split('id="contact-table"', 1)[1].split("</table>", 1)[0]
    return len(re.findall(r"<tr data-contact=", table))


def test_the_case_page_shows_a_page_the_total_and_what_the_area_hides(client, case, ward_officer):
    add_contacts(case, MANY)
    add_contacts(case, 7, ward=QUANG_PHU)
    own = Contact.objects.filter(case=case, ward_id=HAC_THANH).count()
    client.force_login(ward_officer)
    html = client.get(f"/staff/tracing/{case.pk}/").content.decode()
    assert rows_of(html) == 50
    assert f'data-total="{own}"' in html and 'data-hidden="7"' in html
    last = (own + 49) // 50
    page = client.get(f"/staff/tracing/{case.pk}/", {"page": last}).content.decode()
    assert rows_of(page) == own - 50 * (last - 1)
    assert len(html.encode()) < 200_000


def test_the_case_page_filters_searches_and_sorts(client, case, ward_officer):
    add_contacts(case, 60)
    client.force_login(ward_officer)
    url = f"/staff/tracing/{case.pk}/"
    found = client.get(url, {"q": "nguyen van thu 14797-17"}).content.decode()  # no diacritics
    assert rows_of(found) == 1 and "Thử 14797-17" in found
    by_phone = client.get(url, {"q": "0919 700 017"}).content.decode()
    assert rows_of(by_phone) == 1
    f2 = client.get(url, {"level": "F2"}).content.decode()
    assert all(level == "F2" for level in re.findall(r'data-level="(F\d)"', f2))
    named = client.get(url, {"sort": "name", "status": "identified"}).content.decode()
    names = re.findall(r"Thử 14797-(\d+)", named)
    assert names == sorted(names)  # by name, folded
    nothing = client.get(url, {"q": "không có ai"}).content.decode()
    assert rows_of(nothing) == 0 and 'data-total="0"' in nothing


def test_exports_carry_every_row_streamed(client, case, ward_officer):
    add_contacts(case, MANY)
    client.force_login(ward_officer)
    response = client.get(f"/staff/tracing/{case.pk}/contacts.csv")
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    visible = Contact.objects.filter(case=case, ward_id=HAC_THANH).count()
    assert len(rows) - 1 == visible > 500
    assert any(r[3].startswith("0919 ") for r in rows[1:])  # phones as people write them
    work = client.get("/staff/tracing/worklist.csv", {"date": "2026-11-23"})
    lines = list(csv.reader(io.StringIO(b"".join(work.streaming_content).decode("utf-8-sig"))))
    assert sum(r[0] == "Cần gọi" for r in lines) > 500


def test_saving_a_row_with_htmx_answers_that_row_only(client, case, ward_officer):
    contact = Contact.objects.filter(case=case, ward_id=HAC_THANH).first()
    client.force_login(ward_officer)
    response = client.post(
        f"/staff/tracing/contacts/{contact.pk}/status",
        {"status": "notified"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith("<tr") and "<html" not in html
    assert f'id="contact-{contact.pk}"' in html and 'class="ok saved"' in html
    assert 'data-status="notified"' in html
    contact.refresh_from_db()
    assert contact.status == ContactStatus.NOTIFIED
    wrong = client.post(
        f"/staff/tracing/contacts/{contact.pk}/status",
        {"status": "nonsense", "next": "worklist"},
        headers={"HX-Request": "true"},
    )
    assert 'role="alert"' in wrong.content.decode() and "work-row-" in wrong.content.decode()
    # Without JavaScript the form still works: back to the page with a message.
    plain = client.post(f"/staff/tracing/contacts/{contact.pk}/status", {"status": "notified"})
    assert plain.status_code == 302


def test_the_work_list_has_headers_tasks_and_an_inline_outcome(client, case, ward_officer):
    add_contacts(case, 60)
    client.force_login(ward_officer)
    html = client.get("/staff/tracing/worklist/", {"date": "2026-11-23"}).content.decode()
    table = html.split('id="work-call"', 1)[1].split("</table>", 1)[0]
    assert "<thead>" in table and "Kết quả cuộc gọi" in table
    assert len(re.findall(r'<tr id="work-row-', table)) == 50
    assert 'id="task-test"' in html and 'hx-post="/staff/tracing/contacts/' in table


def test_an_outsider_gets_nothing(client, case, outsider):
    client.force_login(outsider)
    assert client.get(f"/staff/tracing/{case.pk}/").status_code == 404
    assert client.get(f"/staff/tracing/{case.pk}/contacts.csv").status_code == 404
    html = client.get("/staff/tracing/worklist/").content.decode()
    assert 'data-total="0"' in html
