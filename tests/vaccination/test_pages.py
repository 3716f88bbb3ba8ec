"""Staff pages through the client: each refuses outsiders (404) and roles without business there
(403); the main forms work without JavaScript; exports are audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from phongdich.accounts.models import AuditEvent
from phongdich.vaccination.actions import do_register
from phongdich.vaccination.adverse import do_report_adverse_event
from phongdich.vaccination.invitations import do_invite
from phongdich.vaccination.models import (
    AdverseEvent,
    Certificate,
    Dose,
    Registration,
    Screening,
    Session,
)
from tests.conftest import HAC_THANH, PERSON

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(ward_officer, session, vaccinated):
    registration, _ = do_register(PERSON, channel="officer", actor=ward_officer)
    dose = vaccinated.doses.get(dose_number=2)
    event = do_report_adverse_event(
        dose,
        {"onset_at": "2025-10-01T20:00:00+07:00", "severity": "mild", "symptoms": ["fever"]},
        actor=ward_officer,
    )
    return {
        "session": session,
        "person": vaccinated,
        "registration": registration,
        "dose": dose,
        "event": event,
    }


OBJECT_URLS = [
    ("get", "vaccination:session", "session"),
    ("post", "vaccination:session_status", "session"),
    ("post", "vaccination:session_invite", "session"),
    ("post", "vaccination:session_dose", "session"),
    ("post", "vaccination:registration_cancel", "registration"),
    ("get", "vaccination:person", "person"),
    ("post", "vaccination:person_dose", "person"),
    ("post", "vaccination:person_certificate", "person"),
    ("post", "vaccination:dose_observation", "dose"),
    ("post", "vaccination:dose_void", "dose"),
    ("get", "vaccination:adverse_event_new", "dose"),
    ("post", "vaccination:adverse_event_new", "dose"),
    ("post", "vaccination:adverse_event_outcome", "event"),
]


@pytest.mark.parametrize(("method", "name", "kind"), OBJECT_URLS)
def test_outsiders_get_404_on_every_object_page(
    client, world, outsider, other_ward_officer, method, name, kind
):
    url = reverse(name, args=[world[kind].pk])
    for user in (outsider, other_ward_officer):
        client.force_login(user)
        assert getattr(client, method)(url).status_code == 404, (user.username, url)
    assert Dose.objects.filter(voided_at__isnull=True).count() == 2
    assert Certificate.objects.count() == 0


LIST_URLS = [
    "vaccination:sessions",
    "vaccination:registrations",
    "vaccination:people",
    "vaccination:adverse_events",
    "vaccination:coverage",
    "vaccination:population",
]


@pytest.mark.parametrize("name", LIST_URLS)
def test_list_pages_show_outsiders_nothing_of_ours(client, world, outsider, name):
    client.force_login(outsider)
    response = client.get(reverse(name), {"q": "038185001234", "show": "past"})
    assert response.status_code == 200
    assert "Nguyễn Thị Lan" not in response.content.decode()
    assert reverse("vaccination:person", args=[world["person"].pk]) not in response.content.decode()
    assert "Hạc Thành" not in response.content.decode()


@pytest.mark.parametrize(
    ("method", "name", "args", "role"),
    [
        ("get", "vaccination:sessions", [], "venue_staff"),
        ("post", "vaccination:session_create", [], "vaccinator"),
        ("post", "vaccination:registration_create", [], "vaccinator"),
        ("get", "vaccination:registrations", [], "venue_staff"),
        ("get", "vaccination:people", [], "venue_staff"),
        ("get", "vaccination:adverse_events", [], "venue_staff"),
        ("get", "vaccination:coverage", [], "vaccinator"),
        ("get", "vaccination:coverage_export", ["csv"], "vaccinator"),
        ("get", "vaccination:adverse_event_export", ["csv"], "venue_staff"),
        ("get", "vaccination:population", [], "vaccinator"),
        ("post", "vaccination:session_status", ["session"], "vaccinator"),
        ("post", "vaccination:session_invite", ["session"], "vaccinator"),
        ("post", "vaccination:person_certificate", ["person"], "vaccinator"),
        ("post", "vaccination:dose_void", ["dose"], "vaccinator"),
        ("get", "vaccination:person", ["person"], "venue_staff"),
    ],
)
def test_roles_without_business_get_403(
    client, world, vaccinator, venue_staff, method, name, args, role
):
    users = {"vaccinator": vaccinator, "venue_staff": venue_staff}
    client.force_login(users[role])
    url = reverse(name, args=[world[a].pk if a in world else a for a in args])
    assert getattr(client, method)(url).status_code == 403


def test_anonymous_staff_pages_redirect_to_login(client, world):
    response = client.get(reverse("vaccination:person", args=[world["person"].pk]))
    assert response.status_code == 302 and "/staff/login/" in response["Location"]


def test_an_officer_plans_a_session_with_the_form(client, ward_officer):
    client.force_login(ward_officer)
    response = client.post(
        reverse("vaccination:session_create"),
        {
            "ward_code": HAC_THANH,
            "site_name": "Nhà văn hóa khu phố 3",
            "date": "2026-03-10",
            "product": "EU/1/21/1529",
            "lot_numbers": "AZ1, AZ2",
            "slots": "120",
        },
    )
    session = Session.objects.get()
    assert response.status_code == 302 and session.lot_numbers == ["AZ1", "AZ2"]
    bad = client.post(
        reverse("vaccination:session_create"),
        {"ward_code": HAC_THANH, "site_name": "", "slots": "x"},
    )
    assert bad.status_code == 422 and b'id="err-site_name"' in bad.content
    assert client.get(reverse("vaccination:sessions")).status_code == 200


def test_a_vaccinator_records_a_dose_from_the_session_page(
    client, ward_officer, vaccinator, session
):
    do_register(PERSON, channel="officer", actor=ward_officer)
    do_invite(session, actor=ward_officer)
    person = Registration.objects.get().person
    client.force_login(vaccinator)
    page = client.get(reverse("vaccination:session", args=[session.pk]), {"person": person.pk})
    assert page.status_code == 200 and b'id="dose-person"' in page.content
    response = client.post(
        reverse("vaccination:session_dose", args=[session.pk]),
        {
            "person_id": person.pk,
            "dose_number": "1",
            "lot": "FK5678",
            "screening": ["aged_65_or_more"],
            "temperature": "36,9",
            "pulse": "80",
        },
    )
    assert response.status_code == 302
    dose = Dose.objects.get()
    assert (dose.lot, dose.screening.result, str(dose.screening.temperature)) == (
        "FK5678",
        "precaution",
        "36.9",
    )
    assert session.invitations.get().status == "attended"
    page = client.get(reverse("vaccination:session", args=[session.pk]))
    assert b'id="observing"' in page.content


def test_a_walk_in_is_recorded_with_their_details_and_errors_show_beside_fields(
    client, vaccinator, session
):
    client.force_login(vaccinator)
    bad = client.post(
        reverse("vaccination:session_dose", args=[session.pk]),
        {
            "full_name": "Lê Văn Tám",
            "birth_year": "1990",
            "gender": "male",
            "dose_number": "2",
            "lot": "FK1234",
        },
    )
    assert bad.status_code == 422 and b'id="err-dose_number"' in bad.content
    ok = client.post(
        reverse("vaccination:session_dose", args=[session.pk]),
        {
            "full_name": "Lê Văn Tám",
            "birth_year": "1990",
            "gender": "male",
            "dose_number": "1",
            "lot": "FK1234",
        },
    )
    assert ok.status_code == 302 and Dose.objects.get().person.full_name == "Lê Văn Tám"


def test_screening_refusal_is_shown_as_a_message(client, vaccinator, session, citizen):
    client.force_login(vaccinator)
    response = client.post(
        reverse("vaccination:session_dose", args=[session.pk]),
        {
            "person_id": citizen.pk,
            "dose_number": "1",
            "lot": "FK1234",
            "screening": ["acute_illness"],
        },
        follow=True,
    )
    assert not Dose.objects.exists()
    assert "Kết quả khám sàng lọc" in response.content.decode()


def test_person_page_enters_a_dose_and_issues_the_certificate(
    client, ward_officer, citizen, signing_keys
):
    client.force_login(ward_officer)
    url = reverse("vaccination:person_dose", args=[citizen.pk])
    for number, day in ((1, "2025-09-01"), (2, "2025-10-01")):
        response = client.post(
            url,
            {
                "dose_number": number,
                "given_on": day,
                "product": "EU/1/20/1528",
                "source_detail": "BV Tỉnh",
                "country": "VN",
            },
        )
        assert response.status_code == 302
    early = client.post(
        url,
        {
            "dose_number": 3,
            "given_on": "2025-10-05",
            "product": "EU/1/20/1528",
            "source_detail": "BV Tỉnh",
        },
    )
    assert early.status_code == 422 and b'id="err-given_on"' in early.content
    client.post(reverse("vaccination:person_certificate", args=[citizen.pk]))
    certificate = Certificate.objects.get()
    page = client.get(reverse("vaccination:person", args=[citizen.pk]))
    assert certificate.token in page.content.decode()
    assert AuditEvent.objects.filter(action="view", object_type="people.person").exists()


def test_void_observation_and_adverse_event_forms(client, ward_officer, world):
    client.force_login(ward_officer)
    dose = world["dose"]
    form = client.get(reverse("vaccination:adverse_event_new", args=[dose.pk]))
    assert form.status_code == 200 and b'id="event-form"' in form.content
    bad = client.post(
        reverse("vaccination:adverse_event_new", args=[dose.pk]),
        {"onset_at": "2025-10-02T08:00", "severity": "mild"},
    )
    assert bad.status_code == 422 and b'id="err-symptoms"' in bad.content
    client.post(
        reverse("vaccination:adverse_event_new", args=[dose.pk]),
        {
            "onset_at": "2025-10-02T08:00",
            "severity": "severe",
            "symptoms": ["fever", "rash"],
            "hospitalised": "on",
        },
    )
    event = AdverseEvent.objects.get(severity="severe")
    assert event.onset_at.isoformat() == "2025-10-02T01:00:00+00:00" and event.hospitalised
    client.post(
        reverse("vaccination:adverse_event_outcome", args=[event.pk]),
        {"outcome": "recovered", "next": "list"},
    )
    event.refresh_from_db()
    assert event.outcome == "recovered"
    client.post(reverse("vaccination:dose_void", args=[dose.pk]), {"reason": "Nhầm"})
    dose.refresh_from_db()
    assert dose.voided_at is not None


def test_registrations_page_and_form(client, ward_officer):
    client.force_login(ward_officer)
    response = client.post(
        reverse("vaccination:registration_create"),
        {**PERSON, "priority_group": "elderly", "date_of_birth": "1985-04-30"},
    )
    assert response.status_code == 302
    page = client.get(reverse("vaccination:registrations"), {"group": "elderly"})
    assert "Nguyễn Thị Lan" in page.content.decode()
    bad = client.post(reverse("vaccination:registration_create"), {"full_name": "x"})
    assert bad.status_code == 422


def test_coverage_page_exports_and_population_import(client, ward_officer, vaccinated):
    client.force_login(ward_officer)
    page = client.get(reverse("vaccination:coverage"))
    assert page.status_code == 200 and f'data-ward="{HAC_THANH}"'.encode() in page.content
    export = client.get(reverse("vaccination:coverage_export", args=["csv"]))
    text = export.content.decode("utf-8-sig")
    assert export.status_code == 200 and "Hạc Thành" in text and "18+" in text
    assert client.get(reverse("vaccination:coverage_export", args=["pdf"])).status_code == 404
    assert AuditEvent.objects.filter(action="export", object_type="vaccination.coverage")
    from django.core.files.uploadedfile import SimpleUploadedFile

    def upload(commit=False):
        data = {
            "file": SimpleUploadedFile(
                "p.csv", f"ward_code,18+,50+,65+\n{HAC_THANH},900,300,100\n".encode()
            )
        }
        if commit:
            data["commit"] = "1"
        return client.post(reverse("vaccination:population"), data)

    preview = upload()
    assert preview.status_code == 200 and b'id="preview"' in preview.content
    assert upload(commit=True).status_code == 302
    one = client.post(
        reverse("vaccination:population"),
        {"ward_code": HAC_THANH, "age_18_plus": "1000", "age_50_plus": "400", "age_65_plus": "120"},
    )
    assert one.status_code == 302
    assert (
        client.post(
            reverse("vaccination:population"),
            {"ward_code": HAC_THANH, "age_18_plus": "1", "age_50_plus": "400", "age_65_plus": "1"},
        ).status_code
        == 422
    )


def test_adverse_event_export_is_audited(client, ward_officer, world):
    client.force_login(ward_officer)
    response = client.get(reverse("vaccination:adverse_event_export", args=["xlsx"]))
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert AuditEvent.objects.filter(
        action="export", object_type="vaccination.adverseevent_list"
    ).exists()


def test_dashboard_shows_vaccination_cards(client, ward_officer, session):
    client.force_login(ward_officer)
    response = client.get(reverse("accounts:dashboard"))
    assert reverse("vaccination:sessions").encode() in response.content
    assert reverse("vaccination:coverage").encode() in response.content


def test_a_vaccinator_finds_people_only_in_the_area(client, vaccinator, citizen):
    client.force_login(vaccinator)
    response = client.get(reverse("vaccination:people"), {"q": "038185001234"})
    assert reverse("vaccination:person", args=[citizen.pk]).encode() in response.content


def test_a_deferral_is_recorded_on_the_person_and_the_form_keeps_its_values(
    client, vaccinator, session
):
    """A walk-in with a fever: no dose, but the person and the deferral with its reasons are
    kept, shown on their record, and the form comes back filled in with a warning."""
    client.force_login(vaccinator)
    response = client.post(
        reverse("vaccination:session_dose", args=[session.pk]),
        {
            "full_name": "Hà Văn Sốt",
            "birth_year": "1980",
            "gender": "male",
            "dose_number": "1",
            "lot": "FK1234",
            "screening": ["acute_illness"],
            "temperature": "38,4",
            "pulse": "88",
        },
    )
    assert response.status_code == 409 and not Dose.objects.exists()
    html = response.content.decode()
    assert 'class="warning" role="alert"' in html
    assert 'name="temperature" inputmode="decimal" value="38,4"' in html
    assert 'value="acute_illness" checked' in html
    person = Screening.objects.get().person
    assert person.full_name == "Hà Văn Sốt"
    assert f'name="person_id" value="{person.pk}"' in html  # the next try is for this person
    record = client.get(reverse("vaccination:person", args=[person.pk])).content.decode()
    assert 'id="deferrals"' in record and "37,4 °C" in record  # the temperature reason, by name


def test_the_person_record_shows_the_phone_as_0xxx(client, ward_officer, citizen):
    client.force_login(ward_officer)
    html = client.get(reverse("vaccination:person", args=[citizen.pk])).content.decode()
    assert "0912 345 678" in html and citizen.phone not in html
