import csv
import io
import re
import uuid

import openpyxl
import pytest

from phongdich.accounts.models import AuditEvent
from phongdich.checkpoints.actions import do_checkin
from phongdich.checkpoints.models import Visit
from tests.conftest import HEALTHY, PERSON

pytestmark = pytest.mark.django_db


def checkin(venue, **person):
    return do_checkin(
        venue_code=venue.code,
        client_id=uuid.uuid4(),
        person={**PERSON, **person},
        declaration=HEALTHY,
    )


def _visit_by_token(venue, person):
    return do_checkin(
        venue_code=venue.code,
        client_id=uuid.uuid4(),
        person_token=person.token,
        declaration=HEALTHY,
    )


@pytest.mark.parametrize("who", ["ward_officer", "province_officer", "venue_staff"])
def test_visits_api_for_staff_and_officers(api_client, venue, request, who):
    checkin(venue)
    response = api_client.as_user(request.getfixturevalue(who)).get(
        f"/api/v1/venues/{venue.code}/visits?inside=true"
    )
    assert response.status_code == 200
    [visit] = response.json()
    assert visit["person"]["full_name"] == "Nguyễn Thị Lan" and visit["flagged"] is False
    assert AuditEvent.objects.filter(action="view", object_type="checkpoints.visit_list").exists()


@pytest.mark.parametrize("who", ["other_ward_officer", "other_venue_staff", "outsider"])
def test_visits_api_hidden_from_others(api_client, venue, request, who):
    checkin(venue)
    response = api_client.as_user(request.getfixturevalue(who)).get(
        f"/api/v1/venues/{venue.code}/visits"
    )
    assert response.status_code == 404


def test_visits_api_needs_authentication(api_client, venue):
    assert api_client.get(f"/api/v1/venues/{venue.code}/visits").status_code == 401


def test_console_lists_flagged_first_and_is_audited(client, venue, venue_staff):
    checkin(venue, full_name="Lê Văn An", id_number="038090000001", phone="0912000001")
    do_checkin(
        venue_code=venue.code,
        client_id=uuid.uuid4(),
        person={
            **PERSON,
            "full_name": "Phạm Thị Bình",
            "id_number": "038190000002",
            "phone": "0912000002",
        },
        declaration={**HEALTHY, "symptoms": ["fever"]},
    )
    client.force_login(venue_staff)
    html = client.get(f"/staff/checkpoints/{venue.code}/inside").content.decode()
    assert html.index("Phạm Thị Bình") < html.index("Lê Văn An")
    assert "NGUY CƠ: Sốt" in html  # labels, not codes
    assert 'class="flagged"' in html
    assert AuditEvent.objects.filter(
        action="view", object_type="checkpoints.inside", actor=venue_staff
    ).exists()


def test_the_live_list_audits_its_opening_not_every_poll(client, venue, venue_staff, time_machine):
    from django.utils import timezone

    time_machine.move_to(timezone.now(), tick=False)
    client.force_login(venue_staff)
    views = AuditEvent.objects.filter(action="view", actor=venue_staff, object_id=venue.code)
    assert client.get(f"/staff/checkpoints/{venue.code}/").status_code == 200
    assert views.count() == 1  # the console was opened
    for _ in range(10):  # the 5-second refresh
        assert client.get(f"/staff/checkpoints/{venue.code}/inside").status_code == 200
    assert views.count() == 1
    # A console left open (it keeps polling, so the session never goes idle) is audited again
    # after an hour.
    for _ in range(12):
        time_machine.shift(299)
        assert client.get(f"/staff/checkpoints/{venue.code}/inside").status_code == 200
    assert views.count() == 1
    time_machine.shift(13)
    client.get(f"/staff/checkpoints/{venue.code}/inside")
    assert views.count() == 2
    client.get(f"/staff/checkpoints/{venue.code}/")  # opening it again is always audited
    assert views.count() == 3


def test_manual_checkout_by_staff(client, venue, venue_staff):
    visit = checkin(venue).visit
    client.force_login(venue_staff)
    client.post(f"/staff/checkpoints/{venue.code}/checkout/{visit.pk}")
    visit.refresh_from_db()
    assert visit.checkout_kind == "staff" and visit.checked_out_at is not None
    assert AuditEvent.objects.filter(action="checkout", object_id=str(visit.pk)).exists()


def test_paper_form_records_source_and_staff(client, venue, venue_staff):
    client.force_login(venue_staff)
    response = client.post(
        f"/staff/checkpoints/{venue.code}/paper",
        {
            "client_id": str(uuid.uuid4()),
            "full_name": "Hoàng Văn Cường",
            "birth_year": "1950",
            "gender": "male",
            "phone": "",
            "id_number": "",
            "symptoms": ["cough"],
            "commitment": "on",
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.source, visit.entered_by, visit.flagged) == ("paper", venue_staff, True)
    assert visit.person.phone == ""  # no smartphone, no phone: allowed on paper


def test_paper_form_lookup_prefills_and_is_audited(client, venue, venue_staff, citizen):
    _visit_by_token(venue, citizen)  # seen at this venue before
    client.force_login(venue_staff)
    html = client.post(
        f"/staff/checkpoints/{venue.code}/paper", {"lookup": "0912345678"}
    ).content.decode()
    assert 'value="Nguyễn Thị Lan"' in html
    assert AuditEvent.objects.filter(action="lookup", object_id=str(citizen.pk)).exists()


@pytest.mark.parametrize("query", ["0912345678", "038185001234"])
def test_paper_form_lookup_finds_no_one_never_seen_at_the_venue(
    client, venue, other_venue, venue_staff, citizen, query
):
    """Venue staff reach the people seen at their venue, not anyone in the country."""
    _visit_by_token(other_venue, citizen)  # seen elsewhere only
    client.force_login(venue_staff)
    response = client.post(f"/staff/checkpoints/{venue.code}/paper", {"lookup": query})
    # The typed query is echoed back; the page's random ids (the client_id, the CSRF token, the
    # CSP nonce) may hold any digits. Everything else must show nothing of the person.
    html = response.content.decode().replace(f'value="{query}"', "")
    html = re.sub(r'name="(client_id|csrfmiddlewaretoken)" value="[^"]*"', "", html)
    html = re.sub(r'value="[^"]*" name="(client_id|csrfmiddlewaretoken)"', "", html)
    html = re.sub(r'nonce="[^"]*"', "", html)
    assert response.status_code == 200 and "Nguyễn Thị Lan" not in html
    assert "1985" not in html and "038185001234" not in html
    assert not Visit.objects.filter(venue=venue).exists()  # a lookup writes nothing
    assert not AuditEvent.objects.filter(action="lookup").exists()


def test_paper_form_errors_keep_input_and_write_nothing(client, venue, venue_staff):
    client.force_login(venue_staff)
    response = client.post(
        f"/staff/checkpoints/{venue.code}/paper",
        {
            "client_id": str(uuid.uuid4()),
            "full_name": "Hoàng Văn Cường",
            "birth_year": "3000",
            "gender": "male",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert (
        'value="Hoàng Văn Cường"' in html and "err-birth_year" in html and "err-commitment" in html
    )
    assert not Visit.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_escapes_formulas_and_is_audited(client, venue, venue_staff, fmt):
    checkin(
        venue,
        full_name="Nguyễn Văn A",
        address='=HYPERLINK("http://x","y")',
        id_number="038090000003",
        phone="0912000003",
    )
    client.force_login(venue_staff)
    response = client.get(f"/staff/checkpoints/{venue.code}/export.{fmt}")
    assert response.status_code == 200
    if fmt == "csv":
        assert response.streaming  # every row, read as it is sent
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(body)))
        assert rows[1][7] == '\'=HYPERLINK("http://x","y")'
        assert rows[1][2] == "Nguyễn Văn A"
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        cell = sheet.cell(row=2, column=8)
        assert cell.value == '=HYPERLINK("http://x","y")' and cell.data_type == "s"
    event = AuditEvent.objects.get(action="export")
    assert (
        event.actor == venue_staff and event.detail["rows"] == 1 and event.detail["format"] == fmt
    )


def test_status_changes_say_what_happened_and_ask_first(client, ward_officer, venue):
    client.force_login(ward_officer)
    page = client.get(f"/staff/checkpoints/{venue.code}/").content.decode()
    assert page.count("data-confirm=") >= 2  # closing, a new code
    done = client.post(f"/staff/checkpoints/{venue.code}/status", {"status": "suspended"})
    shown = client.get(done["Location"]).content.decode()
    assert 'class="success"' in shown
    assert venue.name in shown
    bad = client.post(f"/staff/checkpoints/{venue.code}/status", {"status": "nonsense"})
    assert bad.status_code == 302


def test_the_export_carries_vietnamese_values_not_codes(client, venue, venue_staff):
    do_checkin(
        venue_code=venue.code,
        client_id=uuid.uuid4(),
        person={**PERSON, "phone": "0912000004"},
        declaration={**HEALTHY, "symptoms": ["fever", "cough"]},
    )
    client.force_login(venue_staff)
    response = client.get(f"/staff/checkpoints/{venue.code}/export.csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    [_header, row] = list(csv.reader(io.StringIO(body)))
    assert row[4] == "Nữ" and row[5] == "0912 000 004" and set(row[9].split(", ")) == {"Sốt", "Ho"}
    assert row[8] not in {"self", "paper", "scan"} and row[11] not in {"x", "yes"}


def test_scan_preview_names_the_person_to_the_venue_staff_only(
    client, venue, venue_staff, other_venue_staff, other_venue
):
    result = checkin(venue, phone="0912000009", id_number="038090000009")
    url = f"/api/v1/venues/{venue.code}/scan-preview"
    client.force_login(venue_staff)
    answer = client.post(
        url, {"token": f"PD1:{result.person.token}"}, content_type="application/json"
    )
    assert answer.status_code == 200
    body = answer.json()
    assert (body["full_name"], body["birth_year"]) == (
        result.person.full_name,
        PERSON["birth_year"],
    )
    assert body["inside_since"] is not None and "phone" not in body and "id_number" not in body
    assert AuditEvent.objects.filter(action="lookup", object_id=str(result.person.pk)).exists()
    unknown = client.post(url, {"token": "x" * 43}, content_type="application/json")
    assert unknown.status_code == 404 and unknown.json()["errors"][0]["code"] == "unknown_token"
    client.force_login(other_venue_staff)  # another venue's staff learn nothing
    refused = client.post(url, {"token": result.person.token}, content_type="application/json")
    assert refused.status_code == 404 and "full_name" not in refused.json()


def test_a_second_paper_entry_of_someone_inside_is_flagged_not_added(client, venue, venue_staff):
    client.force_login(venue_staff)
    form = {
        **{k: v for k, v in PERSON.items() if k != "ward_code"},
        "ward_code": PERSON["ward_code"],
        "commitment": "on",
    }
    first = client.post(
        f"/staff/checkpoints/{venue.code}/paper",
        {**form, "client_id": str(uuid.uuid4())},
        follow=True,
    )
    assert first.status_code == 200 and 'class="success"' in first.content.decode()
    again = client.post(
        f"/staff/checkpoints/{venue.code}/paper",
        {**form, "client_id": str(uuid.uuid4())},
        follow=True,
    )
    html = again.content.decode()
    warning = html.split('class="warning" role="alert">')[1].split("</li>")[0]
    assert PERSON["full_name"] in warning
    assert Visit.objects.filter(venue=venue).count() == 1
    lookup = client.post(f"/staff/checkpoints/{venue.code}/paper", {"lookup": PERSON["id_number"]})
    assert 'id="already-inside"' in lookup.content.decode()


def test_the_inside_list_shows_phones_as_people_write_them(client, venue, venue_staff):
    checkin(venue, phone="+84912000011", id_number="038090000011")
    client.force_login(venue_staff)
    html = client.get(f"/staff/checkpoints/{venue.code}/inside").content.decode()
    assert "0912 000 011" in html and "+84912000011" not in html
