"""The vaccination lists scale: a page at a time with the total, a search without diacritics,
filters, a Vietnamese alphabetical sort, and an export of every row (streamed), each only
inside the caller's area."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse

from phongdich.vaccination.actions import do_create_session, do_register
from phongdich.vaccination.adverse import do_report_adverse_event
from phongdich.vaccination.models import Registration
from tests.conftest import HAC_THANH
from tests.vaccination.conftest import COMIRNATY, TODAY

pytestmark = pytest.mark.django_db

# Family name first; in dictionary order Ánh < Ân < Đức, though code points put Đ after Z.
GIVEN = ["Bình", "Chi", "Dung", "Giang", "Hà", "Khánh", "Linh", "Mai", "Nam", "Oanh", "Phúc", "Quế"]
NAMES = ["Vũ Thị Ánh", "Lê Văn Ân", "Đỗ Minh Đức", "Trần Văn Bảo", "Nguyễn Văn Ư"]


def register_many(officer, count: int, group: str = "general") -> None:
    for n in range(count):
        name = NAMES[n] if n < len(NAMES) else f"Phạm {GIVEN[n // 12]} {GIVEN[n % 12]}"
        do_register(
            {
                "full_name": name,
                "birth_year": 1940 + n % 60,
                "gender": "male",
                "phone": f"0912{n:06d}",
                "nationality": "VN",
                "ward_code": HAC_THANH,
            },
            priority_group=group if n % 2 else "general",
            channel="officer",
            actor=officer,
        )


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_registrations_page_filter_search_sort_and_export_everything(client, ward_officer):
    register_many(ward_officer, 120, group="elderly")
    client.force_login(ward_officer)
    url = reverse("vaccination:registrations")
    first = client.get(url)
    assert first.status_code == 200
    assert 'data-total="120"' in first.content.decode()
    assert len(first.context["listing"].rows) == 50
    assert first.context["listing"].page.paginator.num_pages == 3

    found = client.get(url, {"q": "do minh duc"}).context["listing"]
    assert [r.person.full_name for r in found.rows] == ["Đỗ Minh Đức"]
    assert client.get(url, {"q": "0912000004"}).context["listing"].rows[0].person.full_name == (
        "Nguyễn Văn Ư"
    )
    elderly = client.get(url, {"group": "elderly"}).context["listing"]
    assert elderly.total == 60

    by_name = [
        r.person.full_name for r in client.get(url, {"sort": "name"}).context["listing"].rows
    ]
    assert by_name[:3] == ["Đỗ Minh Đức", "Lê Văn Ân", "Nguyễn Văn Ư"]  # D<Đ is not at the end

    response = client.get(
        reverse("vaccination:registration_export", args=["csv"]), {"sort": "name"}
    )
    assert response.streaming
    rows = csv_rows(response)
    assert len(rows) == 1 + 120  # every row, not one page
    assert rows[1][0] == "Đỗ Minh Đức" and rows[1][3] == "0912 000 002"  # shown as 0xxx
    only = csv_rows(
        client.get(reverse("vaccination:registration_export", args=["csv"]), {"group": "elderly"})
    )
    assert len(only) == 1 + 60
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("vaccination:registration_export", args=["xlsx"])).content)
    )
    assert book.active.max_row == 1 + 120


def test_outsiders_see_and_export_none_of_our_registrations(
    client, ward_officer, other_ward_officer
):
    register_many(ward_officer, 3)
    client.force_login(other_ward_officer)
    assert client.get(reverse("vaccination:registrations")).context["listing"].total == 0
    rows = csv_rows(client.get(reverse("vaccination:registration_export", args=["csv"])))
    assert rows[1:] == []
    assert client.get(reverse("vaccination:registration_export", args=["pdf"])).status_code == 404
    assert Registration.objects.count() == 3


def test_sessions_upcoming_past_all_paged_and_exported(client, ward_officer):
    for n in range(60):
        do_create_session(
            {
                "ward_code": HAC_THANH,
                "site_name": f"Trạm {n:02d}",
                "date": (TODAY + timedelta(days=n - 10)).isoformat(),
                "product": COMIRNATY,
                "slots": 50,
            },
            actor=ward_officer,
        )
    client.force_login(ward_officer)
    url = reverse("vaccination:sessions")
    upcoming = client.get(url).context["listing"]
    assert upcoming.total == 50 and upcoming.rows[0].date == TODAY
    past = client.get(url, {"show": "past"}).context["listing"]
    assert past.total == 10 and past.rows[0].date == TODAY - timedelta(days=1)
    every = client.get(url, {"show": "all"}).context["listing"]
    assert every.total == 60 and every.page.paginator.num_pages == 2
    assert client.get(url, {"show": "all", "q": "trạm 07"}).context["listing"].total == 1
    rows = csv_rows(
        client.get(reverse("vaccination:session_export", args=["csv"]), {"show": "all"})
    )
    assert len(rows) == 61 and rows[0][0] == "Ngày"
    assert "Pfizer" in rows[1][4]  # the vaccine by the name staff use


def test_adverse_events_list_names_symptoms_and_exports_them(client, ward_officer, vaccinated):
    dose = vaccinated.doses.get(dose_number=2)
    for n in range(55):
        do_report_adverse_event(
            dose,
            {
                "onset_at": f"2025-10-{1 + n % 28:02d}T20:00:00+07:00",
                "severity": "severe" if n == 0 else "mild",
                "symptoms": ["fever"],
            },
            actor=ward_officer,
        )
    client.force_login(ward_officer)
    url = reverse("vaccination:adverse_events")
    page = client.get(url)
    assert page.context["listing"].total == 55 and len(page.context["listing"].rows) == 50
    html = page.content.decode()
    assert ">fever<" not in html and "Sốt" in html
    assert client.get(url, {"severity": "severe"}).context["listing"].total == 1
    rows = csv_rows(client.get(reverse("vaccination:adverse_event_export", args=["csv"])))
    assert len(rows) == 56 and {r[8] for r in rows[1:]} == {"Sốt"}
